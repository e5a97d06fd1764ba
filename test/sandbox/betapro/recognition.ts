/**
 * Unknown goods (BetaPRO's "Идентификация неизвестных товаров"): goods that arrive unmarked or under a
 * barcode the warehouse cannot match are received under a temporary code and wait in a recognition queue
 * (`GET /goods/recognition`). The receipt that counted them cannot be completed until the customer maps
 * every one to a good (`POST /goods/recognition`, or implicitly by registering the barcode as an EAN);
 * the simulator holds that receipt on its task and issues it, with the identified goods, at that moment.
 *
 * Choices where BetaPRO's documentation is silent: the whole receipt waits (not only its unknown lines);
 * an identified barcode becomes an EAN of the good; dimensions of an unknown item are fixed placeholders.
 */
import { business } from './errors';
import type { Indoc, PartnerData, ReceiptItem, RecognitionItem, UnknownItem } from './model';
import type { BetaproStore } from './store';
import { mskDateTime } from './time';
import { plannedRest, receive, type ReceiveInput } from './warehouse';

/**
 * Puts the unknown lines of a receipt in the queue. `waiting` true: the receipt is held on the task
 * until they are identified. Barcodes already linked to a good count as that good at once.
 */
export function holdForRecognition(
  store: BetaproStore,
  partner: PartnerData,
  indoc: Indoc,
  input: ReceiveInput,
): { waiting: boolean; items: ReceiptItem[] } {
  const queue = (partner.recognition ??= {});
  const known: ReceiptItem[] = [];
  const waiting: string[] = [];
  for (const unknown of input.unknown ?? []) {
    if (unknown.useful_qnt + unknown.defective_qnt <= 0) continue;
    const linked = Object.hasOwn(partner.eans, unknown.barcode) ? partner.eans[unknown.barcode].good_id : undefined;
    if (linked) {
      known.push({ good_id: linked, useful_qnt: unknown.useful_qnt, defective_qnt: unknown.defective_qnt });
      continue;
    }
    const entry = queue[unknown.barcode] ?? newEntry(store, unknown);
    queue[unknown.barcode] = entry;
    addToIndoc(entry, indoc.indoc_id, unknown);
    if (!waiting.includes(unknown.barcode)) waiting.push(unknown.barcode);
  }
  const items = [...(input.items ?? plannedRest(store, partner, indoc)), ...known];
  if (!waiting.length) return { waiting: false, items };
  indoc.held = { items, final: input.final ?? true, barcodes: waiting };
  indoc.state = 'receiving';
  return { waiting: true, items };
}

function newEntry(store: BetaproStore, unknown: UnknownItem): RecognitionItem {
  return {
    barcode: unknown.barcode,
    descrip: unknown.descrip?.trim() || `Товар без карточки, штрихкод ${unknown.barcode}`,
    length: 200,
    width: 150,
    height: 50,
    weight: 300,
    date: mskDateTime(store.now()),
    indocs: [],
  };
}

function addToIndoc(entry: RecognitionItem, indocId: string, unknown: UnknownItem): void {
  for (const [qual_type, qnt] of [
    ['useful', unknown.useful_qnt],
    ['defective', unknown.defective_qnt],
  ] as const) {
    if (qnt <= 0) continue;
    const row = entry.indocs.find((i) => i.indoc_id === indocId && i.qual_type === qual_type);
    if (row) row.qnt += qnt;
    else entry.indocs.push({ indoc_id: indocId, qual_type, qnt });
  }
}

/** `GET /goods/recognition` items: the entries still waiting, oldest first. */
export function pendingRecognition(partner: PartnerData): Array<Record<string, unknown>> {
  return Object.values(partner.recognition ?? {})
    .filter((entry) => !entry.good_id)
    .map((entry) => ({
      barcode: entry.barcode,
      descrip: entry.descrip,
      length: entry.length,
      width: entry.width,
      height: entry.height,
      weight: entry.weight,
      date: entry.date,
      photos: [],
      indocs: entry.indocs.map((i) => {
        const txt = partner.indocs[i.indoc_id]?.indoc_txt;
        return { indoc_id: i.indoc_id, ...(txt ? { indoc_txt: txt } : {}), qual_type: i.qual_type, qnt: i.qnt };
      }),
    }));
}

/**
 * Maps a queued barcode to the customer's good. Repeating the same mapping changes nothing; mapping it
 * to another good, or a barcode not in the queue, is a business error. Returns the outdocs issued by
 * receipts this identification completed.
 */
export function identify(store: BetaproStore, partner: PartnerData, goodId: string, barcode: string): number[] {
  const entry = partner.recognition?.[barcode];
  if (!entry) throw business(`Товар со штрихкодом ${barcode} не требует идентификации`);
  if (entry.good_id === goodId) return [];
  if (entry.good_id) throw business(`Товар со штрихкодом ${barcode} уже идентифицирован как ${entry.good_id}`);
  if (!Object.hasOwn(partner.goods, goodId)) throw business(`Товар с кодом ${goodId} не зарегистрирован`);
  const { text } = store.stamp();
  entry.good_id = goodId;
  entry.identified_at = text;
  if (!Object.hasOwn(partner.eans, barcode)) partner.eans[barcode] = { good_id: goodId, created_at: text };
  return releaseHeld(
    store,
    partner,
    entry.indocs.map((i) => i.indoc_id),
  );
}

/** Called when the customer links a barcode as an EAN: a queued entry with it is identified by that. */
export function identifyByEan(store: BetaproStore, partner: PartnerData, goodId: string, ean: string): void {
  const entry = partner.recognition?.[ean];
  if (entry && !entry.good_id) identify(store, partner, goodId, ean);
}

function releaseHeld(store: BetaproStore, partner: PartnerData, indocIds: string[]): number[] {
  const issued: number[] = [];
  for (const indocId of new Set(indocIds)) {
    const indoc = Object.hasOwn(partner.indocs, indocId) ? partner.indocs[indocId] : undefined;
    const held = indoc?.held;
    if (!indoc || !held) continue;
    const entries = held.barcodes.map((b) => partner.recognition![b]);
    if (entries.some((e) => !e.good_id)) continue;
    const identified = entries.flatMap((e) =>
      e.indocs
        .filter((i) => i.indoc_id === indocId)
        .map((i) => ({
          good_id: e.good_id!,
          useful_qnt: i.qual_type === 'useful' ? i.qnt : 0,
          defective_qnt: i.qual_type === 'defective' ? i.qnt : 0,
        })),
    );
    delete indoc.held;
    issued.push(...receive(store, partner, indoc, { items: [...(held.items ?? []), ...identified], final: held.final }));
  }
  return issued;
}
