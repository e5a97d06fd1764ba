/**
 * Runs jobs from the queue: claims due jobs up to its concurrency, keeps their leases alive while
 * they run, and records the outcome (done, rescheduled, retried with backoff, or dead). Runs inside
 * the web process in the embedded mode and as `npm run worker` processes in production.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { z } from 'zod';
import type { PrismaClient } from '../db';
import { AppError, toAppError } from '../core/errors';
import { logFor, logger, type Logger } from '../core/logger';
import {
  backoffDelayMs, claimJobs, completeJob, deferJob, extendLease, failJob, onJobEnqueued, rescheduleJob, saveCheckpoint,
  type JobRow,
} from './queue';
import { isClaimLost, runWithClaim } from './claim';
import { listenForEnqueuedJobs } from './wake-listener';
import { startHeartbeat } from './heartbeat';
import { recordJobRun } from '../core/metrics';

export interface JobContext {
  job: JobRow;
  prisma: PrismaClient;
  log: Logger;
  /** Runs `fn` once per job: on a retry the stored result is returned instead of running it again. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export type JobOutcome = void | { rescheduleAt: Date };

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  kind: string;
  payload: S;
  /** How long a claim lasts before another worker may take the job over (default 60 s). */
  leaseMs?: number;
  /**
   * Longest run (default DEFAULT_JOB_DEADLINE_MS). Past it the worker records a retryable failure and
   * frees the slot; a run still going on loses its claim, so its outcome is not recorded, and every
   * effect it still makes is idempotent (deterministic task ids, projections), as after a lost lease.
   */
  deadlineMs?: number;
  /** Runs before the job is dead (failures retried with the queue's backoff); default 10. */
  maxAttempts?: number;
  handler(payload: z.infer<S>, ctx: JobContext): Promise<JobOutcome>;
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

export interface WorkerOptions {
  prisma: PrismaClient;
  jobs: JobDefinition[];
  concurrency?: number;
  /** How often an idle worker looks for due jobs (ms). */
  pollIntervalMs?: number;
  workerId?: string;
  /** The database has one connection (embedded PGlite): claims need no lock (see claimJobs). */
  singleConnection?: boolean;
  /** Record a heartbeat (with this process's metrics) this often (ms); unset: no heartbeat. */
  heartbeatMs?: number;
  /** PostgreSQL URL: LISTEN for jobs added by other processes (lib/jobs/wake-listener.ts). */
  listenUrl?: string;
  /** Slots one account may hold in this worker (default: all but one, so other accounts keep one). */
  maxJobsPerAccount?: number;
}

