import { getDatabase } from '@/lib/db';
import { getConfig } from '@/lib/core/config';
import { logger } from '@/lib/core/logger';
import { liveWorkers, WORKER_SEEN_WITHIN_SEC } from '@/lib/jobs/heartbeat';
import { queueStats } from '@/lib/queue-stats';
import packageJson from '@/package.json' with { type: 'json' };

export interface HealthReport {
  status: 'ok' | 'unavailable';
  version: string;
  database: { ok: boolean; kind?: string; latencyMs?: number; error?: string };
  /** Worker processes seen in the last minute (heartbeats) and when the freshest was seen. */
  workers?: { seen: number; lastSeenSecondsAgo: number | null; ok: boolean };
  /** Due jobs and the age of the oldest one (how far the workers are behind). */
  queue?: { due: number; lagSeconds: number };
  time: string;
}

/**
 * Workers are missing when this deployment relies on separate processes (PostgreSQL, and this process
 * runs none itself) and none has been seen for a minute; a process that started less than a minute ago
 * gives the workers that minute to come up.
 */
export function workersMissing(input: { multiProcess: boolean; seen: number; processUptimeSec: number }): boolean {
  return input.multiProcess && input.seen === 0 && input.processUptimeSec >= WORKER_SEEN_WITHIN_SEC;
}

/** Database round trip, workers and queue lag; 'unavailable' (HTTP 503) when the database or every worker is gone. */
export async function checkHealth(processUptimeSec = process.uptime()): Promise<HealthReport> {
  const started = performance.now();
  const base = { version: packageJson.version, time: new Date().toISOString() };
  try {
    const db = await getDatabase();
    await db.prisma.$queryRawUnsafe('SELECT 1');
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const [workers, stats] = await Promise.all([liveWorkers(db.prisma), queueStats(db.prisma)]);
    const multiProcess = db.kind === 'postgres' && !getConfig().RUN_WORKER;
    const missing = workersMissing({ multiProcess, seen: workers.length, processUptimeSec });
    const freshest = workers.length ? Math.min(...workers.map((w) => w.secondsSinceSeen)) : null;
    return {
      ...base,
      status: missing ? 'unavailable' : 'ok',
      database: { ok: true, kind: db.kind, latencyMs },
      workers: {
        seen: workers.length,
        lastSeenSecondsAgo: freshest === null ? null : Math.round(freshest * 10) / 10,
        ok: !missing,
      },
      queue: { due: stats.due, lagSeconds: Math.round(stats.lagSeconds * 1000) / 1000 },
    };
  } catch (error) {
    logger.error({ err: error }, 'health check: database unreachable');
    return { ...base, status: 'unavailable', database: { ok: false, error: 'database unreachable' } };
  }
}
