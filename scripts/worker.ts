/**
 * npm run worker — a job worker process for production (PostgreSQL via DATABASE_URL). Run as many
 * as needed next to web processes started with RUN_WORKER=false; jobs are claimed through the
 * database, so no document is processed by two workers at once.
 */
import './load-env';
import { getDatabase } from '../lib/db';
import { logger } from '../lib/core/logger';
import { loadConfigOrExit, startProductWorker } from '../lib/server-runtime';

const config = loadConfigOrExit();
if (!config.DATABASE_URL) {
  logger.warn('worker on the embedded PGlite database: only one process may open it; prefer RUN_WORKER=true in the web process');
}
const db = await getDatabase();
const worker = await startProductWorker();
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
