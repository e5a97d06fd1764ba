/**
 * The stored runs of the stock reconciliation (model StockReconciliation, docs/stock-reconciliation.md):
 * requesting one (at most one waits per account; the job takes every waiting run at once), reading the
 * last result for the page, the CSV and the health panel, and keeping only the newest runs.
 */
import type { Db, PrismaClient } from '@/lib/db';
import { packJson, unpackJson } from '@/lib/db/packed-json';
import type { StockResponse, StockRow, StockRun } from '@/lib/core/views';
import { enqueueAccountJob, stockReconcileJob } from '@/lib/sync/jobs';

/** Runs kept per account; older ones are deleted when a run finishes. */
export const KEPT_RUNS = 5;

export type StockTrigger = StockRun['trigger'];

const RUN_FIELDS = {
  id: true,
  state: true,
  trigger: true,
  createdAt: true,
  finishedAt: true,
  goods: true,
  differences: true,
  explained: true,
  moyskladCalls: true,
  betaproCalls: true,
  error: true,
} as const;

type RunRow = {
  id: string;
  state: string;
  trigger: string;
  createdAt: Date;
  finishedAt: Date | null;
  goods: number;
  differences: number;
  explained: number;
  moyskladCalls: number;
  betaproCalls: number;
  error: string | null;
};

export function runView(row: RunRow): StockRun {
  return {
    ...row,
    state: row.state as StockRun['state'],
    trigger: row.trigger === 'daily' ? 'daily' : 'manual',
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Asks for a reconciliation: a new waiting run unless one already waits (a second click, a second
 * worker's daily job), and the job that works the waiting runs. Returns the waiting run.
 */
export async function requestReconciliation(prisma: PrismaClient, accountId: string, trigger: StockTrigger, requestedBy?: string) {
  const run = await prisma.$transaction(async (tx) => {
    // One waiting run per account, whoever asks at the same moment: the account's lock orders them.
    await tx.$queryRawUnsafe(`SELECT 1 AS "locked" FROM pg_advisory_xact_lock(hashtext($1))`, `stock:${accountId}`);
    const waiting = await tx.stockReconciliation.findFirst({ where: { accountId, state: 'queued' }, select: RUN_FIELDS });
    return waiting ?? tx.stockReconciliation.create({ data: { accountId, trigger, requestedBy }, select: RUN_FIELDS });
  });
  // `q:`: a request made while a run is going on gets a run of its own afterwards (lib/jobs/queue).
  await enqueueAccountJob(prisma, stockReconcileJob, { accountId }, { dedupeKey: `q:stock:${accountId}` });
  return runView(run);
}

/** The newest finished run (done or failed) and a waiting or running one. */
export async function latestRuns(prisma: Db, accountId: string) {
  const [finished, pending] = await Promise.all([
    prisma.stockReconciliation.findFirst({
      where: { accountId, state: { in: ['done', 'failed'] } },
      orderBy: { createdAt: 'desc' },
      select: RUN_FIELDS,
    }),
    prisma.stockReconciliation.findFirst({
      where: { accountId, state: { in: ['queued', 'running'] } },
      orderBy: { createdAt: 'desc' },
      select: RUN_FIELDS,
    }),
  ]);
  return { finished, pending };
}

/** The newest successful run's rows (differences first), or null before the first one. */
export async function lastResult(
  prisma: Db,
  accountId: string,
): Promise<{ run: StockRun; rows: StockRow[]; stores: StockResponse['stores'] } | null> {
  const row = await prisma.stockReconciliation.findFirst({
    where: { accountId, state: 'done' },
    orderBy: { createdAt: 'desc' },
    select: { ...RUN_FIELDS, rowsPacked: true },
  });
  if (!row) return null;
  const { rowsPacked, ...run } = row;
  const packed = rowsPacked ? ((await unpackJson(rowsPacked)) as PackedResult | StockRow[]) : [];
  // Results stored as a bare array (before the stores were kept with them) have no store names.
  const { rows, stores } = Array.isArray(packed) ? { rows: packed, stores: [] } : packed;
  return { run: runView(run), rows, stores };
}

/** What rowsPacked holds: the rows and the BetaPRO stores they were read from. */
interface PackedResult {
  rows: StockRow[];
  stores: StockResponse['stores'];
}

export interface FinishedRun {
  rows: StockRow[];
  stores: StockResponse['stores'];
  goods: number;
  differences: number;
  explained: number;
  moyskladCalls: number;
  betaproCalls: number;
}

/**
 * Every run the job took ends with the same result. Of the finished runs the newest KEPT_RUNS are kept,
 * the newest successful one always among them.
 */
export async function finishRuns(prisma: PrismaClient, accountId: string, ids: string[], result: FinishedRun | { error: string }) {
  const data =
    'error' in result
      ? { state: 'failed', error: result.error, finishedAt: new Date() }
      : {
          state: 'done',
          finishedAt: new Date(),
          goods: result.goods,
          differences: result.differences,
          explained: result.explained,
          moyskladCalls: result.moyskladCalls,
          betaproCalls: result.betaproCalls,
          rowsPacked: await packJson({ rows: result.rows, stores: result.stores } satisfies PackedResult),
        };
  await prisma.stockReconciliation.updateMany({ where: { id: { in: ids } }, data });
  // The newest successful run stays whatever failed after it: the page shows its rows under the failure.
  const newestDone = await prisma.stockReconciliation.findFirst({
    where: { accountId, state: 'done' },
    orderBy: { createdAt: 'desc' },
    select: { id: true },
  });
  const old = await prisma.stockReconciliation.findMany({
    where: { accountId, state: { in: ['done', 'failed'] }, ...(newestDone ? { id: { not: newestDone.id } } : {}) },
    orderBy: { createdAt: 'desc' },
    skip: KEPT_RUNS - 1,
    select: { id: true },
  });
  if (old.length) await prisma.stockReconciliation.deleteMany({ where: { id: { in: old.map((r) => r.id) } } });
}

/** Takes the account's waiting runs (and runs a crashed worker left running) for this job. */
export async function takeWaitingRuns(prisma: PrismaClient, accountId: string): Promise<string[]> {
  const runs = await prisma.stockReconciliation.findMany({
    where: { accountId, state: { in: ['queued', 'running'] } },
    select: { id: true },
  });
  const ids = runs.map((r) => r.id);
  if (ids.length)
    await prisma.stockReconciliation.updateMany({ where: { id: { in: ids } }, data: { state: 'running', startedAt: new Date() } });
  return ids;
}
