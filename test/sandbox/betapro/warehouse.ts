/**
 * What BetaPRO's warehouse staff do to a receipt task (docs/platform.md §6): arrival, counting (in parts
 * or at once), non-arrival, and after-the-fact corrections. These are driven by the control API and the
 * console; the customer only sees their results as outdocs.
 *
 * Choices where BetaPRO's documentation is silent (marked INFERRED in the research report):
 * - goods not in the plan, and quantities above the plan, are "surplus". With surplus accepted (attribute
 *   350, default `goods_surplus_enabled`) they are lines of the same goods_supply (plan_qnt 0 for goods
 *   not in the plan); otherwise they go into a separate goods_supply carrying attribute 624 = indoc_id
 *   and no indoc_id of its own.
 * - a partial goods_supply lists only what that part received, with each line's full plan_qnt; the final
 *   one lists every plan line (zeros included) plus whatever else the final part received.
 */
import { ControlError } from './errors';
import {
  type AttrValue,
  type ExpiryLine,
  type Indoc,
  type Outdoc,
  type OutdocLine,
  type OutdocType,
  type PartnerData,
  type ReceiptItem,
  type UnknownItem,
} from './model';
import { holdForRecognition } from './recognition';
import type { BetaproStore } from './store';
import { mskDate, mskDateTime } from './time';

interface IssueFields {
  outdoc_type: OutdocType;
  indoc_id?: string;
  task_id: string;
  attributes?: { attribute_id: number; value: AttrValue }[];
  part_num?: number;
  goods?: OutdocLine[];
  goods_expiry?: ExpiryLine[];
  outdoc_date?: string;
  replaces?: number;
  pallets?: Outdoc['pallets'];
}

export function issue(store: BetaproStore, partner: PartnerData, fields: IssueFields): Outdoc {
  const { ms, text } = store.stamp();
  const outdoc: Outdoc = {
    outdoc_id: store.takeOutdocId(),
    outdoc_type: fields.outdoc_type,
    outdoc_date: fields.outdoc_date ?? mskDate(new Date(ms)),
    created_at: text,
    created_ms: ms,
    attributes: fields.attributes ?? [],
    locked: false,
    unlock_request: false,
    task_id: fields.task_id,
  };
  if (fields.indoc_id !== undefined) outdoc.indoc_id = fields.indoc_id;
  if (fields.part_num !== undefined) outdoc.part_num = fields.part_num;
  if (fields.goods) outdoc.goods = fields.goods;
  if (fields.goods_expiry) outdoc.goods_expiry = fields.goods_expiry;
  if (fields.replaces !== undefined) outdoc.replaces = fields.replaces;
  if (fields.pallets) outdoc.pallets = fields.pallets;
  partner.outdocs[String(outdoc.outdoc_id)] = outdoc;
  return outdoc;
}

export function arrive(store: BetaproStore, partner: PartnerData, indoc: Indoc): number[] {
  if (indoc.state !== 'created') throw new ControlError(409, `indoc ${indoc.indoc_id} is already ${indoc.state}`);
  const at = mskDateTime(store.now());
  indoc.attributes['180'] = at;
  indoc.attributes['181'] = at;
  indoc.state = 'arrived';
  if (!partner.settings.outdoc_types.goods_supply_start) return [];
  return [issue(store, partner, { outdoc_type: 'goods_supply_start', indoc_id: indoc.indoc_id, task_id: indoc.indoc_id }).outdoc_id];
}

/** Quantities already reported for a task by its live goods_supply docs (surplus docs included). */
export function receivedSoFar(store: BetaproStore, partner: PartnerData, indocId: string) {
  const total = new Map<string, { useful: number; defective: number }>();
  for (const o of store.liveOutdocs(partner)) {
    if (o.outdoc_type !== 'goods_supply' || o.task_id !== indocId) continue;
    for (const line of o.goods ?? []) {
      const t = total.get(line.good_id) ?? { useful: 0, defective: 0 };
      t.useful += line.useful_qnt;
      t.defective += line.defective_qnt;
      total.set(line.good_id, t);
    }
  }
  return total;
}

