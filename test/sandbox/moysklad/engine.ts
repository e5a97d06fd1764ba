/**
 * The write logic of the simulated MoySklad, shared by the JSON API handlers and the host UI (a user's
 * save in the UI and an API write go through the same code, so they audit and fire webhooks and
 * scenarios identically). Every successful change records an audit context + event and notifies the
 * listener (the webhook/scenario dispatcher) after the change is stored.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { apiError, HttpError } from './http';
import { idFromHref } from './query';
import { documentTotals, isRef } from './serialize';
import type { SimStore } from './store';
import { mskNow, normaliseMsk } from './time';
import type { AccountRec, DocType, EntityRec, EntityType, PositionRec, Ref } from './types';

export interface WriteContext {
  /** Audit `uid`: the solution (`appUid@account`) or the employee (`admin@account`). */
  uid: string;
  /** Audit `source`: `jsonapi` for API calls, `app` for the simulated web UI. */
  source: string;
  /** URL prefixes from `X-Lognex-WebHook-DisableByPrefix`: matching webhooks do not fire for this write. */
  disableByPrefix: string[];
  /** appId of the solution token that made the write, if any. */
  appId?: string;
}

export interface ChangeEvent {
  account: AccountRec;
  entityType: EntityType;
  entityId: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  updatedFields: string[];
  auditContextId: string;
  moment: string;
  ctx: WriteContext;
  /** For documents: state id before and after the write. */
  stateBefore?: string;
  stateAfter?: string;
}

export const MAX_ITEMS = 1000;

const metaRef = z.looseObject({
  meta: z.looseObject({ href: z.string(), type: z.string().optional(), mediaType: z.string().optional() }),
});

export const positionInput = z.looseObject({
  id: z.string().optional(),
  meta: z.looseObject({ href: z.string() }).optional(),
  quantity: z.number().optional(),
  price: z.number().optional(),
  discount: z.number().optional(),
  vat: z.number().int().optional(),
  vatEnabled: z.boolean().optional(),
  assortment: metaRef.optional(),
  things: z.array(z.string()).optional(),
});
export type PositionInput = z.infer<typeof positionInput>;

const docInput = z.looseObject({
  name: z.string().optional(),
  code: z.string().nullable().optional(),
  externalCode: z.string().optional(),
  description: z.string().nullable().optional(),
  moment: z.string().optional(),
  applicable: z.boolean().optional(),
  shared: z.boolean().optional(),
  vatEnabled: z.boolean().optional(),
  vatIncluded: z.boolean().optional(),
  incomingNumber: z.string().nullable().optional(),
  incomingDate: z.string().nullable().optional(),
  organization: metaRef.optional(),
  agent: metaRef.optional(),
  store: metaRef.optional(),
  sourceStore: metaRef.nullable().optional(),
  targetStore: metaRef.nullable().optional(),
  state: metaRef.nullable().optional(),
  positions: z.array(positionInput).optional(),
});
export type DocInput = z.infer<typeof docInput>;

/** zod → MoySklad's 2016 "value of field X does not match type" with the field path as `parameter`. */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === undefined || body === null) throw apiError(400, 1027, 'Запрос не содержит объектов');
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.join('.') || 'body';
  throw apiError(400, 2016, `Ошибка формата: значение поля '${field}' не соответствует типу (${issue.message})`, field);
}

const MAX_LEN: Record<string, number> = {
  name: 255,
  code: 255,
  externalCode: 255,
  description: 4096,
  incomingNumber: 255,
};

/** Field order of stored documents; also the order in which fields are compared for `updatedFields`. */
const DOC_FIELDS: Record<DocType, string[]> = {
  supply: [
    'name',
    'code',
    'externalCode',
    'description',
    'moment',
    'applicable',
    'shared',
    'vatEnabled',
    'vatIncluded',
    'incomingNumber',
    'incomingDate',
    'organization',
    'agent',
    'store',
    'state',
  ],
  move: [
    'name',
    'code',
    'externalCode',
    'description',
    'moment',
    'applicable',
    'shared',
    'organization',
    'sourceStore',
    'targetStore',
    'state',
  ],
  purchasereturn: [
    'name',
    'code',
    'externalCode',
    'description',
    'moment',
    'applicable',
    'shared',
    'vatEnabled',
    'vatIncluded',
    'organization',
    'agent',
    'store',
    'state',
  ],
};
export const REF_FIELDS: Record<string, EntityType[] | 'state'> = {
  organization: ['organization'],
  agent: ['counterparty', 'organization'],
  store: ['store'],
  sourceStore: ['store'],
  targetStore: ['store'],
  state: 'state',
};
export const REQUIRED: Record<DocType, string[]> = {
  supply: ['organization', 'agent', 'store'],
  move: ['organization', 'sourceStore', 'targetStore'],
  purchasereturn: ['organization', 'agent', 'store'],
};
/** What a position may point at: supplies take goods and services, moves only goods. */
export const POSITION_TYPES: Record<DocType, string[]> = {
  supply: ['product', 'variant', 'service', 'consignment'],
  move: ['product', 'variant', 'consignment'],
  purchasereturn: ['product', 'variant', 'service', 'consignment'],
};
const POSITION_EXTRA = ['things', 'gtd', 'country', 'pack', 'slot', 'sourceSlot', 'targetSlot', 'trackingCodes'];

