import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TransferPlan, WarehouseGood } from '@/lib/core/domain';
import { AppError } from '@/lib/core/errors';
import { buildIndocId, goodFingerprint, parseIndocId, toFboxGood, toSupplyTask, warehouseGoodName } from '@/lib/betapro/mappers';
import { requestErrors } from '@/test/support/openapi';

const good = (overrides: Partial<WarehouseGood> = {}): WarehouseGood => ({
  goodId: 'ART-001',
  name: 'Чайник ASFRW123 2л',
  barcodes: [],
  ...overrides,
});

describe('toFboxGood', () => {
  it('keeps a variant name with its characteristics as the warehouse name', () => {
    const card = toFboxGood(good({ goodId: 'TS-XL-BLUE', name: 'Футболка хлопковая (XL, Синий)' }));
    expect(card).toEqual({ good_id: 'TS-XL-BLUE', good_name: 'Футболка хлопковая (XL, Синий)' });
  });

  it('collapses whitespace and falls back to the good_id for an empty name', () => {
    expect(toFboxGood(good({ name: '  Чайник \n  2л\t синий ' })).good_name).toBe('Чайник 2л синий');
    expect(toFboxGood(good({ name: '   ' })).good_name).toBe('ART-001');
  });

  it('shortens a long name to 255 chars, keeping the characteristics in brackets', () => {
    const base = 'Очень длинное название товара '.repeat(15);
    const name = `${base}(Размер 42, Цвет тёмно-синий)`;
    const result = toFboxGood(good({ name })).good_name;
    expect(result.length).toBeLessThanOrEqual(255);
    expect(result.endsWith('… (Размер 42, Цвет тёмно-синий)')).toBe(true);
    expect(result.startsWith('Очень длинное название товара')).toBe(true);
  });

  it('shortens a long name without characteristics at a word boundary with an ellipsis', () => {
    const result = warehouseGoodName({ goodId: 'X', name: 'слово '.repeat(60) });
    expect(result.length).toBeLessThanOrEqual(255);
    expect(result).toMatch(/слово…$/);
  });

  it('never splits a surrogate pair when cutting', () => {
    const result = warehouseGoodName({ goodId: 'X', name: '😀'.repeat(200) });
    expect(result.length).toBeLessThanOrEqual(255);
    expect(() => encodeURIComponent(result)).not.toThrow();
  });

  it('sends barcodes of every MoySklad type as EAN strings in "add" mode, without blanks or repeats', () => {
    const barcodes = ['4601234567890', '46012345', 'CODE128-ab/12', '04601234567890', '012345678905', ' 4601234567890 ', ''];
    expect(toFboxGood(good({ barcodes })).eans).toEqual([
      { mode: 'add', value: '4601234567890' },
      { mode: 'add', value: '46012345' },
      { mode: 'add', value: 'CODE128-ab/12' },
      { mode: 'add', value: '04601234567890' },
      { mode: 'add', value: '012345678905' },
    ]);
  });

  it('omits eans when there are none', () => {
    expect(toFboxGood(good())).not.toHaveProperty('eans');
  });

  it('sends dimensions and weight only when all four are present positive integers', () => {
    const dims = { length: 250, width: 200, height: 220 };
    expect(toFboxGood(good({ dimensionsMm: dims, weightG: 900 }))).toMatchObject({
      length: 250,
      width: 200,
      height: 220,
      weight: 900,
    });
    for (const partial of [
      good({ dimensionsMm: dims }),
      good({ weightG: 900 }),
      good({ dimensionsMm: { ...dims, height: 22.5 }, weightG: 900 }),
      good({ dimensionsMm: dims, weightG: 0 }),
      good({ dimensionsMm: { ...dims, width: 0 }, weightG: 900 }),
    ]) {
      const card = toFboxGood(partial);
      expect(card).not.toHaveProperty('length');
      expect(card).not.toHaveProperty('weight');
    }
  });
});

describe('goodFingerprint', () => {
  it('is a stable sha-256 hex of what would be sent', () => {
    const a = goodFingerprint(good({ barcodes: ['1', '2'] }));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(goodFingerprint(good({ barcodes: ['1', '2'] }))).toBe(a);
  });

  it('ignores barcode order and whitespace that is not sent', () => {
    expect(goodFingerprint(good({ barcodes: ['1', '2'] }))).toBe(goodFingerprint(good({ barcodes: ['2', '1', '2'] })));
    expect(goodFingerprint(good({ name: 'Чайник  ASFRW123 2л ' }))).toBe(goodFingerprint(good()));
  });

  it('changes when anything BetaPRO would see changes', () => {
    const base = goodFingerprint(good());
    expect(goodFingerprint(good({ name: 'Чайник ASFRW123 3л' }))).not.toBe(base);
    expect(goodFingerprint(good({ barcodes: ['4601234567890'] }))).not.toBe(base);
    expect(goodFingerprint(good({ dimensionsMm: { length: 1, width: 2, height: 3 }, weightG: 4 }))).not.toBe(base);
    expect(goodFingerprint(good({ goodId: 'ART-002' }))).not.toBe(base);
  });

  it('does not change for data that is not sent (incomplete dimensions)', () => {
    expect(goodFingerprint(good({ weightG: 500 }))).toBe(goodFingerprint(good()));
  });
});