function mergeItems(partner: PartnerData, items: ReceiptItem[]): Map<string, ReceiptItem> {
  const merged = new Map<string, ReceiptItem>();
  for (const item of items) {
    if (!Object.hasOwn(partner.goods, item.good_id)) {
      // Goods the warehouse cannot match are given as `unknown` (by barcode): the recognition queue.
      throw new ControlError(400, `good ${item.good_id} is not registered for partner ${partner.partnerId}`);
    }
    const m = merged.get(item.good_id);
    if (m) {
      m.useful_qnt += item.useful_qnt;
      m.defective_qnt += item.defective_qnt;
      m.expiry_date ??= item.expiry_date;
    } else merged.set(item.good_id, { ...item });
  }
  return merged;
}

function expiryRows(partner: PartnerData, lines: OutdocLine[], items: Map<string, ReceiptItem>): ExpiryLine[] {
  if (!partner.settings.goods_expir_enabled) return [];
  const rows: ExpiryLine[] = [];
  for (const line of lines) {
    const expiry = items.get(line.good_id)?.expiry_date;
    if (!expiry) continue;
    if (line.useful_qnt > 0) rows.push({ good_id: line.good_id, qual_type: 'useful', expiry_date: expiry, qnt: line.useful_qnt });
    if (line.defective_qnt > 0) rows.push({ good_id: line.good_id, qual_type: 'defective', expiry_date: expiry, qnt: line.defective_qnt });
  }
  return rows;
}

export interface ReceiveInput {
  /** Omitted: everything still expected arrives as planned. */
  items?: ReceiptItem[];
  /** false = a partial receipt (attribute 9); default true. */
  final?: boolean;
  /** Goods under barcodes the warehouse cannot match: the receipt waits for their identification. */
  unknown?: UnknownItem[];
}

/** What is still expected of each plan line: the plan minus what live goods_supply docs reported. */
export function plannedRest(store: BetaproStore, partner: PartnerData, indoc: Indoc): ReceiptItem[] {
  const before = receivedSoFar(store, partner, indoc.indoc_id);
  return indoc.items.map((l) => {
    const got = before.get(l.good_id);
    const left = Math.max(0, l.plan_qnt - (got ? got.useful + got.defective : 0));
    return { good_id: l.good_id, useful_qnt: left, defective_qnt: 0 };
  });
}

export function receive(store: BetaproStore, partner: PartnerData, indoc: Indoc, input: ReceiveInput): number[] {
  if (indoc.indoc_type !== 'goods_supply_task') throw new ControlError(409, `indoc ${indoc.indoc_id} is not a goods_supply_task`);
  if (indoc.state === 'completed' || indoc.state === 'expired') {
    throw new ControlError(409, `indoc ${indoc.indoc_id} is already ${indoc.state}`);
  }
  if (indoc.held) {
    throw new ControlError(409, `indoc ${indoc.indoc_id} waits for unknown goods to be identified: ${indoc.held.barcodes.join(', ')}`);
  }
  if (input.items) mergeItems(partner, input.items); // validate before anything changes
  // The truck has to arrive before anything is counted; do it implicitly for convenience.
  const issued = indoc.state === 'created' ? arrive(store, partner, indoc) : [];
  let counted = input.items;
  if (input.unknown?.length) {
    const held = holdForRecognition(store, partner, indoc, input);
    if (held.waiting) return issued;
    counted = held.items;
  }
  const before = receivedSoFar(store, partner, indoc.indoc_id);
  const items = mergeItems(partner, counted ?? plannedRest(store, partner, indoc));
  const final = input.final ?? true;
  const surplusAccepted = typeof indoc.attributes['350'] === 'boolean' ? indoc.attributes['350'] : partner.settings.goods_surplus_enabled;

  const main: OutdocLine[] = [];
  const surplus: OutdocLine[] = [];
  const plan = new Map(indoc.items.map((l) => [l.good_id, l.plan_qnt]));
  for (const { good_id, plan_qnt } of indoc.items) {
    const got = items.get(good_id) ?? { good_id, useful_qnt: 0, defective_qnt: 0 };
    let useful = got.useful_qnt;
    let defective = got.defective_qnt;
    if (!surplusAccepted) {
      const prior = before.get(good_id);
      const room = Math.max(0, plan_qnt - (prior ? prior.useful + prior.defective : 0));
      useful = Math.min(got.useful_qnt, room);
      defective = Math.min(got.defective_qnt, room - useful);
      const extraUseful = got.useful_qnt - useful;
      const extraDefective = got.defective_qnt - defective;
      if (extraUseful + extraDefective > 0) {
        surplus.push({ good_id, plan_qnt: 0, useful_qnt: extraUseful, defective_qnt: extraDefective });
      }
    }
    if (final || useful + defective > 0) main.push({ good_id, plan_qnt, useful_qnt: useful, defective_qnt: defective });
  }
  for (const item of items.values()) {
    if (plan.has(item.good_id) || item.useful_qnt + item.defective_qnt === 0) continue;
    const line = { good_id: item.good_id, plan_qnt: 0, useful_qnt: item.useful_qnt, defective_qnt: item.defective_qnt };
    (surplusAccepted ? main : surplus).push(line);
  }

  const attributes: { attribute_id: number; value: AttrValue }[] = [];
  let part_num: number | undefined;
  if (!final) {
    indoc.parts += 1;
    part_num = indoc.parts;
    attributes.push({ attribute_id: 9, value: part_num });
  }
  issued.push(
    issue(store, partner, {
      outdoc_type: 'goods_supply',
      indoc_id: indoc.indoc_id,
      task_id: indoc.indoc_id,
      attributes,
      part_num,
      goods: main,
      goods_expiry: expiryRows(partner, main, items),
    }).outdoc_id,
  );
  if (surplus.length) {
    issued.push(
      issue(store, partner, {
        outdoc_type: 'goods_supply',
        task_id: indoc.indoc_id,
        attributes: [{ attribute_id: 624, value: indoc.indoc_id }],
        goods: surplus,
        goods_expiry: expiryRows(partner, surplus, items),
      }).outdoc_id,
    );
  }
  indoc.state = final ? 'completed' : 'receiving';
  return issued;
}

