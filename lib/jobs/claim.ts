/**
 * Fencing with the job's claim. A worker can lose its claim while it still runs the job: its lease
 * expired (the machine was starved, the database was away and the heartbeat could not extend it) and
 * another worker took the job over. From then on the first worker must not do anything that counts:
 * no call that changes MoySklad or BetaPRO, no state change or event in our tables.
 *
 * The claim of the running job travels with the job's async context (AsyncLocalStorage), so code deep
 * in lib/sync needs no extra parameter:
 *  - `fenceRemoteWrite()` runs right before a remote write is sent: it renews the lease only while
 *    the claim token (worker id + attempt) is still ours, and throws `claimLost` otherwise. Another
 *    worker can take the job over only after a full lease without any such renewal, so a write that
 *    passed the fence is answered long before the job can run elsewhere;
 *  - `withClaim(db, fn)` runs `fn` in one transaction that first locks the job row under the claim
 *    token: the effect is recorded only while the claim is held, and a takeover (an UPDATE of that
 *    row) waits until the record is committed.
 * Outside a job (web requests) both are plain pass-throughs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, PrismaClient } from '@/lib/db';
import { AppError } from '@/lib/core/errors';
import type { JobRow } from '@/lib/jobs/queue';

export interface JobClaim {
  job: Pick<JobRow, 'id' | 'attempts'>;
  workerId: string;
  leaseMs: number;
  prisma: PrismaClient;
}

// On globalThis: Next bundles the instrumentation hook (the worker) and other entries separately.
const storageKey = Symbol.for('betapro-bridge.job-claim');
const storage: AsyncLocalStorage<JobClaim> = ((globalThis as Record<symbol, AsyncLocalStorage<JobClaim> | undefined>)[storageKey] ??=
  new AsyncLocalStorage<JobClaim>());

export function runWithClaim<T>(claim: JobClaim, fn: () => Promise<T>): Promise<T> {
  return storage.run(claim, fn);
}

export function currentClaim(): JobClaim | undefined {
  return storage.getStore();
}

export function claimLostError(claim: JobClaim): AppError {
  return new AppError('CONFLICT', `job ${claim.job.id} (attempt ${claim.job.attempts}) is no longer claimed by ${claim.workerId}`, {
    retryable: false,
    details: { claimLost: true },
    userMessage: 'Задание выполняется другим обработчиком.',
  });
}

export function isClaimLost(error: unknown): boolean {
  return error instanceof AppError && (error.details as { claimLost?: boolean } | undefined)?.claimLost === true;
}

/** Renews the lease under the claim token; throws when another worker has taken the job over. */
export async function fenceRemoteWrite(): Promise<void> {
  const claim = currentClaim();
  if (!claim) return;
  const renewed = await claim.prisma.$executeRawUnsafe(
    `UPDATE "Job" SET "leaseUntil" = now() + ($1 || ' milliseconds')::interval, "updatedAt" = now()
     WHERE "id" = $2 AND "lockedBy" = $3 AND "attempts" = $4 AND "state" = 'running'`,
    claim.leaseMs,
    claim.job.id,
    claim.workerId,
    claim.job.attempts,
  );
  if (renewed !== 1) throw claimLostError(claim);
}

async function lockClaim(tx: Db, claim: JobClaim): Promise<void> {
  const rows = await tx.$queryRawUnsafe<unknown[]>(
    `SELECT 1 AS held FROM "Job"
     WHERE "id" = $1 AND "lockedBy" = $2 AND "attempts" = $3 AND "state" = 'running'
     FOR UPDATE`,
    claim.job.id,
    claim.workerId,
    claim.job.attempts,
  );
  if (rows.length !== 1) throw claimLostError(claim);
}

/** A transaction client has `$transaction` too (nested ones, which PGlite's adapter refuses), not `$connect`. */
function isClient(db: Db): db is PrismaClient {
  return typeof (db as Partial<PrismaClient>).$connect === 'function';
}

/**
 * Runs `fn` (which records an effect) under the running job's claim: in one transaction that holds
 * the job row, or, when `db` already is a transaction, inside it. Without a claim: `fn(db)`.
 */
export async function withClaim<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  const claim = currentClaim();
  if (!claim) return fn(db);
  if (!isClient(db)) {
    await lockClaim(db, claim);
    return fn(db);
  }
  return db.$transaction(async (tx) => {
    await lockClaim(tx, claim);
    return fn(tx);
  });
}
