import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PlanLine, Receipt } from '@/lib/core/domain';
import { projectReceipt, summariseForComment, type ProjectionInput, type UnexpectedGood } from '@/lib/sync/receipt/projection';

const PLAN_GOODS = ['G0', 'G1', 'G2', 'G3', 'G4', 'G5'];
const OTHER_GOODS = ['X0', 'X1', 'X2', 'X3'];

/** A plan of distinct goods; merged lines get per-position quantities that add up to the line's. */
const planArb = fc
  .uniqueArray(fc.constantFrom(...PLAN_GOODS), { minLength: 1, maxLength: PLAN_GOODS.length })
  .chain((goodIds) =>
    fc.tuple(
      ...goodIds.map((goodId) =>
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }).map((parts) => ({ goodId, parts })),
      ),
    ),
  )
  .map((lines) => {
    const positionQuantities = new Map<string, number>();
    const plan: PlanLine[] = lines.map(({ goodId, parts }) => {
      const positionIds = parts.map((q, i) => {
        positionQuantities.set(`${goodId}-p${i}`, q);
        return `${goodId}-p${i}`;
      });
      return {
        goodId,
        quantity: parts.reduce((a, b) => a + b, 0),
        assortment: { href: `https://ms/product/${goodId}`, type: 'product' as const },
        name: `Товар ${goodId}`,
        price: 12345,
        positionIds,
      };
    });
    return { plan, positionQuantities };
  });

const receiptArb = (outdocId: number): fc.Arbitrary<Receipt> =>
  fc
    .record({
      kind: fc.constantFrom('goods_supply' as const, 'goods_supply' as const, 'goods_supply_start' as const),
      partNumber: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      nonArrival: fc.boolean(),
      surplus: fc.boolean(),
      lines: fc.array(
        fc.record({
          goodId: fc.constantFrom(...PLAN_GOODS, ...OTHER_GOODS),
          planned: fc.integer({ min: 0, max: 20 }),
          useful: fc.integer({ min: 0, max: 15 }),
          defective: fc.integer({ min: 0, max: 4 }),
        }),
        { maxLength: 8 },
      ),
    })
    .map(({ kind, partNumber, nonArrival, surplus, lines }) => ({
      outdocId,
      kind,
      indocId: 'T-1',
      outdocDate: '2025-03-11',
      createdAt: new Date(1_700_000_000_000 + outdocId * 1000),
      partNumber,
      nonArrival,
      surplusFor: surplus && partNumber === undefined ? 'T-1' : undefined,
      lines: kind === 'goods_supply' ? lines : [],
    }));

const inputArb: fc.Arbitrary<ProjectionInput & { positionQuantities: Map<string, number> }> = fc
  .record({
    planned: planArb,
    receiptCount: fc.integer({ min: 0, max: 6 }),
    found: fc.subarray(OTHER_GOODS),
    zeroPrice: fc.boolean(),
    defective: fc.constantFrom('received' as const, 'excluded' as const),
  })
  .chain(({ planned, receiptCount, found, zeroPrice, defective }) =>
    fc.tuple(...Array.from({ length: receiptCount }, (_, i) => receiptArb(500 + i))).map((receipts) => ({
      plan: planned.plan,
      positionQuantities: planned.positionQuantities,
      receipts,
      policy: { defective },
      unexpected: new Map<string, UnexpectedGood>(
        found.map((goodId) => [
          goodId,
          {
            assortment: { href: `https://ms/product/${goodId}`, type: 'product' },
            name: `Найден ${goodId}`,
            price: zeroPrice ? 0 : 35000,
            priceSource: zeroPrice ? 'zero' : 'buyPrice',
          },
        ]),
      ),
    })),
  );

/** What the projection must count for a good, computed the obvious way from the receipts. */
function expectedReceived(input: ProjectionInput): Map<string, number> {
  const seen = new Set<number>();
  const totals = new Map<string, number>();
  for (const r of input.receipts) {
    if (r.kind !== 'goods_supply' || seen.has(r.outdocId)) continue;
    seen.add(r.outdocId);
    for (const l of r.lines) {
      const q = l.useful + (input.policy.defective === 'received' ? l.defective : 0);
      totals.set(l.goodId, (totals.get(l.goodId) ?? 0) + q);
    }
  }
  return totals;
}

