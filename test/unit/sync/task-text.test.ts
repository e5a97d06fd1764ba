/**
 * The discrepancy task's cause and text (docs/discrepancy-tasks.md): the cause from the document's state
 * and recorded problems; the text names the document, the reasons and what to do, fits MoySklad's 4,096
 * characters and always ends with the marker that finds the task again.
 */
import { describe, expect, it } from 'vitest';
import { TASK_DESCRIPTION_MAX } from '@/lib/moysklad/tasks';
import { describeCause, taskCause } from '@/lib/sync/tasks/task-text';

const marker = '[BetaPRO Bridge 0b7c2a4e-0000-4000-8000-000000000001]';

describe('taskCause', () => {
  it('follows the state and the recorded problems', () => {
    expect(taskCause({ state: 'review', errors: null })).toBe('review');
    expect(taskCause({ state: 'expired', errors: [{ code: 'non_arrival', message: 'x' }] })).toBe('non_arrival');
    expect(taskCause({ state: 'error', errors: [{ code: 'posting_refused', message: 'нет остатка' }] })).toBe('posting_refused');
    expect(
      taskCause({
        state: 'error',
        errors: [
          { code: 'unknown_goods', message: 'x' },
          { code: 'hint', message: 'y' },
        ],
      }),
    ).toBe('receipt_blocked');
    expect(taskCause({ state: 'error', errors: [{ code: 'NO_POSITIONS', message: 'В документе нет позиций' }] })).toBe('transfer_error');
    expect(taskCause({ state: 'error', errors: 'not a list' })).toBe('transfer_error');
  });
});

describe('describeCause', () => {
  it('names the document, numbers the reasons, says what to do and ends with the marker', () => {
    const text = describeCause({
      entity: 'move',
      name: '00042',
      doc: {
        state: 'error',
        errors: [
          { code: 'A', message: 'Первая причина.' },
          { code: 'B', message: 'Вторая причина.' },
        ],
      },
      marker,
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Перемещение 00042: документ не передан на склад БетаПРО (статус «Ошибка передачи»).');
    expect(lines).toContain('1. Первая причина.');
    expect(lines).toContain('2. Вторая причина.');
    expect(text).toContain('«Передать»');
    expect(text).toContain('«Проведён»');
    expect(lines.at(-1)).toBe(marker);
  });

  it('a review has no reasons list; the text says how to decide', () => {
    const text = describeCause({ entity: 'supply', name: '00007', doc: { state: 'review', errors: null }, marker });
    expect(text.startsWith('Приёмка 00007: склад БетаПРО принял товар с расхождениями')).toBe(true);
    expect(text).not.toContain('Причины:');
    expect(text).toContain('«Провести с расхождениями»');
  });

  it('a review lists the lines that differ from the plan', () => {
    const line = { name: '', unexpected: false, unknown: false, defective: 0 };
    const text = describeCause({
      entity: 'supply',
      name: '00008',
      doc: { state: 'review', errors: null },
      marker,
      lines: [
        { ...line, goodId: 'MUG-300', name: 'Кружка', planned: 5, accepted: 3, difference: -2, defective: 1 },
        { ...line, goodId: 'NB-A5', planned: 2, accepted: 2, difference: 0 },
        { ...line, goodId: 'TS-1', planned: 0, accepted: 4, difference: 4, unexpected: true },
      ],
    });
    const lines = text.split('\n');
    expect(lines[1]).toBe('Расхождения:');
    expect(lines[2]).toBe('1. «Кружка» (MUG-300): план 5, принято 3 (−2), брак 1.');
    expect(lines[3]).toBe('2. TS-1: план 0, принято 4 (+4).');
    expect(text).not.toContain('NB-A5');
  });

  it('a shipment under review speaks of what was shipped (docs/outbound.md)', () => {
    const line = { name: 'Ручка', unexpected: false, unknown: false, defective: 0 };
    const text = describeCause({
      entity: 'move',
      name: '00003',
      doc: { state: 'review', errors: null },
      marker,
      outbound: true,
      lines: [{ ...line, goodId: 'PEN-BLUE', planned: 5, accepted: 2, difference: -3 }],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Перемещение 00003: склад БетаПРО отгрузил товар с расхождениями, документ ждёт решения.');
    expect(lines[2]).toBe('1. «Ручка» (PEN-BLUE): план 5, отгружено 2 (−3).');
    expect(text).not.toMatch(/принял|принято/);
  });

  it('a long list is cut to MoySklad’s limit, the marker kept', () => {
    const errors = Array.from({ length: 300 }, (_, i) => ({
      code: 'MISSING_KEY',
      message: `Позиция ${i + 1}: не заполнен артикул товара.`,
    }));
    const text = describeCause({ entity: 'supply', name: '00001', doc: { state: 'error', errors }, marker });
    expect(text.length).toBeLessThanOrEqual(TASK_DESCRIPTION_MAX);
    expect(text.endsWith(`…\n${marker}`)).toBe(true);
  });
});
