/**
 * The FBox operations the simulator implements, as pure functions of (state, partner, body). The router
 * (http.ts) does auth, rate limiting and transactions; it runs mutating handlers inside
 * store.transaction so that any thrown FboxError leaves no trace, as BetaPRO promises.
 */
import { badRequest, business, duplicateIndoc, notFound } from './errors';
import {
  INDOC_TYPE_DESCRIP,
  OPTIONAL_OUTDOC_TYPES,
  OUTDOC_TYPE_DESCRIP,
  SUPPLY_ATTRS,
  type AttrValue,
  type Good,
  type Indoc,
  type Outdoc,
  type PartnerData,
} from './model';
import {
  goodEanListReq,
  goodEanSetReq,
  goodListReq,
  goodRecognitionSetReq,
  goodSetReq,
  goodsSupplyTask,
  goodsShipmentTask,
  goodStockReq,
  indocAttrSetReq,
  indocListReq,
  indocTypeOnly,
  outdocCheckReq,
  outdocListReq,
  outdocLockReq,
  parseFbox,
  settingsSetReq,
  type GoodInput,
} from './schemas';
import type { BetaproStore } from './store';
import { mskDate, mskDateTime, parseFboxDate } from './time';
import { onUnlocked } from './warehouse';
import { defectiveStockOf, shippedBy, stockOf } from './shipment';
import { identify, identifyByEan, pendingRecognition } from './recognition';

export interface FboxContext {
  store: BetaproStore;
  partner: PartnerData;
  body: unknown;
  params: Record<string, string>;
}

type Json = Record<string, unknown>;

// ---------- paging ----------

/**
 * Keyset paging: the token names the last key returned, so documents locked or deleted between two
 * page requests neither shift nor repeat items (unlike offsets). The token is opaque to clients.
 */
function page<T>(sorted: T[], keyOf: (item: T) => string | number, size = 1000, token?: string) {
  let start = 0;
  if (token !== undefined) {
    let after: string | number;
    try {
      after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: string | number }).after;
      if (typeof after !== 'string' && typeof after !== 'number') throw new Error('bad token');
    } catch {
      throw badRequest(`Неверное значение page_token: ${token}`);
    }
    start = sorted.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + size);
  const more = start + size < sorted.length;
  const next = more ? Buffer.from(JSON.stringify({ after: keyOf(items[items.length - 1]) })).toString('base64url') : undefined;
  return { items, next };
}

function withPaging(items: unknown[], next: string | undefined): Json {
  return next ? { success: true, items, page_next_token: next } : { success: true, items };
}

function dateBound(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseFboxDate(text)!.getTime();
}

// ---------- attributes ----------

/** Validates one supply-document attribute written by the customer and brings dates to BetaPRO's form. */
function normaliseSupplyAttr(id: number, value: AttrValue): AttrValue {
  const def = SUPPLY_ATTRS[id];
  if (!def) throw business(`Атрибут ${id} не существует для документа поставки товаров`);
  if (def.readOnly) throw business(`Атрибут ${id} "${def.name}" доступен только для чтения`);
  const wrong = (what: string) => business(`Неверное значение атрибута ${id} "${def.name}": ожидается ${what}`);
  switch (def.type) {
    case 'string':
      if (typeof value !== 'string') throw wrong('строка');
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong('целое число');
      return value;
    case 'float':
      if (typeof value !== 'number') throw wrong('число');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('true или false');
      return value;
    case 'date':
    case 'datetime': {
      const at = typeof value === 'string' ? parseFboxDate(value) : undefined;
      if (!at) throw wrong('дата в одном из форматов YYYY-MM-DD, YYYY-MM-DDThh:mm:ss, ...Z, ...(+|-)hh:mm');
      return def.type === 'date' ? mskDate(at) : mskDateTime(at);
    }
    case 'json':
      if (typeof value !== 'object' || value === null) throw wrong('json объект');
      return value;
  }
}

