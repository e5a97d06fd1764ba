/**
 * Demo/test data for one account: a supplier, a BetaPRO warehouse next to the main store, goods with
 * articles, codes and barcodes (one with variants, a bundle, a service), the document statuses the
 * product works with, and a few supplies and a move. Everything is created through the Engine, like
 * data a user typed in.
 */
import type { Engine, WriteContext } from './engine';
import { variantName } from './json-api';
import type { Serializer } from './serialize';
import type { SimStore } from './store';
import type { AccountRec, DocType, EntityRec, StateRec } from './types';
import { randomUUID } from 'node:crypto';

export interface SeedOptions {
  /** Create the product's statuses ("Новый", "Передать", "Передан", "Ошибка передачи", "Проведён"). Default true. */
  states?: boolean;
  /** Create sample documents. Default true. */
  documents?: boolean;
}

export interface SeedResult {
  organizationId: string;
  counterpartyId: string;
  stores: { main: string; betapro: string; shop: string };
  products: Array<{ id: string; name: string; article?: string; code?: string; barcode?: string; type: string }>;
  states: Record<DocType, Record<string, string>>;
  supplies: string[];
  moves: string[];
}

export const DEMO_STATES: Array<{ name: string; color: number; stateType: StateRec['stateType'] }> = [
  { name: 'Новый', color: 15106326, stateType: 'Regular' },
  { name: 'Передать', color: 10667543, stateType: 'Regular' },
  { name: 'Передан', color: 40931, stateType: 'Regular' },
  { name: 'Ошибка передачи', color: 15280409, stateType: 'Unsuccessful' },
  { name: 'Проведён', color: 34617, stateType: 'Successful' },
];

export function addState(
  store: SimStore,
  account: AccountRec,
  entityType: DocType,
  name: string,
  stateType: StateRec['stateType'] = 'Regular',
  color = 10667543,
): StateRec {
  const st: StateRec = { id: randomUUID(), entityType, name, color, stateType };
  account.states.push(st);
  store.changed();
  return st;
}

