/**
 * A request to a remote API that got no HTTP answer at all (timeout, refused, reset, DNS) becomes the
 * same AppError for every remote: REMOTE_TIMEOUT or REMOTE_UNAVAILABLE, retryable, with the remote's
 * name in both messages.
 */
import { AppError } from './errors';

export const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT']);

export interface RemoteNames {
  /** For logs: "BetaPRO". */
  name: string;
  /** Russian, nominative: "БетаПРО", "МойСклад". */
  nominative: string;
  /** Russian, instrumental after «связаться с»: "БетаПРО", "МоимСкладом". */
  instrumental: string;
}

export function transportFailure(remote: RemoteNames, operation: string, errorCode: string | undefined, message: string): AppError {
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
