/**
 * The reconciliation's reads against the simulators (docs/stock-reconciliation.md), below the app: the
 * MoySklad stock report across pages and stores, weighed 5 by the client's gate, and BetaPRO's stock
 * for thousands of good_ids in batches and pages, every FBox request and answer checked against the spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRateGate, type RateGate, type RatePolicy } from '@/lib/core/rate-gate';
import { createMoyskladClient } from '@/lib/moysklad/json-api';
import { createBetaproClient } from '@/lib/betapro';
import { readMoyskladStock } from '@/lib/sync/stock/read-stock';
import { requestErrors, responseErrors } from '@/test/support/openapi';
import { startBetaproSimulator, type BetaproSimulator } from '@/test/sandbox/betapro';
import type { MoyskladSimulator } from '@/test/sandbox/moysklad';
import { startSimulatorFor, startStubApp, type StubApp } from '../moysklad/support';

let stub: StubApp;
let ms: MoyskladSimulator;
let betapro: BetaproSimulator;

beforeAll(async () => {
  stub = await startStubApp();
  ms = await startSimulatorFor(stub);
  betapro = await startBetaproSimulator({ port: 0 });
});
afterAll(async () => {
  await ms?.close();
  await betapro?.close();
  await stub?.close();
});

/** A gate that counts the slots taken per key. */
function countingGate(): RateGate & { slots: number } {
  const inner = new InProcessRateGate();
  const gate = {
    slots: 0,
    run<T>(key: string, policy: RatePolicy, fn: () => Promise<T>) {
      gate.slots++;
      return inner.run(key, policy, fn);
    },
    pause: (key: string, untilMs: number) => inner.pause(key, untilMs),
  };
  return gate;
}

describe('MoySklad: report/stock/bystore', () => {
  it('reads 1,200 goods in two pages of one pass for two stores, each page weighing 5', async () => {
    const { accountId, token } = await ms.installedAccount('stock-reads');
    const seed = ms.seed(accountId, { documents: false, states: false });
    const ids = Array.from({ length: 1200 }, (_, i) => ms.createEntity(accountId, 'product', { name: `Товар ${i}`, article: `R-${i}` }));
    const store = (id: string) => ms.meta('store', id);
    const supply = (storeId: string, goods: string[], quantity: number) =>
      ms.createDocument(accountId, 'supply', {
        organization: ms.meta('organization', seed.organizationId),
        agent: ms.meta('counterparty', seed.counterpartyId),
        store: store(storeId),
        positions: goods.map((id) => ({ quantity, price: 1, assortment: ms.meta('product', id) })),
      });
    supply(seed.stores.betapro, ids.slice(0, 1000), 3);
    supply(seed.stores.betapro, ids.slice(1000), 2);
    supply(seed.stores.main, ids.slice(0, 5), 7);
    // A posted move takes 1 of the first good from the BetaPRO store to the shop.
    ms.createDocument(accountId, 'move', {
      organization: ms.meta('organization', seed.organizationId),
      sourceStore: store(seed.stores.betapro),
      targetStore: store(seed.stores.shop),
      positions: [{ quantity: 1, price: 1, assortment: ms.meta('product', ids[0]) }],
    });
    // Not posted: moves nothing.
    ms.createDocument(accountId, 'supply', {
      organization: ms.meta('organization', seed.organizationId),
      agent: ms.meta('counterparty', seed.counterpartyId),
      store: store(seed.stores.betapro),
      applicable: false,
      positions: [{ quantity: 50, price: 1, assortment: ms.meta('product', ids[1]) }],
    });

    const gate = countingGate();
    const client = createMoyskladClient({ baseUrl: ms.apiUrl, token, accountId, gate });
    const pages: number[] = [];
    for await (const page of client.iterateStockByStore([client.href(`/entity/store/${seed.stores.betapro}`)])) pages.push(page.length);
    expect(pages).toEqual([1000, 200]);
    expect(gate.slots).toBe(10);

    const read = await readMoyskladStock(client, 'article', [seed.stores.betapro, seed.stores.shop]);
    expect(read.byKey.size).toBe(1200);
    expect(read.byKey.get('R-0')).toEqual({ name: 'Товар 0', byStore: { [seed.stores.betapro]: 2, [seed.stores.shop]: 1 } });
    expect(read.byKey.get('R-1')?.byStore).toEqual({ [seed.stores.betapro]: 3 });
    expect(read.byKey.get('R-1100')?.byStore).toEqual({ [seed.stores.betapro]: 2 });
    // The main store is not asked about.
    expect(Object.keys(read.byKey.get('R-2')!.byStore)).toEqual([seed.stores.betapro]);
    expect(read.withoutKey).toEqual([]);
  }, 60_000);
});