export function seedAccount(store: SimStore, engine: Engine, ser: Serializer, account: AccountRec, opts: SeedOptions = {}): SeedResult {
  const meta = (type: string, id: string) => ({
    meta: { href: `${ser.api}/entity/${type}/${id}`, type, mediaType: 'application/json' },
  });
  const stateMeta = (type: DocType, id: string) => ({
    meta: { href: `${ser.api}/entity/${type}/metadata/states/${id}`, type: 'state', mediaType: 'application/json' },
  });
  const ctx: WriteContext = { uid: account.employees.admin.uid, source: 'app', disableByPrefix: [] };

  const org = store.list(account, 'organization')[0];
  const mainStore = store.list(account, 'store')[0];
  const counterparty = engine.createEntity(account, 'counterparty', { name: 'ООО «Поставщик»' });
  const betapro = engine.createEntity(account, 'store', {
    name: 'BetaPRO Фулфилмент',
    address: 'Москва, ул. Складская, 1',
  });
  const shop = engine.createEntity(account, 'store', { name: 'Магазин на Тверской' });

  const products: SeedResult['products'] = [];
  const mk = (
    type: 'product' | 'bundle' | 'service',
    name: string,
    article: string | undefined,
    code: string,
    barcode: string | undefined,
    buy: number,
  ): EntityRec => {
    const fields: Record<string, unknown> = { name, code, buyPrice: { value: buy } };
    if (article) fields.article = article;
    if (barcode) fields.barcodes = [{ ean13: barcode }];
    const rec = engine.createEntity(account, type, fields);
    products.push({ id: rec.id, name, article, code, barcode, type });
    return rec;
  };
  const p1 = mk('product', 'Футболка хлопковая белая', 'TS-WHITE', '00101', '4600000000015', 45000);
  const p2 = mk('product', 'Кружка керамическая 300 мл', 'MUG-300', '00102', '4600000000022', 18000);
  const p3 = mk('product', 'Блокнот А5 в клетку', 'NB-A5', '00103', '4600000000039', 9000);
  const p4 = mk('product', 'Ручка шариковая синяя', 'PEN-BLUE', '00104', '4600000000046', 2500);
  const hoodie = mk('product', 'Толстовка с капюшоном', 'HOODIE', '00105', undefined, 120000);
  for (const [size, bc] of [
    ['S', '4600000000053'],
    ['M', '4600000000060'],
    ['L', '4600000000077'],
  ] as const) {
    const fields: Record<string, unknown> = {
      product: { $ref: 'product', id: hoodie.id },
      characteristics: [{ name: 'Размер', value: size }],
      code: `00105-${size}`,
      barcodes: [{ ean13: bc }],
      buyPrice: { value: 120000 },
    };
    fields.name = variantName(account, fields);
    const v = engine.createEntity(account, 'variant', fields);
    products.push({ id: v.id, name: String(fields.name), code: `00105-${size}`, barcode: bc, type: 'variant' });
  }
  mk('bundle', 'Набор «Офис»', 'SET-OFFICE', '00201', '4600000000084', 11500);
  const service = mk('service', 'Доставка до склада', undefined, '00301', undefined, 50000);

  const states: SeedResult['states'] = { supply: {}, move: {}, purchasereturn: {} };
  if (opts.states !== false) {
    for (const t of ['supply', 'move', 'purchasereturn'] as const)
      for (const s of DEMO_STATES) states[t][s.name] = addState(store, account, t, s.name, s.stateType, s.color).id;
  }

  const supplies: string[] = [];
  const moves: string[] = [];
  if (opts.documents !== false) {
    const newSupply = states.supply['Новый'];
    const s1 = engine.createDocument(
      account,
      'supply',
      {
        organization: meta('organization', org.id),
        agent: meta('counterparty', counterparty.id),
        store: meta('store', betapro.id),
        description: 'Поставка на фулфилмент',
        incomingNumber: 'ВХ-1001',
        ...(newSupply ? { state: stateMeta('supply', newSupply) } : {}),
        positions: [
          { quantity: 10, price: 45000, assortment: meta('product', p1.id) },
          { quantity: 24, price: 18000, assortment: meta('product', p2.id) },
          { quantity: 50, price: 9000, assortment: meta('product', p3.id) },
        ],
      },
      ctx,
    );
    supplies.push(s1.id);
    const s2 = engine.createDocument(
      account,
      'supply',
      {
        organization: meta('organization', org.id),
        agent: meta('counterparty', counterparty.id),
        store: meta('store', betapro.id),
        applicable: false,
        ...(newSupply ? { state: stateMeta('supply', newSupply) } : {}),
        positions: [
          { quantity: 100, price: 2500, assortment: meta('product', p4.id) },
          ...products.filter((p) => p.type === 'variant').map((v) => ({ quantity: 5, price: 120000, assortment: meta('variant', v.id) })),
          { quantity: 1, price: 50000, assortment: meta('service', service.id) },
        ],
      },
      ctx,
    );
    supplies.push(s2.id);
    const s3 = engine.createDocument(
      account,
      'supply',
      {
        organization: meta('organization', org.id),
        agent: meta('counterparty', counterparty.id),
        store: meta('store', mainStore.id),
        positions: [{ quantity: 3, price: 45000, assortment: meta('product', p1.id) }],
      },
      ctx,
    );
    supplies.push(s3.id);
    const newMove = states.move['Новый'];
    const m1 = engine.createDocument(
      account,
      'move',
      {
        organization: meta('organization', org.id),
        sourceStore: meta('store', mainStore.id),
        targetStore: meta('store', betapro.id),
        ...(newMove ? { state: stateMeta('move', newMove) } : {}),
        positions: [
          { quantity: 2, price: 45000, assortment: meta('product', p1.id) },
          { quantity: 6, price: 18000, assortment: meta('product', p2.id) },
        ],
      },
      ctx,
    );
    moves.push(m1.id);
  }

  return {
    organizationId: org.id,
    counterpartyId: counterparty.id,
    stores: { main: mainStore.id, betapro: betapro.id, shop: shop.id },
    products,
    states,
    supplies,
    moves,
  };
}