function randomExternalCode(): string {
  return randomUUID().replace(/-/g, '').slice(0, 22);
}

export class Engine {
  constructor(
    private readonly store: SimStore,
    private readonly onChange: (ev: ChangeEvent) => void,
  ) {}

  /** Resolves `{meta:{href,type}}` to a stored Ref, checking that the target exists and has an allowed type. */
  resolveRef(
    account: AccountRec,
    value: { meta: { href: string; type?: string } },
    allowed: EntityType[] | 'state',
    param: string,
    docType?: DocType,
  ): Ref {
    const id = idFromHref(value.meta.href);
    if (allowed === 'state') {
      const st = account.states.find((s) => s.id === id && (!docType || s.entityType === docType));
      if (!st) throw apiError(400, 1021, `Объект с типом 'state' и идентификатором '${id}' не найден`, param);
      if (value.meta.type && value.meta.type !== 'state')
        throw apiError(400, 1060, 'Некорректный тип данных в meta сущности, поле type', param);
      return { $ref: 'state', id };
    }
    const target = account.entities[id];
    const pathType = /\/entity\/([a-z]+)\//.exec(value.meta.href)?.[1];
    const type = (value.meta.type ?? pathType) as EntityType | undefined;
    if (!target || (type && target.type !== type)) {
      throw apiError(400, 1021, `Объект с типом '${type ?? 'unknown'}' и идентификатором '${id}' не найден`, param);
    }
    if (!allowed.includes(target.type)) throw apiError(400, 1060, 'Некорректный тип данных в meta сущности, поле type', param);
    return { $ref: target.type, id };
  }

  private checkLengths(body: Record<string, unknown>): void {
    for (const [f, max] of Object.entries(MAX_LEN)) {
      const v = body[f];
      if (typeof v === 'string' && v.length > max) {
        throw apiError(400, 3040, `Ошибка валидации: поле '${f}' не может быть более '${max}' символов`, f);
      }
    }
  }

  private applyDocFields(account: AccountRec, docType: DocType, rec: EntityRec, body: DocInput): void {
    this.checkLengths(body);
    for (const f of DOC_FIELDS[docType]) {
      if (!(f in body)) continue;
      const v = (body as Record<string, unknown>)[f];
      if (REF_FIELDS[f]) {
        if (v === null) {
          if (REQUIRED[docType].includes(f))
            throw apiError(400, 3000, `Ошибка сохранения объекта: поле '${f}' не может быть пустым или отсутствовать`, f);
          delete rec.fields[f];
        } else if (v !== undefined) {
          rec.fields[f] = this.resolveRef(account, v as { meta: { href: string } }, REF_FIELDS[f], f, docType);
        }
      } else if (f === 'moment' || f === 'incomingDate') {
        if (v === null) delete rec.fields[f];
        else if (typeof v === 'string') {
          const norm = normaliseMsk(v);
          if (!norm) throw apiError(400, 2016, `Ошибка формата: значение поля '${f}' не соответствует типу DateTime`, f);
          rec.fields[f] = norm;
        }
      } else if (v === null) delete rec.fields[f];
      else if (v !== undefined) rec.fields[f] = v;
    }
  }

