/**
 * When to repeat a MoySklad call. MoySklad bans an integration that keeps sending failing requests
 * (200 identical failures or 200 × 429 per minute), so only causes that pass by themselves are
 * retried: 429 (after the advised interval), 5xx and no answer. Never another 4xx.
 *
 * A call that is not idempotent (POST adding positions, creating a webhook) may have been applied
 * even though the answer was lost; it is repeated only when MoySklad surely did not apply it: 429,
 * 503, or a connection that was never established.
 */
import type { AppError } from '@/lib/core/errors';
import { advisedDelayMs, equalJitterMs, type FailureCounts } from '@/lib/core/remote/retry';
import { NOT_SENT_CODES, type MsErrorDetails } from '@/lib/moysklad/errors';

export interface MsRetryPolicy {
  /** Retries after the first attempt for 5xx / no answer. */
  maxRetries: number;
  /** Retries for 429, counted separately: a burst may meet a few and each is cheap to wait out. */
  maxRateLimitRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking for a longer wait is not waited out inside the call: the caller reschedules. */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_MS_RETRY_POLICY: MsRetryPolicy = {
  maxRetries: 3,
  maxRateLimitRetries: 8,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRateLimitWaitMs: 60_000,
};

/** Failed attempts so far: 5xx / network, and 429 apart. */
export type RetryState = FailureCounts;

function transportCode(error: AppError): string | undefined {
  return (error.details as { transport?: string } | undefined)?.transport;
}

/** True when repeating the call cannot apply it twice. */
export function safeToRepeat(error: AppError, idempotent: boolean): boolean {
  if (idempotent || error.code === 'RATE_LIMITED') return true;
  const status = (error.details as Partial<MsErrorDetails> | undefined)?.httpStatus;
  if (status === 503) return true;
  const transport = transportCode(error);
  return transport !== undefined && NOT_SENT_CODES.has(transport);
}

/**
 * Milliseconds to wait before repeating after `error`, or undefined when the call must fail now.
 * `state` counts the failures including this one.
 */
export function msRetryDelayMs(
  error: AppError,
  state: RetryState,
  policy: MsRetryPolicy,
  options: { idempotent: boolean; random?: () => number },
): number | undefined {
  const random = options.random ?? Math.random;
  if (!safeToRepeat(error, options.idempotent)) return undefined;
  if (error.code === 'RATE_LIMITED') {
    if (state.rateLimitFailures > policy.maxRateLimitRetries) return undefined;
    const asked = error.retryAfterMs;
    if (asked !== undefined && asked > policy.maxRateLimitWaitMs) return undefined;
    // Wait what MoySklad advised (or one backoff step when it did not say), plus a little jitter so
    // the callers released together do not hit the fresh window in the same millisecond.
    return advisedDelayMs(
      asked ?? Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (state.rateLimitFailures - 1)),
      policy.baseDelayMs,
      random,
    );
  }
  if (error.code !== 'REMOTE_UNAVAILABLE' && error.code !== 'REMOTE_TIMEOUT') return undefined;
  if (state.transientFailures > policy.maxRetries) return undefined;
  return equalJitterMs(state.transientFailures, policy.baseDelayMs, policy.maxDelayMs, random);
}