describe('projectReceipt properties', () => {
  it('does not depend on the order of receipts', () => {
    fc.assert(
      fc.property(
        inputArb.chain((input) =>
          fc.tuple(
            fc.constant(input),
            fc.shuffledSubarray(input.receipts, { minLength: input.receipts.length, maxLength: input.receipts.length }),
          ),
        ),
        ([input, shuffled]) => {
          expect(projectReceipt({ ...input, receipts: shuffled })).toEqual(projectReceipt(input));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts a receipt listed several times once (re-applying changes nothing)', () => {
    fc.assert(
      fc.property(inputArb, fc.array(fc.nat(), { maxLength: 6 }), (input, picks) => {
        if (input.receipts.length === 0) return;
        const again = picks.map((i) => structuredClone(input.receipts[i % input.receipts.length]));
        expect(projectReceipt({ ...input, receipts: [...input.receipts, ...again] })).toEqual(projectReceipt(input));
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent and leaves its input untouched', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const before = structuredClone(input);
        const first = projectReceipt(input);
        expect(input).toEqual(before);
        expect(projectReceipt(input)).toEqual(first);
        expect(projectReceipt({ ...input, receipts: [...input.receipts, ...input.receipts] })).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('produces positive integer quantities, each existing position reused at most once', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { positions } = projectReceipt(input);
        const ids = positions.flatMap((p) => p.keepPositionIds);
        expect(new Set(ids).size).toBe(ids.length);
        const planIds = new Set(input.plan.flatMap((l) => l.positionIds));
        for (const p of positions) {
          expect(Number.isInteger(p.quantity)).toBe(true);
          expect(p.quantity).toBeGreaterThan(0);
          expect(p.price).toBeGreaterThanOrEqual(0);
          for (const id of p.keepPositionIds) expect(planIds.has(id)).toBe(true);
          expect(p.keepPositionIds.length).toBe(p.origin === 'plan' ? 1 : 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('projects exactly the received quantity of every known good, nothing for unknown ones', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = projectReceipt(input);
        const expected = expectedReceived(input);
        const projected = new Map<string, number>();
        for (const p of result.positions) projected.set(p.goodId, (projected.get(p.goodId) ?? 0) + p.quantity);
        const known = new Set([...input.plan.map((l) => l.goodId), ...input.unexpected!.keys()]);
        let totalExpected = 0;
        for (const [goodId, q] of expected) {
          if (known.has(goodId)) {
            totalExpected += q;
            expect(projected.get(goodId) ?? 0).toBe(q);
          } else {
            expect(projected.has(goodId)).toBe(false);
          }
        }
        expect([...projected.values()].reduce((a, b) => a + b, 0)).toBe(totalExpected);
        // Unknown goods are exactly the non-plan, not-found goods that moved stock.
        const lines = new Map<string, { useful: number; defective: number }>();
        for (const r of input.receipts) {
          if (r.kind !== 'goods_supply') continue;
          for (const l of r.lines) if (l.useful + l.defective > 0) lines.set(l.goodId, { useful: l.useful, defective: l.defective });
        }
        expect(result.unknownGoods).toEqual([...lines.keys()].filter((g) => !known.has(g)).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every plan position unchanged when one final receipt matches the plan', () => {
    fc.assert(
      fc.property(planArb, fc.constantFrom('received' as const, 'excluded' as const), ({ plan, positionQuantities }, defective) => {
        const receipt: Receipt = {
          outdocId: 1,
          kind: 'goods_supply',
          indocId: 'T',
          outdocDate: '2025-01-01',
          createdAt: new Date(0),
          nonArrival: false,
          lines: plan.map((l) => ({ goodId: l.goodId, planned: l.quantity, useful: l.quantity, defective: 0 })),
        };
        const result = projectReceipt({ plan, receipts: [receipt], policy: { defective }, positionQuantities });
        expect(result.differences).toEqual([]);
        expect(result.positions.map((p) => [p.keepPositionIds[0], p.quantity])).toEqual(
          plan.flatMap((l) => l.positionIds.map((id) => [id, positionQuantities.get(id)])),
        );
      }),
    );
  });

  it('keeps lines consistent with the quantities and comment lines short', () => {
    fc.assert(
      fc.property(inputArb, fc.constantFrom('supply' as const, 'move' as const), (input, entity) => {
        const result = projectReceipt(input);
        for (const line of result.lines) {
          expect(line.difference).toBe(line.accepted - line.planned);
          expect(line.accepted).toBeGreaterThanOrEqual(0);
          expect(line.defective).toBeGreaterThanOrEqual(0);
        }
        expect(result.lines.filter((l) => !l.unexpected).map((l) => l.goodId)).toEqual(input.plan.map((l) => l.goodId));
        for (const text of summariseForComment(result, { entity })) expect(text.length).toBeLessThanOrEqual(200);
      }),
      { numRuns: 200 },
    );
  });
});
