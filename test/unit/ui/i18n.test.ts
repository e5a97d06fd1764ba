import { describe, expect, it } from 'vitest';
import { en } from '@/lib/ui/i18n/en';
import { ru } from '@/lib/ui/i18n/ru';
import { formatNumber, keyPaths, labelOf, localeFrom, messagesFor, withDirection } from '@/lib/ui/i18n';
import { syncStateSchema, actionNameSchema } from '@/lib/api/contract';

function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (typeof value !== 'object' || value === null) return [[prefix, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('texts', () => {
  it('English has exactly the keys of Russian', () => {
    expect(keyPaths(en).sort()).toEqual(keyPaths(ru).sort());
  });

  it('no text is empty and parameterised texts keep their arity', () => {
    const enLeaves = new Map(leaves(en));
    for (const [path, value] of leaves(ru)) {
      const other = enLeaves.get(path);
      expect(typeof other, path).toBe(typeof value);
      if (typeof value === 'string') {
        expect(value.trim(), `ru ${path}`).not.toBe('');
        expect((other as string).trim(), `en ${path}`).not.toBe('');
      } else if (typeof value === 'function') {
        expect((other as (...a: unknown[]) => string).length, path).toBe(value.length);
        const sample = (value as (...a: unknown[]) => string)(...Array(value.length).fill(3));
        expect(sample).toContain('3');
      }
    }
  });

  it('every sync state and action of the contract has a label in both languages', () => {
    for (const messages of [ru, en]) {
      for (const state of syncStateSchema.options) {
        expect(messages.states[state]).toBeTruthy();
        expect(messages.stateHints[state]).toBeTruthy();
      }
      for (const action of actionNameSchema.options) {
        expect(messages.widget.actions[action]).toBeTruthy();
        expect(messages.widget.actionDone[action]).toBeTruthy();
      }
    }
  });

  it('the button captions are the ones the product names', () => {
    expect(ru.widget.actions).toEqual({
      send: 'Передать на склад',
      retry: 'Повторить',
      check: 'Проверить приёмку',
      cancel: 'Отменить задание',
      post: 'Провести с расхождениями',
    });
    expect(ru.widget.reopen).toBe('Открыть документ заново');
    expect(ru.settings.connection.test).toBe('Проверить подключение');
    expect(ru.settings.statuses.create).toBe('Создать статусы');
    expect(ru.settings.health.reinstall).toBe('Переустановить вебхуки');
  });
});

describe('locale', () => {
  it('is Russian unless MoySklad says en_US', () => {
    expect(localeFrom('en_US')).toBe('en');
    expect(localeFrom('en')).toBe('en');
    expect(localeFrom('ru_RU')).toBe('ru');
    expect(localeFrom(undefined)).toBe('ru');
    expect(localeFrom('de_DE')).toBe('ru');
    expect(localeFrom('eng')).toBe('ru');
    expect(messagesFor('en')).toBe(en);
    expect(messagesFor('ru')).toBe(ru);
  });

  it('labels unknown codes by the code itself', () => {
    expect(labelOf(ru.eventKinds, 'sent')).toBe('Передан');
    expect(labelOf(ru.eventKinds, 'brand_new_kind')).toBe('brand_new_kind');
    expect(labelOf(ru.triggers, null)).toBe('');
  });

  it('formats signed differences with a real minus', () => {
    expect(formatNumber(-4, 'ru', true)).toBe('−4');
    expect(formatNumber(2, 'ru', true)).toBe('+2');
    expect(formatNumber(0, 'ru', true)).toBe('0');
    expect(formatNumber(1500, 'en')).toBe('1,500');
  });
});

describe('texts by direction (docs/outbound.md)', () => {
  it('an outbound document speaks of a shipment; every replaced key exists in the base texts', () => {
    for (const t of [ru, en]) {
      const out = withDirection(t, 'outbound');
      const base = new Set(keyPaths(t));
      for (const path of keyPaths(t.outbound)) expect(base.has(path), path).toBe(true);
      expect(out.widget.colAccepted).toBe(t.outbound.widget.colAccepted);
      expect(out.states.receiving).toBe(t.outbound.states.receiving);
      // Untouched keys stay, and the base texts are not changed by the overlay.
      expect(out.widget.colPlanned).toBe(t.widget.colPlanned);
      expect(out.states.posted).toBe(t.states.posted);
      expect(t.widget.colAccepted).not.toBe(out.widget.colAccepted);
    }
    expect(withDirection(ru, 'outbound').widget.colAccepted).toBe('Отгружено');
    expect(withDirection(en, 'outbound').widget.actions.check).toBe('Check the shipment');
    expect(withDirection(ru, 'outbound').widget.confirmCancelText('M-1')).toMatch(/задание на отгрузку/);
  });

  it('inbound and unknown directions keep the receipt texts', () => {
    expect(withDirection(ru, 'inbound')).toBe(ru);
    expect(withDirection(en, null)).toBe(en);
    expect(withDirection(ru, undefined).widget.colAccepted).toBe('Принято');
  });
});
