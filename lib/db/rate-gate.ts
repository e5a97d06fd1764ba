/**
 * A RateGate whose limits hold across every process that shares one PostgreSQL database (web and
 * worker processes of a deployment). Rate: a token bucket per key in RateBucket (one atomic UPDATE
 * per call). Concurrency: numbered leases in RateLease (a crashed process's lease expires). Each
 * process also keeps an in-process gate in front so its own calls queue in memory, not in the DB.
 * On the embedded PGlite database there is one process, and the in-process gate alone is exact.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from './index';
import { InProcessRateGate, pausedTooLong, type RateGate, type RatePolicy } from '../core/rate-gate';
import type { Database } from './index';

const LEASE_MS = 120_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PostgresRateGate implements RateGate {
  private readonly local = new InProcessRateGate();
  private readonly holder = `${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(private readonly prisma: PrismaClient) {}

  async pause(key: string, untilMs: number): Promise<void> {
    await this.local.pause(key, untilMs);
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO "RateBucket" ("key", "windowStart", "count", "pausedUntil") VALUES ($1, 0, 0, $2)
       ON CONFLICT ("key") DO UPDATE SET "pausedUntil" = GREATEST("RateBucket"."pausedUntil", EXCLUDED."pausedUntil")`,
      key, BigInt(Math.round(untilMs)),
    );
  }

  async run<T>(key: string, policy: RatePolicy, fn: () => Promise<T>): Promise<T> {
    return this.local.run(key, policy, async () => {
      // A pause set by another process: the bucket check below covers keys with a rate window;
      // concurrency-only keys (BetaPRO partners) read it here.
      if (policy.maxPauseWaitMs !== undefined && !policy.maxPerWindow) await this.waitOutSharedPause(key, policy.maxPauseWaitMs);
      const slot = await this.acquireSlot(key, policy.maxConcurrent);
      try {
        if (policy.maxPerWindow && policy.windowMs) await this.takeToken(key, policy.maxPerWindow, policy.windowMs);
        return await fn();
      } finally {
        await this.prisma
          .$executeRawUnsafe(`DELETE FROM "RateLease" WHERE "key" = $1 AND "slot" = $2 AND "holder" = $3`, key, slot, this.holder)
          .catch(() => undefined);
      }
    });
  }

  private async waitOutSharedPause(key: string, maxWaitMs: number): Promise<void> {
    const [row] = await this.prisma.$queryRawUnsafe<{ pausedUntil: bigint }[]>(
      `SELECT "pausedUntil" FROM "RateBucket" WHERE "key" = $1`, key,
    );
    const waitMs = row ? Number(row.pausedUntil) - Date.now() : 0;
    if (waitMs > maxWaitMs) throw pausedTooLong(key, waitMs);
    if (waitMs > 0) await sleep(waitMs);
  }

  private async acquireSlot(key: string, max: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      const rows = await this.prisma.$queryRawUnsafe<{ slot: number }[]>(
        `INSERT INTO "RateLease" ("key", "slot", "holder", "expiresAt")
         SELECT $1, s.slot, $2, $3 FROM generate_series(0, $4 - 1) AS s(slot)
         WHERE NOT EXISTS (SELECT 1 FROM "RateLease" l WHERE l."key" = $1 AND l."slot" = s.slot AND l."expiresAt" > $5)
         ORDER BY s.slot LIMIT 1
         ON CONFLICT ("key", "slot") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
           WHERE "RateLease"."expiresAt" <= $5
         RETURNING "slot"`,
        key, this.holder, BigInt(now + LEASE_MS), max, BigInt(now),
      );
      if (rows.length) return rows[0].slot;
      // Slots are held for one HTTP call (milliseconds): poll briefly, a long back-off would leave
      // freed slots idle and starve processes that share the account.
      await sleep(Math.min(25, 2 + 3 * attempt));
    }
  }

  /**
   * Token bucket sized so that no window of `windowMs` ever holds more than `max` calls, whatever the
   * remote's own window algorithm: burst capacity C plus refill over one window equals `max`
   * (C = max/3, so the sustained rate is 2/3 of the limit). `count` holds milli-tokens.
   */
  private async takeToken(key: string, max: number, windowMs: number): Promise<void> {
    const burst = Math.max(1, Math.ceil(max / 3));
    const capacity = burst * 1000;
    const refillPerMs = ((max - burst) * 1000) / windowMs;
    for (;;) {
      const now = Date.now();
      const rows = await this.prisma.$queryRawUnsafe<{ count: number; pausedUntil: bigint; windowStart: bigint }[]>(
        `INSERT INTO "RateBucket" ("key", "windowStart", "count", "pausedUntil") VALUES ($1, $2, $3, 0)
         ON CONFLICT ("key") DO UPDATE SET
           "count" = LEAST($3::bigint + 1000, "RateBucket"."count" + FLOOR(($2 - "RateBucket"."windowStart") * $4::double precision)::bigint)::int - 1000,
           "windowStart" = $2
         WHERE "RateBucket"."pausedUntil" <= $2
           AND LEAST($3::bigint + 1000, "RateBucket"."count" + FLOOR(($2 - "RateBucket"."windowStart") * $4::double precision)::bigint) >= 1000
         RETURNING "count", "pausedUntil", "windowStart"`,
        key, BigInt(now), capacity - 1000, refillPerMs,
      );
      if (rows.length) return;
      const [state] = await this.prisma.$queryRawUnsafe<{ count: number; pausedUntil: bigint; windowStart: bigint }[]>(
        `SELECT "count", "pausedUntil", "windowStart" FROM "RateBucket" WHERE "key" = $1`, key,
      );
      const pausedFor = state ? Number(state.pausedUntil) - now : 0;
      const missing = state ? 1000 - (state.count + (now - Number(state.windowStart)) * refillPerMs) : 0;
      await sleep(Math.max(5, pausedFor, missing / refillPerMs));
    }
  }
}

const gateKey = Symbol.for('betapro-bridge.rate-gate');

/** The process-wide gate for a database: exact in-process on PGlite, shared through PostgreSQL otherwise. */
export function rateGateFor(db: Database): RateGate {
  const holder = db as Database & { [gateKey]?: RateGate };
  holder[gateKey] ??= db.kind === 'postgres' ? new PostgresRateGate(db.prisma) : new InProcessRateGate();
  return holder[gateKey]!;
}
