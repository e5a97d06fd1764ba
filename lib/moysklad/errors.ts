/**
 * Turns what MoySklad (or the network) answered into the product's AppError. Pure, so the whole
 * classification is unit-tested: what a person must fix (auth, permissions, validation), what passes by
 * itself (429, 5xx, no answer) and what the clerk reads (Russian, with MoySklad's own error text when
 * it explains a rejected change).
 */
import { headerValue, transportFailure, type RemoteNames } from '@/lib/core/transport-errors';
import { unexpectedRemoteResponse } from '@/lib/core/remote/errors';
import { AppError } from '@/lib/core/errors';
import { msErrorBodySchema, type MsErrorItem } from '@/lib/moysklad/schemas';

export const MOYSKLAD_NAMES: RemoteNames = { name: 'MoySklad', nominative: 'МойСклад', instrumental: 'МоимСкладом' };

export const MS_TOKEN_REJECTED_MESSAGE = 'МойСклад отклонил токен решения: переустановите решение или проверьте права';

/** MoySklad error codes for "no permission for this entity/operation". */
export const MS_PERMISSION_CODES = new Set([1016, 1017, 1018, 1045]);
export const MS_RATE_LIMIT_CODE = 1049;
export const MS_PARALLEL_LIMIT_CODE = 1073;
export const MS_VALIDATION_CODE = 3000;
/** Webhook with this (entityType, action, url) already exists. */
export const MS_WEBHOOK_DUPLICATE_CODE = 30003;

export interface MsErrorDetails {
  httpStatus: number;
  /** MoySklad error codes from the body, in order. */
  msCodes: number[];
  /** MoySklad error texts, in order (never contain secrets: they describe the request). */
  msErrors: string[];
  parameters?: string[];
}

export interface MsFailedResponse {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
  /** "GET /entity/supply/{id}", for the internal message. */
  operation: string;
  /** User text for a 404, naming what was looked for. */
  notFoundMessage?: string;
}

export { headerValue };

function nonNegativeNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * How long MoySklad asked us to wait, in ms: `X-Lognex-Retry-After` (ms until the window resets),
 * else `X-Lognex-Reset` (also ms), else a standard `Retry-After` in seconds.
 */