/**
 * Surplus found for a task after (or apart from) its receipt: a separate goods_supply carrying attribute
 * 624 = the task's indoc_id and no indoc_id of its own, every line with plan_qnt 0.
 */
export function issueSurplus(store: BetaproStore, partner: PartnerData, indoc: Indoc, items: ReceiptItem[]): number[] {
  if (indoc.indoc_type !== 'goods_supply_task') throw new ControlError(409, `indoc ${indoc.indoc_id} is not a goods_supply_task`);
  if (indoc.state === 'created' || indoc.state === 'expired') {
    throw new ControlError(409, `indoc ${indoc.indoc_id} is ${indoc.state}: surplus is found only in a delivery that arrived`);
  }
  const merged = mergeItems(partner, items);
  const goods = [...merged.values()]
    .filter((i) => i.useful_qnt + i.defective_qnt > 0)
    .map((i) => ({ good_id: i.good_id, plan_qnt: 0, useful_qnt: i.useful_qnt, defective_qnt: i.defective_qnt }));
  if (!goods.length) throw new ControlError(400, 'surplus needs at least one line with a quantity');
  const doc = issue(store, partner, {
    outdoc_type: 'goods_supply',
    task_id: indoc.indoc_id,
    attributes: [{ attribute_id: 624, value: indoc.indoc_id }],
    goods,
    goods_expiry: expiryRows(partner, goods, merged),
  });
  return [doc.outdoc_id];
}

/** Nothing arrived in time: a goods_supply with attribute 306 and zero quantities closes the task. */
export function expire(store: BetaproStore, partner: PartnerData, indoc: Indoc): number[] {
  if (indoc.indoc_type !== 'goods_supply_task') throw new ControlError(409, `indoc ${indoc.indoc_id} is not a goods_supply_task`);
  if (indoc.state !== 'created' && indoc.state !== 'arrived') {
    throw new ControlError(409, `indoc ${indoc.indoc_id} is ${indoc.state}: goods were already received`);
  }
  const doc = issue(store, partner, {
    outdoc_type: 'goods_supply',
    indoc_id: indoc.indoc_id,
    task_id: indoc.indoc_id,
    attributes: [{ attribute_id: 306, value: true }],
    goods: indoc.items.map((l) => ({ good_id: l.good_id, plan_qnt: l.plan_qnt, useful_qnt: 0, defective_qnt: 0 })),
    goods_expiry: [],
  });
  indoc.state = 'expired';
  return [doc.outdoc_id];
}