describe('buildIndocId', () => {
  const documentId = '0b7c1d2e-3f40-5162-7384-9a5b6c7d8e9f';

  it('is MSS/MSM + 32 hex of the document UUID, with -generation from the second on', () => {
    expect(buildIndocId({ entity: 'supply', documentId })).toBe('MSS0b7c1d2e3f40516273849a5b6c7d8e9f');
    expect(buildIndocId({ entity: 'move', documentId, generation: 1 })).toBe('MSM0b7c1d2e3f40516273849a5b6c7d8e9f');
    expect(buildIndocId({ entity: 'purchasereturn', documentId, generation: 2 })).toBe('MSR0b7c1d2e3f40516273849a5b6c7d8e9f-2');
    expect(parseIndocId('MSR0b7c1d2e3f40516273849a5b6c7d8e9f-2')).toEqual({
      entity: 'purchasereturn',
      documentId,
      generation: 2,
    });
    expect(buildIndocId({ entity: 'supply', documentId, generation: 3 })).toBe('MSS0b7c1d2e3f40516273849a5b6c7d8e9f-3');
  });

  it('is deterministic and case-insensitive about the UUID', () => {
    expect(buildIndocId({ entity: 'supply', documentId: documentId.toUpperCase() })).toBe(buildIndocId({ entity: 'supply', documentId }));
  });

  it('rejects what is not a UUID or not a positive generation', () => {
    expect(() => buildIndocId({ entity: 'supply', documentId: 'not-a-uuid' })).toThrow(AppError);
    expect(() => buildIndocId({ entity: 'supply', documentId, generation: 0 })).toThrow(AppError);
    expect(() => buildIndocId({ entity: 'supply', documentId, generation: 1.5 })).toThrow(AppError);
  });

  it('stays short, alphanumeric (plus one dash) and round-trips for any document', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.constantFrom('supply' as const, 'move' as const),
        fc.integer({ min: 1, max: 9999 }),
        (uuid, entity, generation) => {
          const id = buildIndocId({ entity, documentId: uuid, generation });
          expect(id).toMatch(/^MS[SM][0-9a-f]{32}(-[1-9]\d*)?$/);
          expect(id.length).toBeLessThanOrEqual(40);
          expect(parseIndocId(id)).toEqual({ entity, documentId: uuid.toLowerCase(), generation });
          expect(buildIndocId({ entity, documentId: uuid, generation })).toBe(id);
        },
      ),
    );
  });

  it('does not claim numbers it never makes', () => {
    expect(parseIndocId('MS-SUP-00042')).toBeUndefined();
    expect(parseIndocId('MSS0b7c1d2e3f40516273849a5b6c7d8e9f-1')).toBeUndefined();
  });
});

describe('toSupplyTask', () => {
  const line = (goodId: string, quantity: number) => ({
    goodId,
    quantity,
    assortment: { href: `https://api.moysklad.ru/api/remap/1.2/entity/product/${goodId}`, type: 'product' as const },
    name: goodId,
    price: 1000,
    positionIds: [`pos-${goodId}`],
  });
  const plan = (overrides: Partial<TransferPlan> = {}): TransferPlan => ({
    accountId: 'acc-1',
    entity: 'supply',
    documentId: '0b7c1d2e-3f40-5162-7384-9a5b6c7d8e9f',
    documentName: '00042',
    indocId: 'MSS0b7c1d2e3f40516273849a5b6c7d8e9f',
    note: 'Приёмка 00042, поставщик ООО Ромашка',
    plannedArrival: new Date('2025-03-10T07:00:00Z'),
    lines: [line('ART-001', 10), line('ART-002', 5)],
    goods: [good(), good({ goodId: 'ART-002' })],
    ...overrides,
  });

  it('maps a plan to goods_supply_task with items and the planned arrival in Moscow time', () => {
    const task = toSupplyTask(plan());
    expect(task).toEqual({
      indoc_type: 'goods_supply_task',
      indoc_id: 'MSS0b7c1d2e3f40516273849a5b6c7d8e9f',
      indoc_txt: 'Приёмка 00042, поставщик ООО Ромашка',
      attributes: [{ attribute_id: 526, value: '2025-03-10T10:00:00' }],
      items: [
        { good_id: 'ART-001', plan_qnt: 10 },
        { good_id: 'ART-002', plan_qnt: 5 },
      ],
    });
    expect(task).not.toHaveProperty('goods');
    expect(requestErrors('betapro', 'POST /indocs', task)).toEqual([]);
  });

  it('converts an arrival late in the UTC day to the next Moscow day', () => {
    const task = toSupplyTask(plan({ plannedArrival: new Date('2025-12-31T22:30:00Z') }));
    expect(task.attributes).toEqual([{ attribute_id: 526, value: '2026-01-01T01:30:00' }]);
  });

  it('omits the attribute and note when there is nothing to say', () => {
    const task = toSupplyTask(plan({ plannedArrival: undefined, note: '  ' }));
    expect(task).not.toHaveProperty('attributes');
    expect(task).not.toHaveProperty('indoc_txt');
  });

  it('limits the note to 255 characters', () => {
    const task = toSupplyTask(plan({ note: 'Комментарий к поставке '.repeat(30) }));
    expect(task.indoc_txt!.length).toBeLessThanOrEqual(255);
    expect(requestErrors('betapro', 'POST /indocs', task)).toEqual([]);
  });

  it('sums repeated goods into one item', () => {
    const task = toSupplyTask(plan({ lines: [line('A', 1), line('B', 2), line('A', 3)] }));
    expect(task.items).toEqual([
      { good_id: 'A', plan_qnt: 4 },
      { good_id: 'B', plan_qnt: 2 },
    ]);
  });

  it('refuses fractional, zero and empty plans with a Russian explanation', () => {
    for (const bad of [plan({ lines: [line('A', 1.5)] }), plan({ lines: [line('A', 0)] }), plan({ lines: [] })]) {
      try {
        toSupplyTask(bad);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('DOCUMENT_INVALID');
        expect((error as AppError).userMessage).toMatch(/[А-Яа-я]/);
      }
    }
  });
});
