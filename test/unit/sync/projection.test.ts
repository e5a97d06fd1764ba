import { describe, expect, it } from 'vitest';
import type { PlanLine, Receipt, ReceiptLine } from '@/lib/core/domain';
import { receiptFromRaw } from '@/lib/betapro/mappers';
import {
  formatRubles,
  projectReceipt,
  summariseForComment,
  type ProjectionInput,
  type UnexpectedGood,
} from '@/lib/sync/receipt/projection';

const MS = 'https://api.moysklad.ru/api/remap/1.2/entity';

function planLine(goodId: string, quantity: number, extra: Partial<PlanLine> = {}): PlanLine {
  return {
    goodId,
    quantity,
    assortment: { href: `${MS}/product/${goodId}`, type: 'product' },
    name: `Товар ${goodId}`,
    price: 10000,
    positionIds: [`pos-${goodId}`],
    ...extra,
  };
}

let nextOutdoc = 1000;
function receipt(lines: Array<[goodId: string, useful: number, defective?: number]>, extra: Partial<Receipt> = {}): Receipt {
  return {
    outdocId: nextOutdoc++,
    kind: 'goods_supply',
    indocId: 'MS-S-1',
    outdocDate: '2025-03-11',
    createdAt: new Date('2025-03-11T10:00:00Z'),
    partNumber: undefined,
    nonArrival: false,
    surplusFor: undefined,
    lines: lines.map(([goodId, useful, defective = 0]): ReceiptLine => ({ goodId, planned: 0, useful, defective })),
    ...extra,
  };
}

const PLAN = [
  planLine('ART-1', 10, { name: 'Футболка L' }),
  planLine('ART-2', 5, { name: 'Футболка M' }),
  planLine('ART-3', 3, { name: 'Носки' }),
  planLine('ART-4', 4, { name: 'Шорты' }),
];

function project(receipts: Receipt[], extra: Partial<ProjectionInput> = {}) {
  return projectReceipt({ plan: PLAN, receipts, policy: { defective: 'received' }, ...extra });
}

function unchangedPositions(plan: PlanLine[]) {
  return plan.map((l) => ({
    goodId: l.goodId,
    assortment: l.assortment,
    quantity: l.quantity,
    price: l.price,
    keepPositionIds: l.positionIds,
    origin: 'plan',
  }));
}

