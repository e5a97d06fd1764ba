/**
 * The stock reconciliation for 10,000 goods (docs/stock-reconciliation.md): MoySklad and BetaPRO calls
 * the app makes, MoySklad's request units (the stock report weighs 5), 429 answers from either side, and
 * how long the run took. MoySklad's stock at the BetaPRO store comes from posted supplies of 1000
 * positions; BetaPRO's from an inventory through its control API, with a few goods planted different.
 */
import { createBetaproClient } from '@/lib/betapro';
import { api } from '../../test/support/sandbox';
import type { StockResponse } from '@/lib/api/contract';
import { betaproCalls, moyskladCalls, resetCounters, type CallCount } from './counters';
import { benchAccount, control, createProducts, sleep, type BenchAccount, type BenchSandbox } from './fixtures';

export interface StockBenchResult {
  goods: number;
  /** Goods planted with a different BetaPRO stock: the run must find exactly these. */
  planted: number;
  differences: number;
  durationMs: number;
  moysklad: CallCount;
  /** MoySklad request units: every call 1, the stock report 5. */
  moyskladUnits: number;
  betapro: CallCount;
  /** The calls the run itself counted (its own clients): the simulators' counts minus the page's polling. */
  run: { moysklad: number; betapro: number };
}

const PLANTED = 25;

function stockUp(sandbox: BenchSandbox, account: BenchAccount, productIds: string[]): void {
  const ms = sandbox.moysklad;
  for (let i = 0; i < productIds.length; i += 1000) {
    ms.createDocument(account.accountId, 'supply', {
      organization: ms.meta('organization', account.seed.organizationId),
      agent: ms.meta('counterparty', account.seed.counterpartyId),
      store: ms.meta('store', account.seed.stores.betapro),
      applicable: true,
      positions: productIds
        .slice(i, i + 1000)
        .map((id, j) => ({ quantity: ((i + j) % 7) + 1, price: 100, assortment: ms.meta('product', id) })),
    });
  }
}

async function registerAtBetapro(sandbox: BenchSandbox, partnerId: string, password: string, count: number, prefix: string): Promise<void> {
  const client = createBetaproClient({ baseUrl: sandbox.betapro.apiUrl, partnerId, password, accountId: 'bench', allowPrivateHosts: true });
  const goods = Array.from({ length: count }, (_, i) => ({
    goodId: `${prefix}-${i + 1}`,
    name: `Товар ${prefix} №${i + 1}`,
    barcodes: [],
  }));
  await client.upsertGoods(goods);
  // The same stock as MoySklad's, but PLANTED goods one short.
  const items = goods.map((g, i) => ({ good_id: g.goodId, qnt: (i % 7) + 1 - (i < PLANTED ? 1 : 0) }));
  for (let i = 0; i < items.length; i += 2000) await control(sandbox, `/stock?partner=${partnerId}`, { items: items.slice(i, i + 2000) });
}

export async function measureStock(sandbox: BenchSandbox, goods: number, log: (...args: unknown[]) => void): Promise<StockBenchResult> {
  const account = await benchAccount(sandbox, 'stock-bench');
  const prefix = 'STK';
  const productIds = createProducts(sandbox, account, prefix, goods);
  stockUp(sandbox, account, productIds);
  await registerAtBetapro(sandbox, account.partnerId, `pw-${account.name}-0123456789`, goods, prefix);
  log(`stock: ${goods} goods in both simulators`);
  await resetCounters(sandbox);
  const started = Date.now();
  const asked = await api(sandbox.app.url, '/api/stock/run', { token: account.adminSession, body: {} });
  if (asked.status !== 202) throw new Error(`stock run refused: ${asked.status}`);
  let last: StockResponse['last'] = null;
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(500)) {
    const { body } = await api<StockResponse>(sandbox.app.url, '/api/stock', { token: account.adminSession });
    if (body.last && !body.pending) {
      last = body.last;
      break;
    }
  }
  if (!last || last.state !== 'done') throw new Error(`stock run did not finish: ${last?.error ?? 'timeout'}`);
  const moysklad = moyskladCalls(sandbox, [account.accountId]);
  const betapro = await betaproCalls(sandbox, [account.partnerId]);
  const reportCalls = moysklad.byRoute['GET /report/stock/bystore'] ?? 0;
  return {
    goods,
    planted: PLANTED,
    differences: last.differences,
    durationMs: Date.parse(last.finishedAt!) - started,
    moysklad,
    moyskladUnits: moysklad.total + 4 * reportCalls,
    betapro,
    run: { moysklad: last.moyskladCalls, betapro: last.betaproCalls },
  };
}
