/**
 * MoySklad's JSON API limits, per account here (MoySklad counts per solution token / user since
 * 2026-02, and the product uses one solution token per account, so it is the same thing):
 *  - N requests in any window of W ms (sliding log) → 429, code 1049;
 *  - P requests in flight → 429, code 1073.
 * Every response carries X-RateLimit-* / X-Lognex-* headers computed from the sliding log.
 */
import type { RateLimitConfig } from './types';

interface Bucket {
  /** Acceptance times (ms) within the current window, oldest first. */
  log: number[];
  inFlight: number;
}

export type Admission =
  { ok: true; headers: Record<string, string>; release: () => void } | { ok: false; code: 1049 | 1073; headers: Record<string, string> };

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(public config: RateLimitConfig) {}

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { log: [], inFlight: 0 };
      this.buckets.set(key, b);
    }
    return b;
  }

  private prune(b: Bucket, now: number): void {
    const from = now - this.config.windowMs;
    while (b.log.length && b.log[0] <= from) b.log.shift();
  }

  private headers(b: Bucket, now: number): Record<string, string> {
    const { requests, windowMs } = this.config;
    const remaining = Math.max(0, requests - b.log.length);
    // Time until the oldest request leaves the window, i.e. until a slot frees up.
    const reset = b.log.length ? Math.max(0, b.log[0] + windowMs - now) : 0;
    return {
      'X-RateLimit-Limit': String(requests),
      'X-RateLimit-Remaining': String(remaining),
      'X-Lognex-Retry-TimeInterval': String(windowMs),
      'X-Lognex-Reset': String(reset),
      'X-Lognex-Retry-After': String(remaining > 0 ? 0 : reset),
    };
  }

  /** `weight`: units of the window the request costs (the stock reports weigh 5). */
  admit(key: string, weight = 1): Admission {
    const b = this.bucket(key);
    const now = Date.now();
    this.prune(b, now);
    if (b.inFlight >= this.config.parallel) {
      return { ok: false, code: 1073, headers: this.headers(b, now) };
    }
    if (b.log.length + weight > this.config.requests) {
      return { ok: false, code: 1049, headers: this.headers(b, now) };
    }
    for (let unit = 0; unit < weight; unit++) b.log.push(now);
    b.inFlight++;
    let released = false;
    return {
      ok: true,
      headers: this.headers(b, now),
      release: () => {
        if (!released) {
          released = true;
          b.inFlight--;
        }
      },
    };
  }

  reset(): void {
    this.buckets.clear();
  }
}
