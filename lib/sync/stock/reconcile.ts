/**
 * The stock reconciliation job (docs/stock-reconciliation.md): reads MoySklad's stock at the BetaPRO
 * stores and BetaPRO's stock, compares them by the product key, explains differences by documents in
 * flight and stores the result. It only reads both platforms, so a repeated or duplicated run changes
 * nothing but our own table.
 */
import type { PrismaClient } from '@/lib/db';
import { AppError, toAppError } from '@/lib/core/errors';
import { getConfig } from '@/lib/core/config';
import { logFor } from '@/lib/core/logger';
import type { JobOutcome } from '@/lib/jobs/worker';
import { isOperational, loadAccount, type Account } from '@/lib/sync/account/accounts';
import { betaproClientFor, moyskladClientFor } from '@/lib/sync/account/clients';
import { PrismaGoodsRegistryStore, betaproPartnerKey } from '@/lib/sync/account/goods-registry-store';
import { compareStock, summarise } from '@/lib/sync/stock/compare';
import { documentsInFlight } from '@/lib/sync/stock/in-flight';
import { readBetaproStock, readMoyskladStock } from '@/lib/sync/stock/read-stock';
import { finishRuns, requestReconciliation, takeWaitingRuns, type FinishedRun } from '@/lib/sync/stock/runs';
import type { AxiosInstance } from 'axios';
import type { MoyskladClient } from '@/lib/moysklad/json-api';

/** The daily check runs this long after the previous one (a day unless STOCK_CHECK_INTERVAL_SEC says otherwise). */
export function stockCheckIntervalMs(): number {
  return getConfig().STOCK_CHECK_INTERVAL_SEC * 1000;
}

/** Counts the HTTP calls a client sends (retries included): the run's figures and the bench's. */
function countCalls(http: AxiosInstance): { readonly count: number } {
  const counter = { count: 0 };
  http.interceptors.request.use((config) => {
    counter.count++;
    return config;
  });
  return counter;
}

/** Reads, compares and explains; the result of one run. */
export async function reconcileAccount(prisma: PrismaClient, account: Account): Promise<FinishedRun> {
  const ms = await moyskladClientFor(account);
  const betapro = await betaproClientFor(account);
  const msCalls = countCalls(ms.http);
  const betaproCalls = countCalls(betapro.http);
  const settings = account.settings;
  const moysklad = await readMoyskladStock(ms, settings.productKey, settings.storeIds);
  const stores = await storeNames(ms, settings.storeIds);
  const inFlight = await documentsInFlight(prisma, account.accountId);
  // Goods BetaPRO may hold: those registered for this account and partner, those MoySklad reports, those in flight.
  const registered = await new PrismaGoodsRegistryStore(prisma, betaproPartnerKey(settings)).listGoodIds(account.accountId);
  const asked = new Set([...registered, ...moysklad.byKey.keys(), ...inFlight.keys()]);
  const stock = await readBetaproStock(betapro, asked);
  const rows = compareStock({
    moysklad: moysklad.byKey,
    names: moysklad.names,
    withoutKey: moysklad.withoutKey,
    betapro: stock,
    inFlight,
    defectiveReceived: settings.defectivePolicy === 'received',
  });
  return { rows, stores, ...summarise(rows), moyskladCalls: msCalls.count, betaproCalls: betaproCalls.count };
}

/** The BetaPRO stores with their MoySklad names (one call), kept with the result for the page. */
async function storeNames(ms: MoyskladClient, ids: string[]): Promise<Array<{ id: string; name: string }>> {
  const names = new Map((await ms.listStores()).map((s) => [s.id, s.name]));
  return ids.map((id) => ({ id, name: names.get(id) ?? id }));
}

/** The job: every waiting run of the account gets this one result (or the failure's reason). */
export async function runStockReconciliation(prisma: PrismaClient, accountId: string): Promise<void> {
  const log = logFor({ accountId, job: 'stock-reconcile' });
  const ids = await takeWaitingRuns(prisma, accountId);
  if (!ids.length) return;
  const started = Date.now();
  try {
    const account = await loadAccount(prisma, accountId);
    if (!account || !isOperational(account)) {
      throw new AppError('CONFLICT', `account ${accountId} is not operational`, {
        userMessage: 'Решение не работает в этом аккаунте МойСклад.',
      });
    }
    if (!account.settings.storeIds.length) {
      throw new AppError('NOT_CONFIGURED', `account ${accountId} has no BetaPRO stores`, {
        userMessage: 'В настройках не выбраны склады БетаПРО: сверять нечего.',
      });
    }
    const result = await reconcileAccount(prisma, account);
    await finishRuns(prisma, accountId, ids, result);
    log.info(
      {
        goods: result.goods,
        differences: result.differences,
        explained: result.explained,
        msCalls: result.moyskladCalls,
        betaproCalls: result.betaproCalls,
        ms: Date.now() - started,
      },
      'stock reconciled',
    );
  } catch (thrown) {
    const error = toAppError(thrown);
    log.warn({ code: error.code, err: error.message }, 'stock reconciliation failed');
    // Recorded, not retried: the page offers «Сверить сейчас» again and the daily check comes back tomorrow.
    await finishRuns(prisma, accountId, ids, { error: error.userMessage });
  }
}

/** The recurring daily check: asks for a run while the account is installed and configured. */
export async function runDailyStockCheck(prisma: PrismaClient, accountId: string): Promise<JobOutcome> {
  const account = await loadAccount(prisma, accountId);
  if (!account || account.status === 'uninstalled') return;
  if (isOperational(account) && account.missing.length === 0) await requestReconciliation(prisma, accountId, 'daily');
  return { rescheduleAt: new Date(Date.now() + stockCheckIntervalMs()) };
}
