/**
 * The BetaPRO simulator behaves as BetaPRO's FBox API documents, and every body it returns (and every
 * body these tests send) validates against BetaPRO's OpenAPI spec (see betapro-helpers.ts).
 */
import { describe, expect, it } from 'vitest';
import type { BetaproSimulator } from '@/test/sandbox/betapro';
import { basic, control, fboxClient, manualClock, simulatorSuite } from './betapro-helpers';

const clock = manualClock('2026-03-10T09:00:00Z'); // 12:00:00 in Moscow
let sim: BetaproSimulator;
let api: ReturnType<typeof fboxClient>;

const KETTLE = {
  good_id: 'ART-001',
  good_name: 'ASFRW123 Чайник 2л Синий',
  length: 250,
  width: 200,
  height: 220,
  weight: 900,
};
const MUG = { good_id: 'ART-002', good_name: 'Кружка 300мл Белая' };
const SPOON = { good_id: 'ART-003', good_name: 'Ложка чайная' };

function task(indocId: string, items: { good_id: string; plan_qnt: number }[], extra: Record<string, unknown> = {}) {
  return { indoc_type: 'goods_supply_task', indoc_id: indocId, goods: [KETTLE, MUG, SPOON], items, ...extra };
}

async function createTask(
  indocId: string,
  items = [
    { good_id: 'ART-001', plan_qnt: 10 },
    { good_id: 'ART-002', plan_qnt: 5 },
  ],
) {
  const res = await api('POST /indocs', { body: task(indocId, items) });
  expect(res.body).toEqual({ success: true });
  return res;
}

async function outdoc(id: number) {
  return api('GET /outdocs/{outdoc_id}', { params: { outdoc_id: id } });
}

simulatorSuite(
  clock,
  [
    { partnerId: '1001', password: 'secret' },
    { partnerId: '2002', password: 'other' },
  ],
  (s, a) => {
    sim = s;
    api = a;
  },
);

