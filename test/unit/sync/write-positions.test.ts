/**
 * Matching a document's positions to a receipt projection (issue 14, items 7 and 11): a replaced row
 * keeps every writable field, and a document already written (rows with new ids after a first run)
 * needs no second write.
 */
import { describe, expect, it } from 'vitest';
import { planPositions, replacementRow } from '@/lib/sync/receipt/write-positions';
import type { MsPosition } from '@/lib/moysklad/schemas';
import type { ProjectedPosition } from '@/lib/sync/receipt/projection';

const href = (id: string) => `https://api.example/entity/product/${id}`;
const row = (id: string, product: string, quantity: number, extra: Partial<MsPosition> = {}) => ({
  id,
  quantity,
  href: href(product),
  row: {
    id,
    quantity,
    price: 100,
    assortment: { meta: { href: href(product), type: 'product', mediaType: 'application/json' } },
    ...extra,
  } as MsPosition,
});
const target = (product: string, quantity: number, keep?: string): ProjectedPosition => ({
  goodId: product,
  assortment: { href: href(product), type: 'product' },
  quantity,
  price: 100,
  keepPositionIds: keep ? [keep] : [],
  origin: keep ? 'plan' : 'unexpected',
});

describe('planPositions', () => {
  it('keeps rows by id, adds what is new, removes what is gone', () => {
    const plan = planPositions([row('p1', 'A', 10), row('p2', 'B', 4)], [target('A', 7, 'p1'), target('C', 2)]);
    expect(plan.kept.map((k) => [k.existing.id, k.changed])).toEqual([['p1', true]]);
    expect(plan.added.map((p) => p.goodId)).toEqual(['C']);
    expect(plan.removed.map((r) => r.id)).toEqual(['p2']);
  });

  it('a document a first run already wrote (new ids for replaced and added rows) is unchanged', () => {
    const written = [row('p2', 'B', 4), row('n1', 'A', 7), row('n2', 'C', 2)];
    const plan = planPositions(written, [target('A', 7, 'p1'), target('B', 4, 'p2'), target('C', 2)]);
    expect(plan.added).toEqual([]);
    expect(plan.removed).toEqual([]);
    expect(plan.kept.every((k) => !k.changed)).toBe(true);
  });
});

describe('replacementRow', () => {
  it('carries every writable field of the old row with the new quantity, not the read-only ones', () => {
    const old = row('p1', 'A', 10, {
      price: 12345,
      discount: 5,
      vat: 20,
      vatEnabled: true,
      overhead: 300,
      things: ['SN-1', 'SN-2'],
      gtd: { name: '10702070/010125/0000001' },
      country: { meta: { href: 'https://api.example/entity/country/ru', type: 'country' } },
      pack: { id: 'pack-1', quantity: 6 },
    }).row;
    expect(replacementRow(old, 7)).toEqual({
      quantity: 7,
      assortment: { meta: { href: href('A'), type: 'product', mediaType: 'application/json' } },
      price: 12345,
      discount: 5,
      vat: 20,
      vatEnabled: true,
      things: ['SN-1', 'SN-2'],
      gtd: { name: '10702070/010125/0000001' },
      country: { meta: { href: 'https://api.example/entity/country/ru', type: 'country' } },
      pack: { id: 'pack-1', quantity: 6 },
    });
  });
});
