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
import type { Db, PrismaClient } from '../db';

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
  db: Db, job: EnqueueableJob<S>, payload: z.input<S>, options: EnqueueOptions = {},
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
  singleConnection?: boolean;
  fairShare?: FairShare;
}

/**
 * Namespace of the claim's transaction-scoped advisory locks (the two-int form: key 2 is
 * `hashtext(group)`), so they never meet another lock of the product.
 */
export const CLAIM_LOCK_NAMESPACE = 724_310_002;
/** Rounds of one claim when a picked job turned out to be claimed by another worker meanwhile. */
const CLAIM_ROUNDS = 3;

/**
 * Claims up to `limit` due jobs for `workerId` with a lease of `leaseMs`.
 *
 * Several connections (PostgreSQL): claims of different groups (documents) run in parallel across
 * workers; each claim locks only the groups it takes (`claimRound`). `singleConnection`: the database
 * is the embedded PGlite, whose one connection runs statements one after another, so one claim
 * statement alone is atomic and needs neither locks nor a transaction (round trips fewer on the
 * thread that also serves the web requests).
 */
export async function claimJobs(
  prisma: PrismaClient, workerId: string, limit: number, leaseMs: number, kinds?: string[], options: ClaimOptions = {},
): Promise<JobRow[]> {
  const query: ClaimQuery = { workerId, limit, leaseMs, kinds: kinds?.length ? kinds : null, fairShare: options.fairShare };
  if (options.singleConnection) return claimSingleStatement(prisma, query);
  return prisma.$transaction((tx) => claimInTransaction(tx, query));
}

export interface ClaimQuery {
  workerId: string;
  limit: number;
  leaseMs: number;
  kinds: string[] | null;
  fairShare?: FairShare;
}

/**
 * The claim on a shared database, inside the caller's transaction (exported for tests that hold a
 * claim open). Each round picks due jobs and takes the advisory lock of each picked group with
 * `pg_try_advisory_xact_lock` (a group another worker is claiming right now is skipped, never waited
 * for), then claims them in a second statement. Why two statements: the second one's snapshot is
 * taken after the group locks are held, so it sees every claim of those groups committed before —
 * its re-check "no live running job in the group" is then exact, and two jobs of one document can
 * never be running at once. A pick already claimed by a worker that committed in between is dropped
 * by that re-check; the next round fills its slot.
 */
export async function claimInTransaction(tx: Db, query: ClaimQuery): Promise<JobRow[]> {
  const claimed: JobRow[] = [];
  const tried: bigint[] = [];
  for (let round = 0; round < CLAIM_ROUNDS && claimed.length < query.limit; round += 1) {
    const picked = await pickAndLock(tx, { ...query, limit: query.limit - claimed.length, fairShare: withClaimed(query.fairShare, claimed) }, tried);
    if (!picked.length) break;
    const rows = await claimPicked(tx, query, picked);
    claimed.push(...rows);
    tried.push(...picked);
    if (rows.length === picked.length) break; // no stale pick: nothing more is due for us
  }
  return claimed;
}

/** The fair share as it stands after this claim's earlier rounds. */
function withClaimed(fairShare: FairShare | undefined, claimed: JobRow[]): FairShare | undefined {
  if (!fairShare || !claimed.length) return fairShare;
  const runningHere = { ...fairShare.runningHere };
  for (const job of claimed) if (job.accountId) runningHere[job.accountId] = (runningHere[job.accountId] ?? 0) + 1;
  return { ...fairShare, runningHere };
}

function allowanceOf(fairShare?: FairShare): string {
  const entries = Object.entries(fairShare?.runningHere ?? {}).map(([account, n]) => [account, Math.max(0, fairShare!.maxPerAccount - n)]);
  return JSON.stringify(Object.fromEntries(entries));
}

/**
 * Due jobs in the order a worker should take them, at most one per group and within the accounts'
 * fair share. Parameters: $1 kinds, $2 maxPerAccount, $3 allowance per account, $4 ids to leave out.
 * Candidates: due queued jobs, and running jobs whose lease expired (their worker died); a group
 * with a live running job is skipped, and only the earliest candidate of a group is taken. Then
 * fairness (FairShare): at most the account's allowance per account, the least loaded accounts first.
 */
const ORDERED_CANDIDATES = `
  candidates AS (
    SELECT j."id", j."groupKey", j."runAt", j."accountId",
           row_number() OVER (PARTITION BY COALESCE(j."groupKey", j."id"::text) ORDER BY j."runAt", j."id") AS rank
    FROM "Job" j
    WHERE ((j."state" = 'queued' AND j."runAt" <= now())
           OR (j."state" = 'running' AND j."leaseUntil" < now()))
      AND ($1::text[] IS NULL OR j."kind" = ANY($1::text[]))
      AND j."id" <> ALL($4::bigint[])
      AND (j."groupKey" IS NULL OR NOT EXISTS (
            SELECT 1 FROM "Job" r
            WHERE r."groupKey" = j."groupKey" AND r."state" = 'running'
              AND r."leaseUntil" >= now() AND r."id" <> j."id"))
  ), running AS (
    SELECT "accountId", count(*) AS n FROM "Job"
    WHERE "state" = 'running' AND "leaseUntil" >= now() AND "accountId" IS NOT NULL
    GROUP BY "accountId"
  ), ranked AS (
    SELECT c."id", c."groupKey", c."runAt", c."accountId",
           row_number() OVER (PARTITION BY COALESCE(c."accountId", c."id"::text) ORDER BY c."runAt", c."id") AS "accountRank",
           COALESCE(r.n, 0) AS "accountLoad"
    FROM candidates c LEFT JOIN running r ON r."accountId" = c."accountId"
    WHERE c.rank = 1
  ), ordered AS MATERIALIZED (
    SELECT "id", COALESCE("groupKey", 'job:' || "id"::text) AS "lockKey" FROM ranked
    WHERE $2::int IS NULL OR "accountId" IS NULL
       OR "accountRank" <= COALESCE(($3::jsonb ->> "accountId")::int, $2::int)
    ORDER BY "accountLoad" + "accountRank", "runAt", "id"
  )`;