const JSON_NAME_TO_ATTR = new Map(
  Object.entries(SUPPLY_ATTRS)
    .filter(([, d]) => d.jsonName)
    .map(([id, d]) => [d.jsonName!, Number(id)]),
);

function attributeItems(values: Record<string, AttrValue>) {
  return Object.entries(values)
    .map(([id, value]) => {
      const def = SUPPLY_ATTRS[Number(id)];
      return {
        attribute_id: Number(id),
        attribute_name: def?.name ?? `Атрибут ${id}`,
        attribute_type: def?.type ?? 'string',
        value,
      };
    })
    .sort((a, b) => a.attribute_id - b.attribute_id);
}

// ---------- settings ----------

export function getSettings({ partner }: FboxContext): Json {
  const s = partner.settings;
  return {
    success: true,
    outdoc_types: { ...s.outdoc_types },
    goods_expir_enabled: s.goods_expir_enabled,
    goods_surplus_enabled: s.goods_surplus_enabled,
    deliveries: [
      { delivery_id: 1, delivery_name: 'Почта России' },
      { delivery_id: 2, delivery_name: 'СДЭК' },
    ],
    rate_limits: structuredClone(s.rate_limits),
  };
}

export function setSettings({ partner, body }: FboxContext): Json {
  const req = parseFbox(settingsSetReq, body);
  for (const type of OPTIONAL_OUTDOC_TYPES) {
    const value = req.outdoc_types?.[type];
    if (typeof value === 'boolean') partner.settings.outdoc_types[type] = value;
  }
  return { success: true };
}

// ---------- goods ----------

/** Shared by POST /goods and the inline `goods` of POST /indocs ("processed exactly like POST /goods"). */
function upsertGoods(store: BetaproStore, partner: PartnerData, goods: GoodInput[]): void {
  const now = store.stamp().text;
  for (const input of goods) {
    const good: Good = partner.goods[input.good_id] ?? {
      good_id: input.good_id,
      good_type: 'good',
      good_name: input.good_name,
      attributes: {},
      created_at: now,
    };
    good.good_name = input.good_name;
    if (input.good_type) good.good_type = input.good_type;
    const { length, width, height, weight } = input;
    // All four or nothing; implausible density (outside 10..1600 kg/m3) is ignored, as BetaPRO does.
    if (length !== undefined && width !== undefined && height !== undefined && weight !== undefined) {
      const volume = length * width * height;
      const density = volume > 0 ? (weight * 1e6) / volume : -1;
      if (density >= 10 && density <= 1600) Object.assign(good, { length, width, height, weight });
    }
    for (const attr of input.attributes ?? []) good.attributes[String(attr.attribute_id)] = attr.value;
    partner.goods[input.good_id] = good;
    for (const ean of input.eans ?? []) linkEan(store, partner, input.good_id, ean.value, ean.mode ?? 'add', now);
  }
}

function linkEan(store: BetaproStore, partner: PartnerData, goodId: string, ean: string, mode: 'add' | 'set', now: string): void {
  const current = partner.eans[ean];
  if (current?.good_id === goodId) return;
  if (current && mode === 'add') {
    throw business(`EAN ${ean} уже зарегистрирован для товара ${current.good_id}`);
  }
  partner.eans[ean] = { good_id: goodId, created_at: now };
  // An EAN equal to a barcode waiting in the recognition queue identifies it (spec, recognition).
  identifyByEan(store, partner, goodId, ean);
}

function requireGood(partner: PartnerData, goodId: string): void {
  if (!Object.hasOwn(partner.goods, goodId)) throw business(`Товар с кодом ${goodId} не зарегистрирован`);
}

export function setGoods({ store, partner, body }: FboxContext): Json {
  const req = parseFbox(goodSetReq, body);
  upsertGoods(store, partner, req.goods);
  return { success: true };
}

