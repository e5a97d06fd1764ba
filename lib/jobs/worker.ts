/**
 * Runs jobs from the queue: claims due jobs up to its concurrency, keeps their leases alive while
 * they run, and records the outcome (done, rescheduled, retried with backoff, or dead). Runs inside
 * the web process in the embedded mode and as `npm run worker` processes in production.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { z } from 'zod';
import type { PrismaClient } from '@/lib/db';
import { logger, type Logger } from '@/lib/core/logger';
import { claimJobs, onJobEnqueued, type JobRow } from '@/lib/jobs/queue';
import { DEFAULT_LEASE_MS, runJob } from '@/lib/jobs/run-job';
import { listenForEnqueuedJobs } from '@/lib/jobs/wake-listener';
import { startHeartbeat } from '@/lib/jobs/heartbeat';

export { DEFAULT_JOB_DEADLINE_MS } from '@/lib/jobs/run-job';

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
   * Longest run (default DEFAULT_JOB_DEADLINE_MS, lib/jobs/run-job.ts). Past it the worker records a retryable failure and
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
  /**
   * @deprecated Claims are one statement on every database now (lib/jobs/queue.ts claimJobs); the
   * option is accepted and ignored until its callers drop it.
   */
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

/** Jobs this worker runs now, per account (its side of the fair share: lib/jobs/queue.ts FairShare). */
class AccountSlots {
  private readonly running = new Map<string, number>();
  add(job: JobRow, delta: 1 | -1): void {
    if (!job.accountId) return;
    const n = (this.running.get(job.accountId) ?? 0) + delta;
    if (n > 0) this.running.set(job.accountId, n);
    else this.running.delete(job.accountId);
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.running);
  }
}

/**
 * Sleeps until the poll interval passes or something wakes the worker: a job enqueued in this
 * process, a NOTIFY from another (wake-listener.ts), a finished job freeing a slot. A wake-up that
 * arrives while the worker is claiming is remembered (`pending`), so it is never lost.
 */
class Alarm {
  pending = false;
  private ring: (() => void) | undefined;
  wake = (): void => {
    this.pending = true;
    this.ring?.();
  };
  /** Called right before a claim: wake-ups from now on ask for another claim. */
  armed(): void {
    this.pending = false;
  }
  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.ring = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.ring = undefined;
  }
}

interface LoopState {
  options: WorkerOptions;
  id: string;
  log: Logger;
  concurrency: number;
  definitions: Map<string, JobDefinition>;
  running: Set<Promise<void>>;
  slots: AccountSlots;
  alarm: Alarm;
  idleWaiters: Array<() => void>;
  stopping: boolean;
}

/** Claims as many due jobs as there are free slots (none when the claim fails: the next round retries). */
async function claimFree(state: LoopState): Promise<JobRow[]> {
  const free = state.concurrency - state.running.size;
  if (free <= 0) return [];
  state.alarm.armed();
  const maxPerAccount = state.options.maxJobsPerAccount ?? Math.max(1, state.concurrency - 1);
  try {
    return await claimJobs(state.options.prisma, state.id, free, DEFAULT_LEASE_MS, [...state.definitions.keys()], {
      fairShare: { maxPerAccount, runningHere: state.slots.snapshot() },
    });
  } catch (error) {
    state.log.error({ err: error }, 'claiming jobs failed');
    return [];
  }
}

/** Starts a claimed job in the background; its slot frees (and wakes the loop) when it ends. */
function launch(state: LoopState, job: JobRow): void {
  state.slots.add(job, 1);
  const promise = runJob({ prisma: state.options.prisma, workerId: state.id }, job, state.definitions.get(job.kind)!)
    .catch((error) => state.log.error({ err: error, jobId: String(job.id) }, 'job runner failed'))
    .finally(() => {
      state.slots.add(job, -1);
      state.running.delete(promise);
      state.alarm.wake();
    });
  state.running.add(promise);
}

async function loop(state: LoopState): Promise<void> {
  const pollIntervalMs = state.options.pollIntervalMs ?? 500;
  while (!state.stopping) {
    const claimed = await claimFree(state);
    for (const job of claimed) launch(state, job);
    if (!claimed.length && !state.running.size) state.idleWaiters.splice(0).forEach((resolve) => resolve());
    const hasRoom = state.running.size < state.concurrency;
    // More may be due (a full batch), or a wake-up came during the claim: claim again at once.
    if (hasRoom && (claimed.length || state.alarm.pending)) continue;
    await state.alarm.sleep(pollIntervalMs);
  }
}

export function startWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ workerId: id });
  const state: LoopState = {
    options,
    id,
    log,
    concurrency: options.concurrency ?? 4,
    definitions: new Map(options.jobs.map((job) => [job.kind, job])),
    running: new Set(),
    slots: new AccountSlots(),
    alarm: new Alarm(),
    idleWaiters: [],
    stopping: false,
  };
  const unsubscribe = onJobEnqueued(state.alarm.wake);
  const crossProcess = options.listenUrl ? listenForEnqueuedJobs(options.listenUrl, state.alarm.wake, log) : undefined;
  const workerHeartbeat = options.heartbeatMs ? startHeartbeat(options.prisma, options.heartbeatMs, log) : undefined;
  const loopDone = loop(state);
  log.info({ concurrency: state.concurrency, kinds: [...state.definitions.keys()] }, 'worker started');
  return {
    id,
    listening: () => crossProcess?.ready() ?? Promise.resolve(),
    async stop() {
      state.stopping = true;
      unsubscribe();
      await crossProcess?.stop();
      await workerHeartbeat?.stop();
      state.alarm.wake();
      await loopDone;
      await Promise.allSettled([...state.running]);
      log.info('worker stopped');
    },
    idle: () => new Promise<void>((resolve) => state.idleWaiters.push(resolve)),
  };
}
