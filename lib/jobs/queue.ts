/**
 * Durable job queue on the product's own tables (model Job), the same SQL on PGlite and PostgreSQL.
 *
 * Why our own table rather than pg-boss / graphile-worker: both need Node 22 in their current
 * versions and neither runs on PGlite (the zero-install default); the queue needs only a handful of
 * statements, and keeping it in Prisma's schema keeps one migration history. See README "Jobs".
 *
 * Guarantees:
 *  - enqueue de-duplicates by `dedupeKey` while a job with that key is queued or running (unique
 *    `activeKey`); a duplicate pulls the queued job's run time forward instead of adding a second job;
 *    keys starting with `q:` de-duplicate only while the job is queued (the claim clears them): for
 *    jobs that re-read a remote state, a request made after the job started must run it once more;
 *  - claim is atomic per group: a claim locks the groups (documents) it takes with transaction-scoped
 *    advisory locks and skips the ones another worker is claiming, so two workers never take the same
 *    job and never run two jobs of one group at the same time, while different groups are claimed in
 *    parallel (see claimInTransaction);
 *  - a claim is a lease: if the worker dies, the job becomes claimable again when the lease expires;
 *  - finishing checks the claim token (worker id + attempt), so a worker that lost its lease cannot
 *    overwrite the outcome of the run that replaced it.
 */
import type { z } from 'zod';
import type { Db, PrismaClient } from '@/lib/db';

export type JobState = 'queued' | 'running' | 'done' | 'dead';

export interface JobRow {
  id: bigint;
  kind: string;
  accountId: string | null;
  groupKey: string | null;
  activeKey: string | null;
  payload: unknown;
  state: JobState;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  leaseUntil: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  checkpoints: Record<string, unknown>;
}

