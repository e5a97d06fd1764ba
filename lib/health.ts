import { getDatabase } from './db';
import { logger } from './core/logger';
import packageJson from '../package.json' with { type: 'json' };

export interface HealthReport {
  status: 'ok' | 'unavailable';
  version: string;
  database: { ok: boolean; kind?: string; latencyMs?: number; error?: string };
  time: string;
}

/** Database round trip; 'unavailable' (HTTP 503) when it cannot be reached. */
export async function checkHealth(): Promise<HealthReport> {
  const started = performance.now();
  const base = { version: packageJson.version, time: new Date().toISOString() };
  try {
    const db = await getDatabase();
    await db.prisma.$queryRawUnsafe('SELECT 1');
    return {
      ...base,
      status: 'ok',
      database: { ok: true, kind: db.kind, latencyMs: Math.round((performance.now() - started) * 10) / 10 },
    };
  } catch (error) {
    logger.error({ err: error }, 'health check: database unreachable');
    return { ...base, status: 'unavailable', database: { ok: false, error: 'database unreachable' } };
  }
}
