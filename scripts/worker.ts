/**
 * npm run worker — a job worker process for production (PostgreSQL via DATABASE_URL). Run as many
 * as needed next to web processes started with RUN_WORKER=false; jobs are claimed through the
 * database, so no document is processed by two workers at once.
 */
import './load-env';
import { getDatabase } from '../lib/db';
import { logger } from '../lib/core/logger';
import type { Worker } from '../lib/jobs/worker';
import { loadConfigOrExit, startProductWorker } from '../lib/server-runtime';

const config = loadConfigOrExit();
if (!config.DATABASE_URL) {
  logger.warn('worker on the embedded PGlite database: only one process may open it; prefer RUN_WORKER=true in the web process');
}
/**
 * A worker started while the database restarts (a deploy, a failover) waits for it instead of
 * exiting: its start-up queries are retried with backoff.
 */
async function startWhenDatabaseAnswers(): Promise<Worker> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startProductWorker();
    } catch (error) {
      const delayMs = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
      logger.warn(
        { err: error instanceof Error ? error.message : String(error), attempt, delayMs },
        'worker could not start (database unavailable?): retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

const db = await getDatabase();
const worker = await startWhenDatabaseAnswers();
logger.info({ workerId: worker.id, database: db.kind }, 'worker process running');
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    await worker.stop();
    await db.close();
    process.exit(0);
  });
}