export function listGoods({ partner, body }: FboxContext): Json {
  const req = parseFbox(goodListReq, body);
  let goods = Object.values(partner.goods).sort((a, b) => (a.good_id < b.good_id ? -1 : a.good_id > b.good_id ? 1 : 0));
  if (req.good_type) goods = goods.filter((g) => g.good_type === req.good_type);
  const view = (g: Good) => {
    const item: Json = { good_id: g.good_id, good_type: g.good_type, good_name: g.good_name };
    if (g.length !== undefined) Object.assign(item, { length: g.length, width: g.width, height: g.height, weight: g.weight });
    return item;
  };
  // Explicit ids: the whole answer, paging parameters ignored (spec, "Пагинация в запросах").
  if (req.good_ids) {
    const wanted = new Set(req.good_ids);
    return { success: true, items: goods.filter((g) => wanted.has(g.good_id)).map(view) };
  }
  const { items, next } = page(goods, (g) => g.good_id, req.page_size, req.page_token);
  return withPaging(items.map(view), next);
}

export function setEans({ store, partner, body }: FboxContext): Json {
  const req = parseFbox(goodEanSetReq, body);
  const now = store.stamp().text;
  for (const ean of req.delete ?? []) delete partner.eans[ean];
  for (const { good_id, ean } of req.add ?? []) {
    requireGood(partner, good_id);
    linkEan(store, partner, good_id, ean, 'add', now);
  }
  for (const { good_id, ean } of req.set ?? []) {
    requireGood(partner, good_id);
    linkEan(store, partner, good_id, ean, 'set', now);
  }
  return { success: true };
}

export function listRecognition({ partner }: FboxContext): Json {
  return { success: true, items: pendingRecognition(partner) };
}

export function setRecognition({ store, partner, body }: FboxContext): Json {
  const req = parseFbox(goodRecognitionSetReq, body);
  for (const { good_id, barcode } of req.goods) identify(store, partner, good_id, barcode);
  return { success: true };
}

export function listEans({ partner, body }: FboxContext): Json {
  const req = parseFbox(goodEanListReq, body);
  const rows = Object.entries(partner.eans)
    .map(([ean, link]) => ({ good_id: link.good_id, ean, created_at: link.created_at }))
    .sort((a, b) => (a.good_id === b.good_id ? (a.ean < b.ean ? -1 : 1) : a.good_id < b.good_id ? -1 : 1));
  if (req.good_ids || req.eans) {
    const goods = req.good_ids ? new Set(req.good_ids) : undefined;
    const eans = req.eans ? new Set(req.eans) : undefined;
    return { success: true, items: rows.filter((r) => (!goods || goods.has(r.good_id)) && (!eans || eans.has(r.ean))) };
  }
  const { items, next } = page(rows, (r) => `${r.good_id}\u0000${r.ean}`, req.page_size, req.page_token);
  return withPaging(items, next);
}

// ---------- indocs ----------

