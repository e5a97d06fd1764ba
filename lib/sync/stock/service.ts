/**
 * The stock reconciliation page's server side (docs/stock-reconciliation.md): the last result with the
 * BetaPRO stores' names, asking for a new run, and the CSV of the last result. Rights are checked by
 * the routes (lib/api/session `right: 'stock'`).
 */
import type { PrismaClient } from '@/lib/db';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import type { StockResponse } from '@/lib/core/views';
import { loadAccountOrThrow } from '@/lib/sync/account/accounts';
import { moyskladClientFor } from '@/lib/sync/account/clients';
import type { Session } from '@/lib/sync/rights';
import { lastResult, latestRuns, requestReconciliation, runView } from '@/lib/sync/stock/runs';

/** The BetaPRO stores with their MoySklad names (ids when MoySklad cannot be read now). */
async function storeOptions(prisma: PrismaClient, accountId: string): Promise<StockResponse['stores']> {
  const account = await loadAccountOrThrow(prisma, accountId);
  const ids = account.settings.storeIds;
  try {
    const stores = await (await moyskladClientFor(account)).listStores();
    const names = new Map(stores.map((s) => [s.id, s.name]));
    return ids.map((id) => ({ id, name: names.get(id) ?? id }));
  } catch (error) {
    logFor({ accountId }).warn({ err: toAppError(error).message }, 'stock: could not read store names');
    return ids.map((id) => ({ id, name: id }));
  }
}

export async function readStock(prisma: PrismaClient, session: Session): Promise<StockResponse> {
  const [stores, result, { pending, finished }] = await Promise.all([
    storeOptions(prisma, session.accountId),
    lastResult(prisma, session.accountId),
    latestRuns(prisma, session.accountId),
  ]);
  // A failed newest run is shown with its reason, over the rows of the last successful one.
  const last = result ? { ...result.run, rows: result.rows } : null;
  const failedAfter = finished && finished.state === 'failed' && (!result || finished.createdAt.toISOString() > result.run.createdAt);
  return {
    stores,
    last: failedAfter ? { ...runView(finished), rows: last?.rows ?? [] } : last,
    pending: pending ? runView(pending) : null,
  };
}

export function reconcileNow(prisma: PrismaClient, session: Session) {
  return requestReconciliation(prisma, session.accountId, 'manual', session.employeeId);
}