  private buildPosition(
    account: AccountRec,
    docType: DocType,
    input: PositionInput,
    base: PositionRec | undefined,
    param: string,
  ): PositionRec {
    const pos: PositionRec = base
      ? { ...base, extra: { ...base.extra } }
      : {
          id: randomUUID(),
          quantity: 0,
          price: 0,
          discount: 0,
          vat: 0,
          vatEnabled: false,
          assortment: undefined as unknown as Ref,
          extra: {},
        };
    if (input.assortment) {
      pos.assortment = this.resolveRef(account, input.assortment, POSITION_TYPES[docType] as EntityType[], `${param}.assortment`);
    } else if (!base) {
      throw apiError(
        400,
        3000,
        "Ошибка сохранения объекта: поле 'assortment' не может быть пустым или отсутствовать",
        `${param}.assortment`,
      );
    }
    if (input.quantity !== undefined) pos.quantity = input.quantity;
    else if (!base)
      throw apiError(400, 3000, "Ошибка сохранения объекта: поле 'quantity' не может быть пустым или отсутствовать", `${param}.quantity`);
    if (!(pos.quantity > 0))
      throw apiError(400, 3003, "Ошибка сохранения объекта: поле 'quantity' должно быть больше нуля", `${param}.quantity`);
    if (input.price !== undefined) {
      if (input.price < 0)
        throw apiError(400, 3002, "Ошибка сохранения объекта: поле 'price' не может иметь отрицательное значение", `${param}.price`);
      pos.price = input.price;
    }
    if (docType === 'supply') {
      if (input.discount !== undefined) pos.discount = input.discount;
      if (input.vat !== undefined) pos.vat = input.vat;
      if (input.vatEnabled !== undefined) pos.vatEnabled = input.vatEnabled;
      else if (input.vat !== undefined) pos.vatEnabled = input.vat > 0;
    }
    for (const k of POSITION_EXTRA) {
      if (k in input) {
        const v = (input as Record<string, unknown>)[k];
        if (v === null) delete pos.extra[k];
        else pos.extra[k] = v;
      }
    }
    return pos;
  }

  /** Matches an incoming position to an existing one by `id` or by `meta.href`. */
  private positionId(input: PositionInput): string | undefined {
    if (input.id) return input.id;
    if (input.meta?.href) return idFromHref(input.meta.href);
    return undefined;
  }

  private replacePositions(account: AccountRec, docType: DocType, rec: EntityRec, inputs: PositionInput[]): void {
    if (inputs.length > MAX_ITEMS)
      throw apiError(413, 2022, 'Ошибка формата: слишком большое число элементов вложенной коллекции', 'positions');
    const existing = new Map((rec.positions ?? []).map((p) => [p.id, p]));
    const next: PositionRec[] = [];
    inputs.forEach((input, i) => {
      const id = this.positionId(input);
      const base = id ? existing.get(id) : undefined;
      next.push(this.buildPosition(account, docType, input, base, `positions[${i}]`));
    });
    rec.positions = next;
  }

  documents(account: AccountRec, docType: DocType): EntityRec[] {
    return this.store.list(account, docType);
  }

  getDocument(account: AccountRec, docType: DocType, id: string): EntityRec {
    const rec = this.store.get(account, docType, id);
    if (!rec) throw apiError(404, 1021, `Объект с типом '${docType}' и идентификатором '${id}' не найден`);
    return rec;
  }

  createDocument(account: AccountRec, docType: DocType, raw: unknown, ctx: WriteContext): EntityRec {
    const body = parseWith(docInput, raw);
    const rec: EntityRec = {
      id: randomUUID(),
      type: docType,
      created: mskNow(),
      updated: mskNow(),
      fields: {},
      positions: [],
    };
    rec.fields.name = undefined;
    rec.fields.externalCode = randomExternalCode();
    rec.fields.moment = mskNow();
    rec.fields.applicable = true;
    if (docType === 'supply') {
      rec.fields.vatEnabled = true;
      rec.fields.vatIncluded = true;
    }
    this.applyDocFields(account, docType, rec, body);
    for (const f of REQUIRED[docType]) {
      if (!rec.fields[f]) throw apiError(400, 3000, `Ошибка сохранения объекта: поле '${f}' не может быть пустым или отсутствовать`, f);
    }
    if (body.positions) this.replacePositions(account, docType, rec, body.positions);
    this.assertStockForPosting(account, docType, rec);
    if (!rec.fields.name) rec.fields.name = this.store.nextName(account, docType);
    account.entities[rec.id] = rec;
    this.store.changed();
    this.emit(account, rec, 'CREATE', [], ctx, undefined);
    return rec;
  }

