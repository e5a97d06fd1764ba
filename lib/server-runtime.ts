/**
 * What the web process starts besides serving requests: validates the configuration (a bad variable
 * stops the process with a message naming it), opens (and, embedded, migrates) the database, and
 * starts the job worker unless RUN_WORKER=false. scripts/worker.ts and tests start the same pieces.
 */
import { getConfig, ConfigError } from './core/config';
import { getDatabase } from './db';
import { logger } from './core/logger';

const startedKey = Symbol.for('betapro-bridge.runtime-started');

export async function startServerRuntime(): Promise<void> {
  const g = globalThis as typeof globalThis & { [startedKey]?: boolean };
  if (g[startedKey]) return;
  g[startedKey] = true;
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const db = await getDatabase();
  logger.info({ database: db.kind, location: db.location, runWorker: config.RUN_WORKER }, 'server runtime started');
}
