/**
 * Worker heartbeats: each process that runs a worker records, every few seconds, that it is alive
 * (on the database clock, so hosts with skewed clocks agree) together with its metrics snapshot.
 * /api/health reports the workers seen in the last minute and /api/metrics every live process's
 * counters. A stopped worker removes its row; a crashed one's row ages out (and retention deletes it).
 */
import { hostname } from 'node:os';
import type { Db } from '@/lib/db';
import type { Logger } from '@/lib/core/logger';
import { metricsSnapshot, processId, type MetricsSnapshot } from '@/lib/core/metrics';

/** A worker not seen for this long counts as gone (health answers 503 when no worker is left). */
export const WORKER_SEEN_WITHIN_SEC = 60;

export interface Heartbeat {
  stop(): Promise<void>;
}

export async function recordHeartbeat(prisma: Db, startedAt: Date): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO "WorkerHeartbeat" ("workerId", "host", "pid", "startedAt", "seenAt", "metrics")
     VALUES ($1, $2, $3, $4, clock_timestamp(), $5::jsonb)
     ON CONFLICT ("workerId") DO UPDATE SET "seenAt" = clock_timestamp(), "metrics" = EXCLUDED."metrics"`,
    processId(),
    hostname(),
    process.pid,
    startedAt,
    JSON.stringify(metricsSnapshot()),
  );
}

export function startHeartbeat(prisma: Db, intervalMs: number, log: Logger): Heartbeat {
  const startedAt = new Date();
  const beat = () => recordHeartbeat(prisma, startedAt).catch((error) => log.warn({ err: error }, 'heartbeat not recorded'));
  void beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref?.();
  return {
    async stop() {
      clearInterval(timer);
      await prisma.workerHeartbeat.deleteMany({ where: { workerId: processId() } }).catch(() => undefined);
    },
  };
}

export interface LiveWorker {
  workerId: string;
  host: string;
  pid: number;
  startedAt: Date;
  secondsSinceSeen: number;
  metrics: MetricsSnapshot;
}

/** Workers seen within WORKER_SEEN_WITHIN_SEC, by the database clock. */
export async function liveWorkers(prisma: Db): Promise<LiveWorker[]> {
  const rows = await prisma.$queryRawUnsafe<Array<Omit<LiveWorker, 'secondsSinceSeen'> & { secondsSinceSeen: number | string }>>(
    `SELECT "workerId", "host", "pid", "startedAt", "metrics",
            EXTRACT(EPOCH FROM (clock_timestamp() - "seenAt"))::float8 AS "secondsSinceSeen"
     FROM "WorkerHeartbeat" WHERE "seenAt" > clock_timestamp() - ($1 || ' seconds')::interval
     ORDER BY "workerId"`,
    WORKER_SEEN_WITHIN_SEC,
  );
  return rows.map((row) => ({ ...row, secondsSinceSeen: Number(row.secondsSinceSeen) }));
}