  updateDocument(account: AccountRec, docType: DocType, id: string, raw: unknown, ctx: WriteContext): EntityRec {
    const rec = this.getDocument(account, docType, id);
    const body = parseWith(docInput, raw);
    const before = snapshot(rec);
    const draft: EntityRec = { ...rec, fields: { ...rec.fields }, positions: [...(rec.positions ?? [])] };
    this.applyDocFields(account, docType, draft, body);
    if (body.positions) this.replacePositions(account, docType, draft, body.positions);
    this.assertStockForPosting(account, docType, draft);
    rec.fields = draft.fields;
    rec.positions = draft.positions;
    return this.finishUpdate(account, rec, before, ctx);
  }

  /**
   * With stock control on, MoySklad refuses to post a move or a purchase return that takes from its
   * source store (a return's only store) more than the store has (HTTP 412, the document stays as it was).
   */
  private assertStockForPosting(account: AccountRec, docType: DocType, rec: EntityRec): void {
    const source = (docType === 'purchasereturn' ? rec.fields.store : rec.fields.sourceStore) as Ref | undefined;
    if (docType === 'supply' || !rec.fields.applicable || !account.stock || !source) return;
    const needed = new Map<string, number>();
    for (const p of rec.positions ?? []) needed.set(p.assortment.id, (needed.get(p.assortment.id) ?? 0) + p.quantity);
    for (const [assortmentId, quantity] of needed) {
      const onHand = account.stock[source.id]?.[assortmentId] ?? 0;
      if (onHand >= quantity) continue;
      const storeName = String(account.entities[source.id]?.fields.name ?? source.id);
      const goodName = String(account.entities[assortmentId]?.fields.name ?? assortmentId);
      throw apiError(
        412,
        3007,
        `Нельзя провести документ: на складе «${storeName}» недостаточно товара «${goodName}» (в наличии ${onHand}, требуется ${quantity})`,
      );
    }
  }

  deleteDocument(account: AccountRec, docType: DocType, id: string, ctx: WriteContext): void {
    const rec = this.getDocument(account, docType, id);
    const before = snapshot(rec);
    this.store.remove(account, id);
    this.emit(account, rec, 'DELETE', [], ctx, before);
  }

  addPositions(account: AccountRec, docType: DocType, id: string, inputs: PositionInput[], ctx: WriteContext): PositionRec[] {
    const rec = this.getDocument(account, docType, id);
    if (inputs.length > MAX_ITEMS) throw apiError(413, 2007, 'Ошибка формата: слишком большое число вложенных объектов');
    const before = snapshot(rec);
    const current = [...(rec.positions ?? [])];
    const out: PositionRec[] = [];
    inputs.forEach((input, i) => {
      // POST /positions creates, or updates a row whose id/meta is given (the spec calls it "create and update").
      const pid = this.positionId(input);
      const idx = pid ? current.findIndex((p) => p.id === pid) : -1;
      const pos = this.buildPosition(account, docType, input, idx >= 0 ? current[idx] : undefined, `[${i}]`);
      if (idx >= 0) current[idx] = pos;
      else current.push(pos);
      out.push(pos);
    });
    rec.positions = current;
    this.finishUpdate(account, rec, before, ctx);
    return out;
  }

  getPosition(account: AccountRec, docType: DocType, id: string, positionId: string): { rec: EntityRec; pos: PositionRec } {
    const rec = this.getDocument(account, docType, id);
    const pos = (rec.positions ?? []).find((p) => p.id === positionId);
    if (!pos) throw apiError(404, 1021, `Объект с типом '${docType}position' и идентификатором '${positionId}' не найден`);
    return { rec, pos };
  }

  updatePosition(account: AccountRec, docType: DocType, id: string, positionId: string, raw: unknown, ctx: WriteContext): PositionRec {
    const { rec, pos } = this.getPosition(account, docType, id, positionId);
    const input = parseWith(positionInput, raw);
    const before = snapshot(rec);
    const next = this.buildPosition(account, docType, input, pos, 'position');
    rec.positions = (rec.positions ?? []).map((p) => (p.id === positionId ? next : p));
    this.finishUpdate(account, rec, before, ctx);
    return next;
  }

  deletePositions(account: AccountRec, docType: DocType, id: string, positionIds: string[], ctx: WriteContext): void {
    const rec = this.getDocument(account, docType, id);
    const have = new Set((rec.positions ?? []).map((p) => p.id));
    for (const pid of positionIds) {
      if (!have.has(pid)) throw apiError(404, 1021, `Объект с типом '${docType}position' и идентификатором '${pid}' не найден`);
    }
    const before = snapshot(rec);
    const drop = new Set(positionIds);
    rec.positions = (rec.positions ?? []).filter((p) => !drop.has(p.id));
    this.finishUpdate(account, rec, before, ctx);
  }

