/**
 * The retry loop both remote clients share, and the backoff arithmetic under their policies. What is
 * retried, and how often, is each platform's own (lib/moysklad/retry.ts, lib/betapro/retry.ts); the
 * loop only counts failures, asks the policy for a delay, logs and sleeps.
 */
import { AppError, toAppError } from '@/lib/core/errors';
import type { Logger } from '@/lib/core/logger';
import type { RateGate } from '@/lib/core/rate-gate';

/** Failed attempts of one call so far, including the latest. */
export interface FailureCounts {
  /** 5xx, no answer, and anything else that is not a 429. */
  transientFailures: number;
  /** 429s, counted apart: a burst may meet a few and each is cheap to wait out. */
  rateLimitFailures: number;
}

/** Exponential delay for the n-th (1-based) retry with "equal jitter": half fixed, half random. */
export function equalJitterMs(n: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** The moment the remote advised plus a little jitter, so the callers it released do not arrive together. */
export function advisedDelayMs(advisedMs: number, baseDelayMs: number, random: () => number): number {
  return Math.round(advisedMs + random() * Math.min(250, baseDelayMs));
}

/**
 * The latest pause a remote advised for one gate key, remembered by the client so that a call facing
 * a longer wait than it may sleep fails fast (RATE_LIMITED, rescheduled) instead of queueing.
 */
export class PauseMemory {
  private untilMs = 0;

  constructor(
    private readonly gate: RateGate,
    private readonly key: string,
    private readonly capMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Holds every caller of the key for `ms` (at most the cap). */
  async pause(ms: number): Promise<void> {
    const until = Date.now() + Math.min(ms, this.capMs);
    this.untilMs = Math.max(this.untilMs, until);
    await this.gate.pause(this.key, until);
  }

  remainingMs(): number {
    return this.untilMs - Date.now();
  }
}

export interface RetryLoop<R> {
  /** "MoySklad", "BetaPRO": for log lines. */
  remote: string;
  operation: string;
  /** One attempt (through the rate gate). */
  attempt: () => Promise<R>;
  /** Ms to wait before the next attempt, or undefined when the call must fail now. */
  delayMs: (failure: AppError, counts: FailureCounts) => number | undefined;
  /** Fail fast when the remote asked for a longer pause than `maxWaitMs`. */
  paused?: { memory: PauseMemory; maxWaitMs: number; scope: string; userMessage: string };
  log: Logger;
  sleep: (ms: number) => Promise<void>;
}

function refuseWhilePaused(loop: RetryLoop<unknown>): void {
  const waitMs = loop.paused ? loop.paused.memory.remainingMs() : 0;
  if (!loop.paused || waitMs <= loop.paused.maxWaitMs) return;
  throw new AppError('RATE_LIMITED', `${loop.remote} ${loop.operation}: ${loop.paused.scope} paused for ${waitMs} ms`, {
    userMessage: loop.paused.userMessage,
    retryAfterMs: waitMs,
  });
}

export async function withRetries<R>(loop: RetryLoop<R>): Promise<R> {
  const counts: FailureCounts = { transientFailures: 0, rateLimitFailures: 0 };
  const label = loop.remote.toLowerCase();
  for (;;) {
    refuseWhilePaused(loop);
    let failure: AppError;
    try {
      return await loop.attempt();
    } catch (error) {
      failure = toAppError(error);
    }
    if (failure.code === 'RATE_LIMITED') counts.rateLimitFailures += 1;
    else counts.transientFailures += 1;
    const delay = loop.delayMs(failure, counts);
    if (delay === undefined) {
      loop.log.warn({ operation: loop.operation, code: failure.code, err: failure.message, ...counts }, `${label} call failed`);
      throw failure;
    }
    loop.log.info({ operation: loop.operation, code: failure.code, delayMs: delay, ...counts }, `${label} call will be retried`);
    await loop.sleep(delay);
  }
}
