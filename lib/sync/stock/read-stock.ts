/**
 * Reading both stocks for the reconciliation (docs/stock-reconciliation.md), in as few calls as the
 * platforms allow: MoySklad's products and variants a page of 1000 at a time (weight 1), its stock
 * report for all BetaPRO stores at once a page of 1000 rows at a time (weight 5), BetaPRO's stock 1000
 * good_ids per call. For 10,000 goods: about 10 + 10 + 10 MoySklad pages and 10 BetaPRO calls.
 */
import type { ProductKey } from '@/lib/core/domain';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import { idOfHref } from '@/lib/moysklad/app-session';
import { assortmentKey } from '@/lib/moysklad/mappers/to-transfer-lines';
import type { BetaproClient, GoodStock } from '@/lib/betapro/client';
import type { MoyskladGoodStock } from '@/lib/sync/stock/compare';

export interface MoyskladStock {
  /** good_id → stock at the BetaPRO stores (goods the report listed). */
  byKey: Map<string, MoyskladGoodStock>;
  /** good_id → name, for every product and variant that has the key. */
  names: Map<string, string>;
  withoutKey: Array<{ name: string; byStore: Record<string, number> }>;
}

interface AssortmentInfo {
  key: string | undefined;
  name: string;
}

/** Assortment id → its key and name, over every product and variant of the account. */
async function readAssortment(ms: MoyskladClient, key: ProductKey): Promise<Map<string, AssortmentInfo>> {
  const byId = new Map<string, AssortmentInfo>();
  for (const type of ['product', 'variant'] as const) {
    for await (const page of ms.iterateAssortment(type)) {
      for (const row of page) byId.set(row.id, { key: assortmentKey(row, key), name: row.name });
    }
  }
  return byId;
}

/** MoySklad's stock at the given stores, by the account's product key. */
export async function readMoyskladStock(ms: MoyskladClient, key: ProductKey, storeIds: string[]): Promise<MoyskladStock> {
  const assortment = await readAssortment(ms, key);
  const wanted = new Set(storeIds);
  const result: MoyskladStock = { byKey: new Map(), names: new Map(), withoutKey: [] };
  for (const info of assortment.values()) if (info.key && !result.names.has(info.key)) result.names.set(info.key, info.name);
  const hrefs = storeIds.map((id) => ms.href(`/entity/store/${id}`));
  for await (const page of ms.iterateStockByStore(hrefs)) {
    for (const row of page) {
      const byStore: Record<string, number> = {};
      for (const entry of row.stockByStore) {
        const storeId = idOfHref(entry.meta.href);
        if (storeId && wanted.has(storeId) && entry.stock !== 0) byStore[storeId] = (byStore[storeId] ?? 0) + entry.stock;
      }
      if (!Object.keys(byStore).length) continue;
      const info = assortment.get(idOfHref(row.meta.href) ?? '');
      if (!info?.key) {
        result.withoutKey.push({ name: info?.name ?? row.meta.href, byStore });
        continue;
      }
      addStock(result.byKey, info.key, info.name, byStore);
    }
  }
  return result;
}

/** Several MoySklad goods with one key are one good at BetaPRO: their stock adds up. */
function addStock(into: Map<string, MoyskladGoodStock>, key: string, name: string, byStore: Record<string, number>): void {
  const existing = into.get(key);
  if (!existing) {
    into.set(key, { name, byStore: { ...byStore } });
    return;
  }
  for (const [storeId, stock] of Object.entries(byStore)) existing.byStore[storeId] = (existing.byStore[storeId] ?? 0) + stock;
}

/** BetaPRO's stock of these goods by quality. */
export function readBetaproStock(betapro: BetaproClient, goodIds: Iterable<string>): Promise<Map<string, GoodStock>> {
  return betapro.getStockByQuality([...new Set(goodIds)].sort());
}
