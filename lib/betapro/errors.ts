/**
 * Turns what BetaPRO (or the network) answered into the product's AppError. Kept free of I/O so the
 * whole classification is unit-tested: which failures a person must fix, which ones we retry, and
 * what the clerk reads.
 *
 * BetaPRO reports business errors with `success:false` and `error_code` ≥ 1000, and its own portal
 * says these arrive with HTTP 200; the spec lists HTTP codes. Either way `success:false` is an error,
 * and `error_code` wins over the HTTP status when both are present.
 */
import { headerValue as header, transportFailure, type RemoteNames } from '@/lib/core/transport-errors';
import { unexpectedRemoteResponse } from '@/lib/core/remote/errors';
import { AppError } from '@/lib/core/errors';
import { fboxErrorSchema } from '@/lib/betapro/schemas';

export const BETAPRO_NAMES: RemoteNames = { name: 'BetaPRO', nominative: 'БетаПРО', instrumental: 'БетаПРО' };

export const BETAPRO_UNCLASSIFIED_ERROR = 1000;
export const BETAPRO_DUPLICATE_INDOC = 1001;

export const REMOTE_AUTH_MESSAGE = 'БетаПРО отказал в доступе: проверьте код партнёра и пароль в настройках';

export interface FailedResponse {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
  /** e.g. "POST /indocs", for the internal message. */
  operation: string;
  /** User text for a 404, naming what was looked for. */
  notFoundMessage?: string;
}

/** Seconds in a header, or an HTTP date in Retry-After; milliseconds, or undefined if absent/garbled. */
function headerDelayMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * How long BetaPRO asked us to wait: `Retry-After`, else `X-RateLimit-Reset`, else the
 * "Выполните запрос через N секунд" phrase of its 429 message.
 */
export function retryAfterMsFrom(headers: Record<string, unknown>, errorMessage?: string, nowMs = Date.now()): number | undefined {
  const fromHeaders = headerDelayMs(header(headers, 'retry-after'), nowMs) ?? headerDelayMs(header(headers, 'x-ratelimit-reset'), nowMs);
  if (fromHeaders !== undefined) return fromHeaders;
  const phrase = errorMessage && /через\s+(\d+)\s*сек/i.exec(errorMessage);
  return phrase ? Number(phrase[1]) * 1000 : undefined;
}

/**
 * The pause BetaPRO advises after any response, successful or not: `X-RateLimit-Reset` seconds when
 * it is positive or when `X-RateLimit-Remaining` says a quota is used up. Undefined: no need to slow.
 */
export function advisedPauseMs(headers: Record<string, unknown>, nowMs = Date.now()): number | undefined {
  const remaining = header(headers, 'x-ratelimit-remaining');
  const resetMs = headerDelayMs(header(headers, 'x-ratelimit-reset'), nowMs);
  if (resetMs !== undefined && resetMs > 0) return resetMs;
  if (remaining !== undefined && Number(remaining) === 0) {
    return headerDelayMs(header(headers, 'retry-after'), nowMs) ?? resetMs ?? 0;
  }
  return undefined;
}

export function isDuplicateIndocError(error: unknown): error is AppError {
  return (
    error instanceof AppError &&
    error.code === 'CONFLICT' &&
    (error.details as { betaproCode?: number } | undefined)?.betaproCode === BETAPRO_DUPLICATE_INDOC
  );
}

/** AppError for a response that is not `success:true` with a 2xx status. */
export function mapFailedResponse(response: FailedResponse, nowMs = Date.now()): AppError {
  const { status, body, headers, operation } = response;
  const envelope = fboxErrorSchema.safeParse(body);
  const betaproCode = envelope.success ? envelope.data.error_code : undefined;
  const betaproMessage = envelope.success ? (envelope.data.error_message ?? '').trim() : '';
  const code = betaproCode ?? status;
  const internal =
    `BetaPRO ${operation} failed: HTTP ${status}` +
    (betaproCode !== undefined ? `, error_code ${betaproCode}` : '') +
    (betaproMessage ? `: ${betaproMessage}` : '');
  const details = { betaproCode: code, httpStatus: status, ...(betaproMessage ? { betaproMessage } : {}) };

  if (code === 401 || code === 403) {
    return new AppError('REMOTE_AUTH', internal, { userMessage: REMOTE_AUTH_MESSAGE, details });
  }
  if (code === 429) {
    return new AppError('RATE_LIMITED', internal, {
      userMessage: 'БетаПРО временно ограничил частоту запросов. Повторим автоматически.',
      retryAfterMs: retryAfterMsFrom(headers, betaproMessage, nowMs),
      details,
    });
  }
  if (code === BETAPRO_DUPLICATE_INDOC) {
    return new AppError('CONFLICT', internal, {
      userMessage: `В БетаПРО уже зарегистрирован документ с этим номером${betaproMessage ? `: ${betaproMessage}` : '.'}`,
      details,
    });
  }
  if (code >= 1000) {
    return new AppError('REMOTE_REJECTED', internal, {
      userMessage: `БетаПРО отклонил запрос: ${betaproMessage || `ошибка ${code} без описания`}`,
      details,
    });
  }
  if (code === 404) {
    return new AppError('NOT_FOUND', internal, {
      userMessage: response.notFoundMessage ?? 'БетаПРО: запрошенный объект не найден.',
      details,
    });
  }
  if (status >= 500 || (code >= 500 && code < 600)) {
    return new AppError('REMOTE_UNAVAILABLE', internal, {
      userMessage: 'БетаПРО временно недоступен. Повторим автоматически.',
      details,
    });
  }
  if (status >= 200 && status < 300 && !envelope.success) {
    return unexpectedResponse(operation, status, 'body is neither success:true nor an error envelope');
  }
  return new AppError('REMOTE_REJECTED', internal, {
    userMessage: `БетаПРО отклонил запрос${betaproMessage ? `: ${betaproMessage}` : ' как некорректный'}`,
    details,
  });
}

/** A 2xx answer we cannot read: not retried, since asking again will give the same. */
export function unexpectedResponse(operation: string, status: number, problem: string): AppError {
  return unexpectedRemoteResponse(BETAPRO_NAMES, operation, status, problem, { httpStatus: status });
}

/** AppError for a request that got no HTTP answer at all (timeout, refused, reset, DNS). */
export function mapTransportFailure(operation: string, errorCode: string | undefined, message: string): AppError {
  return transportFailure(BETAPRO_NAMES, operation, errorCode, message);
}

/** Only causes that may pass by themselves are retried; a 4xx or business error never is. */
export function isTransient(error: AppError): boolean {
  return error.code === 'REMOTE_UNAVAILABLE' || error.code === 'REMOTE_TIMEOUT' || error.code === 'RATE_LIMITED';
}
