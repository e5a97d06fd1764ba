/**
 * A request to a remote API that got no HTTP answer at all (timeout, refused, reset, DNS) becomes the
 * same AppError for every remote: REMOTE_TIMEOUT or REMOTE_UNAVAILABLE, retryable, with the remote's
 * name in both messages. An answer larger than the client's cap is cut off and reported as such
 * (not retried: the remote would send the same again).
 *
 * Every remote client caps what one answer may cost (responseLimits): at most `maxResponseBytes`
 * after decompression (axios stops reading beyond it) and `deadlineMs` for the whole exchange
 * including the body, because axios' own `timeout` is an idle timer that a trickling body never trips.
 */
import { AppError } from '@/lib/core/errors';

// ERR_CANCELED: the whole-exchange deadline (an AbortSignal) fired.
export const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ERR_CANCELED']);

export interface ResponseLimits {
  /** Largest answer body accepted, in bytes after decompression. */
  maxResponseBytes: number;
  /** Whole request, from connecting to the last body byte. */
  deadlineMs: number;
}

/** Per-request axios settings that enforce `limits` (a fresh deadline signal per attempt). */
export function limitedRequest(limits: ResponseLimits): {
  maxContentLength: number;
  maxBodyLength: number;
  signal: AbortSignal;
} {
  return {
    maxContentLength: limits.maxResponseBytes,
    maxBodyLength: Number.POSITIVE_INFINITY,
    signal: AbortSignal.timeout(limits.deadlineMs),
  };
}

const TOO_LARGE = /maxContentLength size of \d+ exceeded/;

export interface RemoteNames {
  /** For logs: "BetaPRO". */
  name: string;
  /** Russian, nominative: "БетаПРО", "МойСклад". */
  nominative: string;
  /** Russian, instrumental after «связаться с»: "БетаПРО", "МоимСкладом". */
  instrumental: string;
}

export function transportFailure(remote: RemoteNames, operation: string, errorCode: string | undefined, message: string): AppError {
  if (TOO_LARGE.test(message)) {
    return new AppError('REMOTE_REJECTED', `${remote.name} ${operation}: answer too large (${message})`, {
      userMessage: `${remote.nominative} прислал слишком большой ответ: чтение прервано. Обратитесь в поддержку приложения.`,
      retryable: false,
      details: { transport: 'RESPONSE_TOO_LARGE' },
    });
  }
  if (errorCode && TIMEOUT_CODES.has(errorCode)) {
    return new AppError('REMOTE_TIMEOUT', `${remote.name} ${operation}: no answer in time (${errorCode}): ${message}`, {
      userMessage: `${remote.nominative} не ответил вовремя. Повторим автоматически.`,
      details: { transport: errorCode },
    });
  }
  return new AppError('REMOTE_UNAVAILABLE', `${remote.name} ${operation}: ${errorCode ?? 'network error'}: ${message}`, {
    userMessage: `Не удалось связаться с ${remote.instrumental}. Повторим автоматически.`,
    details: { transport: errorCode ?? 'unknown' },
  });
}

/** A response header by name, case-insensitively; the first value when repeated. */
export function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
    return value === undefined || value === null ? undefined : String(value);
  }
  return undefined;
}
