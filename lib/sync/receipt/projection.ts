/**
 * The receipt projection (docs/product.md §4): what a MoySklad Supply/Move must look like once BetaPRO has
 * reported what it accepted. It is a pure function of the plan we sent and every applied receipt of the
 * task, never an increment on the document's current state, so re-applying an outdoc, receiving parts
 * out of order or reverting one outdoc (recompute without it) all converge to the same document.
 */
import { isFactKind, type DocumentEntity, type PlanLine, type Receipt, type TransferDirection } from '@/lib/core/domain';
import type { ReceiptLineView } from '@/lib/core/views';

export type DefectivePolicy = 'received' | 'excluded';

export interface AssortmentRef {
  href: string;
  type: 'product' | 'variant';
}

/** A good that was not in the plan but exists in MoySklad (found by the product key). */
export interface UnexpectedGood {
  assortment: AssortmentRef;
  name: string;
  /** Kopecks: the product's buy price, or 0 when it has none. */
  price: number;
  priceSource: 'buyPrice' | 'zero';
}

export interface ProjectionInput {
  plan: PlanLine[];
  receipts: Receipt[];
  policy: { defective: DefectivePolicy };
  /** Goods BetaPRO reported outside the plan that were found in MoySklad, by goodId. */
  unexpected?: ReadonlyMap<string, UnexpectedGood>;
  /**
   * Original quantity of each MoySklad position, by position id. Only needed for plan lines that merged
   * several positions: the received quantity is then split back over those positions. When a merged
   * line has an id missing here, the split is impossible and the line collapses into its first position
   * (the others are dropped, which MoySklad does anyway for positions absent from the update).
   */
  positionQuantities?: ReadonlyMap<string, number>;
}

/** One position of the corrected MoySklad document. */
export interface ProjectedPosition {
  goodId: string;
  assortment: AssortmentRef;
  quantity: number;
  /** Kopecks per unit. */
  price: number;
  /**
   * Existing MoySklad position ids this row updates in place: exactly one id for a position that came
   * from the plan (one row per surviving MoySklad position), none for a new position. Kept as a list so
   * callers need not special-case new rows.
   */
  keepPositionIds: string[];
  origin: 'plan' | 'unexpected';
}

export type ProjectedLine = ReceiptLineView;

export type DifferenceKind = 'shortage' | 'missing' | 'surplus' | 'unexpected' | 'defective' | 'unknown';

export interface Difference {
  kind: DifferenceKind;
  goodId: string;
  name: string;
  planned: number;
  /** What counts as received under the defective policy. */
  received: number;
  defective: number;
  /** received − planned. */
  delta: number;
  /** Short Russian sentence for the comment log and the widget (≤ 200 characters). */
  text: string;
}

export interface ProjectionResult {
  positions: ProjectedPosition[];
  /** Plan vs fact per good: plan order first, then goods outside the plan sorted by goodId. */
  lines: ProjectedLine[];
  /** Only goods that differ; a good may have a quantity difference and a `defective` one. */
  differences: Difference[];
  /** Reported by BetaPRO, neither planned nor found in MoySklad: the document must not be posted. */
  unknownGoods: string[];
  /** A counted receipt says the supply is no longer expected (attribute 306) and holds only zeros. */
  nonArrival: boolean;
  /** The final part (a goods_supply without a part number) is among the receipts. */
  complete: boolean;
  /** Distinct goods_supply receipts counted, not including separate surplus documents. */
  parts: number;
  policy: { defective: DefectivePolicy };
}

export const MAX_TEXT_LENGTH = 200;

/**
 * Quantities are integers in every FBox schema, but only `int` is enforced there: a negative or
 * fractional value would make MoySklad reject the whole update, so it is read as the nearest safe value.
 */
