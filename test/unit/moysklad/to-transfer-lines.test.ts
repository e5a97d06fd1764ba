import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toTransferLines, barcodeValues } from '@/lib/moysklad/mappers/to-transfer-lines';
import type { MsPosition } from '@/lib/moysklad/schemas';

const API = 'https://api.moysklad.ru/api/remap/1.2';
let seq = 0;
const id = () => `00000000-0000-0000-0000-${String(++seq).padStart(12, '0')}`;

function product(fields: Record<string, unknown> = {}) {
  const pid = (fields.id as string) ?? id();
  return { meta: { href: `${API}/entity/product/${pid}`, type: 'product' }, id: pid, name: 'Футболка', ...fields };
}
function variant(parent: ReturnType<typeof product>, fields: Record<string, unknown> = {}) {
  const vid = id();
  return {
    meta: { href: `${API}/entity/variant/${vid}`, type: 'variant' },
    id: vid,
    name: `${parent.name} (L, синий)`,
    characteristics: [
      { name: 'Размер', value: 'L' },
      { name: 'Цвет', value: 'синий' },
    ],
    product: parent,
    ...fields,
  };
}
function position(assortment: unknown, quantity = 1, price = 10000): MsPosition {
  return { id: id(), quantity, price, assortment: assortment as MsPosition['assortment'] };
}

