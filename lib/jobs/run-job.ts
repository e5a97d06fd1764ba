/**
 * One run of one claimed job, in named steps: keep the lease alive, check the payload, run the handler
 * under its claim and deadline, and record the outcome (done, rescheduled, deferred, retried or dead).
 * Used by the worker loop (lib/jobs/worker.ts).
 */
import type { PrismaClient } from '@/lib/db';
import { AppError, toAppError } from '@/lib/core/errors';
import { logFor, type Logger } from '@/lib/core/logger';
import { recordJobRun } from '@/lib/core/metrics';
import { backoffDelayMs, completeJob, deferJob, extendLease, failJob, rescheduleJob, saveCheckpoint, type JobRow } from '@/lib/jobs/queue';
import { isClaimLost, runWithClaim } from '@/lib/jobs/claim';
import type { JobContext, JobDefinition, JobOutcome } from '@/lib/jobs/worker';

// Leases are kept alive by a heartbeat (every third of the lease), so they can be short: a dead worker's
// jobs are taken over within this time.
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_JOB_DEADLINE_MS = 15 * 60_000;
/** Spread of rescheduled rate-limited jobs, so they do not all return at the same instant. */
const DEFER_JITTER_MS = 250;

/** What a run needs of its worker. */
export interface RunEnv {
  prisma: PrismaClient;
  workerId: string;
}

interface Run extends RunEnv {
  job: JobRow;
  definition: JobDefinition;
  log: Logger;
  leaseMs: number;
}

function deadlineExceeded(deadlineMs: number): AppError {
  return new AppError('INTERNAL', `job exceeded its deadline of ${deadlineMs} ms`, { retryable: true });
}

/** Runs the handler, or fails at the deadline (the handler's own outcome is then ignored). */
async function withinDeadline<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadlineExceeded(deadlineMs)), deadlineMs);
  });
  work.catch(() => undefined); // a run that outlives its deadline must not become an unhandled rejection
  try {
    return await Promise.race([work, overrun]);
  } finally {
    clearTimeout(timer);
  }
}

/** Enqueue → done: for a transfer job, trigger → «Передан»; for a receipt, outdoc stored → applied. */
function secondsSinceEnqueued(job: JobRow): number | undefined {
  const createdAt = (job as JobRow & { createdAt?: Date }).createdAt;
  return createdAt ? (Date.now() - new Date(createdAt).getTime()) / 1000 : undefined;
}

/** The handler's context; `step` memoises a result in the job's checkpoints, so a retry skips it. */
function jobContext(run: Run): JobContext {
  const { job, prisma, workerId } = run;
  return {
    job,
    prisma,
    log: run.log,
    step: async (name, fn) => {
      if (Object.prototype.hasOwnProperty.call(job.checkpoints ?? {}, name)) return job.checkpoints[name] as never;
      const value = await fn();
      await saveCheckpoint(prisma, job, workerId, name, value);
      return value;
    },
  };
}

/** Runs one claimed job to a recorded outcome; never throws. */
export async function runJob(env: RunEnv, job: JobRow, definition: JobDefinition): Promise<void> {
  const log = logFor({ jobId: job.id, accountId: job.accountId ?? undefined, kind: job.kind });
  const run: Run = { ...env, job, definition, log, leaseMs: definition.leaseMs ?? DEFAULT_LEASE_MS };
  const heartbeat = setInterval(
    () => {
      extendLease(run.prisma, job, run.workerId, run.leaseMs).catch((error) => log.warn({ err: error }, 'lease extension failed'));
    },
    Math.max(1000, run.leaseMs / 3),
  );
  try {
    const parsed = definition.payload.safeParse(job.payload);
    if (!parsed.success) {
      await failJob(run.prisma, job, run.workerId, `invalid payload: ${parsed.error.message}`, null);
      log.error({ issues: parsed.error.issues }, 'job payload invalid: dead');
      return;
    }
    const started = performance.now();
    const outcome = await runHandler(run, parsed.data);
    await recordOutcome(run, outcome, (performance.now() - started) / 1000);
  } catch (thrown) {
    await recordFailure(run, thrown);
  } finally {
    clearInterval(heartbeat);
  }
}

/** The handler under the job's claim (its remote writes and recorded effects are fenced: claim.ts). */
function runHandler(run: Run, payload: unknown): Promise<JobOutcome> {
  const { job, workerId, leaseMs, prisma, definition } = run;
  return withinDeadline(
    runWithClaim({ job, workerId, leaseMs, prisma }, () => definition.handler(payload, jobContext(run))),
    definition.deadlineMs ?? DEFAULT_JOB_DEADLINE_MS,
  );
}

async function recordOutcome(run: Run, outcome: JobOutcome, seconds: number): Promise<void> {
  if (outcome && 'rescheduleAt' in outcome) {
    await rescheduleJob(run.prisma, run.job, run.workerId, outcome.rescheduleAt);
    recordJobRun(run.job.kind, seconds);
  } else {
    await completeJob(run.prisma, run.job, run.workerId);
    recordJobRun(run.job.kind, seconds, secondsSinceEnqueued(run.job));
  }
}

async function recordFailure(run: Run, thrown: unknown): Promise<void> {
  const { job, log } = run;
  if (isClaimLost(thrown)) {
    // Another worker runs this job now: it records the outcome; this run must leave no trace.
    log.warn({ attempt: job.attempts }, 'job claim lost (lease expired and taken over): this run stops without effects');
    return;
  }
  const error = toAppError(thrown);
  if (error.code === 'RATE_LIMITED' && error.retryAfterMs !== undefined) {
    await deferRateLimited(run, error);
    return;
  }
  const retryAt = error.retryable ? new Date(Date.now() + backoffDelayMs(job.attempts, error.retryAfterMs)) : null;
  try {
    const state = await failJob(run.prisma, job, run.workerId, `${error.code}: ${error.message}`, retryAt);
    const level = state === 'dead' ? 'error' : 'warn';
    log[level](
      { code: error.code, err: thrown instanceof AppError ? undefined : thrown, attempt: job.attempts, state, retryAt },
      `job failed: ${error.message}`,
    );
  } catch (recordError) {
    // The database itself is failing: the claim's lease expires and the job runs again later.
    log.error(
      { err: recordError, jobError: error.message },
      'could not record the job failure; the lease will expire and the job will rerun',
    );
  }
}

async function deferRateLimited(run: Run, error: AppError): Promise<void> {
  const runAt = new Date(Date.now() + error.retryAfterMs! + Math.round(Math.random() * DEFER_JITTER_MS));
  try {
    await deferJob(run.prisma, run.job, run.workerId, runAt, `${error.code}: ${error.message}`);
    run.log.info({ runAt, retryAfterMs: error.retryAfterMs }, 'job deferred: the remote asked to wait');
  } catch (recordError) {
    run.log.error({ err: recordError }, 'could not defer the job; the lease will expire and the job will rerun');
  }
}