export interface Worker {
  id: string;
  /** Resolves when the worker is listening for jobs from other processes (at once without listenUrl). */
  listening(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no job is running and none is due (tests). */
  idle(): Promise<void>;
}

// Leases are kept alive by a heartbeat (every third of the lease), so they can be short: a dead worker's
// jobs are taken over within this time.
const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_JOB_DEADLINE_MS = 15 * 60_000;
/** Spread of rescheduled rate-limited jobs, so they do not all return at the same instant. */
const DEFER_JITTER_MS = 250;

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

export function startWorker(options: WorkerOptions): Worker {
  const { prisma } = options;
  const concurrency = options.concurrency ?? 4;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const definitions = new Map(options.jobs.map((job) => [job.kind, job]));
  const log = logger.child({ workerId: id });
  const running = new Set<Promise<void>>();
  const maxJobsPerAccount = options.maxJobsPerAccount ?? Math.max(1, concurrency - 1);
  const runningByAccount = new Map<string, number>();
  let stopping = false;
  let wake: (() => void) | undefined;
  let pendingWake = false;

  const wakeUp = () => {
    pendingWake = true;
    wake?.();
  };
  const unsubscribe = onJobEnqueued(wakeUp);
  const crossProcess = options.listenUrl ? listenForEnqueuedJobs(options.listenUrl, wakeUp, log) : undefined;
  const workerHeartbeat = options.heartbeatMs ? startHeartbeat(prisma, options.heartbeatMs, log) : undefined;

  async function runOne(job: JobRow): Promise<void> {
    const definition = definitions.get(job.kind)!;
    const jobLog = logFor({ jobId: job.id, accountId: job.accountId ?? undefined, kind: job.kind });
    const leaseMs = definition.leaseMs ?? DEFAULT_LEASE_MS;
    const runStarted = performance.now();
    const heartbeat = setInterval(() => {
      extendLease(prisma, job, id, leaseMs).catch((error) => jobLog.warn({ err: error }, 'lease extension failed'));
    }, Math.max(1000, leaseMs / 3));
    try {
      const parsed = definition.payload.safeParse(job.payload);
      if (!parsed.success) {
        await failJob(prisma, job, id, `invalid payload: ${parsed.error.message}`, null);
        jobLog.error({ issues: parsed.error.issues }, 'job payload invalid: dead');
        return;
      }
      const ctx: JobContext = {
        job,
        prisma,
        log: jobLog,
        step: async (name, fn) => {
          if (Object.prototype.hasOwnProperty.call(job.checkpoints ?? {}, name)) {
            return job.checkpoints[name] as never;
          }
          const value = await fn();
          await saveCheckpoint(prisma, job, id, name, value);
          return value;
        },
      };
      // Remote writes and recorded effects of the handler are fenced with this claim (claim.ts).
      const outcome = await withinDeadline(
        runWithClaim({ job, workerId: id, leaseMs, prisma }, () => definition.handler(parsed.data, ctx)),
        definition.deadlineMs ?? DEFAULT_JOB_DEADLINE_MS,
      );
      if (outcome && 'rescheduleAt' in outcome) {
        await rescheduleJob(prisma, job, id, outcome.rescheduleAt);
        recordJobRun(job.kind, (performance.now() - runStarted) / 1000);
      } else {
        await completeJob(prisma, job, id);
        recordJobRun(job.kind, (performance.now() - runStarted) / 1000, secondsSinceEnqueued(job));
      }
    } catch (thrown) {
      if (isClaimLost(thrown)) {
        // Another worker runs this job now: it records the outcome; this run must leave no trace.
        jobLog.warn({ attempt: job.attempts }, 'job claim lost (lease expired and taken over): this run stops without effects');
        return;
      }
      const error = toAppError(thrown);
      if (error.code === 'RATE_LIMITED' && error.retryAfterMs !== undefined) {
        await deferRateLimited(job, error, jobLog);
        return;
      }
      const retryAt = error.retryable ? new Date(Date.now() + backoffDelayMs(job.attempts, error.retryAfterMs)) : null;
      try {
        const state = await failJob(prisma, job, id, `${error.code}: ${error.message}`, retryAt);
        const level = state === 'dead' ? 'error' : 'warn';
        jobLog[level]({ code: error.code, err: thrown instanceof AppError ? undefined : thrown, attempt: job.attempts, state, retryAt },
          `job failed: ${error.message}`);
      } catch (recordError) {
        // The database itself is failing: the claim's lease expires and the job runs again later.
        jobLog.error({ err: recordError, jobError: error.message }, 'could not record the job failure; the lease will expire and the job will rerun');
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function deferRateLimited(job: JobRow, error: AppError, jobLog: Logger): Promise<void> {
    const runAt = new Date(Date.now() + error.retryAfterMs! + Math.round(Math.random() * DEFER_JITTER_MS));
    try {
      await deferJob(prisma, job, id, runAt, `${error.code}: ${error.message}`);
      jobLog.info({ runAt, retryAfterMs: error.retryAfterMs }, 'job deferred: the remote asked to wait');
    } catch (recordError) {
      jobLog.error({ err: recordError }, 'could not defer the job; the lease will expire and the job will rerun');
    }
  }

  function track(job: JobRow, delta: 1 | -1): void {
    if (!job.accountId) return;
    const n = (runningByAccount.get(job.accountId) ?? 0) + delta;
    if (n > 0) runningByAccount.set(job.accountId, n);
    else runningByAccount.delete(job.accountId);
  }

  const idleWaiters: Array<() => void> = [];
  async function loop(): Promise<void> {
    while (!stopping) {
      const free = concurrency - running.size;
      let claimed: JobRow[] = [];
      if (free > 0) {
        pendingWake = false;
        try {
          claimed = await claimJobs(prisma, id, free, DEFAULT_LEASE_MS, [...definitions.keys()], {
            singleConnection: options.singleConnection,
            fairShare: { maxPerAccount: maxJobsPerAccount, runningHere: Object.fromEntries(runningByAccount) },
          });
        } catch (error) {
          log.error({ err: error }, 'claiming jobs failed');
        }
      }
      for (const job of claimed) {
        track(job, 1);
        const promise = runOne(job).catch((error) => log.error({ err: error, jobId: String(job.id) }, 'job runner failed')).finally(() => {
          track(job, -1);
          running.delete(promise);
          wake?.();
        });
        running.add(promise);
      }
      if (!claimed.length && !running.size) {
        idleWaiters.splice(0).forEach((resolve) => resolve());
      }
      if (claimed.length && running.size < concurrency) continue;
      if (pendingWake && running.size < concurrency) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  const loopDone = loop();
  log.info({ concurrency, kinds: [...definitions.keys()] }, 'worker started');
  return {
    id,
    listening: () => crossProcess?.ready() ?? Promise.resolve(),
    async stop() {
      stopping = true;
      unsubscribe();
      await crossProcess?.stop();
      await workerHeartbeat?.stop();
      wake?.();
      await loopDone;
      await Promise.allSettled([...running]);
      log.info('worker stopped');
    },
    idle: () => new Promise<void>((resolve) => idleWaiters.push(resolve)),
  };
}
