import { describe, expect, it } from 'vitest';
import { compareStock, summarise, type CompareInput, type InFlightLine, type MoyskladGoodStock } from '@/lib/sync/stock/compare';
import { stockCsv, csvFileName, type CsvTexts } from '@/lib/sync/stock/csv';
import { messagesFor } from '@/lib/ui/i18n';

const supply = (quantity: number, name = '00012'): InFlightLine => ({
  entity: 'supply',
  msId: `id-${name}`,
  name,
  state: 'sent',
  direction: 'inbound',
  quantity,
});

function input(patch: Partial<CompareInput>): CompareInput {
  return {
    moysklad: new Map(),
    names: new Map(),
    withoutKey: [],
    betapro: new Map(),
    inFlight: new Map(),
    defectiveReceived: true,
    ...patch,
  };
}

describe('compareStock', () => {
  it('matches by key, sums the stores, counts defects by the receipt policy, sorts differences first', () => {
    const rows = compareStock(
      input({
        moysklad: new Map<string, MoyskladGoodStock>([
          ['A', { name: 'Альфа', byStore: { s1: 3, s2: 2 } }],
          ['B', { name: 'Бета', byStore: { s1: 10 } }],
          ['C', { name: 'Гамма', byStore: { s1: 1 } }],
        ]),
        betapro: new Map([
          ['A', { useful: 4, defective: 1, quarantine: 0 }],
          ['B', { useful: 7, defective: 0, quarantine: 2 }],
          ['C', { useful: 1, defective: 0, quarantine: 0 }],
        ]),
      }),
    );
    expect(rows.map((r) => [r.goodId, r.status, r.moysklad, r.expected, r.difference])).toEqual([
      ['B', 'difference', 10, 7, 3],
      ['A', 'match', 5, 5, 0],
      ['C', 'match', 1, 1, 0],
    ]);
    expect(rows[0].betapro.quarantine).toBe(2);
    const excluded = compareStock(
      input({
        moysklad: new Map([['A', { name: 'Альфа', byStore: { s1: 4 } }]]),
        betapro: new Map([['A', { useful: 4, defective: 1, quarantine: 0 }]]),
        defectiveReceived: false,
      }),
    );
    expect(excluded[0]).toMatchObject({ expected: 4, status: 'match' });
  });

  it('explains a difference up to the quantities in flight, in either direction, and no further', () => {
    const rows = compareStock(
      input({
        moysklad: new Map([
          ['IN', { name: 'Приход', byStore: { s1: 0 } }],
          ['OUT', { name: 'Расход', byStore: { s1: 5 } }],
          ['TOO', { name: 'Слишком', byStore: { s1: 0 } }],
        ]),
        betapro: new Map([
          ['IN', { useful: 4, defective: 0, quarantine: 0 }],
          ['OUT', { useful: 2, defective: 0, quarantine: 0 }],
          ['TOO', { useful: 5, defective: 0, quarantine: 0 }],
        ]),
        inFlight: new Map([
          ['IN', [supply(4)]],
          ['OUT', [{ ...supply(3), entity: 'move', direction: 'outbound' }]],
          ['TOO', [supply(2)]],
        ]),
      }),
    );
    const by = Object.fromEntries(rows.map((r) => [r.goodId, r.status]));
    expect(by).toEqual({ IN: 'explained', OUT: 'explained', TOO: 'difference' });
    expect(rows[0].goodId).toBe('TOO');
    expect(summarise(rows)).toEqual({ goods: 3, differences: 1, explained: 2 });
  });

  it('names goods missing on one side and MoySklad goods without the key', () => {
    const rows = compareStock(
      input({
        moysklad: new Map([['ONLY-MS', { name: 'Только МС', byStore: { s1: 2 } }]]),
        names: new Map([['ONLY-BP', 'Только БП']]),
        betapro: new Map([
          ['ONLY-BP', { useful: 3, defective: 0, quarantine: 0 }],
          ['UNKNOWN', { useful: 1, defective: 0, quarantine: 0 }],
        ]),
        withoutKey: [{ name: 'Без артикула', byStore: { s1: 1 } }],
      }),
    );
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName['Только МС']).toMatchObject({ difference: 2, status: 'difference', note: 'not_at_betapro' });
    expect(byName['Только БП']).toMatchObject({ difference: -3, status: 'difference' });
    expect(byName['Только БП'].note).toBeUndefined();
    expect(byName.UNKNOWN).toMatchObject({ note: 'no_moysklad_product', difference: -1 });
    expect(byName['Без артикула']).toMatchObject({ goodId: null, note: 'no_key', difference: 1 });
  });
});

describe('stockCsv', () => {
  const texts: CsvTexts = messagesFor('ru').stock.csv;
  it('starts with a BOM, separates with semicolons, quotes and defuses what a spreadsheet would misread', () => {
    const csv = stockCsv(
      compareStock(
        input({
          moysklad: new Map([
            ['=CMD', { name: 'Кружка; "большая"', byStore: { s1: 2 } }],
            ['B', { name: 'Блокнот', byStore: { s1: 0 } }],
          ]),
          betapro: new Map([['B', { useful: 4, defective: 0, quarantine: 0 }]]),
          inFlight: new Map([['B', [supply(4, '00012')]]]),
        }),
      ),
      texts,
    );
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0].split(';')).toHaveLength(10);
    expect(lines[1]).toBe(`'=CMD;"Кружка; ""большая""";Расхождение;2;0;0;0;0;2;`);
    expect(lines[2]).toBe('B;Блокнот;Документы в пути;0;4;0;0;4;-4;Приёмка 00012: 4');
    expect(lines[3]).toBe('');
  });

  it('names the file by the run date', () => {
    expect(csvFileName('2026-12-01T03:04:05.000Z')).toBe('stock-reconciliation-2026-12-01.csv');
  });
});
