/**
 * The stock comparison as a pure function (docs/stock-reconciliation.md): MoySklad's stock at the
 * BetaPRO stores, matched to BetaPRO's stock by the account's product key, each difference checked
 * against the documents in flight (sent to BetaPRO, not yet «Проведён»).
 */
import type { StockRow } from '@/lib/core/views';
import type { GoodStock } from '@/lib/betapro/client';

/** What MoySklad holds of one good (by key) at the BetaPRO stores. */
export interface MoyskladGoodStock {
  name: string;
  byStore: Record<string, number>;
}

export type InFlightLine = StockRow['inFlight'][number];

export interface CompareInput {
  /** good_id → MoySklad stock at the BetaPRO stores (only goods MoySklad reported). */
  moysklad: Map<string, MoyskladGoodStock>;
  /** Names of goods known to MoySklad by key but without stock at the BetaPRO stores. */
  names: Map<string, string>;
  /** MoySklad products with stock at a BetaPRO store but without the product key. */
  withoutKey: Array<{ name: string; byStore: Record<string, number> }>;
  /** good_id → BetaPRO's stock (goods BetaPRO listed). */
  betapro: Map<string, GoodStock>;
  /** good_id → documents in flight carrying it. */
  inFlight: Map<string, InFlightLine[]>;
  /** Defective units are received into MoySklad's stock (receipt policy «received»). */
  defectiveReceived: boolean;
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const ZERO: GoodStock = { useful: 0, defective: 0, quarantine: 0 };
const ORDER: Record<StockRow['status'], number> = { difference: 0, explained: 1, match: 2 };

/**
 * A difference is explained when documents in flight carry at least as many units of the good: a
 * receipt BetaPRO counted before MoySklad's document is posted, or a shipment that left before its move
 * is applied, shifts the two stocks by up to the planned quantity, in either direction.
 */
function statusOf(difference: number, inFlight: InFlightLine[]): StockRow['status'] {
  if (Math.abs(difference) < 1e-9) return 'match';
  return Math.abs(difference) <= sum(inFlight.map((d) => d.quantity)) ? 'explained' : 'difference';
}

function noteOf(goodId: string, input: CompareInput): StockRow['note'] {
  if (!input.moysklad.has(goodId) && !input.names.has(goodId)) return 'no_moysklad_product';
  if (!input.betapro.has(goodId)) return 'not_at_betapro';
  return undefined;
}

export function compareStock(input: CompareInput): StockRow[] {
  const goodIds = new Set([...input.moysklad.keys(), ...input.betapro.keys(), ...input.inFlight.keys()]);
  const rows: StockRow[] = [];
  for (const goodId of goodIds) {
    const ms = input.moysklad.get(goodId);
    const betapro = input.betapro.get(goodId) ?? ZERO;
    const moysklad = ms ? sum(Object.values(ms.byStore)) : 0;
    const expected = betapro.useful + (input.defectiveReceived ? betapro.defective : 0);
    const difference = moysklad - expected;
    const inFlight = input.inFlight.get(goodId) ?? [];
    const note = noteOf(goodId, input);
    rows.push({
      goodId,
      name: ms?.name ?? input.names.get(goodId) ?? goodId,
      moysklad,
      byStore: ms?.byStore ?? {},
      betapro: { ...betapro },
      expected,
      difference,
      status: statusOf(difference, inFlight),
      ...(note && (difference !== 0 || note === 'no_moysklad_product') ? { note } : {}),
      inFlight,
    });
  }
  for (const product of input.withoutKey) {
    const moysklad = sum(Object.values(product.byStore));
    rows.push({
      goodId: null,
      name: product.name,
      moysklad,
      byStore: product.byStore,
      betapro: { ...ZERO },
      expected: 0,
      difference: moysklad,
      status: moysklad === 0 ? 'match' : 'difference',
      note: 'no_key',
      inFlight: [],
    });
  }
  return sortRows(rows);
}

/** Differences first (largest first), then those explained, then matches; by name within each. */
export function sortRows(rows: StockRow[]): StockRow[] {
  return rows.sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      Math.abs(b.difference) - Math.abs(a.difference) ||
      a.name.localeCompare(b.name, 'ru') ||
      (a.goodId ?? '').localeCompare(b.goodId ?? ''),
  );
}

export function summarise(rows: StockRow[]): { goods: number; differences: number; explained: number } {
  return {
    goods: rows.length,
    differences: rows.filter((r) => r.status === 'difference').length,
    explained: rows.filter((r) => r.status === 'explained').length,
  };
}