export function createIndoc({ store, partner, body }: FboxContext): Json {
  const head = parseFbox(indocTypeOnly, body);
  if (head.indoc_type === 'goods_shipment_task') return createShipmentIndoc({ store, partner, body } as FboxContext);
  if (head.indoc_type !== 'goods_supply_task') {
    throw business(`Симулятор БетаПРО не поддерживает входящие документы типа ${head.indoc_type}`);
  }
  const req = parseFbox(goodsSupplyTask, body);
  if (Object.hasOwn(partner.indocs, req.indoc_id)) throw duplicateIndoc(req.indoc_id);

  if (req.goods) upsertGoods(store, partner, req.goods);

  const attributes: Record<string, AttrValue> = {};
  for (const attr of req.attributes ?? []) {
    attributes[String(attr.attribute_id)] = normaliseSupplyAttr(attr.attribute_id, attr.value);
  }
  // Attributes may also be given by json_name at the top level of the document (spec, attributes section).
  for (const [key, value] of Object.entries(req)) {
    const id = JSON_NAME_TO_ATTR.get(key);
    if (id !== undefined && value !== null && value !== undefined) {
      attributes[String(id)] = normaliseSupplyAttr(id, value as AttrValue);
    }
  }

  if (req.items.length === 0) throw business(`Документ ${req.indoc_id} не содержит товаров`);
  const seen = new Set<string>();
  for (const item of req.items) {
    requireGood(partner, item.good_id);
    if (item.plan_qnt <= 0) {
      throw business(`Плановое количество товара ${item.good_id} должно быть больше нуля (указано ${item.plan_qnt})`);
    }
    if (seen.has(item.good_id)) throw business(`Товар ${item.good_id} указан в документе ${req.indoc_id} более одного раза`);
    seen.add(item.good_id);
  }

  const { ms, text } = store.stamp();
  const indoc: Indoc = {
    indoc_id: req.indoc_id,
    indoc_type: 'goods_supply_task',
    created_at: text,
    created_ms: ms,
    seq: store.takeSeq(),
    json: structuredClone(body as Record<string, unknown>),
    attributes,
    items: req.items.map((i) => ({ good_id: i.good_id, plan_qnt: i.plan_qnt })),
    state: 'created',
    parts: 0,
  };
  if (req.indoc_txt !== undefined) indoc.indoc_txt = req.indoc_txt;
  partner.indocs[req.indoc_id] = indoc;
  return { success: true };
}

/**
 * A goods_shipment_task (spec schema): every good registered, one line per good, positive plans. It is
 * accepted whatever the stock: the warehouse ships what it has when the task is worked (./shipment.ts).
 */
function createShipmentIndoc({ store, partner, body }: FboxContext): Json {
  const req = parseFbox(goodsShipmentTask, body);
  if (Object.hasOwn(partner.indocs, req.indoc_id)) throw duplicateIndoc(req.indoc_id);
  if (req.items.length === 0) throw business(`Документ ${req.indoc_id} не содержит товаров`);
  const seen = new Set<string>();
  for (const item of req.items) {
    requireGood(partner, item.good_id);
    if (item.plan_qnt <= 0) throw business(`Плановое количество товара ${item.good_id} должно быть больше нуля (указано ${item.plan_qnt})`);
    if (seen.has(item.good_id)) throw business(`Товар ${item.good_id} указан в документе ${req.indoc_id} более одного раза`);
    seen.add(item.good_id);
  }
  const { ms, text } = store.stamp();
  partner.indocs[req.indoc_id] = {
    indoc_id: req.indoc_id,
    indoc_type: 'goods_shipment_task',
    created_at: text,
    created_ms: ms,
    seq: store.takeSeq(),
    json: structuredClone(body as Record<string, unknown>),
    attributes: {},
    items: req.items.map((i) => ({ good_id: i.good_id, plan_qnt: i.plan_qnt })),
    state: 'created',
    parts: 0,
    ...(req.indoc_txt !== undefined ? { indoc_txt: req.indoc_txt } : {}),
  };
  return { success: true };
}

/**
 * `POST /goods/stock`: the asked goods' stock, a `useful` row per registered good and a `defective` row
 * where goods were received as defective (nothing reserved or in quarantine in the simulator).
 */
export function goodsStock({ store, partner, body }: FboxContext): Json {
  const req = parseFbox(goodStockReq, body);
  const stock = stockOf(store, partner);
  const defective = defectiveStockOf(store, partner);
  const goods = [...new Set(req.good_ids)].filter((id) => Object.hasOwn(partner.goods, id)).sort();
  const rows = goods.flatMap((good_id) => [
    { good_id, qual_type: 'useful' as const, stock: stock.get(good_id) ?? 0 },
    ...(defective.get(good_id) ? [{ good_id, qual_type: 'defective' as const, stock: defective.get(good_id)! }] : []),
  ]);
  const { items, next } = page(rows, (row) => `${row.good_id}\u0000${row.qual_type === 'useful' ? 0 : 1}`, req.page_size, req.page_token);
  return withPaging(
    items.map((row) => ({
      ...row,
      quarantine: 0,
      long_storage: 0,
      orders_inwork: 0,
      orders_wait: 0,
      shipment_picking: 0,
      shipment_ready: 0,
    })),
    next,
  );
}