export interface CorrectResult {
  deleted?: number;
  issued?: number;
  unlock_requested?: boolean;
}

/**
 * Unlocked: deleted and re-issued at once. Locked: BetaPRO may not delete it, so it asks the customer to
 * unlock (`unlock_request`), and re-issues when the customer does (see `onUnlocked`).
 */
export function correct(store: BetaproStore, partner: PartnerData, outdoc: Outdoc, items?: ReceiptItem[]): CorrectResult {
  if (outdoc.outdoc_type !== 'goods_supply')
    throw new ControlError(409, `outdoc ${outdoc.outdoc_id} is ${outdoc.outdoc_type}: only goods_supply is corrected`);
  if (items) mergeItems(partner, items); // validate now, not when the customer unlocks
  if (outdoc.locked) {
    outdoc.unlock_request = true;
    outdoc.pending_correction = items ?? plannedItems(partner, outdoc);
    return { unlock_requested: true };
  }
  const replacement = replace(store, partner, outdoc, items ?? plannedItems(partner, outdoc));
  return { deleted: outdoc.outdoc_id, issued: replacement.outdoc_id };
}

/** Called when the customer unlocks a doc: a requested correction now happens. */
export function onUnlocked(store: BetaproStore, partner: PartnerData, outdoc: Outdoc): number | undefined {
  if (!outdoc.unlock_request) return undefined;
  const items = outdoc.pending_correction ?? plannedItems(partner, outdoc);
  return replace(store, partner, outdoc, items).outdoc_id;
}

/** BetaPRO may silently delete an unlocked outdoc younger than 14 days. */
export function deleteOutdoc(store: BetaproStore, outdoc: Outdoc): void {
  if (outdoc.locked) throw new ControlError(409, `outdoc ${outdoc.outdoc_id} is locked by the customer`);
  outdoc.deleted = true;
  outdoc.deleted_at = store.stamp().text;
}

function plannedItems(partner: PartnerData, outdoc: Outdoc): ReceiptItem[] {
  const task = outdoc.task_id ? partner.indocs[outdoc.task_id] : undefined;
  return (outdoc.goods ?? []).map((l) => ({
    good_id: l.good_id,
    useful_qnt: task?.items.find((p) => p.good_id === l.good_id)?.plan_qnt ?? l.useful_qnt + l.defective_qnt,
    defective_qnt: 0,
  }));
}

function replace(store: BetaproStore, partner: PartnerData, old: Outdoc, items: ReceiptItem[]): Outdoc {
  const merged = mergeItems(partner, items);
  const planOf = new Map((old.goods ?? []).map((l) => [l.good_id, l.plan_qnt]));
  const goods: OutdocLine[] = (old.goods ?? []).map((l) => ({
    good_id: l.good_id,
    plan_qnt: l.plan_qnt,
    useful_qnt: merged.get(l.good_id)?.useful_qnt ?? 0,
    defective_qnt: merged.get(l.good_id)?.defective_qnt ?? 0,
  }));
  const task = old.task_id ? partner.indocs[old.task_id] : undefined;
  for (const item of merged.values()) {
    if (planOf.has(item.good_id)) continue;
    const plan_qnt = old.indoc_id !== undefined ? (task?.items.find((p) => p.good_id === item.good_id)?.plan_qnt ?? 0) : 0;
    goods.push({ good_id: item.good_id, plan_qnt, useful_qnt: item.useful_qnt, defective_qnt: item.defective_qnt });
  }
  old.deleted = true;
  old.deleted_at = store.stamp().text;
  old.unlock_request = false;
  delete old.pending_correction;
  const replacement = issue(store, partner, {
    outdoc_type: old.outdoc_type,
    indoc_id: old.indoc_id,
    task_id: old.task_id ?? '',
    attributes: structuredClone(old.attributes),
    part_num: old.part_num,
    goods,
    goods_expiry: expiryRows(partner, goods, merged),
    // The work was done when it was done: a correction keeps the original outdoc_date.
    outdoc_date: old.outdoc_date,
    replaces: old.outdoc_id,
  });
  old.replaced_by = replacement.outdoc_id;
  return replacement;
}