export interface EnqueueInput {
  kind: string;
  payload?: unknown;
  accountId?: string;
  /** Jobs of one group never run concurrently (e.g. `doc:<accountId>:<entity>:<id>`). */
  groupKey?: string;
  /** While a job with this key is queued or running, enqueueing it again adds nothing. */
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

export interface EnqueueResult {
  id: bigint;
  /** false when an active job with the same dedupeKey already existed. */
  created: boolean;
}

type Listener = () => void;
// On globalThis: Next bundles route handlers and the instrumentation hook (which starts the worker)
// separately, so a module-level set would not let a route wake the worker of its own process.
const listenersKey = Symbol.for('betapro-bridge.job-listeners');
const listeners: Set<Listener> = ((globalThis as Record<symbol, Set<Listener> | undefined>)[listenersKey] ??= new Set());

/** In-process wake-up so a local worker claims a new job at once instead of at its next poll. */
export function onJobEnqueued(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Wakes local workers; call after the transaction that enqueued a job has committed. */
export function notifyJobEnqueued(): void {
  listeners.forEach((listener) => listener());
}

const DEFAULT_MAX_ATTEMPTS = 10;

/** What `enqueue` needs of a job definition (lib/jobs/worker JobDefinition satisfies it). */
export interface EnqueueableJob<S extends z.ZodType> {
  kind: string;
  payload: S;
  maxAttempts?: number;
}

export type EnqueueOptions = Omit<EnqueueInput, 'kind' | 'payload' | 'maxAttempts'>;

/**
 * Enqueues a job of a defined kind: the payload is type-checked against the definition's schema and
 * the attempts come from the definition, never from the call site.
 */
export function enqueue<S extends z.ZodType>(
  db: Db,
  job: EnqueueableJob<S>,
  payload: z.input<S>,
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  return enqueueJob(db, { ...options, kind: job.kind, payload, maxAttempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
}

export async function enqueueJob(prisma: Db, input: EnqueueInput): Promise<EnqueueResult> {
  const runAt = input.runAt ?? new Date();
  const rows = await prisma.$queryRawUnsafe<{ id: bigint; inserted: boolean }[]>(
    `INSERT INTO "Job" ("kind", "accountId", "groupKey", "activeKey", "payload", "runAt", "maxAttempts", "updatedAt")
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, now())
     ON CONFLICT ("activeKey") DO UPDATE
       SET "runAt" = LEAST("Job"."runAt", EXCLUDED."runAt"), "updatedAt" = now()
       WHERE "Job"."state" = 'queued'
     RETURNING "id", (xmax = 0) AS "inserted"`,
    input.kind,
    input.accountId ?? null,
    input.groupKey ?? null,
    input.dedupeKey ?? null,
    JSON.stringify(input.payload ?? {}),
    runAt,
    input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  );
  let result: EnqueueResult;
  if (rows.length) {
    result = { id: rows[0].id, created: rows[0].inserted };
  } else {
    // The active job with this key is running: it will do the work; nothing to add.
    const existing = await prisma.job.findUnique({ where: { activeKey: input.dedupeKey! }, select: { id: true } });
    result = { id: existing?.id ?? 0n, created: false };
  }
  listeners.forEach((listener) => listener());
  return result;
}

/**
 * Fair claiming across accounts (every account admin is an untrusted tenant): this worker lets one
 * account hold at most `maxPerAccount` of its slots, so the others always keep a slot, and among due
 * jobs it prefers the accounts with the fewest jobs running fleet-wide (then the oldest job).
 */
export interface FairShare {
  maxPerAccount: number;
  /** Jobs this worker is running now, per account. */
  runningHere: Record<string, number>;
}

export interface ClaimOptions {
  fairShare?: FairShare;
}

export interface ClaimQuery {
  workerId: string;
  limit: number;
  leaseMs: number;
  kinds: string[] | null;
  fairShare?: FairShare;
}

/**
 * Claims up to `limit` due jobs for `workerId` with a lease of `leaseMs`, at most one per group and
 * within the accounts' fair share, in one statement (its own transaction).
 *
 * Claims are per group: the database function `bridge_claim_jobs` (migration claim_jobs_per_group)
 * takes a transaction-scoped advisory lock on the group (document) of each job it picks with
 * `pg_try_advisory_xact_lock`, skipping a group another worker is claiming at that moment instead of
 * waiting, and then claims the picked jobs with a second statement whose snapshot is taken after the
 * locks are held — so it sees every claim of those groups committed before, and two jobs of one
 * document are never running at once, while workers claim different documents in parallel. A pick
 * that another worker had claimed and committed in between is dropped by that re-check, and the
 * function's next round (at most three) fills the slot. Why a function: the two statements then cost
 * one round trip, which is most of a claim's time on a loaded machine; the embedded database runs
 * the same function (its one connection runs it as one statement, trivially atomic).
 */
export function claimJobs(
  prisma: Db,
  workerId: string,
  limit: number,
  leaseMs: number,
  kinds?: string[],
  options: ClaimOptions = {},
): Promise<JobRow[]> {
  return claimInTransaction(prisma, {
    workerId,
    limit,
    leaseMs,
    kinds: kinds?.length ? kinds : null,
    fairShare: options.fairShare,
  });
}

/** The claim inside the caller's transaction, if any (tests hold a claim's locks open this way). */
export function claimInTransaction(db: Db, query: ClaimQuery): Promise<JobRow[]> {
  const { fairShare } = query;
  const allowance = Object.fromEntries(
    Object.entries(fairShare?.runningHere ?? {}).map(([account, n]) => [account, Math.max(0, fairShare!.maxPerAccount - n)]),
  );
  return db.$queryRawUnsafe<JobRow[]>(
    'SELECT * FROM "bridge_claim_jobs"($1, $2::int, $3::int, $4::text[], $5::int, $6::jsonb)',
    query.workerId,
    query.limit,
    query.leaseMs,
    query.kinds,
    fairShare ? fairShare.maxPerAccount : null,
    JSON.stringify(allowance),
  );
}

/** Extends the lease of a running job; false when the claim was lost. */
export async function extendLease(prisma: PrismaClient, job: JobRow, workerId: string, leaseMs: number): Promise<boolean> {
  const count = await prisma.$executeRawUnsafe(
    `UPDATE "Job" SET "leaseUntil" = now() + ($1 || ' milliseconds')::interval, "updatedAt" = now()
     WHERE "id" = $2 AND "lockedBy" = $3 AND "attempts" = $4 AND "state" = 'running'`,
    leaseMs,
    job.id,
    workerId,
    job.attempts,
  );
  return count === 1;
}

function claimGuard(job: JobRow, workerId: string) {
  return { id: job.id, lockedBy: workerId, attempts: job.attempts, state: 'running' };
}

export async function completeJob(prisma: PrismaClient, job: JobRow, workerId: string): Promise<boolean> {
  const { count } = await prisma.job.updateMany({
    where: claimGuard(job, workerId),
    data: { state: 'done', activeKey: null, leaseUntil: null, finishedAt: new Date(), lastError: null },
  });
  return count === 1;
}

/** Puts a recurring job back in the queue (same row, same dedupe key) for its next run. */
export async function rescheduleJob(prisma: PrismaClient, job: JobRow, workerId: string, runAt: Date): Promise<boolean> {
  const { count } = await prisma.job.updateMany({
    where: claimGuard(job, workerId),
    data: { state: 'queued', runAt, attempts: 0, leaseUntil: null, lockedBy: null, lastError: null },
  });
  return count === 1;
}

/**
 * The remote asked us to wait (rate limit): back to the queue until `runAt` without spending an
 * attempt, so a busy partner delays work but never kills it, and no worker sleeps through the pause.
 */
export async function deferJob(prisma: PrismaClient, job: JobRow, workerId: string, runAt: Date, reason: string): Promise<boolean> {
  const { count } = await prisma.job.updateMany({
    where: claimGuard(job, workerId),
    data: {
      state: 'queued',
      runAt,
      attempts: Math.max(0, job.attempts - 1),
      leaseUntil: null,
      lockedBy: null,
      lastError: reason.slice(0, 2000),
    },
  });
  return count === 1;
}

/** Retry later, or dead when attempts are used up (dead jobs stay visible to operators). */
export async function failJob(
  prisma: PrismaClient,
  job: JobRow,
  workerId: string,
  error: string,
  retryAt: Date | null,
): Promise<JobState | undefined> {
  const dead = retryAt === null || job.attempts >= job.maxAttempts;
  const { count } = await prisma.job.updateMany({
    where: claimGuard(job, workerId),
    data: dead
      ? { state: 'dead', activeKey: null, leaseUntil: null, finishedAt: new Date(), lastError: error.slice(0, 2000) }
      : { state: 'queued', runAt: retryAt!, leaseUntil: null, lockedBy: null, lastError: error.slice(0, 2000) },
  });
  return count === 1 ? (dead ? 'dead' : 'queued') : undefined;
}

/** Memoised step results of this job (documenso-style), so a retry skips effects already done. */
export async function saveCheckpoint(prisma: PrismaClient, job: JobRow, workerId: string, name: string, value: unknown): Promise<void> {
  await prisma.$executeRawUnsafe(
    `UPDATE "Job" SET "checkpoints" = "checkpoints" || jsonb_build_object($1::text, $2::jsonb), "updatedAt" = now()
     WHERE "id" = $3 AND "lockedBy" = $4 AND "attempts" = $5`,
    name,
    JSON.stringify(value ?? null),
    job.id,
    workerId,
    job.attempts,
  );
  job.checkpoints = { ...job.checkpoints, [name]: value ?? null };
}

/** Exponential backoff with full jitter, never sooner than the remote asked. */
export function backoffDelayMs(attempt: number, retryAfterMs?: number, baseMs = 1000, capMs = 5 * 60_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return Math.max(retryAfterMs ?? 0, Math.round(jittered));
}