export function retryAfterMsFrom(headers: Record<string, unknown>): number | undefined {
  const lognex =
    nonNegativeNumber(headerValue(headers, 'x-lognex-retry-after')) ?? nonNegativeNumber(headerValue(headers, 'x-lognex-reset'));
  if (lognex !== undefined) return Math.round(lognex);
  const seconds = nonNegativeNumber(headerValue(headers, 'retry-after'));
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/**
 * After a successful answer: when the window is used up (`X-RateLimit-Remaining: 0`), the ms until it
 * resets, so the gate holds every caller of the account instead of letting the next call earn a 429.
 */
export function advisedPauseMs(headers: Record<string, unknown>): number | undefined {
  const remaining = nonNegativeNumber(headerValue(headers, 'x-ratelimit-remaining'));
  if (remaining === undefined || remaining > 0) return undefined;
  return retryAfterMsFrom(headers) ?? nonNegativeNumber(headerValue(headers, 'x-lognex-retry-timeinterval'));
}

export function parseMsErrors(body: unknown): MsErrorItem[] {
  const parsed = msErrorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.errors : [];
}

function describe(errors: MsErrorItem[]): string {
  return errors.map((e) => (e.error_message && e.error_message !== e.error ? `${e.error} (${e.error_message})` : e.error)).join('; ');
}

/** AppError for a MoySklad answer that is not 2xx. */
/** What every mapped error carries: the vendor's codes and texts, and the line for our logs. */
function describeFailure(response: MsFailedResponse): { details: MsErrorDetails; internal: string; text: string } {
  const { status, body, operation } = response;
  const errors = parseMsErrors(body);
  const codes = errors.map((e) => e.code).filter((c): c is number => typeof c === 'number');
  const text = describe(errors);
  const parameters = errors.map((e) => e.parameter).filter((p): p is string => !!p);
  const details: MsErrorDetails = {
    httpStatus: status,
    msCodes: codes,
    msErrors: errors.map((e) => e.error),
    ...(parameters.length ? { parameters } : {}),
  };
  const internal =
    `MoySklad ${operation} failed: HTTP ${status}` + (codes.length ? ` [${codes.join(',')}]` : '') + (text ? `: ${text}` : '');
  return { details, internal, text };
}

export function mapMoyskladError(response: MsFailedResponse): AppError {
  const { status, headers } = response;
  const { details, internal, text } = describeFailure(response);
  const codes = details.msCodes;

  if (status === 429 || codes.includes(MS_RATE_LIMIT_CODE) || codes.includes(MS_PARALLEL_LIMIT_CODE)) {
    return new AppError('RATE_LIMITED', internal, {
      userMessage: 'МойСклад временно ограничил частоту запросов. Повторим автоматически.',
      retryAfterMs: retryAfterMsFrom(headers),
      details,
    });
  }
  if (status === 401) {
    return new AppError('REMOTE_AUTH', internal, { userMessage: MS_TOKEN_REJECTED_MESSAGE, details });
  }
  if (status === 403 || codes.some((c) => MS_PERMISSION_CODES.has(c))) {
    return new AppError('REMOTE_AUTH', internal, {
      userMessage: text ? `${MS_TOKEN_REJECTED_MESSAGE}. Ответ МоегоСклада: ${text}` : MS_TOKEN_REJECTED_MESSAGE,
      details,
    });
  }
  if (status === 404) {
    return new AppError('NOT_FOUND', internal, {
      userMessage: response.notFoundMessage ?? 'Объект не найден в МоемСкладе: возможно, он удалён.',
      details,
    });
  }
  if (status === 413) {
    return new AppError('PAYLOAD_TOO_LARGE', internal, {
      userMessage: 'Слишком большой запрос к МоемуСкладу (более 1000 элементов или слишком большой объём).',
      details,
    });
  }
  if (status >= 500) {
    return new AppError('REMOTE_UNAVAILABLE', internal, {
      userMessage: 'МойСклад временно недоступен. Повторим автоматически.',
      details,
    });
  }
  if (status === 415) {
    // Our own bug (missing Accept-Encoding: gzip), never the user's: no retry, support must look.
    return new AppError('REMOTE_REJECTED', internal, {
      userMessage: 'МойСклад не принял формат запроса приложения. Обратитесь в поддержку приложения.',
      details,
    });
  }
  return new AppError('REMOTE_REJECTED', internal, {
    userMessage: text ? `МойСклад отклонил изменение: ${text}` : `МойСклад отклонил запрос (HTTP ${status}).`,
    details,
  });
}

export function isMsPermissionError(error: unknown): error is AppError {
  if (!(error instanceof AppError)) return false;
  const d = error.details as Partial<MsErrorDetails> | undefined;
  return (error.code === 'REMOTE_AUTH' && d?.httpStatus === 403) || (d?.msCodes ?? []).some((c) => MS_PERMISSION_CODES.has(c));
}

export function hasMsCode(error: unknown, code: number): boolean {
  if (!(error instanceof AppError)) return false;
  return ((error.details as Partial<MsErrorDetails> | undefined)?.msCodes ?? []).includes(code);
}

/** A 2xx answer we cannot read: not retried (asking again gives the same). */
export function unexpectedMsResponse(operation: string, status: number, problem: string): AppError {
  return unexpectedRemoteResponse(MOYSKLAD_NAMES, operation, status, problem, {
    httpStatus: status,
    msCodes: [],
    msErrors: [],
  } satisfies MsErrorDetails);
}

/** Failures where the request surely never reached MoySklad (safe to repeat even a POST). */
export const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** AppError for a request that got no HTTP answer (timeout, refused, reset, DNS). */
export function mapMsTransportFailure(operation: string, errorCode: string | undefined, message: string): AppError {
  return transportFailure(MOYSKLAD_NAMES, operation, errorCode, message);
}
