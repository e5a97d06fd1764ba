/**
 * BetaPRO's rate limiting (spec, "Лимиты для запросов"): per partner_id, six token buckets (requests,
 * request MB, response MB, 4xx count, 4xx MB, processing minutes), each with a daily and a per-minute
 * quota, plus a limit on concurrent requests. A bucket refills at quota/period per second up to the
 * quota; a finished request is charged afterwards, and while any bucket is below zero further requests
 * get 429 until it has refilled to zero. The quotas are the ones GET /settings reports.
 */
import { QUOTA_NAMES, type QuotaName, type RateLimits } from './model';

const MB = 1024 * 1024;
const PERIOD_S = { day: 86_400, minute: 60 } as const;
type Window = keyof typeof PERIOD_S;

interface Bucket {
  level: number;
  max: number;
  perSecond: number;
  at: number;
}

interface PartnerLimits {
  key: string;
  inFlight: number;
  buckets: Record<QuotaName, Record<Window, Bucket>>;
}

export type Admission = { ok: true; release: () => void } | { ok: false; limit: QuotaName | 'concurrent_qnt'; seconds: number };

export interface Usage {
  requestBytes: number;
  responseBytes: number;
  status: number;
  durationMs: number;
}

export class RateLimiter {
  private readonly partners = new Map<string, PartnerLimits>();

  constructor(private readonly clock: () => number = () => Date.now()) {}

  admit(partnerId: string, limits: RateLimits): Admission {
    const state = this.state(partnerId, limits);
    const now = this.clock();
    for (const name of QUOTA_NAMES) {
      for (const window of ['minute', 'day'] as const) {
        const wait = waitSeconds(refill(state.buckets[name][window], now));
        if (wait > 0) return { ok: false, limit: name, seconds: wait };
      }
    }
    if (state.inFlight >= limits.concurrent_qnt) return { ok: false, limit: 'concurrent_qnt', seconds: 1 };
    state.inFlight += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        state.inFlight -= 1;
      },
    };
  }

  /** Charges a handled request; returns X-RateLimit-Reset (seconds until the next request is allowed). */
  charge(partnerId: string, limits: RateLimits, usage: Usage): number {
    const state = this.state(partnerId, limits);
    const now = this.clock();
    const isError = usage.status >= 400 && usage.status < 500;
    const cost: Record<QuotaName, number> = {
      req_qnt: 1,
      req_mb: usage.requestBytes / MB,
      resp_mb: usage.responseBytes / MB,
      err_qnt: isError ? 1 : 0,
      err_mb: isError ? usage.requestBytes / MB : 0,
      duration_minutes: usage.durationMs / 60_000,
    };
    let reset = 0;
    for (const name of QUOTA_NAMES) {
      for (const window of ['minute', 'day'] as const) {
        const bucket = refill(state.buckets[name][window], now);
        bucket.level -= cost[name];
        reset = Math.max(reset, waitSeconds(bucket));
      }
    }
    return reset;
  }

  reset(): void {
    this.partners.clear();
  }

  private state(partnerId: string, limits: RateLimits): PartnerLimits {
    const key = JSON.stringify(limits);
    let state = this.partners.get(partnerId);
    // New quotas start with full buckets: predictable for tests that change them mid-run.
    if (!state || state.key !== key) {
      const now = this.clock();
      const buckets = Object.fromEntries(
        QUOTA_NAMES.map((name) => [
          name,
          {
            day: bucket(limits[name].day, PERIOD_S.day, now),
            minute: bucket(limits[name].minute, PERIOD_S.minute, now),
          },
        ]),
      ) as PartnerLimits['buckets'];
      state = { key, inFlight: state?.inFlight ?? 0, buckets };
      this.partners.set(partnerId, state);
    }
    return state;
  }
}

function bucket(quota: number, periodS: number, now: number): Bucket {
  return { level: quota, max: quota, perSecond: quota / periodS, at: now };
}

function refill(b: Bucket, now: number): Bucket {
  b.level = Math.min(b.max, b.level + ((now - b.at) / 1000) * b.perSecond);
  b.at = now;
  return b;
}

function waitSeconds(b: Bucket): number {
  return b.level < 0 ? Math.ceil(-b.level / b.perSecond) : 0;
}

export function limitMessage(limit: QuotaName | 'concurrent_qnt', text: string, seconds: number): string {
  return `Превышен лимит ${limit} ${text}. Выполните запрос через ${seconds} секунд`;
}
