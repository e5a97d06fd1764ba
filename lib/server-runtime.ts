/**
 * What the web process starts besides serving requests: validates the configuration (a bad variable
 * stops the process with a message naming it), opens (and, embedded, migrates) the database, and
 * starts the job worker unless RUN_WORKER=false. scripts/worker.ts starts the same worker alone.
 */
import { getConfig, ConfigError, type AppConfig } from '@/lib/core/config';
import { getDatabase } from '@/lib/db';
import { logger } from '@/lib/core/logger';
import { startWorker, type Worker } from '@/lib/jobs/worker';
import { preloadJobHandlers, productJobs } from '@/lib/sync/jobs';
import { ensureAllAccountJobs } from '@/lib/sync/account/recurring-jobs';
import { ensureRetentionJob, retentionJob } from '@/lib/jobs/retention';

const startedKey = Symbol.for('betapro-bridge.runtime-started');

export function loadConfigOrExit(): AppConfig {
  try {
    return getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

export async function startProductWorker(): Promise<Worker> {
  const config = getConfig();
  const db = await getDatabase();
  if (db.kind === 'pglite') {
    // Only one process can open the embedded database, so a job still marked running was left by a
    // process that died: take it back now instead of waiting for its lease to expire.
    const { count } = await db.prisma.job.updateMany({
      where: { state: 'running' },
      data: { state: 'queued', leaseUntil: null, lockedBy: null },
    });
    if (count) logger.warn({ jobs: count }, 'requeued jobs left running by a previous process');
  }
  await ensureAllAccountJobs(db.prisma);
  await ensureRetentionJob(db.prisma);
  await preloadJobHandlers();
  return startWorker({
    prisma: db.prisma,
    jobs: [...productJobs(), retentionJob(config.RETENTION_DAYS)],
    concurrency: config.WORKER_CONCURRENCY,
    pollIntervalMs: config.JOB_POLL_INTERVAL_MS,
    singleConnection: db.kind === 'pglite',
    listenUrl: db.kind === 'postgres' ? config.DATABASE_URL : undefined,
    heartbeatMs: config.WORKER_HEARTBEAT_SEC * 1000,
  });
}

export async function startServerRuntime(): Promise<void> {
  const g = globalThis as typeof globalThis & { [startedKey]?: boolean };
  if (g[startedKey]) return;
  g[startedKey] = true;
  const config = loadConfigOrExit();
  // The database may be down at start: the web process must still serve (health answers 503), and
  // the worker starts as soon as the database is reachable.
  const startWorkerWhenReady = async (): Promise<void> => {
    try {
      const db = await getDatabase();
      await db.prisma.$queryRawUnsafe('SELECT 1');
      logger.info({ database: db.kind, location: db.location, runWorker: config.RUN_WORKER }, 'server runtime started');
      if (!config.RUN_WORKER) return;
      const worker = await startProductWorker();
      const stop = () => {
        worker.stop().finally(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    } catch (error) {
      logger.error({ err: error }, 'database unreachable at start-up; retrying in 5 s');
      setTimeout(() => void startWorkerWhenReady(), 5_000).unref();
    }
  };
  await startWorkerWhenReady();
}