  /** Records the diff (if any), bumps `updated` and emits UPDATE; a write that changes nothing emits nothing. */
  private finishUpdate(account: AccountRec, rec: EntityRec, before: Snapshot, ctx: WriteContext): EntityRec {
    const diff = diffSnapshots(before, snapshot(rec));
    const fields = Object.keys(diff);
    if (fields.length === 0) return rec;
    rec.updated = mskNow();
    this.store.changed();
    this.emit(account, rec, 'UPDATE', fields, ctx, before, diff);
    return rec;
  }

  private emit(
    account: AccountRec,
    rec: EntityRec,
    action: ChangeEvent['action'],
    updatedFields: string[],
    ctx: WriteContext,
    before: Snapshot | undefined,
    diff?: Record<string, { oldValue: unknown; newValue: unknown }>,
  ): void {
    const moment = mskNow();
    const contextId = randomUUID();
    const eventType = action === 'CREATE' ? 'create' : action === 'UPDATE' ? 'update' : 'delete';
    account.auditContexts.push({
      id: contextId,
      moment,
      uid: ctx.uid,
      source: ctx.source,
      eventType,
      entityType: rec.type,
      objectCount: 1,
    });
    account.auditEvents.push({
      contextId,
      moment,
      uid: ctx.uid,
      source: ctx.source,
      eventType,
      entityType: rec.type,
      entityId: rec.id,
      name: String(rec.fields.name ?? ''),
      ...(diff ? { diff } : {}),
    });
    this.store.changed();
    const stateOf = (f: Record<string, unknown> | undefined) => (f && isRef(f.state) ? f.state.id : undefined);
    this.onChange({
      account,
      entityType: rec.type,
      entityId: rec.id,
      action,
      updatedFields,
      auditContextId: contextId,
      moment,
      ctx,
      stateBefore: before ? stateOf(before.fields) : undefined,
      stateAfter: action === 'DELETE' ? undefined : stateOf(rec.fields),
    });
  }

  // ---- dictionaries (products etc.): created by seed helpers and the JSON API ----

  createEntity(account: AccountRec, type: EntityType, fields: Record<string, unknown>, ctx?: WriteContext): EntityRec {
    const rec = this.store.insert(account, type, { externalCode: randomExternalCode(), ...fields });
    if (ctx) this.emit(account, rec, 'CREATE', [], ctx, undefined);
    return rec;
  }

  updateEntity(account: AccountRec, rec: EntityRec, fields: Record<string, unknown>, ctx?: WriteContext): EntityRec {
    const before = snapshot(rec);
    for (const [k, v] of Object.entries(fields)) {
      if (v === null) delete rec.fields[k];
      else if (v !== undefined) rec.fields[k] = v;
    }
    if (ctx) this.finishUpdate(account, rec, before, ctx);
    else {
      rec.updated = mskNow();
      this.store.changed();
    }
    return rec;
  }
}

interface Snapshot {
  fields: Record<string, unknown>;
  positions?: PositionRec[];
}

function snapshot(rec: EntityRec): Snapshot {
  return structuredClone({ fields: rec.fields, positions: rec.positions });
}

function positionSummary(p: PositionRec): Record<string, unknown> {
  return { id: p.id, assortment: p.assortment, quantity: p.quantity, price: p.price };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Field-level diff in MoySklad's audit shape. Positions appear as one `positions` entry (how MoySklad
 * itself reports position changes in audit is undocumented; a summary of the rows is given here).
 */
function diffSnapshots(a: Snapshot, b: Snapshot): Record<string, { oldValue: unknown; newValue: unknown }> {
  const out: Record<string, { oldValue: unknown; newValue: unknown }> = {};
  const keys = new Set([...Object.keys(a.fields), ...Object.keys(b.fields)]);
  for (const k of keys) {
    const av = a.fields[k] ?? null;
    const bv = b.fields[k] ?? null;
    if (!same(av, bv)) out[k] = { oldValue: av, newValue: bv };
  }
  if (!same(a.positions ?? [], b.positions ?? [])) {
    out.positions = {
      oldValue: (a.positions ?? []).map(positionSummary),
      newValue: (b.positions ?? []).map(positionSummary),
    };
    const sa = documentTotals({ fields: a.fields, positions: a.positions } as EntityRec).sum;
    const sb = documentTotals({ fields: b.fields, positions: b.positions } as EntityRec).sum;
    if (sa !== sb) out.sum = { oldValue: sa, newValue: sb };
  }
  return out;
}

export { HttpError };