function candidateParams(query: ClaimQuery, exclude: bigint[]): unknown[] {
  return [query.kinds, query.fairShare ? query.fairShare.maxPerAccount : null, allowanceOf(query.fairShare), exclude];
}

/**
 * Picks up to `limit` candidates whose group lock this transaction obtains. The lock is tried row by
 * row over the ordered, materialised candidates and the LIMIT stops the scan, so only the groups
 * taken are locked (a volatile condition is never pushed below the ORDER BY).
 */
async function pickAndLock(tx: Db, query: ClaimQuery, exclude: bigint[]): Promise<bigint[]> {
  const rows = await tx.$queryRawUnsafe<{ id: bigint }[]>(
    `WITH ${ORDERED_CANDIDATES}
     SELECT "id" FROM ordered
     WHERE pg_try_advisory_xact_lock(${CLAIM_LOCK_NAMESPACE}, hashtext("lockKey"))
     LIMIT $5`,
    ...candidateParams(query, exclude), query.limit,
  );
  return rows.map((row) => row.id);
}

/** What the claim sets on a job it takes (a `q:` dedupe key is released at the claim). */
const CLAIM_SET = `"state" = 'running', "lockedBy" = $1, "attempts" = "Job"."attempts" + 1,
  "activeKey" = CASE WHEN "Job"."activeKey" LIKE 'q:%' THEN NULL ELSE "Job"."activeKey" END,
  "leaseUntil" = now() + ($2 || ' milliseconds')::interval, "updatedAt" = now()`;

/**
 * Re-checked on the row as it is when locked: a lease renewed (claim.ts fence) after the snapshot was
 * taken keeps its job.
 */
const STILL_CLAIMABLE = `("Job"."state" = 'queued' OR ("Job"."state" = 'running' AND "Job"."leaseUntil" < now()))`;

/**
 * Claims the picked jobs that are still claimable on a snapshot taken after their groups were locked
 * (the state condition is re-checked on the locked row, as in STILL_CLAIMABLE).
 */
function claimPicked(tx: Db, query: ClaimQuery, ids: bigint[]): Promise<JobRow[]> {
  return tx.$queryRawUnsafe<JobRow[]>(
    `UPDATE "Job" SET ${CLAIM_SET}
     WHERE "Job"."id" = ANY($3::bigint[])
       AND (("Job"."state" = 'queued' AND "Job"."runAt" <= now()) OR ("Job"."state" = 'running' AND "Job"."leaseUntil" < now()))
       AND ("Job"."groupKey" IS NULL OR NOT EXISTS (
             SELECT 1 FROM "Job" r
             WHERE r."groupKey" = "Job"."groupKey" AND r."state" = 'running'
               AND r."leaseUntil" >= now() AND r."id" <> "Job"."id"))
     RETURNING "Job".*`,
    query.workerId, query.leaseMs, ids,
  );
}

/** The embedded database's claim: one statement, atomic on its single connection. */
function claimSingleStatement(prisma: Db, query: ClaimQuery): Promise<JobRow[]> {
  return prisma.$queryRawUnsafe<JobRow[]>(
    `WITH ${ORDERED_CANDIDATES}, picked AS (SELECT "id" FROM ordered LIMIT $5)
     UPDATE "Job" SET ${CLAIM_SET.replace('$1', '$6').replace('$2', '$7')}
     FROM picked WHERE "Job"."id" = picked."id" AND ${STILL_CLAIMABLE}
     RETURNING "Job".*`,
    ...candidateParams(query, []), query.limit, query.workerId, query.leaseMs,
  );
}

/** Extends the lease of a running job; false when the claim was lost. */
export async function extendLease(prisma: PrismaClient, job: JobRow, workerId: string, leaseMs: number): Promise<boolean> {
  const count = await prisma.$executeRawUnsafe(
    `UPDATE "Job" SET "leaseUntil" = now() + ($1 || ' milliseconds')::interval, "updatedAt" = now()
     WHERE "id" = $2 AND "lockedBy" = $3 AND "attempts" = $4 AND "state" = 'running'`,
    leaseMs, job.id, workerId, job.attempts,
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
    data: { state: 'queued', runAt, attempts: Math.max(0, job.attempts - 1), leaseUntil: null, lockedBy: null, lastError: reason.slice(0, 2000) },
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
    name, JSON.stringify(value ?? null), job.id, workerId, job.attempts,
  );
  job.checkpoints = { ...job.checkpoints, [name]: value ?? null };
}

/** Exponential backoff with full jitter, never sooner than the remote asked. */
export function backoffDelayMs(attempt: number, retryAfterMs?: number, baseMs = 1000, capMs = 5 * 60_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return Math.max(retryAfterMs ?? 0, Math.round(jittered));
}
