/**
 * The stock reconciliation page's server side (docs/stock-reconciliation.md): the last result with the
 * BetaPRO stores it compared, and asking for a new run. Rights are checked by
 * the routes (lib/api/session `right: 'stock'`).
 */
import type { PrismaClient } from '@/lib/db';
import type { StockResponse } from '@/lib/core/views';
import type { Session } from '@/lib/sync/rights';
import { lastResult, latestRuns, requestReconciliation, runView } from '@/lib/sync/stock/runs';

/** Rows the page gets (differences come first); 10,000 goods would be megabytes on every poll. */
export const STOCK_PAGE_ROWS = 300;

export async function readStock(prisma: PrismaClient, session: Session): Promise<StockResponse> {
  // No MoySklad call here: the page polls this while a run goes on, and the run's reads have the budget.
  const [result, { pending, finished }] = await Promise.all([lastResult(prisma, session.accountId), latestRuns(prisma, session.accountId)]);
  // A failed newest run is shown with its reason, over the rows of the last successful one.
  const rows = result?.rows.slice(0, STOCK_PAGE_ROWS) ?? [];
  const rowsTotal = result?.rows.length ?? 0;
  const failedAfter = finished && finished.state === 'failed' && (!result || finished.createdAt.toISOString() > result.run.createdAt);
  const run = failedAfter ? runView(finished) : result?.run;
  return {
    stores: result?.stores ?? [],
    last: run ? { ...run, rows, rowsTotal } : null,
    pending: pending ? runView(pending) : null,
  };
}

export function reconcileNow(prisma: PrismaClient, session: Session) {
  return requestReconciliation(prisma, session.accountId, 'manual', session.employeeId);
}
