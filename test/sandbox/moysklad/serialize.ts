/**
 * Turns stored records into JSON API 1.2 bodies: `meta` objects with hrefs built on the simulator's own
 * base URL (so clients follow them back here), references as `{meta}` unless expanded, positions as a
 * MetaArray unless expanded, fields that are empty left out (MoySklad omits unset fields).
 */
import { createHash } from 'node:crypto';
import type { AccountRec, DocType, EntityRec, EntityType, PositionRec, Ref, StateRec, WebhookRec } from './types';
import type { ExpandTree } from './query';

export const MEDIA = 'application/json';

/** MoySklad UI route names used in `uuidHref` (`https://online.moysklad.ru/app/#good/edit?id=...`). */
const UI_NAME: Record<string, string> = {
  supply: 'supply',
  move: 'move',
  purchasereturn: 'purchasereturn',
  product: 'good',
  variant: 'feature',
  bundle: 'bundle',
  service: 'service',
  store: 'warehouse',
  organization: 'mycompany',
  counterparty: 'company',
};

export interface Meta {
  href: string;
  metadataHref?: string;
  type: string;
  mediaType: string;
  uuidHref?: string;
}

/** Deterministic UUID (for things MoySklad keeps as separate metadata, e.g. variant characteristics). */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export class Serializer {
  constructor(
    /** e.g. http://127.0.0.1:4010/api/remap/1.2 */
    readonly api: string,
    /** e.g. http://127.0.0.1:4010 */
    readonly origin: string,
  ) {}

  entityMeta(type: string, id: string, withUuid = true): Meta {
    const meta: Meta = {
      href: `${this.api}/entity/${type}/${id}`,
      metadataHref: `${this.api}/entity/${type}/metadata`,
      type,
      mediaType: MEDIA,
    };
    if (withUuid && UI_NAME[type]) meta.uuidHref = `${this.origin}/app/#${UI_NAME[type]}/edit?id=${id}`;
    return meta;
  }

  stateMeta(docType: string, id: string): Meta {
    return {
      href: `${this.api}/entity/${docType}/metadata/states/${id}`,
      metadataHref: `${this.api}/entity/${docType}/metadata`,
      type: 'state',
      mediaType: MEDIA,
    };
  }

  positionMeta(docType: DocType, docId: string, posId: string): Meta {
    return {
      href: `${this.api}/entity/${docType}/${docId}/positions/${posId}`,
      type: `${docType}position`,
      mediaType: MEDIA,
    };
  }

  employeeMeta(id: string): Meta {
    return {
      href: `${this.api}/entity/employee/${id}`,
      metadataHref: `${this.api}/entity/employee/metadata`,
      type: 'employee',
      mediaType: MEDIA,
    };
  }

  auditMeta(contextId: string): Meta {
    return { href: `${this.api}/audit/${contextId}`, type: 'audit', mediaType: MEDIA };
  }

  applicationMeta(appId: string): Meta {
    return {
      href: `${this.api}/entity/application/${appId}`,
      metadataHref: `${this.api}/entity/application/metadata`,
      type: 'application',
      mediaType: MEDIA,
    };
  }

  /** List meta: `size` is the total, `nextHref`/`previousHref` only when such a page exists. */
  listMeta(href: string, type: string, size: number, limit: number, offset: number, metadataHref?: string): Record<string, unknown> {
    const meta: Record<string, unknown> = { href, type, mediaType: MEDIA };
    if (metadataHref) meta.metadataHref = metadataHref;
    meta.size = size;
    meta.limit = limit;
    meta.offset = offset;
    const withPage = (o: number) => {
      const u = new URL(href);
      u.searchParams.set('limit', String(limit));
      u.searchParams.set('offset', String(o));
      return u.toString();
    };
    if (offset + limit < size) meta.nextHref = withPage(offset + limit);
    if (offset > 0) meta.previousHref = withPage(Math.max(0, offset - limit));
    return meta;
  }

  /** A reference, either as `{meta}` or expanded into the full object (expand depth handled by the tree). */
  ref(account: AccountRec, ref: Ref, expand: ExpandTree | undefined): Record<string, unknown> {
    if (ref.$ref === 'state') {
      const st = account.states.find((s) => s.id === ref.id);
      if (!st) return { meta: this.stateMeta('supply', ref.id) };
      return expand ? this.state(account, st) : { meta: this.stateMeta(st.entityType, st.id) };
    }
    const target = account.entities[ref.id];
    if (expand && target) return this.entity(account, target, expand);
    return { meta: this.entityMeta(ref.$ref, ref.id, false) };
  }

  state(account: AccountRec, st: StateRec): Record<string, unknown> {
    return {
      meta: this.stateMeta(st.entityType, st.id),
      id: st.id,
      accountId: account.id,
      name: st.name,
      color: st.color,
      stateType: st.stateType,
      entityType: st.entityType,
    };
  }

  webhook(account: AccountRec, wh: WebhookRec): Record<string, unknown> {
    const out: Record<string, unknown> = {
      meta: this.entityMeta('webhook', wh.id, false),
      id: wh.id,
      accountId: account.id,
      entityType: wh.entityType,
      url: wh.url,
      method: wh.method,
      enabled: wh.enabled && !wh.suspended,
      action: wh.action,
    };
    if (wh.diffType) out.diffType = wh.diffType;
    if (wh.authorAppId) out.authorApplication = { meta: this.applicationMeta(wh.authorAppId) };
    return out;
  }

  /** Copies stored fields, resolving references; undefined/null fields are omitted like MoySklad does. */
  private fields(account: AccountRec, rec: EntityRec, expand: ExpandTree, skip: string[] = []): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec.fields)) {
      if (v === undefined || v === null || skip.includes(k)) continue;
      out[k] = isRef(v) ? this.ref(account, v, expand[k]) : v;
    }
    return out;
  }

  private variantCountCache: { account: AccountRec; counts: Map<string, number> } | null = null;

  /**
   * Variants per product, counted once per synchronous serialization (a page of 1,000 products would
   * otherwise scan every entity of the account per product) and forgotten at the next microtask, so a
   * later request sees variants created in between.
   */
  private variantCounts(account: AccountRec): Map<string, number> {
    if (this.variantCountCache?.account === account) return this.variantCountCache.counts;
    const counts = new Map<string, number>();
    for (const e of Object.values(account.entities)) {
      if (e.type === 'variant' && isRef(e.fields.product)) counts.set(e.fields.product.id, (counts.get(e.fields.product.id) ?? 0) + 1);
    }
    this.variantCountCache = { account, counts };
    queueMicrotask(() => {
      this.variantCountCache = null;
    });
    return counts;
  }

  entity(account: AccountRec, rec: EntityRec, expand: ExpandTree = {}): Record<string, unknown> {
    const head = { meta: this.entityMeta(rec.type, rec.id), id: rec.id, accountId: account.id };
    switch (rec.type) {
      case 'supply':
      case 'move':
      case 'purchasereturn':
        return this.document(account, rec, expand, head);
      case 'product': {
        const variants = this.variantCounts(account).get(rec.id) ?? 0;
        return {
          ...head,
          owner: { meta: this.employeeMeta(account.employees.admin.id) },
          shared: true,
          updated: rec.updated,
          archived: false,
          pathName: '',
          useParentVat: true,
          vatEnabled: false,
          effectiveVatEnabled: false,
          discountProhibited: false,
          paymentItemType: 'GOOD',
          trackingType: 'NOT_TRACKED',
          isSerialTrackable: false,
          weighed: false,
          weight: 0,
          volume: 0,
          salePrices: [],
          buyPrice: { value: 0 },
          barcodes: [],
          ...this.fields(account, rec, expand),
          variantsCount: variants,
        };
      }
      case 'variant': {
        const chars = (rec.fields.characteristics as Array<{ name: string; value: string }> | undefined) ?? [];
        return {
          ...head,
          updated: rec.updated,
          archived: false,
          discountProhibited: false,
          salePrices: [],
          barcodes: [],
          ...this.fields(account, rec, expand, ['characteristics']),
          characteristics: chars.map((c) => {
            const id = stableUuid(account.id, 'characteristic', c.name);
            return {
              meta: {
                href: `${this.api}/entity/variant/metadata/characteristics/${id}`,
                type: 'attributemetadata',
                mediaType: MEDIA,
              },
              id,
              name: c.name,
              value: c.value,
            };
          }),
        };
      }
      case 'bundle':
      case 'service':
        return {
          ...head,
          updated: rec.updated,
          shared: true,
          archived: false,
          pathName: '',
          discountProhibited: false,
          salePrices: [],
          barcodes: [],
          ...(rec.type === 'service' ? { paymentItemType: 'SERVICE' } : { paymentItemType: 'GOOD', trackingType: 'NOT_TRACKED' }),
          ...this.fields(account, rec, expand),
        };
      case 'store':
        return {
          ...head,
          updated: rec.updated,
          shared: true,
          archived: false,
          pathName: '',
          ...this.fields(account, rec, expand),
        };
      case 'organization':
      case 'counterparty':
        return {
          ...head,
          updated: rec.updated,
          created: rec.created,
          shared: true,
          archived: false,
          companyType: 'legal',
          ...this.fields(account, rec, expand),
        };
    }
  }

  private document(account: AccountRec, rec: EntityRec, expand: ExpandTree, head: Record<string, unknown>): Record<string, unknown> {
    const docType = rec.type as DocType;
    const positions = rec.positions ?? [];
    const totals = documentTotals(rec);
    const out: Record<string, unknown> = {
      ...head,
      owner: { meta: this.employeeMeta(rec.ownerId ?? account.employees.admin.id) },
      ...(rec.groupId ? { group: { meta: this.entityMeta('group', rec.groupId, false) } } : {}),
      shared: false,
      updated: rec.updated,
      ...this.fields(account, rec, expand),
      created: rec.created,
      printed: false,
      published: false,
      sum: totals.sum,
    };
    if (docType === 'supply') {
      out.vatSum = totals.vatSum;
      out.payedSum = 0;
    }
    const posMeta = this.listMeta(`${this.api}/entity/${docType}/${rec.id}/positions`, `${docType}position`, positions.length, 1000, 0);
    delete posMeta.nextHref;
    if (expand.positions) {
      out.positions = {
        meta: posMeta,
        rows: positions.slice(0, 1000).map((p) => this.position(account, docType, rec.id, p, expand.positions!)),
      };
    } else {
      out.positions = { meta: posMeta };
    }
    return out;
  }

  position(account: AccountRec, docType: DocType, docId: string, p: PositionRec, expand: ExpandTree = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {
      meta: this.positionMeta(docType, docId, p.id),
      id: p.id,
      accountId: account.id,
      quantity: p.quantity,
      price: p.price,
    };
    if (docType === 'supply') {
      out.discount = p.discount;
      out.vat = p.vat;
      out.vatEnabled = p.vatEnabled;
    }
    out.assortment = this.ref(account, p.assortment, expand.assortment);
    out.overhead = 0;
    for (const [k, v] of Object.entries(p.extra)) if (v !== undefined && v !== null) out[k] = v;
    return out;
  }
}

export function isRef(v: unknown): v is Ref {
  return typeof v === 'object' && v !== null && '$ref' in v && 'id' in v;
}

/** `sum` = Σ price × quantity × (1 − discount%), in kopecks; VAT extracted or added per `vatIncluded`. */
export function documentTotals(rec: EntityRec): { sum: number; vatSum: number } {
  const vatEnabled = rec.type === 'supply' && rec.fields.vatEnabled === true;
  const vatIncluded = rec.fields.vatIncluded !== false;
  let sum = 0;
  let vatSum = 0;
  for (const p of rec.positions ?? []) {
    const line = p.price * p.quantity * (1 - (rec.type === 'supply' ? p.discount : 0) / 100);
    if (vatEnabled && p.vat > 0) {
      if (vatIncluded) {
        sum += line;
        vatSum += (line * p.vat) / (100 + p.vat);
      } else {
        const vat = (line * p.vat) / 100;
        sum += line + vat;
        vatSum += vat;
      }
    } else sum += line;
  }
  return { sum: Math.round(sum * 100) / 100, vatSum: Math.round(vatSum * 100) / 100 };
}

export type { EntityType };