describe('BetaPRO: POST /goods/stock', () => {
  it('asks 1000 good_ids at a time, follows pages, adds qualities, skips unknown goods; all per the spec', async () => {
    const partner = { partnerId: 'P-STOCK', password: 'stock-pass-0123456789' };
    await fetch(`${betapro.controlUrl}/partners`, {
      method: 'POST',
      body: JSON.stringify(partner),
      headers: { 'content-type': 'application/json' },
    });
    const client = createBetaproClient({ baseUrl: betapro.apiUrl, ...partner, accountId: 'acc-stock', allowPrivateHosts: true });
    const violations: string[] = [];
    let stockCalls = 0;
    client.http.interceptors.request.use((config) => {
      if (config.url?.endsWith('/goods/stock')) {
        stockCalls++;
        for (const e of requestErrors('betapro', 'POST /goods/stock', config.data)) violations.push(`request ${e.path}: ${e.message}`);
      }
      return config;
    });
    client.http.interceptors.response.use((response) => {
      if (response.config.url?.endsWith('/goods/stock')) {
        for (const e of responseErrors('betapro', 'POST /goods/stock', response.status, response.data))
          violations.push(`response ${e.path}: ${e.message}`);
      }
      return response;
    });
    const goods = Array.from({ length: 2500 }, (_, i) => ({ goodId: `G-${String(i).padStart(4, '0')}`, name: `Товар ${i}`, barcodes: [] }));
    await client.upsertGoods(goods);
    const control = async (path: string, body: unknown) => {
      const res = await fetch(`${betapro.controlUrl}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBeLessThan(300);
    };
    await control(`/stock?partner=${partner.partnerId}`, { items: goods.map((g, i) => ({ good_id: g.goodId, qnt: (i % 5) + 1 })) });
    // 60 of the first thousand received with defects: that batch answers in two pages (1060 rows).
    await client.createIndoc({
      indoc_type: 'goods_supply_task',
      indoc_id: 'STOCK-DEF',
      items: goods.slice(0, 60).map((g) => ({ good_id: g.goodId, plan_qnt: 3 })),
    });
    await control('/indocs/STOCK-DEF/receive', {
      final: true,
      items: goods.slice(0, 60).map((g) => ({ good_id: g.goodId, useful_qnt: 1, defective_qnt: 2 })),
    });

    const asked = [...goods.map((g) => g.goodId), 'UNKNOWN-1', 'UNKNOWN-2'];
    const stock = await client.getStockByQuality(asked);
    expect(violations).toEqual([]);
    expect(stockCalls).toBe(4); // 3 batches, the first in two pages
    expect(stock.size).toBe(2500);
    expect(stock.get('G-0000')).toEqual({ useful: 2, defective: 2, quarantine: 0 });
    expect(stock.get('G-0100')).toEqual({ useful: 1, defective: 0, quarantine: 0 });
    expect(stock.get('G-2499')).toEqual({ useful: 5, defective: 0, quarantine: 0 });
    expect(stock.has('UNKNOWN-1')).toBe(false);
  }, 60_000);
});
