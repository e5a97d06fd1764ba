/**
 * `GET /report/stock/bystore` (RDOC reports «Остатки по складам»): the stock of every product and
 * variant per store. Stock here is the opening balance the control API may set (`setStock`, also the
 * stock-control table) plus what posted documents moved: a supply adds to its store, a move takes from
 * its source and adds to its target, a purchase return takes from its store. Rows with no stock at the
 * asked stores are left out (MoySklad's default `stockMode`), as are goods never stocked anywhere.
 */
import type { AccountRec, EntityRec, Ref } from './types';

/** assortment id → store id → stock. */
export function stockTable(account: AccountRec): Map<string, Map<string, number>> {
  const table = new Map<string, Map<string, number>>();
  const add = (assortmentId: string, storeId: string | undefined, qty: number) => {
    if (!storeId || !qty) return;
    const byStore = table.get(assortmentId) ?? new Map<string, number>();
    byStore.set(storeId, (byStore.get(storeId) ?? 0) + qty);
    table.set(assortmentId, byStore);
  };
  for (const [storeId, goods] of Object.entries(account.stock ?? {})) {
    for (const [assortmentId, qty] of Object.entries(goods)) add(assortmentId, storeId, qty);
  }
  for (const rec of Object.values(account.entities)) {
    if (!rec.fields.applicable) continue;
    for (const [storeId, sign] of movements(rec)) {
      for (const p of rec.positions ?? []) add(p.assortment.id, storeId, sign * p.quantity);
    }
  }
  return table;
}

function movements(rec: EntityRec): Array<[string | undefined, number]> {
  const ref = (field: string) => (rec.fields[field] as Ref | undefined)?.id;
  switch (rec.type) {
    case 'supply':
      return [[ref('store'), 1]];
    case 'move':
      return [
        [ref('sourceStore'), -1],
        [ref('targetStore'), 1],
      ];
    case 'purchasereturn':
      return [[ref('store'), -1]];
    default:
      return [];
  }
}

/** The report's rows for the stores named by `store=<href>` filters (every store when none). */
export function stockByStoreRows(
  account: AccountRec,
  storeIds: string[] | null,
): Array<{ assortmentId: string; stores: Array<[string, number]> }> {
  const rows: Array<{ assortmentId: string; stores: Array<[string, number]> }> = [];
  for (const [assortmentId, byStore] of stockTable(account)) {
    const stores = [...byStore].filter(([storeId, qty]) => qty !== 0 && (!storeIds || storeIds.includes(storeId)));
    if (stores.length && account.entities[assortmentId]) rows.push({ assortmentId, stores });
  }
  return rows.sort((a, b) => a.assortmentId.localeCompare(b.assortmentId));
}
