/**
 * The goods shipment process (spec: «Отгрузка товаров со склада исполнителя»): a goods_shipment_task
 * from the customer, then goods_shipment_start and goods_shipment_ready (optional outdocs) and
 * goods_shipment with what actually left, packed as one pallet of boxes (gplt_out).
 *
 * Stock per good is what BetaPRO documents: the sum of the stock-changing outdocs (goods_supply adds,
 * goods_shipment subtracts), plus an inventory the control API may set. A shipment never takes more
 * than the stock: goods the warehouse does not have are short-shipped.
 */
import { ControlError } from './errors';
import type { Indoc, Outdoc, PartnerData, ShippedBox } from './model';
import type { BetaproStore } from './store';
import { issue } from './warehouse';

/** Good-quality stock per good_id. */
export function stockOf(store: BetaproStore, partner: PartnerData): Map<string, number> {
  const stock = new Map<string, number>(Object.entries(partner.stock_base ?? {}));
  const add = (goodId: string, qnt: number) => stock.set(goodId, (stock.get(goodId) ?? 0) + qnt);
  for (const o of store.liveOutdocs(partner)) {
    if (o.outdoc_type === 'goods_supply') for (const line of o.goods ?? []) add(line.good_id, line.useful_qnt);
    if (o.outdoc_type === 'goods_shipment') for (const [goodId, qnt] of shippedBy(o)) add(goodId, -qnt);
  }
  return stock;
}

/** Defective stock per good_id: what goods_supply outdocs received as defective (never shipped here). */
export function defectiveStockOf(store: BetaproStore, partner: PartnerData): Map<string, number> {
  const stock = new Map<string, number>();
  for (const o of store.liveOutdocs(partner)) {
    if (o.outdoc_type !== 'goods_supply') continue;
    for (const line of o.goods ?? []) if (line.defective_qnt) stock.set(line.good_id, (stock.get(line.good_id) ?? 0) + line.defective_qnt);
  }
  return stock;
}

/** good_id → quantity in a shipment outdoc's boxes. */
export function shippedBy(outdoc: Outdoc): Map<string, number> {
  const totals = new Map<string, number>();
  for (const pallet of outdoc.pallets ?? []) {
    for (const box of pallet.boxes) for (const g of box.goods) totals.set(g.good_id, (totals.get(g.good_id) ?? 0) + g.qnt);
  }
  return totals;
}

/** Puts goods on the warehouse (or takes them off): an inventory, as the console's «Остатки» form. */
export function adjustStock(partner: PartnerData, items: { good_id: string; qnt: number }[]): void {
  partner.stock_base ??= {};
  for (const { good_id, qnt } of items) {
    if (!Object.hasOwn(partner.goods, good_id))
      throw new ControlError(400, `good ${good_id} is not registered for partner ${partner.partnerId}`);
    partner.stock_base[good_id] = (partner.stock_base[good_id] ?? 0) + qnt;
  }
}

function packed(lines: Map<string, number>, outdocId: number): { plt_id: number; boxes: ShippedBox[] }[] {
  const goods = [...lines].filter(([, qnt]) => qnt > 0).map(([good_id, qnt]) => ({ good_id, qnt }));
  if (!goods.length) return [];
  const bar = `BOX${outdocId}`;
  return [{ plt_id: outdocId, boxes: [{ box_id: outdocId, box_upper_bar: bar, box_lower_bar: bar, goods }] }];
}

/**
 * Ships a task: each line the requested quantity (default the plan), but never more than the stock.
 * Issues the optional start/ready outdocs when the partner enabled them, then goods_shipment.
 */
export function ship(store: BetaproStore, partner: PartnerData, indoc: Indoc, items?: { good_id: string; qnt: number }[]): number[] {
  if (indoc.indoc_type !== 'goods_shipment_task') throw new ControlError(409, `indoc ${indoc.indoc_id} is not a goods_shipment_task`);
  if (indoc.state === 'completed') throw new ControlError(409, `indoc ${indoc.indoc_id} is already shipped`);
  const wanted = new Map(indoc.items.map((l) => [l.good_id, l.plan_qnt]));
  for (const item of items ?? []) {
    if (!wanted.has(item.good_id)) throw new ControlError(400, `good ${item.good_id} is not in task ${indoc.indoc_id}`);
    wanted.set(item.good_id, item.qnt);
  }
  const stock = stockOf(store, partner);
  const shipped = new Map([...wanted].map(([goodId, qnt]) => [goodId, Math.max(0, Math.min(qnt, stock.get(goodId) ?? 0))]));
  const issued: number[] = [];
  const base = { indoc_id: indoc.indoc_id, task_id: indoc.indoc_id };
  if (partner.settings.outdoc_types.goods_shipment_start)
    issued.push(issue(store, partner, { ...base, outdoc_type: 'goods_shipment_start' }).outdoc_id);
  if (partner.settings.outdoc_types.goods_shipment_ready) {
    const ready = issue(store, partner, { ...base, outdoc_type: 'goods_shipment_ready' });
    ready.pallets = packed(shipped, ready.outdoc_id);
    issued.push(ready.outdoc_id);
  }
  const done = issue(store, partner, { ...base, outdoc_type: 'goods_shipment' });
  done.pallets = packed(shipped, done.outdoc_id);
  issued.push(done.outdoc_id);
  indoc.state = 'completed';
  return issued;
}