describe('protocol', () => {
  it('answers 401 without or with a malformed Authorization header and 403 for wrong credentials', async () => {
    for (const authorization of [null, 'Bearer abc', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`]) {
      const res = await api('GET /settings', { authorization });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error_code: 401 });
    }
    for (const authorization of [basic('1001', 'wrong'), basic('9999', 'secret')]) {
      const res = await api('GET /settings', { authorization });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, error_code: 403 });
    }
  });

  it('answers 404 with the error envelope for an unknown path', async () => {
    const res = await fetch(`${sim.apiUrl}/no/such/thing`, { headers: { authorization: basic('1001', 'secret') } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, error_code: 404 });
  });

  it('refuses a body that breaks the schema with 400, and a non-JSON body too', async () => {
    const bad = await api('POST /indocs', {
      body: { indoc_type: 'goods_supply_task', indoc_id: 'X', items: [{ good_id: 'A', plan_qnt: 1.5 }] },
      checkRequest: false,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error_code: 400 });
    expect(bad.body.error_message).toContain('items.0.plan_qnt');
    const res = await fetch(`${sim.apiUrl}/goods`, {
      method: 'POST',
      headers: { authorization: basic('1001', 'secret') },
      body: '{oops',
    });
    expect(res.status).toBe(400);
  });

  it('reports settings with the enforced rate limits and toggles optional outdocs', async () => {
    const before = await api('GET /settings');
    expect(before.status).toBe(200);
    expect(before.headers.get('x-ratelimit-reset')).toBe('0');
    expect(before.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(before.body.outdoc_types.goods_supply_start).toBe(false);
    expect(before.body.rate_limits.concurrent_qnt).toBe(1);
    expect(before.body.rate_limits.req_qnt).toEqual(sim.state.partner('1001')!.settings.rate_limits.req_qnt);
    expect(Array.isArray(before.body.deliveries)).toBe(true);

    expect((await api('POST /settings', { body: { outdoc_types: { goods_supply_start: true } } })).body).toEqual({
      success: true,
    });
    const after = await api('GET /settings');
    expect(after.body.outdoc_types.goods_supply_start).toBe(true);
    // The other partner's account is untouched.
    const other = await fboxClient(sim, '2002', 'other')('GET /settings');
    expect(other.body.outdoc_types.goods_supply_start).toBe(false);
  });
});

describe('goods and EANs', () => {
  it('upserts goods, keeps dimensions only when all four are given with a plausible density', async () => {
    await api('POST /goods', {
      body: {
        goods: [KETTLE, { ...MUG, length: 100, width: 80, height: 90 }, { ...SPOON, length: 10, width: 10, height: 10, weight: 100000 }],
      },
    });
    let list = await api('POST /goods/list', { body: {} });
    expect(list.body.items).toEqual([
      {
        good_id: 'ART-001',
        good_type: 'good',
        good_name: KETTLE.good_name,
        length: 250,
        width: 200,
        height: 220,
        weight: 900,
      },
      { good_id: 'ART-002', good_type: 'good', good_name: MUG.good_name },
      { good_id: 'ART-003', good_type: 'good', good_name: SPOON.good_name },
    ]);
    await api('POST /goods', {
      body: { goods: [{ good_id: 'ART-002', good_name: 'Кружка 300мл Синяя', good_type: 'pack' }] },
    });
    list = await api('POST /goods/list', { body: { good_ids: ['ART-002'], page_size: 0 + 1 } });
    expect(list.body.items).toEqual([{ good_id: 'ART-002', good_type: 'pack', good_name: 'Кружка 300мл Синяя' }]);
    expect(list.body.page_next_token).toBeUndefined();
  });

  it('pages the goods list with page_size / page_token', async () => {
    await api('POST /goods', { body: { goods: [KETTLE, MUG, SPOON] } });
    const first = await api('POST /goods/list', { body: { page_size: 2 } });
    expect(first.body.items.map((g: { good_id: string }) => g.good_id)).toEqual(['ART-001', 'ART-002']);
    expect(typeof first.body.page_next_token).toBe('string');
    const second = await api('POST /goods/list', { body: { page_size: 2, page_token: first.body.page_next_token } });
    expect(second.body.items.map((g: { good_id: string }) => g.good_id)).toEqual(['ART-003']);
    expect(second.body.page_next_token).toBeUndefined();
  });

  it('refuses an EAN of another good with mode add (rolling back the whole request) and moves it with mode set', async () => {
    await api('POST /goods', { body: { goods: [{ ...KETTLE, eans: [{ value: '4601234567890' }] }] } });
    const conflict = await api('POST /goods', {
      body: { goods: [SPOON, { ...MUG, eans: [{ mode: 'add', value: '4601234567890' }] }] },
    });
    expect(conflict.status).toBe(200);
    expect(conflict.body).toMatchObject({ success: false, error_code: 1000 });
    expect(conflict.body.error_message).toContain('4601234567890');
    const listed = await api('POST /goods/list', { body: { good_ids: ['ART-003'] } });
    expect(listed.body.items).toEqual([]); // SPOON was part of the failed request

    await api('POST /goods', { body: { goods: [{ ...MUG, eans: [{ mode: 'set', value: '4601234567890' }] }] } });
    const eans = await api('POST /goods/eans/list', { body: { eans: ['4601234567890'] } });
    expect(eans.body.items).toEqual([{ good_id: 'ART-002', ean: '4601234567890', created_at: '2026-03-10T12:00:00' }]);
  });

  it('manages EANs with POST /goods/eans (delete, add, set)', async () => {
    await api('POST /goods', { body: { goods: [KETTLE, MUG] } });
    await api('POST /goods/eans', {
      body: {
        add: [
          { good_id: 'ART-001', ean: '111' },
          { good_id: 'ART-001', ean: '222' },
          { good_id: 'ART-002', ean: '333' },
        ],
      },
    });
    const clash = await api('POST /goods/eans', {
      body: { delete: ['111'], add: [{ good_id: 'ART-002', ean: '222' }] },
    });
    expect(clash.body).toMatchObject({ success: false, error_code: 1000 });
    const unknown = await api('POST /goods/eans', { body: { add: [{ good_id: 'NOPE', ean: '999' }] } });
    expect(unknown.body).toMatchObject({ success: false, error_code: 1000 });
    await api('POST /goods/eans', { body: { delete: ['111'], set: [{ good_id: 'ART-002', ean: '222' }] } });
    const all = await api('POST /goods/eans/list', { body: {} });
    expect(all.body.items.map((e: { good_id: string; ean: string }) => `${e.good_id}:${e.ean}`)).toEqual(['ART-002:222', 'ART-002:333']);
    const byGood = await api('POST /goods/eans/list', { body: { good_ids: ['ART-001'] } });
    expect(byGood.body.items).toEqual([]);
  });
});

describe('receipt tasks (indocs)', () => {
  it('creates a goods_supply_task, registering inline goods, and answers 1001 for a known indoc_id', async () => {
    await createTask('S-1');
    const again = await api('POST /indocs', { body: task('S-1', [{ good_id: 'ART-001', plan_qnt: 10 }]) });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      success: false,
      error_code: 1001,
      error_message: 'Входящий документ с номером S-1 уже зарегистрирован',
    });
    const goods = await api('POST /goods/list', { body: {} });
    expect(goods.body.items).toHaveLength(3);
    // The same number is free for another partner: ids are per account.
    const other = await fboxClient(sim, '2002', 'other')('POST /indocs', { body: task('S-1', [{ good_id: 'ART-003', plan_qnt: 1 }]) });
    expect(other.body).toEqual({ success: true });
  });

  it('returns business errors with the configured HTTP status', async () => {
    await createTask('S-2');
    await control(sim, '/config', { business_error_http_status: 400 });
    try {
      const again = await api('POST /indocs', { body: task('S-2', [{ good_id: 'ART-001', plan_qnt: 1 }]) });
      expect(again.status).toBe(400);
      expect(again.body.error_code).toBe(1001);
    } finally {
      await control(sim, '/config', { business_error_http_status: 200 });
    }
  });

  it('refuses unknown goods and non-positive quantities with 1000 and leaves nothing behind', async () => {
    const unknown = await api('POST /indocs', {
      body: {
        indoc_type: 'goods_supply_task',
        indoc_id: 'S-3',
        goods: [KETTLE],
        items: [
          { good_id: 'ART-001', plan_qnt: 1 },
          { good_id: 'GHOST', plan_qnt: 1 },
        ],
      },
    });
    expect(unknown.body).toMatchObject({ success: false, error_code: 1000 });
    expect(unknown.body.error_message).toContain('GHOST');
    expect((await api('POST /goods/list', { body: {} })).body.items).toEqual([]); // inline KETTLE rolled back
    expect((await api('POST /indocs/list', { body: {} })).body.items).toEqual([]);

    const zero = await api('POST /indocs', { body: task('S-3', [{ good_id: 'ART-001', plan_qnt: 0 }]) });
    expect(zero.body).toMatchObject({ success: false, error_code: 1000 });
    const readOnly = await api('POST /indocs', {
      body: task('S-3', [{ good_id: 'ART-001', plan_qnt: 1 }], {
        attributes: [{ attribute_id: 180, value: '2026-03-10T10:00:00' }],
      }),
    });
    expect(readOnly.body).toMatchObject({ success: false, error_code: 1000 });
    await createTask('S-3');
  });

  it('lists indocs by created_at window and returns the original JSON', async () => {
    await createTask('S-4');
    clock.advance(60);
    const sent = task('S-5', [{ good_id: 'ART-002', plan_qnt: 3 }], {
      indoc_txt: 'Поставка 5',
      attributes: [{ attribute_id: 526, value: '2026-03-12T07:00:00Z' }],
    });
    await api('POST /indocs', { body: sent });
    const all = await api('POST /indocs/list', { body: { indoc_type: 'goods_supply_task' } });
    expect(all.body.items.map((d: { indoc_id: string }) => d.indoc_id)).toEqual(['S-4', 'S-5']);
    expect(all.body.items[1]).toMatchObject({
      indoc_type_descrip: 'Задание на оприходование товаров',
      indoc_txt: 'Поставка 5',
    });
    const created5 = all.body.items[1].created_at as string;
    // from inclusive, to exclusive; the four accepted input formats.
    const window = await api('POST /indocs/list', {
      body: { from_date: created5, to_date: '2026-03-10T12:05:00+03:00' },
    });
    expect(window.body.items.map((d: { indoc_id: string }) => d.indoc_id)).toEqual(['S-5']);
    const before = await api('POST /indocs/list', {
      body: {
        from_date: '2026-03-10',
        to_date: new Date(Date.parse(`${created5}+03:00`)).toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    });
    expect(before.body.items.map((d: { indoc_id: string }) => d.indoc_id)).toEqual(['S-4']);
    const badDate = await api('POST /indocs/list', { body: { from_date: '10.03.2026' } });
    expect(badDate.status).toBe(400);

    const json = await api('GET /indocs/{indoc_id}/json', { params: { indoc_id: 'S-5' } });
    expect(json.body).toEqual({ success: true, indoc: sent });
    const attrs = await api('GET /indocs/{indoc_id}/attributes', { params: { indoc_id: 'S-5' } });
    expect(attrs.body.items).toEqual([
      {
        attribute_id: 526,
        attribute_name: 'Планируемая дата поставки',
        attribute_type: 'datetime',
        value: '2026-03-12T10:00:00',
      },
    ]);
  });

  it('sets writable attributes and refuses read-only ones', async () => {
    await createTask('S-6');
    const ok = await api('POST /indocs/{indoc_id}/attributes', {
      params: { indoc_id: 'S-6' },
      body: {
        attributes: [
          { attribute_id: 526, value: '2026-03-15' },
          { attribute_id: 646, value: 'палеты' },
        ],
      },
    });
    expect(ok.body).toEqual({ success: true });
    for (const attribute_id of [9, 143, 180, 181, 306, 582, 624]) {
      const res = await api('POST /indocs/{indoc_id}/attributes', {
        params: { indoc_id: 'S-6' },
        body: { attributes: [{ attribute_id, value: 1 }] },
      });
      expect(res.body, `attribute ${attribute_id}`).toMatchObject({ success: false, error_code: 1000 });
    }
    const attrs = await api('GET /indocs/{indoc_id}/attributes', { params: { indoc_id: 'S-6' } });
    expect(attrs.body.items.map((a: { attribute_id: number; value: unknown }) => [a.attribute_id, a.value])).toEqual([
      [526, '2026-03-15T00:00:00'],
      [646, 'палеты'],
    ]);
    const missing = await api('GET /indocs/{indoc_id}/attributes', { params: { indoc_id: 'NOPE' } });
    expect(missing.status).toBe(404);
  });

  it('deletes a task before arrival (freeing the number) and refuses after arrival', async () => {
    await createTask('S-7');
    expect((await api('DELETE /indocs/{indoc_id}', { params: { indoc_id: 'S-7' } })).body).toEqual({ success: true });
    expect((await api('GET /indocs/{indoc_id}/json', { params: { indoc_id: 'S-7' } })).status).toBe(404);
    await createTask('S-7');
    expect((await control(sim, '/indocs/S-7/arrive', {})).status).toBe(200);
    const refused = await api('DELETE /indocs/{indoc_id}', { params: { indoc_id: 'S-7' } });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ success: false, error_code: 1000 });
    expect((await api('DELETE /indocs/{indoc_id}', { params: { indoc_id: 'NOPE' } })).status).toBe(404);
  });
});

describe('receipt lifecycle (outdocs)', () => {
  it('arrival → two partial receipts → final receipt, with goods_supply_start when enabled', async () => {
    await api('POST /settings', { body: { outdoc_types: { goods_supply_start: true } } });
    await createTask('S-10');
    const arrived = await control(sim, '/indocs/S-10/arrive', {});
    expect(arrived.body).toMatchObject({ state: 'arrived' });
    const [startId] = arrived.body.issued_outdoc_ids as number[];
    const start = await outdoc(startId);
    expect(start.body).toEqual({
      success: true,
      outdoc_type: 'goods_supply_start',
      common: {
        outdoc_id: startId,
        outdoc_type: 'goods_supply_start',
        outdoc_type_descrip: 'Начата приемка товаров по заданию на оприходование',
        outdoc_date: '2026-03-10',
        created_at: '2026-03-10T12:00:00',
        indoc_id: 'S-10',
        attributes: [],
      },
    });
    const attrs = await api('GET /indocs/{indoc_id}/attributes', { params: { indoc_id: 'S-10' } });
    expect(attrs.body.items.map((a: { attribute_id: number }) => a.attribute_id)).toEqual([180, 181]);

    clock.advance(3600);
    const p1 = await control(sim, '/indocs/S-10/receive', {
      items: [{ good_id: 'ART-001', useful_qnt: 4, defective_qnt: 1 }],
      final: false,
    });
    clock.advance(3600);
    const p2 = await control(sim, '/indocs/S-10/receive', {
      items: [{ good_id: 'ART-002', useful_qnt: 2 }],
      final: false,
    });
    clock.advance(3600);
    const fin = await control(sim, '/indocs/S-10/receive', {
      items: [
        { good_id: 'ART-001', useful_qnt: 4 },
        { good_id: 'ART-003', useful_qnt: 2 },
      ],
      final: true,
    });
    expect(fin.body.state).toBe('completed');
    const ids = [startId, ...p1.body.issued_outdoc_ids, ...p2.body.issued_outdoc_ids, ...fin.body.issued_outdoc_ids] as number[];
    expect(ids).toHaveLength(4);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids); // increasing

    const part1 = await outdoc(ids[1]);
    expect(part1.body.part_num).toBe(1);
    expect(part1.body.common.attributes).toEqual([
      { attribute_id: 9, attribute_name: 'Порядковый номер частичной приемки', attribute_type: 'int', value: 1 },
    ]);
    expect(part1.body.goods).toEqual([{ good_id: 'ART-001', plan_qnt: 10, useful_qnt: 4, defective_qnt: 1 }]);
    const part2 = await outdoc(ids[2]);
    expect(part2.body.part_num).toBe(2);
    expect(part2.body.common.attributes[0]).toMatchObject({ attribute_id: 9, value: 2 });

    const last = await outdoc(ids[3]);
    expect(last.body.part_num).toBeUndefined();
    expect(last.body.common.attributes).toEqual([]);
    expect(last.body.common.created_at).toBe('2026-03-10T15:00:00');
    expect(last.body.goods).toEqual([
      { good_id: 'ART-001', plan_qnt: 10, useful_qnt: 4, defective_qnt: 0 },
      { good_id: 'ART-002', plan_qnt: 5, useful_qnt: 0, defective_qnt: 0 },
      { good_id: 'ART-003', plan_qnt: 0, useful_qnt: 2, defective_qnt: 0 }, // not in the plan
    ]);
    const moves = await api('GET /outdocs/{outdoc_id}/goods', { params: { outdoc_id: ids[1] } });
    expect(moves.body.goods).toEqual([
      { good_id: 'ART-001', good_state: 'stock', qual_type: 'useful', qnt: 4 },
      { good_id: 'ART-001', good_state: 'stock', qual_type: 'defective', qnt: 1 },
    ]);
    expect((await api('GET /outdocs/{outdoc_id}/goods', { params: { outdoc_id: startId } })).body.goods).toEqual([]);

    const list = await api('POST /outdocs/list', { body: { indoc_id: 'S-10', outdoc_type: 'goods_supply' } });
    expect(list.body.items.map((o: { outdoc_id: number; part_num?: number }) => [o.outdoc_id, o.part_num])).toEqual([
      [ids[1], 1],
      [ids[2], 2],
      [ids[3], undefined],
    ]);
    expect(list.body.items[0]).toMatchObject({
      outdoc_type_descrip: 'Товары оприходованы',
      locked: false,
      unlock_request: false,
      outdoc_date: '2026-03-10',
    });
    expect((await control(sim, '/indocs/S-10/receive', {})).status).toBe(409);
  });

  it('receives exactly as planned when no items are given', async () => {
    await createTask('S-11');
    const res = await control(sim, '/indocs/S-11/receive', {});
    expect(res.body.issued_outdoc_ids).toHaveLength(1); // goods_supply_start is off by default
    const doc = await outdoc(res.body.issued_outdoc_ids[0]);
    expect(doc.body.goods).toEqual([
      { good_id: 'ART-001', plan_qnt: 10, useful_qnt: 10, defective_qnt: 0 },
      { good_id: 'ART-002', plan_qnt: 5, useful_qnt: 5, defective_qnt: 0 },
    ]);
  });

  it('puts surplus into a separate goods_supply with attribute 624 when surplus is not accepted', async () => {
    await api('POST /indocs', {
      body: task('S-12', [{ good_id: 'ART-001', plan_qnt: 2 }], { attributes: [{ attribute_id: 350, value: false }] }),
    });
    const res = await control(sim, '/indocs/S-12/receive', {
      items: [
        { good_id: 'ART-001', useful_qnt: 3 },
        { good_id: 'ART-003', useful_qnt: 1 },
      ],
    });
    const [mainId, surplusId] = res.body.issued_outdoc_ids as number[];
    expect((await outdoc(mainId)).body.goods).toEqual([{ good_id: 'ART-001', plan_qnt: 2, useful_qnt: 2, defective_qnt: 0 }]);
    const surplus = await outdoc(surplusId);
    expect(surplus.body.common.indoc_id).toBeUndefined();
    expect(surplus.body.common.attributes).toEqual([
      {
        attribute_id: 624,
        attribute_name: 'Задание на оприходование по которому были обнаружены излишки',
        attribute_type: 'string',
        value: 'S-12',
      },
    ]);
    expect(surplus.body.goods).toEqual([
      { good_id: 'ART-001', plan_qnt: 0, useful_qnt: 1, defective_qnt: 0 },
      { good_id: 'ART-003', plan_qnt: 0, useful_qnt: 1, defective_qnt: 0 },
    ]);
  });

  it('reports non-arrival as a goods_supply with attribute 306 and zero quantities', async () => {
    await createTask('S-13');
    const res = await control(sim, '/indocs/S-13/expire', {});
    expect(res.body.state).toBe('expired');
    const doc = await outdoc(res.body.issued_outdoc_ids[0]);
    expect(doc.body.common.attributes).toEqual([
      { attribute_id: 306, attribute_name: 'Истек срок ожидания поставки', attribute_type: 'boolean', value: true },
    ]);
    expect(doc.body.goods).toEqual([
      { good_id: 'ART-001', plan_qnt: 10, useful_qnt: 0, defective_qnt: 0 },
      { good_id: 'ART-002', plan_qnt: 5, useful_qnt: 0, defective_qnt: 0 },
    ]);
    expect(doc.body.part_num).toBeUndefined();
    expect((await control(sim, '/indocs/S-13/receive', {})).status).toBe(409);
    expect((await control(sim, '/indocs/S-13/expire', {})).status).toBe(409);
  });

  it('corrects an unlocked outdoc by deleting it and issuing a new one with the same outdoc_date', async () => {
    await createTask('S-14');
    const { body } = await control(sim, '/indocs/S-14/receive', {});
    const oldId = body.issued_outdoc_ids[0] as number;
    clock.advance(3 * 86400);
    const fix = await control(sim, `/outdocs/${oldId}/correct`, {
      items: [
        { good_id: 'ART-001', useful_qnt: 9, defective_qnt: 1 },
        { good_id: 'ART-002', useful_qnt: 5 },
      ],
    });
    expect(fix.body).toMatchObject({ deleted: oldId });
    const newId = fix.body.issued as number;
    expect(newId).toBeGreaterThan(oldId);
    expect((await outdoc(oldId)).status).toBe(404);
    const doc = await outdoc(newId);
    expect(doc.body.common).toMatchObject({
      outdoc_date: '2026-03-10',
      created_at: '2026-03-13T12:00:00',
      indoc_id: 'S-14',
    });
    expect(doc.body.goods[0]).toEqual({ good_id: 'ART-001', plan_qnt: 10, useful_qnt: 9, defective_qnt: 1 });
    const check = await api('POST /outdocs/check', { body: { outdoc_ids: [oldId, newId] } });
    expect(check.body).toEqual({ success: true, missing_outdoc_ids: [oldId] });
  });

  it('corrects a locked outdoc through unlock_request: re-issued only after the customer unlocks it', async () => {
    await createTask('S-15');
    const oldId = (await control(sim, '/indocs/S-15/receive', {})).body.issued_outdoc_ids[0] as number;
    expect((await api('POST /outdocs/lock', { body: { outdocs: [{ outdoc_id: oldId, lock: true }] } })).body).toEqual({
      success: true,
    });
    expect((await api('POST /outdocs/list', { body: { locked: false, unlock_request: false } })).body.items).toEqual([]);

    const fix = await control(sim, `/outdocs/${oldId}/correct`, {
      items: [
        { good_id: 'ART-001', useful_qnt: 7 },
        { good_id: 'ART-002', useful_qnt: 5 },
      ],
    });
    expect(fix.body).toMatchObject({ unlock_requested: true });
    const asked = await api('POST /outdocs/list', { body: { locked: true, unlock_request: true } });
    expect(asked.body.items.map((o: { outdoc_id: number }) => o.outdoc_id)).toEqual([oldId]);
    expect((await outdoc(oldId)).status).toBe(200); // still there while locked

    clock.advance(60);
    expect((await api('POST /outdocs/lock', { body: { outdocs: [{ outdoc_id: oldId, lock: false }] } })).body).toEqual({
      success: true,
    });
    expect((await outdoc(oldId)).status).toBe(404);
    const fresh = await api('POST /outdocs/list', { body: { locked: false, unlock_request: false } });
    expect(fresh.body.items).toHaveLength(1);
    const newId = fresh.body.items[0].outdoc_id as number;
    expect(newId).toBeGreaterThan(oldId);
    const doc = await outdoc(newId);
    expect(doc.body.common.outdoc_date).toBe('2026-03-10');
    expect(doc.body.goods[0]).toMatchObject({ good_id: 'ART-001', useful_qnt: 7 });
    const state = await control(sim, '/state');
    const old = state.body.partners
      .find((p: { partnerId: string }) => p.partnerId === '1001')
      .outdocs.find((o: { outdoc_id: number }) => o.outdoc_id === oldId);
    expect(old).toMatchObject({ deleted: true, replaced_by: newId });
  });

  it('refuses to lock an unknown outdoc and applies none of the request', async () => {
    await createTask('S-16');
    const id = (await control(sim, '/indocs/S-16/receive', {})).body.issued_outdoc_ids[0] as number;
    const res = await api('POST /outdocs/lock', {
      body: {
        outdocs: [
          { outdoc_id: id, lock: true },
          { outdoc_id: 1, lock: true },
        ],
      },
    });
    expect(res.body).toMatchObject({ success: false, error_code: 1000 });
    const list = await api('POST /outdocs/list', { body: { locked: true } });
    expect(list.body.items).toEqual([]);
    expect((await api('GET /outdocs/{outdoc_id}', { params: { outdoc_id: 'abc' } })).status).toBe(404);
  });

  it('pages outdocs/list with page_size/page_token and filters on created_at', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      await createTask(`P-${i}`);
      await control(sim, `/indocs/P-${i}/receive`, {});
      created.push(`2026-03-10T${String(12 + i).padStart(2, '0')}:00:00`);
      clock.advance(3600);
    }
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api('POST /outdocs/list', {
        body: token ? { page_size: 2, page_token: token } : { page_size: 2 },
      });
      seen.push(...res.body.items.map((o: { outdoc_id: number }) => o.outdoc_id));
      token = res.body.page_next_token;
      pages += 1;
      // Locking what was read must not make the next page skip anything (keyset paging).
      if (res.body.items.length)
        await api('POST /outdocs/lock', {
          body: { outdocs: res.body.items.map((o: { outdoc_id: number }) => ({ outdoc_id: o.outdoc_id, lock: true })) },
        });
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);

    const window = await api('POST /outdocs/list', { body: { from_date: created[1], to_date: created[3] } });
    expect(window.body.items.map((o: { created_at: string }) => o.created_at)).toEqual([created[1], created[2]]);
    const utc = await api('POST /outdocs/list', {
      body: { from_date: '2026-03-10T12:00:00Z', to_date: '2026-03-10T14:00:00Z' },
    });
    expect(utc.body.items.map((o: { created_at: string }) => o.created_at)).toEqual([created[3], created[4]]);
    const bad = await api('POST /outdocs/list', { body: { page_token: 'garbage!' }, checkRequest: true });
    expect(bad.status).toBe(400);
  });
});

describe('control API and console', () => {
  it('disambiguates an indoc_id used by two partners with ?partner=', async () => {
    await createTask('DUP');
    await fboxClient(sim, '2002', 'other')('POST /indocs', { body: task('DUP', [{ good_id: 'ART-003', plan_qnt: 1 }]) });
    expect((await control(sim, '/indocs/DUP/arrive', {})).status).toBe(409);
    const res = await control(sim, '/indocs/DUP/arrive?partner=2002', {});
    expect(res.body).toMatchObject({ partnerId: '2002', state: 'arrived' });
    expect((await control(sim, '/indocs/NOPE/arrive', {})).status).toBe(404);
  });

  it('creates partners idempotently and counts calls per partner and operation', async () => {
    expect((await control(sim, '/partners', { partnerId: '3003', password: 'p' })).status).toBe(200);
    expect((await control(sim, '/partners', { partnerId: '3003', password: 'p' })).status).toBe(200);
    const third = fboxClient(sim, '3003', 'p');
    await control(sim, '/stats/reset', {});
    await third('GET /settings');
    await third('GET /settings');
    await third('POST /outdocs/list', { body: {} });
    const stats = await control(sim, '/stats');
    expect(stats.body.partners['3003']).toEqual({
      total: 3,
      operations: { 'GET /settings': 2, 'POST /outdocs/list': 1 },
      outcomes: { 200: 3 },
    });
    const state = await control(sim, '/state');
    expect(state.body.partners.map((p: { partnerId: string }) => p.partnerId)).toContain('3003');
    expect(JSON.stringify(state.body)).not.toContain('"password"');
  });

  it('renders the console and runs its forms', async () => {
    await createTask('C-1');
    const page = await fetch(sim.consoleUrl);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('C-1');
    expect(html).toContain('ART-001');
    const form = await fetch(`${sim.controlUrl}/indocs/C-1/receive?partner=1001`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ lines: 'ART-001 8 2\nART-002 5', final: 'true' }).toString(),
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toContain('/_sim/console?msg=');
    const list = await api('POST /outdocs/list', { body: { indoc_id: 'C-1' } });
    const doc = await outdoc(list.body.items[0].outdoc_id);
    expect(doc.body.goods[0]).toEqual({ good_id: 'ART-001', plan_qnt: 10, useful_qnt: 8, defective_qnt: 2 });
    expect(await (await fetch(sim.consoleUrl)).text()).toContain('Выполнено');
  });
});
