/**
 * «Принято» means one number (issue 16): the widget's «Принято» column shows lines[].accepted, the
 * comment says «принято N», the document gets N units. Under every defects policy the three agree.
 */
import { describe, expect, it } from 'vitest';
import type { PlanLine, Receipt } from '@/lib/core/domain';
import { acceptedQuantity, projectReceipt, summariseForComment, type DefectivePolicy } from '@/lib/sync/receipt/projection';

const MS = 'https://api.moysklad.ru/api/remap/1.2/entity';
const plan = (goodId: string, quantity: number): PlanLine => ({
  goodId,
  quantity,
  name: `Товар ${goodId}`,
  price: 100,
  positionIds: [`pos-${goodId}`],
  assortment: { href: `${MS}/product/${goodId}`, type: 'product' },
});
const FACTS: Array<[string, number, number]> = [
  ['A', 7, 2],
  ['B', 5, 1],
  ['C', 4, 0],
  ['D', 0, 0],
  ['E', 0, 3],
];
const receipt: Receipt = {
  outdocId: 1,
  kind: 'goods_supply',
  indocId: 'MS-1',
  outdocDate: '2025-03-11',
  createdAt: new Date('2025-03-11T10:00:00Z'),
  partNumber: undefined,
  nonArrival: false,
  surplusFor: undefined,
  lines: FACTS.map(([goodId, useful, defective]) => ({ goodId, planned: 0, useful, defective })),
};
const POLICIES: DefectivePolicy[] = ['received', 'excluded'];

describe('«Принято» is one number in the widget, the comment and the document', () => {
  it.each(POLICIES)('policy %s', (policy) => {
    const result = projectReceipt({
      plan: [plan('A', 10), plan('B', 5), plan('C', 3), plan('D', 2), plan('E', 3)],
      receipts: [receipt],
      policy: { defective: policy },
    });
    const comment = summariseForComment(result, { entity: 'supply' }).join('\n');
    for (const [goodId, useful, defective] of FACTS) {
      const line = result.lines.find((l) => l.goodId === goodId)!;
      expect(line.accepted).toBe(acceptedQuantity({ useful, defective }, policy));
      expect(line.accepted).toBe(policy === 'received' ? useful + defective : useful);
      expect(line.difference).toBe(line.accepted - line.planned);
      const inDocument = result.positions.filter((p) => p.goodId === goodId).reduce((n, p) => n + p.quantity, 0);
      expect(inDocument).toBe(line.accepted);
      // Every «принято N» the comment says about the good is the widget's number.
      const said = [...comment.matchAll(new RegExp(`${goodId}[^\\n]*?принято (\\d+)`, 'g'))].map((m) => Number(m[1]));
      for (const n of said) expect(n).toBe(line.accepted);
      if (line.accepted !== line.planned && line.accepted > 0) expect(said).toContain(line.accepted);
    }
  });
});
