/**
 * Outbound pre-flight (docs/outbound.md): BetaPRO's current stock of the planned goods, read once
 * (`POST /goods/stock`), and a warning for each good the warehouse has less of than the plan. It only
 * warns: the warehouse ships what it has, and the shipment fact corrects the document.
 */
import type { TransferPlan } from '@/lib/core/domain';
import type { BetaproClient } from '@/lib/betapro';
import { plannedQuantities } from '@/lib/betapro/mappers';
import type { StockShortage } from '@/lib/core/views';

/** The goods BetaPRO has less of than the plan, as data (the widget words them in the user's language). */
export async function stockShortages(betapro: BetaproClient, plan: Pick<TransferPlan, 'lines'>): Promise<StockShortage[]> {
  const wanted = plannedQuantities(plan.lines);
  const free = await betapro.getStock([...wanted.keys()]);
  const names = new Map(plan.lines.map((l) => [l.goodId, l.name]));
  const short: StockShortage[] = [];
  for (const [goodId, needed] of wanted) {
    const have = free.get(goodId) ?? 0;
    if (have < needed) short.push({ goodId, name: names.get(goodId) ?? goodId, needed, have });
  }
  return short;
}

/** One shortage in the comment log's Russian. */
export function stockShortageText(s: StockShortage): string {
  return `«${s.name}» (${s.goodId}): нужно ${s.needed}, на складе ${s.have}`;
}

export async function stockWarnings(betapro: BetaproClient, plan: Pick<TransferPlan, 'lines'>): Promise<string[]> {
  return (await stockShortages(betapro, plan)).map(stockShortageText);
}

/** The comment line for a shortage found before shipping; undefined when there is none. */
export function stockWarningLine(short: string[]): string | undefined {
  if (!short.length) return undefined;
  const shown = short.slice(0, 10).join('; ') + (short.length > 10 ? `; и ещё ${short.length - 10}` : '');
  return `Внимание: на складе БетаПРО не хватает товара — ${shown}. Склад отгрузит то, что есть; документ будет исправлен по факту.`;
}