export function listIndocs({ partner, body }: FboxContext): Json {
  const req = parseFbox(indocListReq, body);
  const from = dateBound(req.from_date);
  const to = dateBound(req.to_date);
  const indocs = Object.values(partner.indocs)
    .filter((d) => (from === undefined || d.created_ms >= from) && (to === undefined || d.created_ms < to))
    .filter((d) => !req.indoc_type || d.indoc_type === req.indoc_type)
    .sort((a, b) => a.seq - b.seq);
  const { items, next } = page(indocs, (d) => d.seq, req.page_size, req.page_token);
  return withPaging(
    items.map((d) => {
      const item: Json = {
        indoc_id: d.indoc_id,
        indoc_type: d.indoc_type,
        indoc_type_descrip: INDOC_TYPE_DESCRIP[d.indoc_type],
        created_at: d.created_at,
      };
      if (d.indoc_txt !== undefined) item.indoc_txt = d.indoc_txt;
      return item;
    }),
    next,
  );
}

function indocOf(partner: PartnerData, params: Record<string, string>): Indoc {
  const id = params.indoc_id;
  if (!Object.hasOwn(partner.indocs, id)) throw notFound(`Входящий документ с номером ${id} не найден`);
  return partner.indocs[id];
}

export function getIndocJson({ partner, params }: FboxContext): Json {
  return { success: true, indoc: structuredClone(indocOf(partner, params).json) };
}

export function getIndocAttributes({ partner, params }: FboxContext): Json {
  return { success: true, items: attributeItems(indocOf(partner, params).attributes) };
}

export function setIndocAttributes({ partner, params, body }: FboxContext): Json {
  const indoc = indocOf(partner, params);
  const req = parseFbox(indocAttrSetReq, body);
  for (const attr of req.attributes) {
    indoc.attributes[String(attr.attribute_id)] = normaliseSupplyAttr(attr.attribute_id, attr.value);
  }
  return { success: true };
}

export function deleteIndoc({ store, partner, params }: FboxContext): Json {
  const indoc = indocOf(partner, params);
  const hasOutdocs = store.liveOutdocs(partner).some((o) => o.task_id === indoc.indoc_id);
  if (indoc.state !== 'created' || hasOutdocs) {
    throw business(`Входящий документ ${indoc.indoc_id} не может быть удален: поставка уже поступила на склад`);
  }
  // Deleting frees the number: a new document may reuse it.
  delete partner.indocs[indoc.indoc_id];
  return { success: true };
}

// ---------- outdocs ----------

function outdocOf(partner: PartnerData, params: Record<string, string>): Outdoc {
  const raw = params.outdoc_id;
  const outdoc = /^\d{1,10}$/.test(raw) ? partner.outdocs[String(Number(raw))] : undefined;
  if (!outdoc || outdoc.deleted) throw notFound(`Исходящий документ ${raw} не найден`);
  return outdoc;
}

function outdocAttributes(o: Outdoc) {
  return o.attributes.map(({ attribute_id, value }) => {
    const def = SUPPLY_ATTRS[attribute_id];
    return {
      attribute_id,
      attribute_name: def?.name ?? `Атрибут ${attribute_id}`,
      attribute_type: def?.type ?? 'string',
      value,
    };
  });
}