describe('toTransferLines', () => {
  it('maps products to lines and goods with barcodes and weight in grams', () => {
    const p = product({
      name: 'Кружка',
      article: 'MUG-1',
      barcodes: [{ ean13: '2000000000107' }, { code128: 'ABC' }, { gtin: '00000000000130' }],
      weight: 0.35,
    });
    const result = toTransferLines([position(p, 3, 12345)], 'article');
    expect(result.problems).toEqual([]);
    expect(result.lines).toEqual([
      {
        goodId: 'MUG-1',
        quantity: 3,
        name: 'Кружка',
        price: 12345,
        assortment: { href: p.meta.href, type: 'product' },
        positionIds: [expect.any(String)],
      },
    ]);
    expect(result.goods).toEqual([{ goodId: 'MUG-1', name: 'Кружка', barcodes: ['2000000000107', 'ABC', '00000000000130'], weightG: 350 }]);
  });

  it('merges the same product on several positions, keeping every position id', () => {
    const p = product({ code: 'C1' });
    const a = position(p, 2);
    const b = position(p, 5);
    const result = toTransferLines([a, b], 'code');
    expect(result.problems).toEqual([]);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatchObject({ quantity: 7, positionIds: [a.id, b.id] });
    expect(result.goods).toHaveLength(1);
  });

  it('reports no positions', () => {
    const result = toTransferLines([], 'article');
    expect(result.problems).toEqual([expect.objectContaining({ code: 'NO_POSITIONS' })]);
    expect(result.problems[0].message).toContain('нет позиций');
  });

  it('names the row, the product and the field when the key is missing', () => {
    const rows = [
      position(product({ article: 'A' })),
      position(product({ article: 'B' })),
      position(product({ name: 'Футболка синяя L' })),
    ];
    const result = toTransferLines(rows, 'article');
    expect(result.lines).toEqual([]);
    expect(result.problems).toEqual([expect.objectContaining({ code: 'MISSING_KEY', field: 'article', positionNumbers: [3] })]);
    expect(result.problems[0].message).toBe(
      'Позиция 3 «Футболка синяя L»: не заполнен артикул. Заполните артикул товара или выберите другой ключ товара в настройках.',
    );
    expect(toTransferLines([position(product({ article: '  ' }))], 'externalCode').problems[0].message).toContain('внешний код');
  });

  it('reports services, bundles and consignments as not storable', () => {
    const service = {
      meta: { href: `${API}/entity/service/s1`, type: 'service' },
      id: 's1',
      name: 'Доставка',
      code: 'D',
    };
    const bundle = { meta: { href: `${API}/entity/bundle/b1`, type: 'bundle' }, id: 'b1', name: 'Набор', code: 'N' };
    const consignment = {
      meta: { href: `${API}/entity/consignment/c1`, type: 'consignment' },
      id: 'c1',
      name: 'Партия',
      code: 'P',
    };
    const result = toTransferLines([position(service), position(bundle), position(consignment)], 'code');
    expect(result.problems.map((p) => [p.code, p.positionNumbers[0]])).toEqual([
      ['NOT_STORABLE', 1],
      ['NOT_STORABLE', 2],
      ['NOT_STORABLE', 3],
    ]);
    expect(result.problems[0].message).toContain('Позиция 1 «Доставка»: это услуга');
    expect(result.problems[1].message).toContain('комплект');
  });

  it('reports non-integer and non-positive quantities', () => {
    const result = toTransferLines(
      [position(product({ article: 'A', name: 'Сахар' }), 2.5), position(product({ article: 'B' }), 0)],
      'article',
    );
    expect(result.problems.map((p) => p.code)).toEqual(['NON_INTEGER_QUANTITY', 'NON_POSITIVE_QUANTITY']);
    expect(result.problems[0].message).toContain('Позиция 1 «Сахар»: количество 2,5 дробное');
  });

  it('reports one key shared by different products, naming both rows', () => {
    const result = toTransferLines(
      [
        position(product({ article: 'X', name: 'Красная' })),
        position(product({ article: 'Y', name: 'Другая' })),
        position(product({ article: 'X', name: 'Синяя' })),
      ],
      'article',
    );
    expect(result.problems).toEqual([expect.objectContaining({ code: 'DUPLICATE_KEY', positionNumbers: [1, 3] })]);
    expect(result.problems[0].message).toContain('Артикул «X» одинаковый у разных товаров: позиция 1 «Красная», позиция 3 «Синяя»');
    expect(result.problems[0].message).toContain('по артикулу');
  });

  it('collects every problem at once', () => {
    const result = toTransferLines(
      [
        position(product({ name: 'Без артикула' })),
        position({ meta: { href: `${API}/entity/service/s`, type: 'service' }, id: 's', name: 'Услуга' }),
        position(product({ article: 'Q' }), 1.5),
      ],
      'article',
    );
    expect(result.problems.map((p) => p.positionNumbers[0])).toEqual([1, 2, 3]);
  });

  describe('variants', () => {
    it('use their own key, and the product name with characteristic values', () => {
      const parent = product({ name: 'Футболка', article: 'TS', weight: 0.2 });
      const v = variant(parent, { article: 'TS-L-BLUE', barcodes: [{ ean8: '20000000' }] });
      const result = toTransferLines([position(v, 4)], 'article');
      expect(result.problems).toEqual([]);
      expect(result.lines[0]).toMatchObject({
        goodId: 'TS-L-BLUE',
        name: 'Футболка (L, синий)',
        assortment: { type: 'variant', href: v.meta.href },
      });
      expect(result.goods[0]).toEqual({
        goodId: 'TS-L-BLUE',
        name: 'Футболка (L, синий)',
        barcodes: ['20000000'],
        weightG: 200,
      });
    });

    it('without their own article are reported (not given the parent article) by default', () => {
      const parent = product({ name: 'Футболка', article: 'TS' });
      const result = toTransferLines([position(variant(parent))], 'article');
      expect(result.problems).toEqual([expect.objectContaining({ code: 'MISSING_KEY', field: 'article' })]);
      expect(result.problems[0].message).toContain('у модификации не заполнен артикул');
      expect(result.problems[0].message).toContain('«TS»');
    });

    it('may fall back to the parent article when asked, and two such variants collide', () => {
      const parent = product({ name: 'Футболка', article: 'TS' });
      const one = toTransferLines([position(variant(parent))], 'article', { variantArticleFallback: 'parent' });
      expect(one.problems).toEqual([]);
      expect(one.lines[0].goodId).toBe('TS');
      const two = toTransferLines([position(variant(parent)), position(variant(parent))], 'article', {
        variantArticleFallback: 'parent',
      });
      expect(two.problems.map((p) => p.code)).toEqual(['DUPLICATE_KEY']);
    });

    it("keep MoySklad's own name when the parent product was not expanded", () => {
      const v = {
        ...variant(product()),
        product: { meta: { href: `${API}/entity/product/p`, type: 'product' } },
        name: 'Кепка (M)',
        code: 'K-M',
      };
      expect(toTransferLines([position(v)], 'code').lines[0].name).toBe('Кепка (M)');
    });
  });

  it('barcodes of any format become strings, deduplicated', () => {
    expect(barcodeValues([{ ean13: '1' }, { upc: '2' }, { ean13: '1' }, { somethingNew: '3' }])).toEqual(['1', '2', '3']);
    expect(barcodeValues(undefined)).toEqual([]);
  });

  it('property: integer quantities of valid products sum up per product', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 1000 })), {
          minLength: 1,
          maxLength: 30,
        }),
        (rows) => {
          const products = Array.from({ length: 5 }, (_, i) => product({ article: `P${i}` }));
          const result = toTransferLines(
            rows.map(([p, q]) => position(products[p], q)),
            'article',
          );
          expect(result.problems).toEqual([]);
          const total = rows.reduce((s, [, q]) => s + q, 0);
          expect(result.lines.reduce((s, l) => s + l.quantity, 0)).toBe(total);
          expect(new Set(result.lines.map((l) => l.goodId)).size).toBe(result.lines.length);
          expect(result.lines.flatMap((l) => l.positionIds)).toHaveLength(rows.length);
        },
      ),
    );
  });
});
