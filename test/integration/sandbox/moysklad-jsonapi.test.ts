/**
 * MoySklad simulator, JSON API 1.2: protocol rules (gzip, auth, errors, paging, expand, filters),
 * documents and positions, states, goods and assortment lookups, webhooks CRUD, audit, rate limits —
 * with every body checked against MoySklad's official OpenAPI schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoyskladSimulator, type MoyskladSimulator, type SeedResult } from '@/test/sandbox/moysklad';
import { expectMs, expectMsRequest, gunzipJson, ms, rawGet, SOLUTION, startReceiver, type Receiver } from './moysklad-helpers';

let sim: MoyskladSimulator;
let app: Receiver;
let accountId: string;
let token: string;
let seed: SeedResult;
let api: string;

const get = (path: string) => ms(`${api}${path}`, { token });
const send = (method: string, path: string, body?: unknown, headers?: Record<string, string | string[]>) =>
  ms(`${api}${path}`, { method, token, body, headers });

beforeAll(async () => {
  app = await startReceiver();
  sim = await startMoyskladSimulator({ port: 0, solution: { ...SOLUTION, appBaseUrl: app.url } });
  api = sim.apiUrl;
  ({ accountId, token } = await sim.installedAccount('jsonapi'));
  seed = sim.seed(accountId);
  // These tests make many requests; the rate-limit tests below restore MoySklad's numbers.
  sim.setConfig({ rateLimit: { requests: 100000, windowMs: 3000, parallel: 100 } });
});

afterAll(async () => {
  await sim?.close();
  await app?.close();
});

function supplyBody(extra: Record<string, unknown> = {}) {
  return {
    organization: sim.meta('organization', seed.organizationId),
    agent: sim.meta('counterparty', seed.counterpartyId),
    store: sim.meta('store', seed.stores.betapro),
    ...extra,
  };
}

describe('protocol', () => {
  it('answers 415 with an empty body without Accept-Encoding: gzip, and really gzips otherwise', async () => {
    const plain = await rawGet(`${api}/entity/supply`, { Authorization: `Bearer ${token}` });
    expect(plain.status).toBe(415);
    expect(plain.raw.length).toBe(0);
    const deflate = await rawGet(`${api}/entity/supply`, {
      Authorization: `Bearer ${token}`,
      'Accept-Encoding': 'deflate',
    });
    expect(deflate.status).toBe(415);
    const zipped = await rawGet(`${api}/entity/supply?limit=1`, {
      Authorization: `Bearer ${token}`,
      'Accept-Encoding': 'gzip, deflate',
    });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const body = gunzipJson(zipped.raw) as { rows: unknown[] };
    expect(body.rows).toHaveLength(1);
  });

  it('refuses unknown tokens with 401 / 1056 in the JSON API error format', async () => {
    const r = await ms(`${api}/entity/supply`, { token: 'nope' });
    expect(r.status).toBe(401);
    expect(r.body.errors[0]).toMatchObject({ code: 1056 });
    expect(r.body.errors[0].moreInfo).toContain('error_1056');
    expectMs('GET /entity/supply', 401, r.body);
    const none = await ms(`${api}/entity/supply`);
    expect(none.status).toBe(401);
  });

  it('answers 404 / 1021 for unknown ids and 1002 for unknown paths', async () => {
    const r = await get('/entity/supply/00000000-0000-4000-8000-000000000000');
    expect(r.status).toBe(404);
    expect(r.body.errors[0].code).toBe(1021);
    expectMs('GET /entity/supply/{id}', 404, r.body);
    const p = await get('/entity/nosuchthing');
    expect(p.status).toBe(404);
    expect(p.body.errors[0].code).toBe(1002);
  });

  it('GET /context/application describes the token owner', async () => {
    const r = await get('/context/application');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: SOLUTION.appId, appUid: SOLUTION.appUid, meta: { type: 'application' } });
  });
});

describe('supplies and moves', () => {
  it('creates a supply with positions; sum in kopecks; positions as a MetaArray; hrefs on the simulator', async () => {
    const product = seed.products[0];
    const body = supplyBody({
      name: 'T-1',
      description: 'комментарий',
      moment: '2026-05-01 12:00:00',
      state: sim.stateMeta('supply', seed.states.supply['Новый']),
      positions: [
        { quantity: 3, price: 10050, assortment: sim.meta('product', product.id) },
        { quantity: 2, price: 500, discount: 10, assortment: sim.meta('product', seed.products[1].id) },
      ],
    });
    expectMsRequest('POST /entity/supply', body);
    const r = await send('POST', '/entity/supply', body);
    expect(r.status).toBe(200);
    expectMs('POST /entity/supply', 200, r.body);
    expect(r.body.sum).toBe(3 * 10050 + 2 * 500 * 0.9);
    expect(r.body.moment).toBe('2026-05-01 12:00:00.000');
    expect(r.body.created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(r.body.meta).toMatchObject({
      href: `${api}/entity/supply/${r.body.id}`,
      metadataHref: `${api}/entity/supply/metadata`,
      type: 'supply',
      mediaType: 'application/json',
    });
    expect(r.body.meta.uuidHref).toContain(sim.origin);
    expect(r.body.positions).toEqual({
      meta: {
        href: `${api}/entity/supply/${r.body.id}/positions`,
        type: 'supplyposition',
        mediaType: 'application/json',
        size: 2,
        limit: 1000,
        offset: 0,
      },
    });
    expect(r.body.state.meta.href).toBe(`${api}/entity/supply/metadata/states/${seed.states.supply['Новый']}`);
    expect(r.body.applicable).toBe(true);

    const one = await get(`/entity/supply/${r.body.id}?expand=positions.assortment,state,agent,store`);
    expectMs('GET /entity/supply/{id}', 200, one.body);
    expect(one.body.positions.rows).toHaveLength(2);
    expect(one.body.positions.rows[0].assortment).toMatchObject({
      id: product.id,
      article: product.article,
      name: product.name,
    });
    expect(one.body.state).toMatchObject({ name: 'Новый', stateType: 'Regular', entityType: 'supply' });
    expect(one.body.store.name).toBe('BetaPRO Фулфилмент');
    expect(one.body.agent.name).toBe('ООО «Поставщик»');
  });

  it('expands up to depth 3 (positions.assortment.product for variants)', async () => {
    const variant = seed.products.find((p) => p.type === 'variant')!;
    const doc = await send(
      'POST',
      '/entity/supply',
      supplyBody({ positions: [{ quantity: 1, price: 1, assortment: sim.meta('variant', variant.id) }] }),
    );
    const r = await get(`/entity/supply/${doc.body.id}?expand=positions.assortment.product.supplier`);
    expectMs('GET /entity/supply/{id}', 200, r.body);
    const a = r.body.positions.rows[0].assortment;
    expect(a.characteristics[0]).toMatchObject({ name: 'Размер', value: 'S' });
    expect(a.product.name).toBe('Толстовка с капюшоном');
    expect(a.product.article).toBe('HOODIE');
  });

  it('validates: required fields (3000), types (2016), description length (3040), references (1021)', async () => {
    const missing = await send('POST', '/entity/supply', {
      organization: sim.meta('organization', seed.organizationId),
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]).toMatchObject({ code: 3000, parameter: 'agent' });
    expectMs('POST /entity/supply', 400, missing.body);
    const wrongType = await send('POST', '/entity/supply', supplyBody({ applicable: 'yes' }));
    expect(wrongType.body.errors[0]).toMatchObject({ code: 2016, parameter: 'applicable' });
    const long = await send('POST', '/entity/supply', supplyBody({ description: 'x'.repeat(4097) }));
    expect(long.body.errors[0]).toMatchObject({ code: 3040, parameter: 'description' });
    const badRef = await send('POST', '/entity/supply', supplyBody({ store: sim.meta('store', '00000000-0000-4000-8000-000000000000') }));
    expect(badRef.status).toBe(400);
    expect(badRef.body.errors[0].code).toBe(1021);
    const badQty = await send(
      'POST',
      '/entity/supply',
      supplyBody({ positions: [{ quantity: 0, assortment: sim.meta('product', seed.products[0].id) }] }),
    );
    expect(badQty.body.errors[0].code).toBe(3003);
  });

  it('creates, updates and deletes a move; move positions refuse services', async () => {
    const body = {
      organization: sim.meta('organization', seed.organizationId),
      sourceStore: sim.meta('store', seed.stores.main),
      targetStore: sim.meta('store', seed.stores.betapro),
      positions: [{ quantity: 4, price: 100, assortment: sim.meta('product', seed.products[0].id) }],
    };
    expectMsRequest('POST /entity/move', body);
    const r = await send('POST', '/entity/move', body);
    expect(r.status).toBe(200);
    expectMs('POST /entity/move', 200, r.body);
    expect(r.body.positions.meta.type).toBe('moveposition');
    expect(r.body.sum).toBe(400);
    const upd = { description: 'перемещение', state: sim.stateMeta('move', seed.states.move['Передать']) };
    expectMsRequest('PUT /entity/move/{id}', upd);
    const u = await send('PUT', `/entity/move/${r.body.id}`, upd);
    expectMs('PUT /entity/move/{id}', 200, u.body);
    expect(u.body.description).toBe('перемещение');
    const service = seed.products.find((p) => p.type === 'service')!;
    const bad = await send('POST', `/entity/move/${r.body.id}/positions`, {
      quantity: 1,
      assortment: sim.meta('service', service.id),
    });
    expect(bad.status).toBe(400);
    const got = await get(`/entity/move/${r.body.id}?expand=positions.assortment,sourceStore,targetStore`);
    expectMs('GET /entity/move/{id}', 200, got.body);
    expect(got.body.targetStore.name).toBe('BetaPRO Фулфилмент');
    const del = await send('DELETE', `/entity/move/${r.body.id}`);
    expect(del.status).toBe(200);
    expect((await get(`/entity/move/${r.body.id}`)).status).toBe(404);
  });

  it('PUT with positions replaces the set: matching ids updated, missing deleted, new added', async () => {
    const [p0, p1, p2] = seed.products;
    const doc = await send(
      'POST',
      '/entity/supply',
      supplyBody({
        positions: [
          { quantity: 1, price: 100, assortment: sim.meta('product', p0.id) },
          { quantity: 2, price: 200, assortment: sim.meta('product', p1.id) },
        ],
      }),
    );
    const before = await get(`/entity/supply/${doc.body.id}/positions`);
    expectMs('GET /entity/supply/{id}/positions', 200, before.body);
    const [keep, drop] = before.body.rows;
    const put = {
      positions: [
        { id: keep.id, quantity: 7 },
        { quantity: 5, price: 300, assortment: sim.meta('product', p2.id) },
      ],
    };
    expectMsRequest('PUT /entity/supply/{id}', put);
    const r = await send('PUT', `/entity/supply/${doc.body.id}?expand=positions`, put);
    expectMs('PUT /entity/supply/{id}', 200, r.body);
    const rows = r.body.positions.rows;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ id: keep.id, quantity: 7, price: 100 });
    expect(rows.some((x: { id: string }) => x.id === drop.id)).toBe(false);
    expect(rows[1]).toMatchObject({ quantity: 5, price: 300 });
    expect(r.body.sum).toBe(7 * 100 + 5 * 300);
    // Fields not sent stay as they were.
    expect(r.body.store.meta.href).toContain(seed.stores.betapro);
  });

  it('position sub-resources: add one or many, get, update, delete, bulk delete', async () => {
    const doc = await send('POST', '/entity/supply', supplyBody());
    const base = `/entity/supply/${doc.body.id}/positions`;
    const one = { quantity: 2, price: 150, assortment: sim.meta('product', seed.products[0].id) };
    expectMsRequest('POST /entity/supply/{id}/positions', one);
    const added = await send('POST', base, one);
    expect(added.status).toBe(200);
    expectMs('POST /entity/supply/{id}/positions', 200, added.body);
    const many = [1, 2, 3].map((q) => ({
      quantity: q,
      price: 10,
      assortment: sim.meta('product', seed.products[q].id),
    }));
    expectMsRequest('POST /entity/supply/{id}/positions/batch', many, 'POST /entity/supply/{id}/positions');
    const addedMany = await send('POST', base, many);
    expect(addedMany.body).toHaveLength(3);
    // The spec models the array form as /positions/batch with BatchResponseEntity rows; each row is a SupplyPosition.
    for (const row of addedMany.body) expectMs('POST /entity/supply/{id}/positions', 200, row);
    const viaBatch = await send('POST', `${base}/batch`, [one]);
    expectMs('POST /entity/supply/{id}/positions/batch', 200, viaBatch.body);

    const g = await get(`${base}/${added.body.id}?expand=assortment`);
    expectMs('GET /entity/supply/{id}/positions/{positionId}', 200, g.body);
    expect(g.body.assortment.name).toBe(seed.products[0].name);
    const upd = { quantity: 9 };
    expectMsRequest('PUT /entity/supply/{id}/positions/{positionId}', upd);
    const u = await send('PUT', `${base}/${added.body.id}`, upd);
    expectMs('PUT /entity/supply/{id}/positions/{positionId}', 200, u.body);
    expect(u.body.quantity).toBe(9);
    const d = await send('DELETE', `${base}/${added.body.id}`);
    expect(d.status).toBe(200);
    expect((await get(`${base}/${added.body.id}`)).status).toBe(404);

    const bulk = addedMany.body.slice(0, 2).map((p: { meta: { href: string } }) => ({
      meta: { href: p.meta.href, type: 'supplyposition', mediaType: 'application/json' },
    }));
    expectMsRequest('POST /entity/supply/{id}/positions/delete', bulk, 'POST /entity/supply/{id}/positions');
    const bd = await send('POST', `${base}/delete`, bulk);
    expect(bd.status).toBe(200);
    expectMs('POST /entity/supply/{id}/positions/delete', 200, bd.body);
    const left = await get(base);
    expect(left.body.meta.size).toBe(2);
  });

  it('1000 items per array: 1001 → 413; more than 1000 positions through the positions resource, paged', async () => {
    const doc = await send('POST', '/entity/supply', supplyBody());
    const base = `/entity/supply/${doc.body.id}/positions`;
    const item = { quantity: 1, price: 1, assortment: sim.meta('product', seed.products[0].id) };
    const tooMany = await send(
      'POST',
      base,
      Array.from({ length: 1001 }, () => item),
    );
    expect(tooMany.status).toBe(413);
    expectMs('POST /entity/supply/{id}/positions', 413, tooMany.body);
    const inDoc = await send('PUT', `/entity/supply/${doc.body.id}`, {
      positions: Array.from({ length: 1001 }, () => item),
    });
    expect(inDoc.status).toBe(413);
    expect(
      (
        await send(
          'POST',
          base,
          Array.from({ length: 1000 }, () => item),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await send(
          'POST',
          base,
          Array.from({ length: 5 }, () => item),
        )
      ).status,
    ).toBe(200);
    const first = await get(`${base}`);
    expect(first.body.meta).toMatchObject({ size: 1005, limit: 1000, offset: 0 });
    expect(first.body.rows).toHaveLength(1000);
    expect(first.body.meta.nextHref).toContain('offset=1000');
    const second = await ms(first.body.meta.nextHref, { token });
    expect(second.body.rows).toHaveLength(5);
    expect(second.body.meta.previousHref).toContain('offset=0');
    const tooBig = await get(`${base}?limit=1001`);
    expect(tooBig.status).toBe(400);
    const expanded = await get(`/entity/supply/${doc.body.id}?expand=positions`);
    expect(expanded.body.positions.meta.size).toBe(1005);
    expect(expanded.body.positions.rows).toHaveLength(1000);
  });
});

describe('lists: paging, expand, filter, order', () => {
  it('pages with limit/offset and links; validates limit; default limit 1000', async () => {
    const all = await get('/entity/supply');
    expectMs('GET /entity/supply', 200, all.body);
    expect(all.body.meta.limit).toBe(1000);
    const total = all.body.meta.size;
    expect(total).toBeGreaterThan(4);
    const page = await get('/entity/supply?limit=2&offset=2');
    expectMs('GET /entity/supply', 200, page.body);
    expect(page.body.rows).toHaveLength(2);
    expect(page.body.meta).toMatchObject({ size: total, limit: 2, offset: 2 });
    expect(page.body.meta.nextHref).toContain('offset=4');
    expect(page.body.meta.previousHref).toContain('offset=0');
    expect(page.body.rows[0].id).toBe(all.body.rows[2].id);
    for (const bad of ['limit=0', 'limit=1001', 'limit=abc', 'offset=-1']) {
      const r = await get(`/entity/supply?${bad}`);
      expect(r.status, bad).toBe(400);
      expectMs('GET /entity/supply', 400, r.body);
    }
  });

  it('ignores expand on lists unless limit ≤ 100', async () => {
    const big = await get('/entity/supply?expand=agent');
    expect(big.body.rows[0].agent).toEqual({ meta: expect.any(Object) });
    const small = await get(
      `/entity/supply?limit=100&expand=agent,positions.assortment&filter=${encodeURIComponent(`id=${seed.supplies[0]}`)}`,
    );
    expectMs('GET /entity/supply', 200, small.body);
    expect(small.body.rows[0].agent.name).toBe('ООО «Поставщик»');
    expect(small.body.rows[0].positions.rows).toBeDefined();
  });

  it('filters by state.name (repeat = OR), store, applicable, name, updated>=; unknown fields are errors', async () => {
    const s = seed.states.supply;
    const a = await send('POST', '/entity/supply', supplyBody({ state: sim.stateMeta('supply', s['Передать']) }));
    const b = await send('POST', '/entity/supply', supplyBody({ state: sim.stateMeta('supply', s['Передан']), applicable: false }));
    const one = await get(`/entity/supply?filter=${encodeURIComponent('state.name=Передать')}`);
    expectMs('GET /entity/supply', 200, one.body);
    expect(one.body.rows.map((r: { id: string }) => r.id)).toContain(a.body.id);
    expect(one.body.rows.every((r: { state: { meta: { href: string } } }) => r.state.meta.href.endsWith(s['Передать']))).toBe(true);
    const or = await get(`/entity/supply?filter=${encodeURIComponent('state.name=Передать;state.name=Передан')}`);
    const ids = or.body.rows.map((r: { id: string }) => r.id);
    expect(ids).toEqual(expect.arrayContaining([a.body.id, b.body.id]));
    const andApplicable = await get(
      `/entity/supply?filter=${encodeURIComponent('state.name=Передать;state.name=Передан;applicable=false')}`,
    );
    expect(andApplicable.body.rows.map((r: { id: string }) => r.id)).toEqual([b.body.id]);
    const byStore = await get(`/entity/supply?filter=${encodeURIComponent(`store=${api}/entity/store/${seed.stores.main}`)}`);
    expect(byStore.body.rows.length).toBeGreaterThan(0);
    expect(byStore.body.rows.every((r: { store: { meta: { href: string } } }) => r.store.meta.href.endsWith(seed.stores.main))).toBe(true);
    const byName = await get(`/entity/supply?filter=${encodeURIComponent(`name=${a.body.name}`)}`);
    expect(byName.body.rows).toHaveLength(1);
    const since = await get(`/entity/supply?filter=${encodeURIComponent(`updated>=${b.body.updated}`)}`);
    expect(since.body.rows.map((r: { id: string }) => r.id)).toContain(b.body.id);
    expect(since.body.rows.every((r: { updated: string }) => r.updated >= b.body.updated)).toBe(true);
    const badDate = await get(`/entity/supply?filter=${encodeURIComponent('updated>=yesterday')}`);
    expect(badDate.status).toBe(400);
    const unknown = await get(`/entity/supply?filter=${encodeURIComponent('color=red')}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].code).toBe(1034);
    expectMs('GET /entity/supply', 400, unknown.body);
  });

  it('filters moves by store (sourceStore) and agentStore (targetStore), like MoySklad', async () => {
    const r = await get(`/entity/move?filter=${encodeURIComponent(`agentStore=${api}/entity/store/${seed.stores.betapro}`)}`);
    expectMs('GET /entity/move', 200, r.body);
    expect(r.body.rows.length).toBeGreaterThan(0);
    expect(
      r.body.rows.every((m: { targetStore: { meta: { href: string } } }) => m.targetStore.meta.href.endsWith(seed.stores.betapro)),
    ).toBe(true);
    const src = await get(`/entity/move?filter=${encodeURIComponent(`store=${api}/entity/store/${seed.stores.betapro}`)}`);
    expect(src.body.rows).toHaveLength(0);
    // MoySklad does not filter on the field names themselves.
    const direct = await get(`/entity/move?filter=${encodeURIComponent(`targetStore=${api}/entity/store/${seed.stores.betapro}`)}`);
    expect(direct.status).toBe(400);
  });

  it('orders lists', async () => {
    const r = await get('/entity/supply?order=name,desc&limit=3');
    const names = r.body.rows.map((x: { name: string }) => x.name);
    expect([...names].sort().reverse()).toEqual(names);
  });
});

describe('states (document metadata)', () => {
  it('creates one or several states, updates one, lists them in metadata', async () => {
    const one = { name: 'Тестовый', color: 15106326, stateType: 'Regular' };
    expectMsRequest('POST /entity/supply/metadata/states', one);
    const r = await send('POST', '/entity/supply/metadata/states', one);
    expect(r.status).toBe(200);
    expectMs('POST /entity/supply/metadata/states', 200, r.body);
    expect(r.body).toMatchObject({ name: 'Тестовый', entityType: 'supply', accountId });
    expect(r.body.meta.href).toBe(`${api}/entity/supply/metadata/states/${r.body.id}`);
    const arr = [
      { name: 'A', color: 1, stateType: 'Regular' },
      { meta: r.body.meta, name: 'Тестовый 2' },
    ];
    expectMsRequest('POST /entity/supply/metadata/states/batch', arr, 'POST /entity/supply/metadata/states');
    const many = await send('POST', '/entity/supply/metadata/states', arr);
    expect(many.body).toHaveLength(2);
    expectMs('POST /entity/supply/metadata/states/batch', 200, many.body);
    expect(many.body[1]).toMatchObject({ id: r.body.id, name: 'Тестовый 2' });
    const put = await send('PUT', `/entity/supply/metadata/states/${r.body.id}`, { color: 42 });
    expectMs('PUT /entity/supply/metadata/states/{id}', 200, put.body);
    expect(put.body).toMatchObject({ name: 'Тестовый 2', color: 42 });
    const g = await get(`/entity/supply/metadata/states/${r.body.id}`);
    expectMs('GET /entity/supply/metadata/states/{id}', 200, g.body);
    const md = await get('/entity/supply/metadata');
    expectMs('GET /entity/supply/metadata', 200, md.body);
    expect(md.body.states.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['Новый', 'Передать', 'Тестовый 2', 'A']));
    const mdMove = await get('/entity/move/metadata');
    expectMs('GET /entity/move/metadata', 200, mdMove.body);
    expect(mdMove.body.states.every((s: { entityType: string }) => s.entityType === 'move')).toBe(true);
    const missing = await send('POST', '/entity/supply/metadata/states', { name: 'no color' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]).toMatchObject({ code: 3000, parameter: 'color' });
    const del = await send('DELETE', `/entity/supply/metadata/states/${many.body[0].id}`);
    expect(del.status).toBe(200);
    // A supply state is not a move state.
    const wrong = await send('POST', '/entity/move', {
      organization: sim.meta('organization', seed.organizationId),
      sourceStore: sim.meta('store', seed.stores.main),
      targetStore: sim.meta('store', seed.stores.betapro),
      state: sim.stateMeta('supply', r.body.id),
    });
    expect(wrong.status).toBe(400);
  });
});

describe('goods and assortment', () => {
  it('serves products, variants, bundles, services, stores, organizations, counterparties per spec', async () => {
    for (const [type, op] of [
      ['product', 'GET /entity/product'],
      ['variant', 'GET /entity/variant'],
      ['bundle', 'GET /entity/bundle'],
      ['service', 'GET /entity/service'],
      ['store', 'GET /entity/store'],
      ['organization', 'GET /entity/organization'],
      ['counterparty', 'GET /entity/counterparty'],
    ] as const) {
      const list = await get(`/entity/${type}`);
      expect(list.status, type).toBe(200);
      expectMs(op, 200, list.body);
      expect(list.body.rows.length, type).toBeGreaterThan(0);
      const one = await get(`/entity/${type}/${list.body.rows[0].id}`);
      expectMs(`${op}/{id}`, 200, one.body);
    }
    const v = await get(`/entity/variant?expand=product&limit=10`);
    expect(v.body.rows[0].product.name).toBe('Толстовка с капюшоном');
    const hoodie = seed.products.find((p) => p.article === 'HOODIE')!;
    const p = await get(`/entity/product/${hoodie.id}`);
    expect(p.body.variantsCount).toBe(3);
  });

  it('creates and updates a product and a variant through the API', async () => {
    const body = {
      name: 'Новый товар',
      article: 'NEW-1',
      code: 'N1',
      barcodes: [{ ean13: '4600000009999' }],
      buyPrice: { value: 777 },
    };
    expectMsRequest('POST /entity/product', body);
    const r = await send('POST', '/entity/product', body);
    expectMs('POST /entity/product', 200, r.body);
    expect(r.body).toMatchObject({
      article: 'NEW-1',
      code: 'N1',
      barcodes: [{ ean13: '4600000009999' }],
      buyPrice: { value: 777 },
    });
    const u = await send('PUT', `/entity/product/${r.body.id}`, { article: 'NEW-2' });
    expectMs('PUT /entity/product/{id}', 200, u.body);
    expect(u.body.article).toBe('NEW-2');
    const vb = { product: sim.meta('product', r.body.id), characteristics: [{ name: 'Цвет', value: 'красный' }] };
    const v = await send('POST', '/entity/variant', vb);
    expectMs('POST /entity/variant', 200, v.body);
    expect(v.body.name).toBe('Новый товар (красный)');
    const cp = await send('POST', '/entity/counterparty', { name: 'ИП Иванов' });
    expectMs('POST /entity/counterparty', 200, cp.body);
    const st = await send('POST', '/entity/store', { name: 'Ещё склад' });
    expectMs('POST /entity/store', 200, st.body);
    const d = await send('DELETE', `/entity/product/${r.body.id}`);
    expect(d.status).toBe(200);
  });

  it('assortment: article/code/barcode/externalCode, several values OR-ed, legacy article semantics for variants', async () => {
    const q = (f: string) => get(`/entity/assortment?filter=${encodeURIComponent(f)}`);
    const byArticle = await q('article=TS-WHITE;article=MUG-300');
    expect(byArticle.status).toBe(200);
    expectMs('GET /entity/assortment', 200, byArticle.body, { assortmentRows: true });
    expect(byArticle.body.rows.map((r: { article: string }) => r.article).sort()).toEqual(['MUG-300', 'TS-WHITE']);
    expect(byArticle.body.rows[0]).toHaveProperty('stock', 0);
    const hoodie = await q('article=HOODIE');
    // Legacy: the product and all its variants.
    expect(hoodie.body.rows.map((r: { meta: { type: string } }) => r.meta.type).sort()).toEqual([
      'product',
      'variant',
      'variant',
      'variant',
    ]);
    const byBarcode = await q('barcode=4600000000060');
    expect(byBarcode.body.rows).toHaveLength(1);
    expect(byBarcode.body.rows[0].meta.type).toBe('variant');
    const byCode = await q('code=00103;code=00201;code=00301');
    expect(byCode.body.rows.map((r: { meta: { type: string } }) => r.meta.type).sort()).toEqual(['bundle', 'product', 'service']);
    const ext = seed.products[0];
    const pr = await get(`/entity/product/${ext.id}`);
    const byExt = await q(`externalCode=${pr.body.externalCode}`);
    expect(byExt.body.rows).toHaveLength(1);
    const none = await q('article=NOPE');
    expect(none.body.rows).toHaveLength(0);
    const barcodeNe = await q('barcode!=1');
    expect(barcodeNe.status).toBe(400);
    // New endpoint (header): no article filter, no stock fields.
    const beta = await ms(`${api}/entity/assortment?filter=${encodeURIComponent('article=TS-WHITE')}`, {
      token,
      headers: { 'X-Lognex-Remap-Beta-Feature': 'assortmentWithoutStock' },
    });
    expect(beta.status).toBe(400);
    const productByBarcode = await get(`/entity/product?filter=${encodeURIComponent('barcode=4600000000015')}`);
    expect(productByBarcode.body.rows).toHaveLength(1);
  });
});

describe('webhooks', () => {
  it('CRUD with MoySklad rules: 30003 duplicate, 30009 diffType only with UPDATE, one per (entityType, action) per solution', async () => {
    const body = { url: 'https://app.example/hooks/abc', action: 'UPDATE', entityType: 'supply', diffType: 'FIELDS' };
    expectMsRequest('POST /entity/webhook', body);
    const r = await send('POST', '/entity/webhook', body);
    expect(r.status).toBe(200);
    expectMs('POST /entity/webhook', 200, r.body);
    expect(r.body).toMatchObject({ ...body, method: 'POST', enabled: true, accountId });
    expect(r.body.authorApplication.meta.href).toContain(SOLUTION.appId);
    const dup = await send('POST', '/entity/webhook', body);
    expect(dup.status).toBe(400);
    expect(dup.body.errors[0].code).toBe(30003);
    expectMs('POST /entity/webhook', 400, dup.body);
    const second = await send('POST', '/entity/webhook', { ...body, url: 'https://app.example/hooks/other' });
    expect(second.body.errors[0].code).toBe(30007);
    const diffOnCreate = await send('POST', '/entity/webhook', {
      url: 'https://app.example/h',
      action: 'CREATE',
      entityType: 'supply',
      diffType: 'FIELDS',
    });
    expect(diffOnCreate.body.errors[0].code).toBe(30009);
    const badUrl = await send('POST', '/entity/webhook', { url: 'not a url', action: 'CREATE', entityType: 'supply' });
    expect(badUrl.body.errors[0].code).toBe(30005);
    const longUrl = await send('POST', '/entity/webhook', {
      url: `https://a.example/${'x'.repeat(250)}`,
      action: 'CREATE',
      entityType: 'supply',
    });
    expect(longUrl.body.errors[0].code).toBe(30010);
    const list = await get('/entity/webhook');
    expectMs('GET /entity/webhook', 200, list.body);
    expect(list.body.rows).toHaveLength(1);
    const g = await get(`/entity/webhook/${r.body.id}`);
    expectMs('GET /entity/webhook/{id}', 200, g.body);
    const u = await send('PUT', `/entity/webhook/${r.body.id}`, { enabled: false });
    expectMs('PUT /entity/webhook/{id}', 200, u.body);
    expect(u.body.enabled).toBe(false);
    const d = await send('DELETE', `/entity/webhook/${r.body.id}`);
    expect(d.status).toBe(200);
    expect((await get('/entity/webhook')).body.rows).toHaveLength(0);
  });
});

describe('audit', () => {
  it('records field changes with oldValue/newValue, source jsonapi and the solution uid', async () => {
    const s = seed.states.supply;
    const doc = await send('POST', '/entity/supply', supplyBody({ state: sim.stateMeta('supply', s['Новый']), description: 'a' }));
    await send('PUT', `/entity/supply/${doc.body.id}`, {
      state: sim.stateMeta('supply', s['Передать']),
      description: 'b',
    });
    const r = await get(`/entity/supply/${doc.body.id}/audit`);
    expect(r.status).toBe(200);
    expect(r.body.meta).toMatchObject({ type: 'auditevent', limit: 25, offset: 0, size: 2 });
    const [update, create] = r.body.rows;
    expect(create).toMatchObject({ eventType: 'create', entityType: 'supply', source: 'jsonapi' });
    expect(create.diff).toBeUndefined();
    expect(update).toMatchObject({
      eventType: 'update',
      source: 'jsonapi',
      uid: `${SOLUTION.appUid}@jsonapi`,
      name: doc.body.name,
    });
    expect(update.diff.description).toEqual({ oldValue: 'a', newValue: 'b' });
    expect(update.diff.state.oldValue.meta.href).toContain(s['Новый']);
    expect(update.diff.state.newValue.meta.href).toContain(s['Передать']);
    expect(update.entity.meta.href).toBe(`${api}/entity/supply/${doc.body.id}`);
    const ctx = await ms(`${update.audit.meta.href}/events`, { token });
    expect(ctx.status).toBe(200);
    expect(ctx.body.rows[0].diff.description.newValue).toBe('b');
    expect((await get(`/entity/supply/${doc.body.id}/audit?limit=101`)).status).toBe(400);
  });
});

describe('rate limits', () => {
  it('45 requests per 3 s per account → 429 / 1049 with X-RateLimit-* and X-Lognex-* headers', async () => {
    const { token: t2, accountId: acc2 } = await sim.installedAccount('ratelimited');
    sim.setConfig({ rateLimit: { requests: 45, windowMs: 3000, parallel: 5 } });
    try {
      const results: number[] = [];
      let last: Awaited<ReturnType<typeof ms<any>>> | undefined;
      for (let i = 0; i < 46; i++) {
        last = await ms(`${api}/entity/supply?limit=1`, { token: t2 });
        results.push(last.status);
        if (i === 0) {
          expect(last.headers.get('x-ratelimit-limit')).toBe('45');
          expect(last.headers.get('x-ratelimit-remaining')).toBe('44');
          expect(last.headers.get('x-lognex-retry-timeinterval')).toBe('3000');
        }
      }
      expect(results.slice(0, 45).every((s) => s === 200)).toBe(true);
      expect(results[45]).toBe(429);
      expect(last!.body.errors[0].code).toBe(1049);
      expectMs('GET /entity/supply', 429, last!.body);
      expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
      const retryAfter = Number(last!.headers.get('x-lognex-retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3000);
      expect(Number(last!.headers.get('x-lognex-reset'))).toBeGreaterThan(0);
      // Other accounts are not affected.
      const { token: t4 } = await sim.installedAccount('unaffected');
      expect((await ms(`${api}/entity/supply?limit=1`, { token: t4 })).status).toBe(200);
      const stats = sim.stats();
      expect(stats.requests[acc2]['GET /entity/supply']).toBe(46);
      expect(stats.rejected[acc2]['1049']).toBe(1);
      await new Promise((r) => setTimeout(r, retryAfter + 50));
      expect((await ms(`${api}/entity/supply?limit=1`, { token: t2 })).status).toBe(200);
    } finally {
      sim.setConfig({ rateLimit: { requests: 100000, windowMs: 3000, parallel: 100 } });
    }
  });

  it('5 parallel requests per account → the 6th gets 429 / 1073', async () => {
    const { token: t3 } = await sim.installedAccount('parallel');
    sim.setConfig({ rateLimit: { requests: 45, windowMs: 3000, parallel: 5 }, responseDelayMs: 300 });
    try {
      const all = await Promise.all(Array.from({ length: 8 }, () => ms(`${api}/entity/supply?limit=1`, { token: t3 })));
      const codes = all.map((r) => r.status);
      expect(codes.filter((s) => s === 200)).toHaveLength(5);
      const rejected = all.filter((r) => r.status === 429);
      expect(rejected).toHaveLength(3);
      expect(rejected[0].body.errors[0].code).toBe(1073);
      expect(rejected[0].headers.get('x-ratelimit-limit')).toBe('45');
    } finally {
      sim.setConfig({ rateLimit: { requests: 100000, windowMs: 3000, parallel: 100 }, responseDelayMs: 0 });
    }
  });

  it('counts requests per route template for benchmarks, resettable', async () => {
    sim.resetStats();
    await get('/entity/supply?limit=1');
    await get(`/entity/supply/${seed.supplies[0]}`);
    await get(`/entity/supply/${seed.supplies[1]}`);
    const s = sim.stats();
    expect(s.requests[accountId]).toEqual({ 'GET /entity/supply': 1, 'GET /entity/supply/{id}': 2 });
    expect(s.totals[accountId]).toBe(3);
    const viaHttp = await (await fetch(`${sim.controlUrl}/stats`)).json();
    expect(viaHttp.requests[accountId]['GET /entity/supply/{id}']).toBe(2);
  });
});
