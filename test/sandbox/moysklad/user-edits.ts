/**
 * What a MoySklad user does by hand in the web UI, for the demo host page and the control API alike:
 * create a document (stores, goods and quantities) and edit a product's article, code, barcode and
 * variants. Writes go through the Engine with the employee's WriteContext, so webhooks and the audit
 * behave exactly as after a user's save in MoySklad; rights are checked as MoySklad does.
 */
import { z } from 'zod';
import { parseWith, POSITION_TYPES, REF_FIELDS, REQUIRED } from './engine';
import { apiError } from './http';
import { variantName } from './json-api';
import type { Simulator } from './simulator';
import type { AccountRec, DocType, EmployeeKind, EntityRec, EntityType } from './types';

/** Every document type the simulator stores, as its engine declares them (new types appear here by themselves). */
export const DOC_TYPES = Object.keys(REQUIRED) as DocType[];

/** Russian names as MoySklad shows them; a type without a label falls back to its API name. */
const LABELS: Record<string, string> = { supply: 'Приёмка', move: 'Перемещение', purchasereturn: 'Возврат поставщику' };
export const docLabel = (type: string): string => LABELS[type] ?? type;

const FIELD_LABELS: Record<string, string> = {
  organization: 'Организация',
  agent: 'Контрагент',
  store: 'Склад',
  sourceStore: 'Со склада',
  targetStore: 'На склад',
};
export const fieldLabel = (field: string): string => FIELD_LABELS[field] ?? field;

export interface NewDocumentForm {
  type: DocType;
  /** Each required reference (store, agent…) with the entities a user may pick, first one preselected. */
  refs: Array<{ field: string; label: string; options: Array<{ id: string; type: EntityType; name: string }> }>;
  /** Goods this document type accepts, with the price MoySklad would fill in (kopecks). */
  goods: Array<{ id: string; type: EntityType; name: string; article: string; code: string; price: number }>;
  states: Array<{ id: string; name: string }>;
}

const byName = (a: EntityRec, b: EntityRec) => String(a.fields.name ?? '').localeCompare(String(b.fields.name ?? ''), 'ru');

/** The choices of the "new document" form of one type, read from the account as it is now. */
export function newDocumentForm(acc: AccountRec, type: DocType): NewDocumentForm {
  const entities = Object.values(acc.entities);
  const refs = REQUIRED[type].map((field) => {
    const allowed = REF_FIELDS[field];
    const options = entities
      .filter((e) => allowed !== 'state' && allowed.includes(e.type))
      .sort(byName)
      .map((e) => ({ id: e.id, type: e.type, name: String(e.fields.name ?? '') }));
    return { field, label: fieldLabel(field), options };
  });
  const goods = entities
    .filter((e) => POSITION_TYPES[type].includes(e.type))
    .sort(byName)
    .map((e) => ({
      id: e.id,
      type: e.type,
      name: String(e.fields.name ?? ''),
      article: String(e.fields.article ?? ''),
      code: String(e.fields.code ?? ''),
      price: Number((e.fields.buyPrice as { value?: number } | undefined)?.value ?? 0),
    }));
  const states = acc.states.filter((s) => s.entityType === type).map((s) => ({ id: s.id, name: s.name }));
  return { type, refs, goods, states };
}

const newDocumentInput = z.object({
  refs: z.record(z.string(), z.string().uuid()),
  stateId: z.string().uuid().optional(),
  applicable: z.boolean().default(false),
  description: z.string().max(4096).optional(),
  positions: z
    .array(z.object({ id: z.string().uuid(), quantity: z.number().positive(), price: z.number().int().min(0).optional() }))
    .min(1, 'Добавьте хотя бы один товар'),
});

/** Creates a document as `employee` would in the web UI; MoySklad's own validation errors pass through. */
export function createDocumentAsUser(sim: Simulator, accountId: string, type: DocType, raw: unknown, employee: EmployeeKind): EntityRec {
  const acc = sim.account(accountId);
  const rights = acc.employees[employee].permissions[type] as { create?: string } | undefined;
  if (!rights?.create) throw apiError(403, 1016, 'Доступ запрещен: у вас нет прав на создание данного объекта');
  const input = parseWith(newDocumentInput, raw);
  const meta = (id: string) => {
    const rec = acc.entities[id];
    if (!rec) throw apiError(400, 1021, `Объект с идентификатором '${id}' не найден`);
    return { meta: { href: `${sim.ser.api}/entity/${rec.type}/${id}`, type: rec.type, mediaType: 'application/json' } };
  };
  const body: Record<string, unknown> = { applicable: input.applicable };
  for (const [field, id] of Object.entries(input.refs)) body[field] = meta(id);
  if (input.stateId)
    body.state = {
      meta: {
        href: `${sim.ser.api}/entity/${type}/metadata/states/${input.stateId}`,
        type: 'state',
        mediaType: 'application/json',
      },
    };
  if (input.description) body.description = input.description;
  body.positions = input.positions.map((p) => {
    const price = p.price ?? Number((acc.entities[p.id]?.fields.buyPrice as { value?: number } | undefined)?.value ?? 0);
    return { quantity: p.quantity, price, assortment: meta(p.id) };
  });
  return sim.engine.createDocument(acc, type, body, sim.userContext(acc, employee));
}

export interface ProductCard {
  id: string;
  name: string;
  article: string;
  code: string;
  barcode: string;
  variants: Array<{ id: string; name: string; characteristic: string; article: string; code: string; barcode: string }>;
}

