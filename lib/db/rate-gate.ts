/**
 * A RateGate whose limits hold across every process that shares one PostgreSQL database (web and
 * worker processes of a deployment). Rate: a token bucket per key in RateBucket (one atomic UPDATE
 * per call). Concurrency: numbered leases in RateLease (a crashed process's lease expires). Each
 * process also keeps an in-process gate in front so its own calls queue in memory, not in the DB.
 * On the embedded PGlite database there is one process, and the in-process gate alone is exact.
 *
 * Every time in these tables is on the database's clock (`clock_timestamp()`, epoch milliseconds), never
 * the process's: processes on hosts whose clocks disagree still share one window and one pause.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@/lib/db/index';
import { InProcessRateGate, pausedTooLong, type RateGate, type RatePolicy } from '@/lib/core/rate-gate';
import type { Database } from '@/lib/db/index';

const LEASE_MS = 120_000;
/** The database's wall clock in epoch milliseconds (clock_timestamp(): the time of the call, not of the transaction). */
const DB_NOW_MS = `(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PostgresRateGate implements RateGate {
  private readonly local = new InProcessRateGate();
  private readonly holder = `${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(private readonly prisma: PrismaClient) {}

  async pause(key: string, untilMs: number): Promise<void> {
    await this.local.pause(key, untilMs);
    // The caller's deadline is on its own clock: what crosses processes is how long to wait.
    const waitMs = Math.max(0, Math.round(untilMs - Date.now()));
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO "RateBucket" ("key", "windowStart", "count", "pausedUntil") VALUES ($1, 0, 0, ${DB_NOW_MS} + $2)
       ON CONFLICT ("key") DO UPDATE SET "pausedUntil" = GREATEST("RateBucket"."pausedUntil", EXCLUDED."pausedUntil")`,
      key,
      BigInt(waitMs),
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
    const [row] = await this.prisma.$queryRawUnsafe<{ waitMs: bigint }[]>(
      `SELECT "pausedUntil" - ${DB_NOW_MS} AS "waitMs" FROM "RateBucket" WHERE "key" = $1`,
      key,
    );
    const waitMs = row ? Number(row.waitMs) : 0;
    if (waitMs > maxWaitMs) throw pausedTooLong(key, waitMs);
    if (waitMs > 0) await sleep(waitMs);
  }

  private async acquireSlot(key: string, max: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const rows = await this.prisma.$queryRawUnsafe<{ slot: number }[]>(
        `WITH now AS (SELECT ${DB_NOW_MS} AS ms)
         INSERT INTO "RateLease" ("key", "slot", "holder", "expiresAt")
         SELECT $1, s.slot, $2, now.ms + $3 FROM now, generate_series(0, $4 - 1) AS s(slot)
         WHERE NOT EXISTS (SELECT 1 FROM "RateLease" l WHERE l."key" = $1 AND l."slot" = s.slot AND l."expiresAt" > now.ms)
         ORDER BY s.slot LIMIT 1
         ON CONFLICT ("key", "slot") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
           WHERE "RateLease"."expiresAt" <= EXCLUDED."expiresAt" - $3
         RETURNING "slot"`,
        key,
        this.holder,
        BigInt(LEASE_MS),
        max,
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
      const rows = await this.prisma.$queryRawUnsafe<{ count: number }[]>(
        `INSERT INTO "RateBucket" ("key", "windowStart", "count", "pausedUntil") VALUES ($1, ${DB_NOW_MS}, $2, 0)
         ON CONFLICT ("key") DO UPDATE SET
           "count" = LEAST($2::bigint + 1000, "RateBucket"."count" + FLOOR((EXCLUDED."windowStart" - "RateBucket"."windowStart") * $3::double precision)::bigint)::int - 1000,
           "windowStart" = EXCLUDED."windowStart"
         WHERE "RateBucket"."pausedUntil" <= EXCLUDED."windowStart"
           AND LEAST($2::bigint + 1000, "RateBucket"."count" + FLOOR((EXCLUDED."windowStart" - "RateBucket"."windowStart") * $3::double precision)::bigint) >= 1000
         RETURNING "count"`,
        key,
        capacity - 1000,
        refillPerMs,
      );
      if (rows.length) return;
      const [state] = await this.prisma.$queryRawUnsafe<{ count: number; pausedFor: bigint; sinceRefill: bigint }[]>(
        `SELECT "count", "pausedUntil" - ${DB_NOW_MS} AS "pausedFor", ${DB_NOW_MS} - "windowStart" AS "sinceRefill"
         FROM "RateBucket" WHERE "key" = $1`,
        key,
      );
      const pausedFor = state ? Number(state.pausedFor) : 0;
      const missing = state ? 1000 - (state.count + Number(state.sinceRefill) * refillPerMs) : 0;
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