describe('projectReceipt', () => {
  it('keeps the positions unchanged when the receipt matches the plan exactly', () => {
    const result = project([
      receipt([
        ['ART-1', 10],
        ['ART-2', 5],
        ['ART-3', 3],
        ['ART-4', 4],
      ]),
    ]);
    expect(result.positions).toEqual(unchangedPositions(PLAN));
    expect(result.differences).toEqual([]);
    expect(result.unknownGoods).toEqual([]);
    expect(result).toMatchObject({ complete: true, nonArrival: false, parts: 1 });
    expect(result.lines).toEqual(
      PLAN.map((l) => ({
        goodId: l.goodId,
        name: l.name,
        planned: l.quantity,
        accepted: l.quantity,
        defective: 0,
        difference: 0,
        unexpected: false,
        unknown: false,
      })),
    );
    expect(summariseForComment(result, { entity: 'supply' })).toEqual(['Принято по факту: все 4 позиции совпали с планом']);
  });

  it('reduces a line on a shortage', () => {
    const result = project([
      receipt([
        ['ART-1', 8],
        ['ART-2', 5],
        ['ART-3', 3],
        ['ART-4', 4],
      ]),
    ]);
    expect(result.positions.map((p) => [p.goodId, p.quantity])).toEqual([
      ['ART-1', 8],
      ['ART-2', 5],
      ['ART-3', 3],
      ['ART-4', 4],
    ]);
    expect(result.positions[0].keepPositionIds).toEqual(['pos-ART-1']);
    expect(result.differences).toEqual([
      expect.objectContaining({
        kind: 'shortage',
        goodId: 'ART-1',
        planned: 10,
        received: 8,
        delta: -2,
        text: 'ART-1 «Футболка L»: план 10, принято 8 (−2)',
      }),
    ]);
    expect(result.lines[0]).toMatchObject({ planned: 10, accepted: 8, difference: -2 });
    expect(summariseForComment(result, { entity: 'supply' })).toEqual([
      'Принято по факту: 3 из 4 позиций совпали с планом',
      'ART-1 «Футболка L»: план 10, принято 8 (−2)',
    ]);
  });

  it('a different product instead of a planned one: shortage on the plan line, unexpected good added', () => {
    const cap: UnexpectedGood = {
      assortment: { href: `${MS}/variant/cap`, type: 'variant' },
      name: 'Кепка',
      price: 35000,
      priceSource: 'buyPrice',
    };
    const result = project(
      // BetaPRO reports the non-plan good with plan_qnt 0 next to the planned ones.
      [
        receipt([
          ['ART-1', 10],
          ['ART-2', 3],
          ['ART-3', 3],
          ['ART-4', 4],
          ['ART-9', 2],
        ]),
      ],
      { unexpected: new Map([['ART-9', cap]]) },
    );
    expect(result.positions.map((p) => [p.goodId, p.quantity, p.origin])).toEqual([
      ['ART-1', 10, 'plan'],
      ['ART-2', 3, 'plan'],
      ['ART-3', 3, 'plan'],
      ['ART-4', 4, 'plan'],
      ['ART-9', 2, 'unexpected'],
    ]);
    expect(result.positions[4]).toEqual({
      goodId: 'ART-9',
      assortment: cap.assortment,
      quantity: 2,
      price: 35000,
      keepPositionIds: [],
      origin: 'unexpected',
    });
    expect(result.differences.map((d) => d.kind)).toEqual(['shortage', 'unexpected']);
    expect(result.lines[4]).toEqual({
      goodId: 'ART-9',
      name: 'Кепка',
      planned: 0,
      accepted: 2,
      defective: 0,
      difference: 2,
      unexpected: true,
      unknown: false,
    });
    expect(summariseForComment(result, { entity: 'supply' })).toEqual([
      'Принято по факту: 3 из 4 позиций совпали с планом',
      'ART-2 «Футболка M»: план 5, принято 3 (−2)',
      'ART-9 «Кепка»: не было в плане, принято 2, добавлено по закупочной цене 350,00 ₽',
    ]);
  });

  it('a move with a surplus and a substitute: the comment says the source store gave more and other goods', () => {
    const cap: UnexpectedGood = {
      assortment: { href: `${MS}/variant/cap`, type: 'variant' },
      name: 'Кепка',
      price: 35000,
      priceSource: 'buyPrice',
    };
    const result = project(
      [
        receipt([
          ['ART-1', 12],
          ['ART-2', 5],
          ['ART-3', 3],
          ['ART-4', 4],
          ['ART-9', 2],
        ]),
      ],
      { unexpected: new Map([['ART-9', cap]]) },
    );
    expect(result.differences.map((d) => d.kind)).toEqual(['surplus', 'unexpected']);
    const lines = summariseForComment(result, { entity: 'move' });
    expect(lines.slice(-2)).toEqual([
      'Склад-отправитель отдал больше товара, чем по плану: излишек тоже перемещается с него по учёту МойСклад',
      'Склад-отправитель отдал товары не из плана (пересорт): они тоже перемещаются с него по учёту МойСклад',
    ]);
    // A supply has no source store: nothing of this is said there.
    expect(summariseForComment(result, { entity: 'supply' }).some((l) => l.includes('Склад-отправитель'))).toBe(false);
  });

  it('adds an unexpected good at price 0 and says why when it has no buy price', () => {
    const result = project(
      [
        receipt([
          ['ART-1', 10],
          ['ART-2', 5],
          ['ART-3', 3],
          ['ART-4', 4],
          ['ART-8', 1],
        ]),
      ],
      {
        unexpected: new Map([
          [
            'ART-8',
            {
              assortment: { href: `${MS}/product/p8`, type: 'product' },
              name: 'Ремень',
              price: 0,
              priceSource: 'zero',
            } as const,
          ],
        ]),
      },
    );
    expect(result.positions.at(-1)).toMatchObject({ goodId: 'ART-8', quantity: 1, price: 0 });
    expect(result.differences[0].text).toBe(
      'ART-8 «Ремень»: не было в плане, принято 1, добавлено по цене 0 — у товара нет закупочной цены',
    );
  });

  it('increases a line on a surplus', () => {
    const result = project([
      receipt([
        ['ART-1', 10],
        ['ART-2', 7],
        ['ART-3', 3],
        ['ART-4', 4],
      ]),
    ]);
    expect(result.positions[1]).toMatchObject({ goodId: 'ART-2', quantity: 7, keepPositionIds: ['pos-ART-2'] });
    expect(result.differences).toEqual([
      expect.objectContaining({ kind: 'surplus', delta: 2, text: 'ART-2 «Футболка M»: план 5, принято 7 (+2)' }),
    ]);
  });

  describe('defective goods', () => {
    const receipts = () => [
      receipt([
        ['ART-1', 9, 1],
        ['ART-2', 5],
        ['ART-3', 3],
        ['ART-4', 4],
      ]),
    ];

    it('count as received when the policy says so, and are still reported', () => {
      const result = project(receipts(), { policy: { defective: 'received' } });
      expect(result.positions[0].quantity).toBe(10);
      expect(result.lines[0]).toMatchObject({ planned: 10, accepted: 10, defective: 1, difference: 0 });
      expect(result.differences).toEqual([
        expect.objectContaining({
          kind: 'defective',
          goodId: 'ART-1',
          defective: 1,
          received: 10,
          text: 'ART-1 «Футболка L»: брак 1 шт. (учтён как принятый)',
        }),
      ]);
      expect(summariseForComment(result, { entity: 'supply' })[0]).toBe('Принято по факту: 3 из 4 позиций совпали с планом');
    });

    it('are left out of the quantity when excluded, and reported next to the shortage', () => {
      const result = project(receipts(), { policy: { defective: 'excluded' } });
      expect(result.positions[0].quantity).toBe(9);
      expect(result.lines[0]).toMatchObject({ planned: 10, accepted: 9, defective: 1, difference: -1 });
      expect(result.differences.map((d) => [d.kind, d.text])).toEqual([
        ['shortage', 'ART-1 «Футболка L»: план 10, принято 9 (−1)'],
        ['defective', 'ART-1: брак 1 шт. (не учтён в количестве)'],
      ]);
    });

    it('an unexpected good that arrived only as defects adds no position when excluded', () => {
      const result = project(
        [
          receipt([
            ['ART-1', 10],
            ['ART-2', 5],
            ['ART-3', 3],
            ['ART-4', 4],
            ['ART-9', 0, 2],
          ]),
        ],
        {
          policy: { defective: 'excluded' },
          unexpected: new Map([
            [
              'ART-9',
              {
                assortment: { href: `${MS}/product/p9`, type: 'product' },
                name: 'Кепка',
                price: 100,
                priceSource: 'buyPrice',
              } as const,
            ],
          ]),
        },
      );
      expect(result.positions.map((p) => p.goodId)).not.toContain('ART-9');
      expect(result.lines.at(-1)).toMatchObject({
        goodId: 'ART-9',
        accepted: 0,
        defective: 2,
        difference: 0,
        unexpected: true,
      });
      expect(result.differences).toEqual([
        expect.objectContaining({
          kind: 'defective',
          text: 'ART-9 «Кепка»: брак 2 шт. (не учтён в количестве), товара не было в плане',
        }),
      ]);
    });
  });

  it('removes a plan line that got nothing', () => {
    const result = project([
      receipt([
        ['ART-1', 10],
        ['ART-2', 0],
        ['ART-3', 3],
      ]),
    ]);
    expect(result.positions.map((p) => p.goodId)).toEqual(['ART-1', 'ART-3']);
    expect(result.lines.map((l) => [l.goodId, l.accepted, l.difference])).toEqual([
      ['ART-1', 10, 0],
      ['ART-2', 0, -5],
      ['ART-3', 3, 0],
      ['ART-4', 0, -4],
    ]);
    expect(result.differences.map((d) => [d.kind, d.text])).toEqual([
      ['missing', 'ART-2 «Футболка M»: план 5, не поступило — позиция удалена'],
      ['missing', 'ART-4 «Шорты»: план 4, не поступило — позиция удалена'],
    ]);
    expect(summariseForComment(result, { entity: 'move' })).toEqual([
      'Принято по факту: 2 из 4 позиций совпали с планом',
      'ART-2 «Футболка M»: план 5, не поступило — позиция удалена',
      'ART-4 «Шорты»: план 4, не поступило — позиция удалена',
      'Недостача остаётся на складе-отправителе по учёту МойСклад',
    ]);
  });

  it('names goods that match no MoySklad product and adds no position for them', () => {
    const result = project([
      receipt([
        ['ART-1', 10],
        ['ART-2', 5],
        ['ART-3', 3],
        ['ART-4', 4],
        ['ZZZ', 1],
        ['AAA', 0, 2],
        ['EMPTY', 0],
      ]),
    ]);
    expect(result.unknownGoods).toEqual(['AAA', 'ZZZ']);
    expect(result.positions).toEqual(unchangedPositions(PLAN));
    expect(result.lines.slice(4)).toEqual([
      {
        goodId: 'AAA',
        name: '',
        planned: 0,
        accepted: 2,
        defective: 2,
        difference: 2,
        unexpected: true,
        unknown: true,
      },
      {
        goodId: 'ZZZ',
        name: '',
        planned: 0,
        accepted: 1,
        defective: 0,
        difference: 1,
        unexpected: true,
        unknown: true,
      },
    ]);
    expect(result.differences.map((d) => [d.kind, d.text])).toEqual([
      ['unknown', 'AAA: в МойСклад нет товара с таким кодом, на складе принято 2 шт. — документ не проведён'],
      ['unknown', 'ZZZ: в МойСклад нет товара с таким кодом, на складе принято 1 шт. — документ не проведён'],
    ]);
  });

  it('reports non-arrival (attribute 306 with zeros)', () => {
    const result = project([
      receipt(
        [
          ['ART-1', 0],
          ['ART-2', 0],
          ['ART-3', 0],
          ['ART-4', 0],
        ],
        { nonArrival: true },
      ),
    ]);
    expect(result.nonArrival).toBe(true);
    expect(result.positions).toEqual([]);
    expect(summariseForComment(result, { entity: 'supply' })).toEqual([
      'Поставка не прибыла: БетаПРО сообщил, что товар больше не ожидается (атрибут 306). Документ не проведён',
    ]);
    // The flag means "nothing arrived": with quantities it is an ordinary receipt.
    expect(project([receipt([['ART-1', 1]], { nonArrival: true })]).nonArrival).toBe(false);
  });

  it('sums partial receipts and is complete only with the final part', () => {
    const part1 = receipt(
      [
        ['ART-1', 4],
        ['ART-2', 5],
      ],
      { partNumber: 1 },
    );
    const part2 = receipt(
      [
        ['ART-1', 3],
        ['ART-3', 1, 1],
      ],
      { partNumber: 2 },
    );
    const start = receipt([], { kind: 'goods_supply_start' });
    const partial = project([start, part1, part2]);
    expect(partial).toMatchObject({ complete: false, parts: 2 });
    expect(partial.positions.map((p) => [p.goodId, p.quantity])).toEqual([
      ['ART-1', 7],
      ['ART-2', 5],
      ['ART-3', 2],
    ]);
    expect(summariseForComment(partial, { entity: 'supply' })[0]).toBe(
      'Частичная приёмка (получено частей: 2): 1 из 4 позиций совпала с планом',
    );

    const final = receipt([
      ['ART-1', 3],
      ['ART-3', 1],
      ['ART-4', 4],
    ]);
    const done = project([part2, final, start, part1]);
    expect(done).toMatchObject({ complete: true, parts: 3 });
    expect(done.positions).toEqual(unchangedPositions(PLAN));
    expect(done.lines[2]).toMatchObject({ goodId: 'ART-3', accepted: 3, defective: 1, difference: 0 });
  });

  it('ignores goods_supply_start and counts an outdoc listed twice once', () => {
    const r = receipt([
      ['ART-1', 6],
      ['ART-2', 5],
      ['ART-3', 3],
      ['ART-4', 4],
    ]);
    const once = project([r]);
    expect(project([r, r, { ...r, lines: [...r.lines] }])).toEqual(once);
    expect(project([receipt([['ART-1', 99]], { kind: 'goods_supply_start' }), r])).toEqual(once);
    expect(once.positions[0].quantity).toBe(6);
  });

  it('picks one copy of an outdoc id whatever the order, even if copies disagree', () => {
    const a = receipt([['ART-1', 6]]);
    const b = { ...a, lines: [{ goodId: 'ART-1', planned: 0, useful: 7, defective: 0 }] };
    expect(project([a, b])).toEqual(project([b, a]));
    expect(project([a, b]).parts).toBe(1);
  });

  it('does not treat a separate surplus document as the final part', () => {
    const surplus = receipt([['ART-1', 2]], { surplusFor: 'MS-S-1' });
    const result = project([receipt([['ART-1', 10]], { partNumber: 1 }), surplus]);
    expect(result).toMatchObject({ complete: false, parts: 1 });
    expect(result.positions[0].quantity).toBe(12);
  });

  it('splits a merged plan line back over its MoySklad positions in order, surplus to the last', () => {
    const plan = [planLine('ART-1', 10, { positionIds: ['a', 'b', 'c'] }), planLine('ART-2', 1)];
    const positionQuantities = new Map([
      ['a', 5],
      ['b', 3],
      ['c', 2],
    ]);
    const run = (useful: number) =>
      projectReceipt({
        plan,
        receipts: [
          receipt([
            ['ART-1', useful],
            ['ART-2', 1],
          ]),
        ],
        policy: { defective: 'received' },
        positionQuantities,
      })
        .positions.filter((p) => p.goodId === 'ART-1')
        .map((p) => [p.keepPositionIds[0], p.quantity]);
    expect(run(10)).toEqual([
      ['a', 5],
      ['b', 3],
      ['c', 2],
    ]);
    expect(run(7)).toEqual([
      ['a', 5],
      ['b', 2],
    ]);
    expect(run(5)).toEqual([['a', 5]]);
    expect(run(2)).toEqual([['a', 2]]);
    expect(run(14)).toEqual([
      ['a', 5],
      ['b', 3],
      ['c', 6],
    ]);
    expect(run(0)).toEqual([]);
  });

  it('collapses a merged line into its first position when per-position quantities are unknown', () => {
    const plan = [planLine('ART-1', 10, { positionIds: ['a', 'b'] })];
    const result = projectReceipt({ plan, receipts: [receipt([['ART-1', 8]])], policy: { defective: 'received' } });
    expect(result.positions).toEqual([expect.objectContaining({ keepPositionIds: ['a'], quantity: 8 })]);
  });

  it('takes planned quantities from our plan, not from BetaPRO plan_qnt', () => {
    const r = receipt([['ART-1', 10]]);
    r.lines[0].planned = 999;
    expect(project([r]).lines[0]).toMatchObject({ planned: 10, difference: 0 });
  });

  it('orders unexpected goods by goodId after the plan', () => {
    const found = (name: string): UnexpectedGood => ({
      assortment: { href: `${MS}/product/${name}`, type: 'product' },
      name,
      price: 1,
      priceSource: 'buyPrice',
    });
    const result = project(
      [
        receipt([
          ['Z-1', 1],
          ['ART-1', 10],
          ['B-1', 1],
          ['A-1', 1],
        ]),
      ],
      {
        unexpected: new Map([
          ['Z-1', found('z')],
          ['B-1', found('b')],
          ['A-1', found('a')],
        ]),
      },
    );
    expect(result.positions.map((p) => p.goodId)).toEqual(['ART-1', 'A-1', 'B-1', 'Z-1']);
  });

  it('works from stored raw outdocs as the connector reads them', () => {
    const raw = {
      success: true,
      outdoc_type: 'goods_supply',
      common: {
        outdoc_id: 77,
        outdoc_type: 'goods_supply',
        outdoc_type_descrip: 'Товары оприходованы',
        outdoc_date: '2025-03-11',
        created_at: '2025-03-11T17:42:10',
        indoc_id: 'MS-S-1',
      },
      goods: [
        { good_id: 'ART-1', plan_qnt: 10, useful_qnt: 8, defective_qnt: 1 },
        { good_id: 'ART-2', plan_qnt: 5, useful_qnt: 5, defective_qnt: 0 },
        { good_id: 'ART-3', plan_qnt: 3, useful_qnt: 3, defective_qnt: 0 },
        { good_id: 'ART-4', plan_qnt: 4, useful_qnt: 4, defective_qnt: 0 },
      ],
    };
    const result = project([receiptFromRaw(raw)], { policy: { defective: 'excluded' } });
    expect(result).toMatchObject({ complete: true, parts: 1, nonArrival: false });
    expect(result.positions[0].quantity).toBe(8);
  });

  it('keeps comment lines within 200 characters', () => {
    const long = 'Очень длинное название товара '.repeat(20);
    const result = projectReceipt({
      plan: [planLine('ART-' + 'X'.repeat(150), 5, { name: long })],
      receipts: [receipt([['ART-' + 'X'.repeat(150), 1, 1]])],
      policy: { defective: 'excluded' },
    });
    const lines = summariseForComment(result, { entity: 'move' });
    expect(lines.length).toBe(4);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(200);
  });
});

describe('formatRubles', () => {
  it('formats kopecks as MoySklad shows money', () => {
    expect(formatRubles(35000)).toBe('350,00 ₽');
    expect(formatRubles(135005)).toBe('1 350,05 ₽');
    expect(formatRubles(0)).toBe('0,00 ₽');
    expect(formatRubles(123456789)).toBe('1 234 567,89 ₽');
  });
});
