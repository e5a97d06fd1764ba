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

  /**
   * Runs `fn` under the key's shared limits. The database is asked once before the call (a slot, a
   * token and the pause in one statement: `acquire`) and once after it (the slot back); the answer
   * reaches the caller before that second statement has finished: the in-process slot is held until
   * the lease is gone, so this process never has more calls under way than it holds leases, and the
   * caller's next step overlaps the release instead of waiting for it (docs/operations.md "Rate limits").
   */
  run<T>(key: string, policy: RatePolicy, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.local
        .run(key, policy, async () => {
          const slot = await this.acquire(key, policy);
          try {
            resolve(await fn());
          } catch (error) {
            reject(error);
          } finally {
            await this.release(key, slot);
          }
        })
        .catch(reject);
    });
  }

  private release(key: string, slot: number): Promise<unknown> {
    return this.prisma
      .$executeRawUnsafe(`DELETE FROM "RateLease" WHERE "key" = $1 AND "slot" = $2 AND "holder" = $3`, key, slot, this.holder)
      .catch(() => undefined);
  }

  /**
   * A concurrency slot, then (keys with a rate window) a token, in one statement: the lease's INSERT
   * and the bucket's conditional UPDATE are data-modifying CTEs, the token taken only when the slot
   * was. The same statement reads the pause another process set (concurrency-only keys: BetaPRO
   * partners). What the first statement could not give is then waited for as before: a slot by
   * polling briefly, a token by `takeToken`, a pause by sleeping (or RATE_LIMITED past maxPauseWaitMs).
   */
  private async acquire(key: string, policy: RatePolicy): Promise<number> {
    const windowed = Boolean(policy.maxPerWindow && policy.windowMs);
    const bucket = windowed ? tokenBucket(policy.maxPerWindow!, policy.windowMs!) : { capacity: 1000, refillPerMs: 0 };
    for (let attempt = 0; ; attempt++) {
      const [row] = await this.prisma.$queryRawUnsafe<{ slot: number | null; token: boolean; pausedFor: bigint | null }[]>(
        `WITH now AS (SELECT ${DB_NOW_MS} AS ms),
         lease AS (
           INSERT INTO "RateLease" ("key", "slot", "holder", "expiresAt")
           SELECT $1, s.slot, $2, now.ms + $3 FROM now, generate_series(0, $4 - 1) AS s(slot)
           WHERE NOT EXISTS (SELECT 1 FROM "RateLease" l WHERE l."key" = $1 AND l."slot" = s.slot AND l."expiresAt" > now.ms)
           ORDER BY s.slot LIMIT 1
           ON CONFLICT ("key", "slot") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
             WHERE "RateLease"."expiresAt" <= EXCLUDED."expiresAt" - $3
           RETURNING "slot"
         ),
         token AS (
           INSERT INTO "RateBucket" ("key", "windowStart", "count", "pausedUntil")
           SELECT $1, now.ms, $6::int, 0 FROM now WHERE $5::boolean AND EXISTS (SELECT 1 FROM lease)
           ${bucketConflict('$6', '$7')}
           RETURNING "count"
         )
         SELECT (SELECT "slot" FROM lease) AS "slot", EXISTS (SELECT 1 FROM token) AS "token",
                (SELECT b."pausedUntil" - now.ms FROM "RateBucket" b, now WHERE b."key" = $1) AS "pausedFor"`,
        key,
        this.holder,
        BigInt(LEASE_MS),
        policy.maxConcurrent,
        windowed,
        bucket.capacity - 1000,
        bucket.refillPerMs,
      );
      if (row?.slot === null || row?.slot === undefined) {
        // Slots are held for one HTTP call (milliseconds): ask again every few milliseconds. A longer
        // back-off loses the freed slot to the holder's own next call: a background poll making several
        // BetaPRO calls in a row (one slot per partner) kept a clerk's transfer in another process
        // waiting for all of them. Slower after 40 tries (about 140 ms): the holder is a long call.
        await sleep(attempt < 40 ? 2 + Math.random() * 3 : 25);
        continue;
      }
      const slot = row.slot;
      try {
        if (windowed) {
          if (!row.token) await this.takeToken(key, bucket);
        } else {
          const pausedFor = row.pausedFor === null ? 0 : Number(row.pausedFor);
          if (policy.maxPauseWaitMs !== undefined && pausedFor > policy.maxPauseWaitMs) throw pausedTooLong(key, pausedFor);
          if (pausedFor > 0) await sleep(pausedFor);
        }
        return slot;
      } catch (error) {
        await this.release(key, slot);
        throw error;
      }
    }
  }

  /** Waits for a token of the key's bucket (`tokenBucket`), sleeping until one is due or a pause ends. */
  private async takeToken(key: string, { capacity, refillPerMs }: TokenBucket): Promise<void> {
    for (;;) {
      const rows = await this.prisma.$queryRawUnsafe<{ count: number }[]>(
        `INSERT INTO "RateBucket" ("key", "windowStart", "count", "pausedUntil") VALUES ($1, ${DB_NOW_MS}, $2, 0)
         ${bucketConflict('$2', '$3')}
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

interface TokenBucket {
  /** Milli-tokens the bucket holds when full. */
  capacity: number;
  refillPerMs: number;
}

/**
 * Token bucket sized so that no window of `windowMs` ever holds more than `max` calls, whatever the
 * remote's own window algorithm: burst capacity C plus refill over one window equals `max`
 * (C = max/3, so the sustained rate is 2/3 of the limit). `count` holds milli-tokens.
 */
function tokenBucket(max: number, windowMs: number): TokenBucket {
  const burst = Math.max(1, Math.ceil(max / 3));
  return { capacity: burst * 1000, refillPerMs: ((max - burst) * 1000) / windowMs };
}

/**
 * Takes one token from the bucket row of key $1 when it holds one after refilling (full: capacity + 1000
 * milli-tokens, refill per ms: the two parameters named) and no pause is in force; the row is new (full,
 * less this token) when the key has none. The new row's windowStart (EXCLUDED) is the database's time.
 */
const bucketConflict = (capacity: string, refillPerMs: string) => `ON CONFLICT ("key") DO UPDATE SET
           "count" = LEAST(${capacity}::bigint + 1000, "RateBucket"."count" + FLOOR((EXCLUDED."windowStart" - "RateBucket"."windowStart") * ${refillPerMs}::double precision)::bigint)::int - 1000,
           "windowStart" = EXCLUDED."windowStart"
         WHERE "RateBucket"."pausedUntil" <= EXCLUDED."windowStart"
           AND LEAST(${capacity}::bigint + 1000, "RateBucket"."count" + FLOOR((EXCLUDED."windowStart" - "RateBucket"."windowStart") * ${refillPerMs}::double precision)::bigint) >= 1000`;

const gateKey = Symbol.for('betapro-bridge.rate-gate');

/** The process-wide gate for a database: exact in-process on PGlite, shared through PostgreSQL otherwise. */
export function rateGateFor(db: Database): RateGate {
  const holder = db as Database & { [gateKey]?: RateGate };
  holder[gateKey] ??= db.kind === 'postgres' ? new PostgresRateGate(db.prisma) : new InProcessRateGate();
  return holder[gateKey]!;
}