/** First EAN-13 (or any first barcode) of a good: the one the form edits. */
function firstBarcode(rec: EntityRec): string {
  const list = (rec.fields.barcodes as Array<Record<string, string>> | undefined) ?? [];
  const first = list.find((b) => b.ean13) ?? list[0];
  return first ? String(Object.values(first)[0] ?? '') : '';
}

export function productCard(acc: AccountRec, id: string): ProductCard {
  const rec = acc.entities[id];
  if (!rec || rec.type !== 'product') throw apiError(404, 1021, `Объект с типом 'product' и идентификатором '${id}' не найден`);
  const variants = Object.values(acc.entities)
    .filter((e) => e.type === 'variant' && (e.fields.product as { id?: string } | undefined)?.id === id)
    .sort(byName)
    .map((v) => ({
      id: v.id,
      name: String(v.fields.name ?? ''),
      characteristic: ((v.fields.characteristics as Array<{ value: string }> | undefined) ?? []).map((c) => c.value).join(', '),
      article: String(v.fields.article ?? ''),
      code: String(v.fields.code ?? ''),
      barcode: firstBarcode(v),
    }));
  return {
    id,
    name: String(rec.fields.name ?? ''),
    article: String(rec.fields.article ?? ''),
    code: String(rec.fields.code ?? ''),
    barcode: firstBarcode(rec),
    variants,
  };
}

const text = z.string().trim().max(255);
const barcode = z
  .string()
  .trim()
  .regex(/^\d{0,14}$/, 'Штрихкод: только цифры (EAN-13, 13 цифр)');
const productEditInput = z.object({
  article: text.optional(),
  code: text.optional(),
  barcode: barcode.optional(),
  variants: z
    .array(
      z.object({
        id: z.string().uuid().optional(),
        /** Value of the single characteristic the demo edits ("Размер"); required for a new variant. */
        characteristic: text.optional(),
        article: text.optional(),
        code: text.optional(),
        barcode: barcode.optional(),
      }),
    )
    .default([]),
});

/** Empty string in the form = remove the field, as clearing it in MoySklad's card does. */
function goodsFields(input: { article?: string; code?: string; barcode?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (input.article !== undefined) out.article = input.article || null;
  if (input.code !== undefined) out.code = input.code || null;
  if (input.barcode !== undefined) out.barcodes = input.barcode ? [{ ean13: input.barcode }] : null;
  return out;
}

type Editable = { article?: string; code?: string; barcode?: string; characteristic?: string };

/** Whether the form changes any field it sent (fields left out of the form are not compared). */
function changed(was: Required<Omit<Editable, 'characteristic'>> & Editable, now: Editable): boolean {
  return (['article', 'code', 'barcode', 'characteristic'] as const).some((k) => now[k] !== undefined && now[k] !== (was[k] ?? ''));
}

/**
 * Saves the product card and its variants as `employee`: changed fields only (an unchanged variant is
 * not written, so it gets no UPDATE event); a row without id becomes a new variant.
 */
export function editProductAsUser(sim: Simulator, accountId: string, id: string, raw: unknown, employee: EmployeeKind): ProductCard {
  const acc = sim.account(accountId);
  const rights = acc.employees[employee].permissions.product as { update?: string } | undefined;
  if (!rights?.update) throw apiError(403, 1017, 'Доступ запрещен: у вас нет прав на редактирование данного объекта');
  const before = productCard(acc, id);
  const input = parseWith(productEditInput, raw);
  const ctx = sim.userContext(acc, employee);
  const own = { article: input.article, code: input.code, barcode: input.barcode };
  if (changed(before, own)) sim.engine.updateEntity(acc, acc.entities[id], goodsFields(own), ctx);
  for (const v of input.variants) {
    const fields = goodsFields(v);
    if (v.id) {
      const was = before.variants.find((x) => x.id === v.id);
      if (!was) throw apiError(404, 1021, `Модификация '${v.id}' не найдена у товара`);
      if (v.characteristic && v.characteristic !== was.characteristic) {
        fields.characteristics = [{ name: 'Размер', value: v.characteristic }];
        fields.name = variantName(acc, { product: { $ref: 'product', id }, characteristics: fields.characteristics });
      }
      if (changed(was, v)) sim.engine.updateEntity(acc, acc.entities[v.id], fields, ctx);
    } else if (v.characteristic) {
      const f: Record<string, unknown> = {
        product: { $ref: 'product', id },
        characteristics: [{ name: 'Размер', value: v.characteristic }],
      };
      for (const [k, value] of Object.entries(fields)) if (value !== null) f[k] = value;
      f.name = variantName(acc, f);
      sim.engine.createEntity(acc, 'variant', f, ctx);
    }
  }
  return productCard(acc, id);
}

/** Products of the account for the goods list, with how many variants each has. */
export function productList(
  acc: AccountRec,
): Array<{ id: string; name: string; article: string; code: string; barcode: string; variants: number }> {
  const all = Object.values(acc.entities);
  return all
    .filter((e) => e.type === 'product')
    .sort(byName)
    .map((p) => ({
      id: p.id,
      name: String(p.fields.name ?? ''),
      article: String(p.fields.article ?? ''),
      code: String(p.fields.code ?? ''),
      barcode: firstBarcode(p),
      variants: all.filter((v) => v.type === 'variant' && (v.fields.product as { id?: string } | undefined)?.id === p.id).length,
    }));
}
