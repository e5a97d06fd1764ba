/** The notification that ends a bulk send (lib/sync/bulk/summary.ts): counts, first error, 255 characters. */
import { describe, expect, it } from 'vitest';
import { summarize, type SummaryItem } from '@/lib/sync/bulk/summary';

const item = (position: number, result: SummaryItem['result'], extra: Partial<SummaryItem> = {}): SummaryItem => ({
  msId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  position,
  result,
  ...extra,
});

describe('bulk send summary', () => {
  it('counts sent, already sent and errors; no link without an error', () => {
    expect(summarize('supply', [item(0, 'sent'), item(1, 'already'), item(2, 'sent')])).toEqual({
      text: 'Передано: 2, уже были переданы: 1, ошибки: 0',
    });
  });

  it('names the earliest selected error and links to its document', () => {
    const n = summarize('move', [
      item(3, 'error', { name: '00007', message: 'позиция 2: нет артикула' }),
      item(1, 'error', { name: '00005', message: 'склад не БетаПРО' }),
      item(0, 'sent'),
    ]);
    expect(n.text).toBe('Передано: 1, уже были переданы: 0, ошибки: 2. Первая ошибка — № 00005: склад не БетаПРО');
    expect(n.url).toBe('/app/#move/edit?id=00000000-0000-4000-8000-000000000001');
    expect(n.urlText).toBe('Открыть документ');
  });

  it('reports documents the user may not change and those still in work, never silently', () => {
    const n = summarize('supply', [
      item(0, 'forbidden', { name: '1', message: 'нет прав на изменение этого документа' }),
      item(1, 'pending'),
    ]);
    expect(n.text).toBe(
      'Передано: 0, уже были переданы: 0, ошибки: 0, нет прав: 1, ещё в работе: 1. Первая ошибка — № 1: нет прав на изменение этого документа',
    );
    expect(n.url).toContain('/app/#supply/edit?id=');
  });

  it('a missing document counts as an error, without a link', () => {
    const n = summarize('supply', [item(0, 'missing', { message: 'документ не найден в МойСклад' })]);
    expect(n.text).toBe('Передано: 0, уже были переданы: 0, ошибки: 1. Первая ошибка — документ: документ не найден в МойСклад');
    expect(n.url).toBeUndefined();
  });

  it('never longer than 255 characters, the counts kept whole', () => {
    const n = summarize('supply', [item(0, 'error', { name: 'X', message: 'очень длинная причина '.repeat(40) })]);
    expect(n.text.length).toBe(255);
    expect(n.text.startsWith('Передано: 0, уже были переданы: 0, ошибки: 1. Первая ошибка — № X: ')).toBe(true);
    expect(n.text.endsWith('…')).toBe(true);
  });
});