export function listOutdocs({ store, partner, body }: FboxContext): Json {
  const req = parseFbox(outdocListReq, body);
  const from = dateBound(req.from_date);
  const to = dateBound(req.to_date);
  const docs = store
    .liveOutdocs(partner)
    .filter(
      (o) =>
        (from === undefined || o.created_ms >= from) &&
        (to === undefined || o.created_ms < to) &&
        (req.outdoc_type === undefined || o.outdoc_type === req.outdoc_type) &&
        (req.locked === undefined || o.locked === req.locked) &&
        (req.unlock_request === undefined || o.unlock_request === req.unlock_request) &&
        (req.indoc_id === undefined || o.indoc_id === req.indoc_id),
    );
  const { items, next } = page(docs, (o) => o.outdoc_id, req.page_size, req.page_token);
  return withPaging(
    items.map((o) => {
      const item: Json = {
        outdoc_id: o.outdoc_id,
        outdoc_type: o.outdoc_type,
        outdoc_type_descrip: OUTDOC_TYPE_DESCRIP[o.outdoc_type],
        outdoc_date: o.outdoc_date,
        created_at: o.created_at,
        locked: o.locked,
        unlock_request: o.unlock_request,
      };
      if (o.indoc_id !== undefined) item.indoc_id = o.indoc_id;
      if (o.part_num !== undefined) item.part_num = o.part_num;
      return item;
    }),
    next,
  );
}

export function getOutdoc({ partner, params }: FboxContext): Json {
  const o = outdocOf(partner, params);
  const common: Json = {
    outdoc_id: o.outdoc_id,
    outdoc_type: o.outdoc_type,
    outdoc_type_descrip: OUTDOC_TYPE_DESCRIP[o.outdoc_type],
    outdoc_date: o.outdoc_date,
    created_at: o.created_at,
  };
  if (o.indoc_id !== undefined) common.indoc_id = o.indoc_id;
  common.attributes = outdocAttributes(o);
  const doc: Json = { success: true, outdoc_type: o.outdoc_type, common };
  if (o.outdoc_type === 'goods_supply') {
    if (o.part_num !== undefined) doc.part_num = o.part_num;
    doc.goods = structuredClone(o.goods ?? []);
    doc.goods_expiry = structuredClone(o.goods_expiry ?? []);
  }
  if (o.pallets) doc.pallets = structuredClone(o.pallets);
  return doc;
}

export function getOutdocGoods({ partner, params }: FboxContext): Json {
  const o = outdocOf(partner, params);
  const goods: Json[] = [];
  // Stock movements: one row per (good, state, quality) that changed; goods_supply_start moves nothing.
  for (const line of o.outdoc_type === 'goods_supply' ? (o.goods ?? []) : []) {
    if (line.useful_qnt) goods.push({ good_id: line.good_id, good_state: 'stock', qual_type: 'useful', qnt: line.useful_qnt });
    if (line.defective_qnt) goods.push({ good_id: line.good_id, good_state: 'stock', qual_type: 'defective', qnt: line.defective_qnt });
  }
  // A shipment takes goods off the stock: negative movements.
  if (o.outdoc_type === 'goods_shipment') {
    for (const [good_id, qnt] of shippedBy(o)) goods.push({ good_id, good_state: 'stock', qual_type: 'useful', qnt: -qnt });
  }
  return { success: true, goods };
}

export function lockOutdocs({ store, partner, body }: FboxContext): Json {
  const req = parseFbox(outdocLockReq, body);
  const unlocked: Outdoc[] = [];
  for (const { outdoc_id, lock } of req.outdocs) {
    const o = partner.outdocs[String(outdoc_id)];
    if (!o || o.deleted) throw business(`Исходящий документ ${outdoc_id} не найден`);
    if (o.locked && !lock) unlocked.push(o);
    o.locked = lock;
  }
  // BetaPRO deletes and re-issues a doc it asked to unlock once the customer has unlocked it.
  for (const o of unlocked) onUnlocked(store, partner, o);
  return { success: true };
}

export function checkOutdocs({ store, partner, body }: FboxContext): Json {
  const req = parseFbox(outdocCheckReq, body);
  const live = new Set(store.liveOutdocs(partner).map((o) => o.outdoc_id));
  const missing = [...new Set(req.outdoc_ids)].filter((id) => !live.has(id));
  return { success: true, missing_outdoc_ids: missing };
}
