/**
 * The BetaPRO simulator's recognition queue (BetaPRO's "Идентификация неизвестных товаров"): goods under
 * unknown barcodes hold their receipt until the customer identifies them with POST /goods/recognition or
 * by registering the barcode as an EAN. Every FBox body is checked against BetaPRO's OpenAPI spec.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { BetaproSimulator } from '@/test/sandbox/betapro';
import { control, fboxClient, manualClock, simulatorSuite } from './betapro-helpers';

const clock = manualClock('2026-03-10T09:00:00Z');
let sim: BetaproSimulator;
let api: ReturnType<typeof fboxClient>;

const KETTLE = { good_id: 'ART-001', good_name: 'Чайник 2л' };
const MUG = { good_id: 'ART-002', good_name: 'Кружка 300мл' };

simulatorSuite(clock, [{ partnerId: '1001', password: 'secret' }], (s, a) => {
  sim = s;
  api = a;
});
beforeEach(async () => {
  const created = await api('POST /indocs', {
    body: {
      indoc_type: 'goods_supply_task',
      indoc_id: 'R-1',
      indoc_txt: 'Поставка 1',
      goods: [KETTLE],
      items: [{ good_id: 'ART-001', plan_qnt: 5 }],
    },
  });
  expect(created.body).toEqual({ success: true });
});

const receiptsOf = async () => (await api('POST /outdocs/list', { body: { outdoc_type: 'goods_supply' } })).body.items ?? [];

describe('recognition queue', () => {
  it('holds the receipt while a barcode is unknown, lists it, and issues the receipt once it is identified', async () => {
    const received = await control(sim, '/indocs/R-1/receive', {
      items: [{ good_id: 'ART-001', useful_qnt: 5 }],
      unknown: [{ barcode: '2000000000015', descrip: 'Кружка без этикетки', useful_qnt: 2, defective_qnt: 1 }],
    });
    expect(received.body).toMatchObject({ state: 'receiving', waiting_for_recognition: ['2000000000015'] });
    expect(await receiptsOf()).toEqual([]);

    const list = await api('GET /goods/recognition');
    expect(list.body.items).toEqual([
      expect.objectContaining({
        barcode: '2000000000015',
        descrip: 'Кружка без этикетки',
        date: '2026-03-10T12:00:00',
        photos: [],
        indocs: [
          { indoc_id: 'R-1', indoc_txt: 'Поставка 1', qual_type: 'useful', qnt: 2 },
          { indoc_id: 'R-1', indoc_txt: 'Поставка 1', qual_type: 'defective', qnt: 1 },
        ],
      }),
    ]);
    // Another receipt of a waiting task is refused until identification.
    expect((await control(sim, '/indocs/R-1/receive', {})).status).toBe(409);

    // Only a registered good can be the answer.
    const unregistered = await api('POST /goods/recognition', {
      body: { goods: [{ good_id: 'ART-002', barcode: '2000000000015' }] },
    });
    expect(unregistered.body).toMatchObject({ success: false, error_code: 1000 });
    await api('POST /goods', { body: { goods: [MUG] } });
    expect((await api('POST /goods/recognition', { body: { goods: [{ good_id: 'ART-002', barcode: '2000000000015' }] } })).body).toEqual({
      success: true,
    });
    // Repeating the same answer changes nothing; another answer is refused.
    expect((await api('POST /goods/recognition', { body: { goods: [{ good_id: 'ART-002', barcode: '2000000000015' }] } })).body).toEqual({
      success: true,
    });
    expect(
      (await api('POST /goods/recognition', { body: { goods: [{ good_id: 'ART-001', barcode: '2000000000015' }] } })).body,
    ).toMatchObject({ success: false, error_code: 1000 });

    expect((await api('GET /goods/recognition')).body.items).toEqual([]);
    const receipts = await receiptsOf();
    expect(receipts).toHaveLength(1);
    const doc = await api('GET /outdocs/{outdoc_id}', { params: { outdoc_id: receipts[0].outdoc_id } });
    expect(doc.body.common.indoc_id).toBe('R-1');
    expect(doc.body.goods).toEqual([
      { good_id: 'ART-001', plan_qnt: 5, useful_qnt: 5, defective_qnt: 0 },
      { good_id: 'ART-002', plan_qnt: 0, useful_qnt: 2, defective_qnt: 1 },
    ]);
    const eans = await api('POST /goods/eans/list', { body: { eans: ['2000000000015'] } });
    expect(eans.body.items).toEqual([expect.objectContaining({ good_id: 'ART-002', ean: '2000000000015' })]);
  });

  it('registering the barcode as an EAN identifies it without POST /goods/recognition', async () => {
    await control(sim, '/indocs/R-1/receive', { unknown: [{ barcode: '4600000000022', useful_qnt: 3 }] });
    expect((await api('GET /goods/recognition')).body.items).toHaveLength(1);
    await api('POST /goods', { body: { goods: [{ ...MUG, eans: [{ mode: 'add', value: '4600000000022' }] }] } });
    expect((await api('GET /goods/recognition')).body.items).toEqual([]);
    const [receipt] = await receiptsOf();
    const doc = await api('GET /outdocs/{outdoc_id}', { params: { outdoc_id: receipt.outdoc_id } });
    expect(doc.body.goods).toContainEqual({ good_id: 'ART-002', plan_qnt: 0, useful_qnt: 3, defective_qnt: 0 });
    // The plan line arrived as planned (no items given).
    expect(doc.body.goods).toContainEqual({ good_id: 'ART-001', plan_qnt: 5, useful_qnt: 5, defective_qnt: 0 });
  });

  it('the console shows the queue and takes unknown goods in its receipt form', async () => {
    const form = await fetch(`${sim.controlUrl}/indocs/R-1/receive`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        lines: 'ART-001 5 0',
        unknown: '2000000000022 4 Синий плед',
        final: 'true',
      }).toString(),
    });
    expect(form.status).toBe(303);
    expect(decodeURIComponent(form.headers.get('location')!)).toContain('ждёт идентификации: 2000000000022');
    const html = await (await fetch(sim.consoleUrl)).text();
    expect(html).toContain('Неизвестные товары');
    expect(html).toContain('Синий плед');
    expect(html).toContain('name="unknown"');
    expect((await api('GET /goods/recognition')).body.items[0]).toMatchObject({
      barcode: '2000000000022',
      indocs: [{ indoc_id: 'R-1', qual_type: 'useful', qnt: 4 }],
    });
  });
});