function quantity(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** Stable identity of a receipt's content, to pick one copy deterministically when an id repeats. */
function contentKey(receipt: Receipt): string {
  return JSON.stringify([
    receipt.kind,
    receipt.partNumber ?? null,
    receipt.nonArrival,
    receipt.surplusFor ?? null,
    receipt.lines.map((l) => [l.goodId, l.useful, l.defective]),
  ]);
}

/**
 * The receipts that count: only `goods_supply` (a `goods_supply_start` carries no quantities), one per
 * outdoc id. BetaPRO never changes an outdoc under the same id (a correction arrives with a new id), so
 * copies are normally identical; if they are not, the choice must still not depend on input order.
 */
function countedReceipts(receipts: Receipt[]): Receipt[] {
  const byId = new Map<number, { receipt: Receipt; key: string }>();
  for (const receipt of receipts) {
    if (!isFactKind(receipt.kind)) continue;
    const key = contentKey(receipt);
    const seen = byId.get(receipt.outdocId);
    if (!seen || key < seen.key) byId.set(receipt.outdocId, { receipt, key });
  }
  return [...byId.entries()].sort(([a], [b]) => a - b).map(([, v]) => v.receipt);
}

interface Totals {
  useful: number;
  defective: number;
}

/**
 * «Принято»: what counts as accepted under the defects policy — the good units, plus the defective ones
 * when the policy counts them as received. The one source of the number the widget's «Принято» column
 * and the comment's «принято N» both show (lines[].accepted), so they never disagree
 * (docs/product.md §5).
 */
export function acceptedQuantity(totals: Totals | undefined, policy: DefectivePolicy): number {
  return totals ? totals.useful + (policy === 'received' ? totals.defective : 0) : 0;
}

/**
 * ASSUMPTION: partial receipts are increments. Each part (attribute 9) reports what was accepted in that
 * part only, and the final part reports the rest, so a good's fact is the sum over all parts. BetaPRO's
 * documentation does not say whether a later part repeats earlier quantities; summing is what its
 * stock movements (`GET /outdocs/{id}/goods`, one signed movement per part) imply. A separate surplus
 * document (attribute 624) is an increment in the same way.
 */
function sumFacts(receipts: Receipt[]): Map<string, Totals> {
  const facts = new Map<string, Totals>();
  for (const receipt of receipts) {
    for (const line of receipt.lines) {
      const t = facts.get(line.goodId) ?? { useful: 0, defective: 0 };
      t.useful += quantity(line.useful);
      t.defective += quantity(line.defective);
      facts.set(line.goodId, t);
    }
  }
  return facts;
}

/** One MoySklad position a plan line came from, with the quantity it originally held. */
interface Slot {
  line: PlanLine;
  positionId: string | null;
  original: number;
}

function slotsOf(line: PlanLine, positionQuantities: ReadonlyMap<string, number> | undefined): Slot[] {
  const ids = line.positionIds;
  if (ids.length === 0) return [{ line, positionId: null, original: quantity(line.quantity) }];
  if (ids.length === 1) return [{ line, positionId: ids[0], original: quantity(line.quantity) }];
  if (!ids.every((id) => positionQuantities?.has(id))) {
    return [{ line, positionId: ids[0], original: quantity(line.quantity) }];
  }
  return ids.map((id) => ({ line, positionId: id, original: quantity(positionQuantities!.get(id)!) }));
}

/**
 * Splits a good's received quantity over its positions in plan order: each position is filled up to its
 * original quantity, whatever is left (surplus) goes to the last one, positions left at 0 are dropped.
 * So a shortage empties the last positions first, and an exact receipt leaves every position unchanged.
 */
function distribute(slots: Slot[], received: number): ProjectedPosition[] {
  const out: ProjectedPosition[] = [];
  let left = received;
  slots.forEach((slot, i) => {
    const isLast = i === slots.length - 1;
    const take = isLast ? left : Math.min(left, slot.original);
    left -= take;
    if (take <= 0) return;
    out.push({
      goodId: slot.line.goodId,
      assortment: { href: slot.line.assortment.href, type: slot.line.assortment.type },
      quantity: take,
      price: slot.line.price,
      keepPositionIds: slot.positionId === null ? [] : [slot.positionId],
      origin: 'plan',
    });
  });
  return out;
}

/**
 * The document as it was sent: every plan position at its original quantity. A correction of the only
 * receipt (BetaPRO's `unlock_request`) returns the document to this before the outdoc is unlocked.
 */
export function projectPlan(plan: PlanLine[], positionQuantities?: ReadonlyMap<string, number>): ProjectedPosition[] {
  return plan.flatMap((line) =>
    slotsOf(line, positionQuantities)
      .filter((slot) => slot.original > 0)
      .map((slot): ProjectedPosition => ({
        goodId: line.goodId,
        assortment: { href: line.assortment.href, type: line.assortment.type },
        quantity: slot.original,
        price: line.price,
        keepPositionIds: slot.positionId === null ? [] : [slot.positionId],
        origin: 'plan',
      })),
  );
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Plan goods in plan order. A goodId should appear once (lines are merged by key when the plan is
 * built), but if it repeats, its lines share the good's fact in the same fill order.
 */
function groupPlan(input: ProjectionInput): {
  planOrder: string[];
  planSlots: Map<string, Slot[]>;
  planned: Map<string, { quantity: number; name: string }>;
} {
  const planOrder: string[] = [];
  const planSlots = new Map<string, Slot[]>();
  const planned = new Map<string, { quantity: number; name: string }>();
  for (const line of input.plan) {
    let slots = planSlots.get(line.goodId);
    if (!slots) {
      slots = [];
      planSlots.set(line.goodId, slots);
      planOrder.push(line.goodId);
      planned.set(line.goodId, { quantity: 0, name: line.name });
    }
    slots.push(...slotsOf(line, input.positionQuantities));
    planned.get(line.goodId)!.quantity += quantity(line.quantity);
  }
  return { planOrder, planSlots, planned };
}

interface OutsideProjection {
  lines: ProjectedLine[];
  differences: Difference[];
  unknownGoods: string[];
  unexpectedPositions: ProjectedPosition[];
}

/** Goods BetaPRO counted that the plan does not name, in goodId order. */
function projectOutsidePlan(
  outside: string[],
  facts: Map<string, Totals>,
  unexpectedGoods: ReadonlyMap<string, UnexpectedGood>,
  receivedOf: (t: Totals | undefined) => number,
  policy: { defective: DefectivePolicy },
): OutsideProjection {
  const result: OutsideProjection = { lines: [], differences: [], unknownGoods: [], unexpectedPositions: [] };
  for (const goodId of outside) {
    const fact = facts.get(goodId)!;
    // A row of zeros for a good outside the plan moves no stock: nothing to add, nothing to block on.
    if (fact.useful + fact.defective === 0) continue;
    const found = unexpectedGoods.get(goodId);
    const received = receivedOf(fact);
    if (!found) {
      // Blocks posting even when only defects of it arrived: the warehouse holds stock MoySklad cannot name.
      result.unknownGoods.push(goodId);
      const row = lineView(goodId, '', 0, fact, received, { unexpected: true, unknown: true });
      result.lines.push(row);
      result.differences.push(...differencesOf(row, policy, undefined));
      continue;
    }
    if (received > 0) {
      result.unexpectedPositions.push({
        goodId,
        assortment: { href: found.assortment.href, type: found.assortment.type },
        quantity: received,
        price: found.priceSource === 'zero' ? 0 : quantity(found.price),
        keepPositionIds: [],
        origin: 'unexpected',
      });
    }
    const row = lineView(goodId, found.name, 0, fact, received, { unexpected: true, unknown: false });
    result.lines.push(row);
    result.differences.push(...differencesOf(row, policy, found));
  }
  return result;
}

export function projectReceipt(input: ProjectionInput): ProjectionResult {
  const policy = { defective: input.policy.defective };
  const unexpectedGoods = input.unexpected ?? new Map<string, UnexpectedGood>();
  const counted = countedReceipts(input.receipts);
  const facts = sumFacts(counted);
  const receivedOf = (t: Totals | undefined): number => acceptedQuantity(t, policy.defective);
  const { planOrder, planSlots, planned } = groupPlan(input);

  const positionsByGood = new Map<string, ProjectedPosition[]>();
  const lines: ProjectedLine[] = [];
  const differences: Difference[] = [];

  for (const goodId of planOrder) {
    const { quantity: plannedQuantity, name } = planned.get(goodId)!;
    const fact = facts.get(goodId);
    const received = receivedOf(fact);
    positionsByGood.set(goodId, distribute(planSlots.get(goodId)!, received));
    const row = lineView(goodId, name, plannedQuantity, fact, received, { unexpected: false, unknown: false });
    lines.push(row);
    differences.push(...differencesOf(row, policy, undefined));
  }

  const outsideIds = [...facts.keys()].filter((id) => !planSlots.has(id)).sort(compareStrings);
  const outside = projectOutsidePlan(outsideIds, facts, unexpectedGoods, receivedOf, policy);
  lines.push(...outside.lines);
  differences.push(...outside.differences);

  const positions = [...planOrder.flatMap((id) => positionsByGood.get(id)!), ...outside.unexpectedPositions];
  const main = counted.filter((r) => r.surplusFor === undefined);
  return {
    positions,
    lines,
    differences,
    unknownGoods: outside.unknownGoods,
    nonArrival: counted.some((r) => r.nonArrival && r.lines.every((l) => quantity(l.useful) === 0 && quantity(l.defective) === 0)),
    // A separate surplus document (attribute 624) has no part number either, but it does not say the
    // task's own receiving is over: posting on it alone would post a document that got nothing yet.
    complete: main.some((r) => r.partNumber === undefined),
    parts: main.length,
    policy,
  };
}

function lineView(
  goodId: string,
  name: string,
  planned: number,
  fact: Totals | undefined,
  received: number,
  flags: { unexpected: boolean; unknown: boolean },
): ProjectedLine {
  return {
    goodId,
    name,
    planned,
    accepted: received,
    defective: fact?.defective ?? 0,
    difference: received - planned,
    unexpected: flags.unexpected,
    unknown: flags.unknown,
  };
}

// ---------------------------------------------------------------------------------------------------
// Russian texts

/** `ART-1 «Футболка L»`, or just the key when the name is unknown. */
function goodLabel(goodId: string, name: string): string {
  const shortName = name.length > 60 ? `${name.slice(0, 59)}…` : name;
  return shortName ? `${goodId} «${shortName}»` : goodId;
}

/** Signed difference with a real minus sign, as a clerk would write it: (−2), (+3). */
function signed(n: number): string {
  return n < 0 ? `−${-n}` : `+${n}`;
}

/** Kopecks → `1 350,00 ₽` (MoySklad's own format: space between thousands, comma before kopecks). */
export function formatRubles(kopecks: number): string {
  const k = Math.round(kopecks);
  const sign = k < 0 ? '−' : '';
  const abs = Math.abs(k);
  const rubles = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${sign}${rubles},${String(abs % 100).padStart(2, '0')} ₽`;
}

function clip(text: string): string {
  return text.length <= MAX_TEXT_LENGTH ? text : `${text.slice(0, MAX_TEXT_LENGTH - 1)}…`;
}

function differencesOf(row: ProjectedLine, policy: { defective: DefectivePolicy }, found: UnexpectedGood | undefined): Difference[] {
  const received = row.accepted;
  // What the warehouse holds of it, whatever the policy counts.
  const onWarehouse = policy.defective === 'received' ? row.accepted : row.accepted + row.defective;
  const base = {
    goodId: row.goodId,
    name: row.name,
    planned: row.planned,
    received,
    defective: row.defective,
    delta: row.difference,
  };
  const label = goodLabel(row.goodId, row.name);
  const out: Difference[] = [];
  let quantityNamed = true;

  if (row.unknown) {
    out.push({
      ...base,
      kind: 'unknown',
      text: clip(`${label}: в МойСклад нет товара с таким кодом, на складе принято ${onWarehouse} шт. — документ не проведён`),
    });
  } else if (row.unexpected) {
    if (received > 0) {
      const price =
        found && found.priceSource === 'buyPrice' && found.price > 0
          ? `добавлено по закупочной цене ${formatRubles(found.price)}`
          : 'добавлено по цене 0 — у товара нет закупочной цены';
      out.push({ ...base, kind: 'unexpected', text: clip(`${label}: не было в плане, принято ${received}, ${price}`) });
    } else {
      quantityNamed = false;
    }
  } else if (received === 0 && row.planned > 0) {
    out.push({ ...base, kind: 'missing', text: clip(`${label}: план ${row.planned}, не поступило — позиция удалена`) });
  } else if (row.difference < 0) {
    out.push({
      ...base,
      kind: 'shortage',
      text: clip(`${label}: план ${row.planned}, принято ${received} (${signed(row.difference)})`),
    });
  } else if (row.difference > 0) {
    out.push({
      ...base,
      kind: 'surplus',
      text: clip(`${label}: план ${row.planned}, принято ${received} (${signed(row.difference)})`),
    });
  } else {
    quantityNamed = false;
  }

  if (row.defective > 0 && !row.unknown) {
    const how = policy.defective === 'received' ? 'учтён как принятый' : 'не учтён в количестве';
    const who = quantityNamed ? row.goodId : label;
    const extra = row.unexpected && received === 0 ? ', товара не было в плане' : '';
    out.push({ ...base, kind: 'defective', text: clip(`${who}: брак ${row.defective} шт. (${how})${extra}`) });
  }
  return out;
}

/** Russian plural form for a count: one (1, 21), few (2–4, 22–24), many (0, 5–20, 25…). */
function plural(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

/**
 * Short plan-vs-fact lines for the document comment: a headline, then one line per difference, and for a
 * Move what the differences mean for its source store (moveSourceNotes). Every line is at most 200 characters.
 */
export function summariseForComment(
  result: ProjectionResult,
  options: { entity: DocumentEntity; direction?: TransferDirection },
): string[] {
  if (options.direction === 'outbound') return summariseShipment(result);
  if (result.nonArrival) {
    return ['Поставка не прибыла: БетаПРО сообщил, что товар больше не ожидается (атрибут 306). Документ не проведён'];
  }
  const planRows = result.lines.filter((l) => !l.unexpected);
  const matched = planRows.filter((l) => l.difference === 0 && l.defective === 0).length;
  const total = planRows.length;
  const out: string[] = [];
  const prefix = result.complete ? 'Принято по факту' : `Частичная приёмка (получено частей: ${result.parts})`;
  if (total === 0) {
    out.push(`${prefix}: плана нет`);
  } else if (matched === total) {
    out.push(
      total === 1
        ? `${prefix}: позиция совпала с планом`
        : `${prefix}: все ${total} ${plural(total, 'позиция', 'позиции', 'позиций')} совпали с планом`,
    );
  } else {
    const verb = plural(matched, 'совпала', 'совпали', 'совпали');
    out.push(`${prefix}: ${matched} из ${total} ${plural(total, 'позиции', 'позиций', 'позиций')} ${verb} с планом`);
  }
  for (const d of result.differences) out.push(clip(d.text));
  if (options.entity === 'move') out.push(...moveSourceNotes(result.differences));
  return out;
}

/**
 * An outbound document's facts (docs/outbound.md): what left the BetaPRO store against the plan. The
 * difference lines are the receipt's, worded for a shipment; a shortage stays at the warehouse.
 */
function summariseShipment(result: ProjectionResult): string[] {
  const planRows = result.lines.filter((l) => !l.unexpected);
  const matched = planRows.filter((l) => l.difference === 0).length;
  const out = [
    matched === planRows.length
      ? `Отгружено по факту: все позиции (${planRows.length}) совпали с планом`
      : `Отгружено по факту: ${matched} из ${planRows.length} ${plural(planRows.length, 'позиции', 'позиций', 'позиций')} совпали с планом`,
  ];
  for (const d of result.differences) {
    out.push(clip(d.text.replace('не поступило — позиция удалена', 'не отгружено — позиция удалена').replace(/принято/g, 'отгружено')));
  }
  if (result.differences.some((d) => d.kind === 'shortage' || d.kind === 'missing')) {
    out.push('Недостача: склад БетаПРО отгрузил меньше плана, неотгруженный товар остаётся на складе БетаПРО');
  }
  return out;
}

/**
 * What a Move's differences mean for its source store: MoySklad moves what was received, so a surplus
 * or a substitute leaves the source store too, and posting needs that stock there.
 */
function moveSourceNotes(differences: Difference[]): string[] {
  const notes: string[] = [];
  if (differences.some((d) => d.kind === 'shortage' || d.kind === 'missing')) {
    notes.push('Недостача остаётся на складе-отправителе по учёту МойСклад');
  }
  if (differences.some((d) => d.kind === 'surplus')) {
    notes.push('Склад-отправитель отдал больше товара, чем по плану: излишек тоже перемещается с него по учёту МойСклад');
  }
  if (differences.some((d) => d.kind === 'unexpected')) {
    notes.push('Склад-отправитель отдал товары не из плана (пересорт): они тоже перемещаются с него по учёту МойСклад');
  }
  return notes;
}
