import { describe, expect, it } from 'vitest';
import { actionNameSchema, syncStateSchema } from '@/lib/api/contract';
import { availableActions } from '@/lib/sync/widget/document-view';
import { actionsFor, documentChangedSince, mentionsPosition, newProblems } from '@/lib/ui/widget/rules';

describe('widget rules', () => {
  it('every state shows at least one button, and every action the server may enable is shown in that state', () => {
    for (const state of syncStateSchema.options) {
      const shown = actionsFor(state);
      expect(shown.length, state).toBeGreaterThan(0);
      // The server's own rules (with rights and a task): an enabled action must have a button.
      const server = availableActions(state, true, true);
      for (const action of actionNameSchema.options) {
        if (server[action].enabled) expect(shown, `${state} → ${action}`).toContain(action);
      }
    }
  });

  it('main buttons by state', () => {
    expect(actionsFor('not_sent')[0]).toBe('send');
    expect(actionsFor('error')[0]).toBe('retry');
    expect(actionsFor('review')[0]).toBe('post');
    expect(actionsFor('sent')).toEqual(['check', 'cancel']);
    expect(actionsFor('posted')).not.toContain('cancel');
  });

  it('the "document changed" notice compares server times only', () => {
    expect(documentChangedSince(null, null)).toBe(false);
    expect(documentChangedSince('2026-11-28T10:00:00.000Z', null)).toBe(true);
    expect(documentChangedSince('2026-11-28T10:00:00.000Z', '2026-11-28T10:00:00.000Z')).toBe(false);
    expect(documentChangedSince('2026-11-28T10:00:01.000Z', '2026-11-28T10:00:00.000Z')).toBe(true);
    expect(documentChangedSince('2026-11-28T09:00:00.000Z', '2026-11-28T10:00:00.000Z')).toBe(false);
  });

  it('does not prefix a position twice', () => {
    expect(mentionsPosition('Позиция 2 «Толстовка»: нет артикула', 2)).toBe(true);
    expect(mentionsPosition('Position 12: no article', 12)).toBe(true);
    expect(mentionsPosition('Позиция 12: нет артикула', 1)).toBe(false);
    expect(mentionsPosition('Нет артикула', 2)).toBe(false);
  });

  it('pre-flight lists only reasons not shown with the error', () => {
    const a = { code: 'NO_KEY', message: 'Позиция 1: нет артикула', position: 1 };
    const b = { code: 'SERVICE', message: 'Позиция 2: услуга', position: 2 };
    expect(newProblems([a, b], [a])).toEqual([b]);
    expect(newProblems([a], [a])).toEqual([]);
    expect(newProblems([a], [])).toEqual([a]);
  });
});
