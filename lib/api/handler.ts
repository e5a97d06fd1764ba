/**
 * Route handler wrappers (dub-style): parse, authorise, call lib, map errors. Route files stay thin.
 * Every error answers `{ error: { code, message } }` with the user-facing (Russian) message; internal
 * details go to the log only. Unknown failures are a generic 500.
 */
import { z } from 'zod';
import { AppError, isAppError } from '../core/errors';
import { logger } from '../core/logger';
import { redactWebhookPath } from '@/lib/sync/account/webhook-secrets';

export type RouteParams = Record<string, string | string[] | undefined>;
export interface RouteContext<P extends RouteParams = RouteParams> {
  params: Promise<P>;
}

/** Bodies larger than this are refused before parsing (MoySklad's webhook bodies are small). */
export const MAX_BODY_BYTES = 256 * 1024;

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
      { error: { code: 'VALIDATION', message: 'Проверьте введённые данные.', details: { fieldErrors: z.flattenError(error).fieldErrors } } },
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
      if (/%00/.test(request.url)) throw new AppError('BAD_REQUEST', 'NUL character in the URL', { userMessage: 'Недопустимый символ в адресе запроса.' });
      return await handler(request, context);
    } catch (error) {
      // The webhook path carries the account's secret: it never reaches the log.
      return errorResponse(error, { method: request.method, path: redactWebhookPath(new URL(request.url).pathname) });
    }
  };
}

/**
 * Reads the body as a stream and stops at `maxBytes`: nothing beyond the cap is ever buffered, whatever
 * Content-Length says (or does not say, for a chunked body). The rest of the upload is cancelled.
 */
export async function readBodyText(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    throw new AppError('PAYLOAD_TOO_LARGE', `body of ${declared} bytes declared`);
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AppError('PAYLOAD_TOO_LARGE', `streamed body over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Reads a JSON body with a size cap; malformed JSON or too large → 400/413, never 500. */
export async function readJson(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  if (!text.trim()) return {};
  if (text.includes('\u0000') || text.includes('\\u0000')) {
    throw new AppError('BAD_REQUEST', 'NUL character in the body', { userMessage: 'Тело запроса содержит недопустимый символ (NUL).' });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'malformed JSON body', { userMessage: 'Тело запроса — не JSON.' });
  }
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
