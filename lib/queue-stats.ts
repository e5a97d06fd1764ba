/**
 * Queue figures shared by /api/health and /api/metrics, read on the database clock.
 */
import type { Db } from '@/lib/db';

export interface QueueStats {
  byState: Record<string, number>;
  /** Queued jobs whose time has come. */
  due: number;
  /** Age of the oldest due job: how far the workers are behind (0 when none is waiting). */
  lagSeconds: number;
}

export async function queueStats(prisma: Db): Promise<QueueStats> {
  const [states, [lag]] = await Promise.all([
    prisma.$queryRawUnsafe<Array<{ state: string; n: number | bigint }>>(`SELECT "state", count(*) AS n FROM "Job" GROUP BY "state"`),
    prisma.$queryRawUnsafe<Array<{ due: number | bigint; lag: number | null }>>(
      `SELECT count(*) AS due, EXTRACT(EPOCH FROM (clock_timestamp() - min("runAt")))::float8 AS lag
       FROM "Job" WHERE "state" = 'queued' AND "runAt" <= clock_timestamp()`,
    ),
  ]);
  const byState: Record<string, number> = { queued: 0, running: 0, done: 0, dead: 0 };
  for (const row of states) byState[row.state] = Number(row.n);
  return { byState, due: Number(lag?.due ?? 0), lagSeconds: Math.max(0, Number(lag?.lag ?? 0)) };
}
