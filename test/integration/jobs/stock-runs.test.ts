/**
 * Stored stock reconciliation runs (lib/sync/stock/runs.ts, docs/stock-reconciliation.md) on both
 * databases: simultaneous requests leave one waiting run and one queued job; the job's result goes to
 * every run it took; only the newest runs are kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/db';
import { finishRuns, KEPT_RUNS, lastResult, requestReconciliation, takeWaitingRuns } from '@/lib/sync/stock/runs';
import { readStock, STOCK_PAGE_ROWS } from '@/lib/sync/stock/service';
import type { Session } from '@/lib/sync/rights';
import { openTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../support/db';

describe.each(TEST_DATABASE_KINDS)('stock reconciliation runs on %s', (kind) => {
  let db: TestDatabase;
  let second: Database | undefined;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    // On PostgreSQL a second client stands for a second process asking at the same moment.
    second = kind === 'postgres' ? await openDatabase({ databaseUrl: db.url!, poolSize: 5 }) : undefined;
  });
  afterAll(async () => {
    await second?.close();
    await db.close();
  });
  const other = () => second?.prisma ?? db.prisma;

  it('requests at the same moment share one waiting run and one queued job', async () => {
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        requestReconciliation(i % 2 ? other() : db.prisma, 'acc-runs', i === 0 ? 'daily' : 'manual', `e${i}`),
      ),
    );
    expect(new Set(runs.map((r) => r.id)).size).toBe(1);
    expect(await db.prisma.stockReconciliation.count({ where: { accountId: 'acc-runs' } })).toBe(1);
    expect(await db.prisma.job.count({ where: { kind: 'stock-reconcile', accountId: 'acc-runs', state: 'queued' } })).toBe(1);
  });

  it('the job takes the waiting runs and gives each the one result; old runs go, the last good one stays', async () => {
    const ids = await takeWaitingRuns(db.prisma, 'acc-runs');
    expect(ids).toHaveLength(1);
    // A request while the run goes on waits for a run of its own.
    const next = await requestReconciliation(db.prisma, 'acc-runs', 'manual');
    expect(ids).not.toContain(next.id);
    const row = { goodId: 'A', name: 'A', moysklad: 1, byStore: { s: 1 }, betapro: { useful: 0, defective: 0, quarantine: 0 } };
    const rows = [{ ...row, expected: 0, difference: 1, status: 'difference' as const, inFlight: [] }];
    await finishRuns(db.prisma, 'acc-runs', ids, {
      rows,
      stores: [{ id: 's', name: 'Склад' }],
      goods: 1,
      differences: 1,
      explained: 0,
      moyskladCalls: 3,
      betaproCalls: 1,
    });
    const last = await lastResult(db.prisma, 'acc-runs');
    expect(last?.run).toMatchObject({ id: ids[0], state: 'done', differences: 1, moyskladCalls: 3 });
    expect(last?.rows).toEqual(rows);
    expect(last?.stores).toEqual([{ id: 's', name: 'Склад' }]);

    for (let i = 0; i < KEPT_RUNS + 2; i++) {
      const taken = await takeWaitingRuns(db.prisma, 'acc-runs');
      await finishRuns(db.prisma, 'acc-runs', taken, { error: 'МойСклад не ответил' });
      await requestReconciliation(db.prisma, 'acc-runs', 'manual');
    }
    const finished = await db.prisma.stockReconciliation.count({ where: { accountId: 'acc-runs', state: { in: ['done', 'failed'] } } });
    expect(finished).toBe(KEPT_RUNS);
    // The last successful result outlives the failures after it: the page still has rows to show.
    expect((await lastResult(db.prisma, 'acc-runs'))?.run.id).toBe(ids[0]);
    expect(await db.prisma.stockReconciliation.count({ where: { accountId: 'acc-runs', state: 'failed' } })).toBe(KEPT_RUNS - 1);
  });

  it('the page gets the first rows and the total; a failure after a result shows over its rows', async () => {
    const row = (i: number) => ({
      goodId: `G-${i}`,
      name: `G-${i}`,
      moysklad: 1,
      byStore: {},
      betapro: { useful: 1, defective: 0, quarantine: 0 },
      expected: 1,
      difference: 0,
      status: 'match' as const,
      inFlight: [],
    });
    await requestReconciliation(db.prisma, 'acc-page', 'manual');
    const rows = Array.from({ length: STOCK_PAGE_ROWS + 50 }, (_, i) => row(i));
    const result = { rows, stores: [], goods: rows.length, differences: 0, explained: 0, moyskladCalls: 1, betaproCalls: 1 };
    await finishRuns(db.prisma, 'acc-page', await takeWaitingRuns(db.prisma, 'acc-page'), result);
    const session = { accountId: 'acc-page' } as Session;
    const page = await readStock(db.prisma, session);
    expect(page.last).toMatchObject({ state: 'done', rowsTotal: STOCK_PAGE_ROWS + 50 });
    expect(page.last?.rows).toHaveLength(STOCK_PAGE_ROWS);
    expect(page.pending).toBeNull();

    await requestReconciliation(db.prisma, 'acc-page', 'daily');
    await finishRuns(db.prisma, 'acc-page', await takeWaitingRuns(db.prisma, 'acc-page'), { error: 'БетаПРО не ответил' });
    const failed = await readStock(db.prisma, session);
    expect(failed.last).toMatchObject({ state: 'failed', trigger: 'daily', error: 'БетаПРО не ответил', rowsTotal: STOCK_PAGE_ROWS + 50 });
    expect(failed.last?.rows).toHaveLength(STOCK_PAGE_ROWS);
  });
});
