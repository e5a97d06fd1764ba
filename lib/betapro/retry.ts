/**
 * When to try a BetaPRO call again. Only transient causes (5xx, no answer, 429) are retried; the delay
 * grows exponentially with "equal jitter" (half fixed, half random) so a fleet of workers does not
 * retry in lockstep, and never undercuts what BetaPRO asked for in Retry-After / X-RateLimit-Reset.
 */
import type { AppError } from '@/lib/core/errors';
import { advisedDelayMs, equalJitterMs } from '@/lib/core/remote/retry';
import { isTransient } from '@/lib/betapro/errors';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * A 429 asking for a longer wait than this is not waited out inside the call: the error goes up
   * with its retryAfterMs so the job runner reschedules instead of holding a worker.
   */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  // Longer pauses go back to the job runner, which reschedules the job and frees the worker slot.
  maxRateLimitWaitMs: 5_000,
};

/**
 * Milliseconds to wait before retry number `retry` (1-based) after `error`, or undefined when the
 * call must not be retried.
 */
export function retryDelayMs(error: AppError, retry: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  if (!isTransient(error) || retry > policy.maxRetries) return undefined;
  const asked = error.retryAfterMs;
  if (asked === undefined) return equalJitterMs(retry, policy.baseDelayMs, policy.maxDelayMs, random);
  return asked > policy.maxRateLimitWaitMs ? undefined : advisedDelayMs(asked, policy.baseDelayMs, random);
}
