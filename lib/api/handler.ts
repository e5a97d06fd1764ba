/**
 * Route handler wrappers (dub-style): parse, authorise, call lib, map errors. Route files stay thin.
 * Every error answers `{ error: { code, message } }` with the user-facing (Russian) message; internal
 * details go to the log only. Unknown failures are a generic 500.
 */
import { z } from 'zod';
import { AppError, isAppError } from '@/lib/core/errors';
import { logger } from '@/lib/core/logger';
import { redactWebhookPath } from '@/lib/sync/account/webhook-secrets';
import { readJson } from '@/lib/core/request-body';

export type RouteParams = Record<string, string | string[] | undefined>;
export interface RouteContext<P extends RouteParams = RouteParams> {
  params: Promise<P>;
}

export function errorResponse(error: unknown, context: Record<string, unknown> = {}): Response {
  if (isAppError(error)) {
    if (error.httpStatus >= 500) logger.error({ ...context, code: error.code, err: error.message }, 'request failed');
    else logger.info({ ...context, code: error.code, err: error.message }, 'request refused');
    // A refused upload may still be streaming in: closing the connection stops it instead of draining it.
    const headers: Record<string, string> = error.code === 'PAYLOAD_TOO_LARGE' ? { connection: 'close' } : {};
    if (error.code === 'RATE_LIMITED' && error.retryAfterMs) headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
    return Response.json(error.toResponseBody(), { status: error.httpStatus, headers });
  }
  if (error instanceof z.ZodError) {
    return Response.json(
      {
        error: {
          code: 'VALIDATION',
          message: 'Проверьте введённые данные.',
          details: { fieldErrors: z.flattenError(error).fieldErrors },
        },
      },
      { status: 422 },
    );
  }
  logger.error({ ...context, err: error }, 'unexpected error in route');
  return Response.json({ error: { code: 'INTERNAL', message: 'Внутренняя ошибка приложения. Повторите позже.' } }, { status: 500 });
}

export function withErrors<P extends RouteParams>(
  handler: (request: Request, context: RouteContext<P>) => Promise<Response>,
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return async (request, context) => {
    try {
      // PostgreSQL cannot store NUL characters; refuse them at the door rather than fail deep inside.
      if (/%00/.test(request.url))
        throw new AppError('BAD_REQUEST', 'NUL character in the URL', {
          userMessage: 'Недопустимый символ в адресе запроса.',
        });
      return await handler(request, context);
    } catch (error) {
      // The webhook path carries the account's secret: it never reaches the log.
      return errorResponse(error, { method: request.method, path: redactWebhookPath(new URL(request.url).pathname) });
    }
  };
}

export async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const result = schema.safeParse(await readJson(request));
  if (!result.success) throw result.error;
  return result.data;
}

export function parseParams<S extends z.ZodType>(params: unknown, schema: S): z.infer<S> {
  const result = schema.safeParse(params);
  if (!result.success) throw new AppError('NOT_FOUND', `bad route params: ${result.error.message}`);
  return result.data;
}
