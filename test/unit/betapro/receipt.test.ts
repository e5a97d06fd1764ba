import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/core/errors';
import { receiptFromRaw } from '@/lib/betapro/mappers';

const INDOC = 'MSS0b7c1d2e3f40516273849a5b6c7d8e9f';

function attribute(id: number, value: unknown, type = 'int') {
  return { attribute_id: id, attribute_name: `attr ${id}`, attribute_type: type, value };
}

function goodsSupply(overrides: { attributes?: unknown[]; part_num?: number; goods?: unknown[]; indoc_id?: string | null } = {}) {
  const common: Record<string, unknown> = {
    outdoc_id: 7000123,
    outdoc_type: 'goods_supply',
    outdoc_type_descrip: 'Товары оприходованы',
    outdoc_date: '2025-03-11',
    created_at: '2025-03-11T17:42:10',
    indoc_id: INDOC,
  };
  if (overrides.indoc_id === null) delete common.indoc_id;
  if (overrides.attributes) common.attributes = overrides.attributes;
  return {
    success: true,
    outdoc_type: 'goods_supply',
    common,
    ...(overrides.part_num !== undefined ? { part_num: overrides.part_num } : {}),
    goods: overrides.goods ?? [
      { good_id: 'ART-001', plan_qnt: 10, useful_qnt: 8, defective_qnt: 1 },
      { good_id: 'ART-002', plan_qnt: 5, useful_qnt: 0, defective_qnt: 0 },
      { good_id: 'ART-003', plan_qnt: 0, useful_qnt: 2, defective_qnt: 0 },
    ],
  };
}

describe('receipt from goods_supply', () => {
  it('maps a final receipt: lines, dates in Moscow time, no part number', () => {
    const raw = goodsSupply({ attributes: [attribute(180, '2025-03-11T09:05:00', 'datetime')], part_num: 2 });
    const receipt = receiptFromRaw(raw);
    expect(receipt).toEqual({
      outdocId: 7000123,
      kind: 'goods_supply',
      indocId: INDOC,
      outdocDate: '2025-03-11',
      createdAt: new Date('2025-03-11T14:42:10Z'),
      partNumber: undefined,
      nonArrival: false,
      surplusFor: undefined,
      lines: [
        { goodId: 'ART-001', planned: 10, useful: 8, defective: 1 },
        { goodId: 'ART-002', planned: 5, useful: 0, defective: 0 },
        { goodId: 'ART-003', planned: 0, useful: 2, defective: 0 },
      ],
    });
  });

  it('reads a partial receipt from attribute 9', () => {
    expect(receiptFromRaw(goodsSupply({ attributes: [attribute(9, 1)], part_num: 1 })).partNumber).toBe(1);
    expect(receiptFromRaw(goodsSupply({ attributes: [attribute(9, '2')] })).partNumber).toBe(2);
  });

  it('falls back to part_num only when the outdoc carries no attribute list', () => {
    expect(receiptFromRaw(goodsSupply({ part_num: 3 })).partNumber).toBe(3);
    expect(receiptFromRaw(goodsSupply({ attributes: [], part_num: 3 })).partNumber).toBeUndefined();
    expect(receiptFromRaw(goodsSupply()).partNumber).toBeUndefined();
  });

  it('recognises non-arrival (attribute 306, zero quantities)', () => {
    const receipt = receiptFromRaw(
      goodsSupply({
        attributes: [attribute(306, true, 'boolean')],
        goods: [{ good_id: 'ART-001', plan_qnt: 10, useful_qnt: 0, defective_qnt: 0 }],
      }),
    );
    expect(receipt.nonArrival).toBe(true);
    expect(receipt.lines).toEqual([{ goodId: 'ART-001', planned: 10, useful: 0, defective: 0 }]);
    expect(receiptFromRaw(goodsSupply({ attributes: [attribute(306, 'true', 'boolean')] })).nonArrival).toBe(true);
    expect(receiptFromRaw(goodsSupply({ attributes: [attribute(306, false, 'boolean')] })).nonArrival).toBe(false);
  });

  it('recognises a separate surplus document (attribute 624) even without indoc_id', () => {
    const receipt = receiptFromRaw(
      goodsSupply({
        indoc_id: null,
        attributes: [attribute(624, INDOC, 'string')],
        goods: [{ good_id: 'ART-009', plan_qnt: 0, useful_qnt: 3, defective_qnt: 0 }],
      }),
    );
    expect(receipt.surplusFor).toBe(INDOC);
    expect(receipt.indocId).toBe(INDOC);
    expect(receipt.lines).toEqual([{ goodId: 'ART-009', planned: 0, useful: 3, defective: 0 }]);
  });

  it('maps goods_supply_start to a receipt without lines', () => {
    const receipt = receiptFromRaw({
      success: true,
      outdoc_type: 'goods_supply_start',
      common: {
        outdoc_id: 7000100,
        outdoc_type: 'goods_supply_start',
        outdoc_type_descrip: 'Начата приемка',
        outdoc_date: '2025-03-11',
        created_at: '2025-03-11T09:10:00',
        indoc_id: INDOC,
        attributes: [attribute(180, '2025-03-11T09:05:00', 'datetime')],
      },
    });
    expect(receipt).toMatchObject({ kind: 'goods_supply_start', indocId: INDOC, lines: [], nonArrival: false });
    expect(receipt.partNumber).toBeUndefined();
  });

  it('ignores unknown fields and accepts nulls for optional ones', () => {
    const raw = { ...goodsSupply(), goods_expiry: [], extra: { anything: 1 }, part_num: null };
    expect(receiptFromRaw(raw).lines).toHaveLength(3);
  });

  it('refuses what is not a receipt, or names no task', () => {
    expect(() => receiptFromRaw({ success: true, outdoc_type: 'orders_shipment', common: {} })).toThrow(AppError);
    expect(() => receiptFromRaw(null)).toThrow(AppError);
    expect(() => receiptFromRaw(goodsSupply({ indoc_id: null }))).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', userMessage: expect.stringMatching(/ни к одному заданию/) }),
    );
  });
});
