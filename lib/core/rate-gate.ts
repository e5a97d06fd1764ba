/**
 * Pacing of calls to a remote API per key (a MoySklad account, a BetaPRO partner): at most
 * `maxConcurrent` calls in flight and at most `maxPerWindow` calls per `windowMs`, plus pauses the
 * remote asked for (429 Retry-After). The in-process gate below serves the embedded mode (one
 * process); lib/db provides a PostgreSQL-backed gate that holds across processes.
 */
import { AppError } from '@/lib/core/errors';

export interface RatePolicy {
  maxConcurrent: number;
  maxPerWindow?: number;
  windowMs?: number;
  /**
   * A pause longer than this is not slept through: `run` throws RATE_LIMITED with the remaining time
   * in retryAfterMs, so a job is rescheduled instead of holding a worker slot. Unset: always wait.
   */
  maxPauseWaitMs?: number;
}

export interface RateGate {
  run<T>(key: string, policy: RatePolicy, fn: () => Promise<T>): Promise<T>;
  /** The remote asked us to wait: no call for `key` starts before `untilMs` (epoch ms). */
  pause(key: string, untilMs: number): Promise<void>;
}

/** The error `run` throws when `key` is paused for longer than the policy's maxPauseWaitMs. */
export function pausedTooLong(key: string, waitMs: number): AppError {
  return new AppError('RATE_LIMITED', `${key} paused for ${waitMs} ms`, {
    userMessage: 'Внешний сервис временно ограничил частоту запросов. Повторим автоматически.',
    retryAfterMs: waitMs,
  });
}

interface KeyState {
  active: number;
  starts: number[];
  pausedUntil: number;
  waiters: Array<() => void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class InProcessRateGate implements RateGate {
  private readonly keys = new Map<string, KeyState>();

  private state(key: string): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = { active: 0, starts: [], pausedUntil: 0, waiters: [] };
      this.keys.set(key, s);
    }
    return s;
  }

  async pause(key: string, untilMs: number): Promise<void> {
    const s = this.state(key);
    s.pausedUntil = Math.max(s.pausedUntil, untilMs);
  }

  async run<T>(key: string, policy: RatePolicy, fn: () => Promise<T>): Promise<T> {
    const s = this.state(key);
    for (;;) {
      if (s.active >= policy.maxConcurrent) {
        await new Promise<void>((resolve) => s.waiters.push(resolve));
        continue;
      }
      const now = Date.now();
      if (s.pausedUntil > now) {
        const waitMs = s.pausedUntil - now;
        if (policy.maxPauseWaitMs !== undefined && waitMs > policy.maxPauseWaitMs) throw pausedTooLong(key, waitMs);
        await sleep(s.pausedUntil - now);
        continue;
      }
      if (policy.maxPerWindow && policy.windowMs) {
        s.starts = s.starts.filter((t) => t > now - policy.windowMs!);
        if (s.starts.length >= policy.maxPerWindow) {
          await sleep(s.starts[0] + policy.windowMs - now + 1);
          continue;
        }
        s.starts.push(now);
      }
      break;
    }
    s.active += 1;
    try {
      return await fn();
    } finally {
      s.active -= 1;
      s.waiters.shift()?.();
    }
  }
}
