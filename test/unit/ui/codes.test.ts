import { describe, expect, it } from 'vitest';
import { ACTION_REASON_CODES, EVENT_KINDS, PROBLEM_CODES } from '@/lib/core/views';
import { ERROR_HTTP_STATUS } from '@/lib/core/errors';
import { en } from '@/lib/ui/i18n/en';
import { ru } from '@/lib/ui/i18n/ru';
import { eventDetail, errorCodeText, PROBLEM_TEXTS, problemLines } from '@/lib/ui/i18n/codes';

const CYRILLIC = /[а-яё]/i;
const SAMPLE = {
  name: 'Hoodie',
  product: 'Hoodie',
  variant: 'S',
  key: 'article',
  type: 'service',
  quantity: 1.5,
  entity: 'move',
  indocId: 'IN-1',
  missing: 'x',
  status: 'suspended',
  reason: 'r',
  goods: 'G-1',
  names: '«A», «B»',
  value: 'A-1',
  position: 2,
};

describe('code texts', () => {
  it('every problem code has a text in Russian and in English', () => {
    for (const code of PROBLEM_CODES) {
      for (const [locale, texts] of Object.entries(PROBLEM_TEXTS)) {
        const entry = (texts as Record<string, unknown>)[code];
        expect(typeof entry, `${locale} ${code}`).toBe('function');
        const [line] = problemLines([{ code, message: 'сообщение сервера', params: SAMPLE }], locale as 'ru' | 'en');
        expect(line.text.trim(), `${locale} ${code}`).not.toBe('');
        expect(line.text, `${locale} ${code} is not the server's message`).not.toBe('сообщение сервера');
        if (locale === 'en') expect(line.text, `en ${code}`).not.toMatch(CYRILLIC);
      }
    }
  });

  it('every AppError code is a problem code (lower-cased) and so has texts', () => {
    for (const code of Object.keys(ERROR_HTTP_STATUS)) {
      expect(PROBLEM_CODES as readonly string[], code).toContain(code.toLowerCase());
      expect(errorCodeText(code, 'Русский текст', 'en')).not.toMatch(CYRILLIC);
      expect(errorCodeText(code, 'Русский текст', 'ru')).toBe('Русский текст');
    }
  });

  it('every event kind and every disabled-action reason has a label in both languages', () => {
    for (const messages of [ru, en]) {
      for (const kind of EVENT_KINDS) expect((messages.eventKinds as Record<string, string>)[kind], kind).toBeTruthy();
      for (const code of [...ACTION_REASON_CODES, 'preflight_blocked']) {
        expect((messages.widget.actionReasons as Record<string, string>)[code], code).toBeTruthy();
      }
    }
    for (const kind of EVENT_KINDS) expect(en.eventKinds[kind]).not.toMatch(CYRILLIC);
  });
});

describe('short problem lines', () => {
  const variant = (size: string, position: number) => ({
    code: 'MISSING_KEY',
    position,
    message: `Позиция ${position} «Толстовка с капюшоном (${size})»: у модификации не заполнен артикул…`,
    params: {
      name: `Толстовка с капюшоном (${size})`,
      key: 'article',
      product: 'Толстовка с капюшоном',
      variant: size,
    },
  });

  it('lists the variants of one product that lack the same field on one line', () => {
    const lines = problemLines(
      [
        variant('S', 1),
        variant('M', 2),
        variant('L', 3),
        { code: 'NOT_STORABLE', position: 4, message: '…', params: { name: 'Доставка', type: 'service' } },
      ],
      'ru',
    );
    expect(lines.map((l) => l.text)).toEqual([
      'Толстовка с капюшоном: S, M, L — у модификаций не заполнен артикул',
      '«Доставка» — услуга: склад принимает только товары — удалите из документа',
    ]);
    expect(lines[0].positions).toEqual([1, 2, 3]);
    expect(problemLines([variant('S', 1), variant('M', 2)], 'en')[0].text).toBe(
      'Толстовка с капюшоном: S, M — the variants have no article',
    );
    expect(problemLines([variant('S', 1)], 'ru')[0].text).toBe('Толстовка с капюшоном: S — у модификации не заполнен артикул');
  });

  it('keeps the server message for Russian problems stored without params, and never shows it in English', () => {
    const old = { code: 'MISSING_KEY', message: 'Позиция 1 «Футболка»: не заполнен артикул.', position: 1 };
    expect(problemLines([old], 'ru')[0].text).toBe(old.message);
    expect(problemLines([old], 'en')[0].text).toBe('«#1» — the product key is empty');
  });

  it('renders event details from the event data, in English without the Russian message', () => {
    const event = {
      kind: 'task_created',
      message: 'Создано задание на оприходование X: 2 поз., 5 шт.',
      params: { indocId: 'X', lines: 2, units: 5 },
    };
    expect(eventDetail(event, 'en')).toBe('Task X: 2 lines, 5 pcs');
    expect(eventDetail(event, 'ru')).toBe('Задание X: 2 поз., 5 шт.');
    expect(eventDetail({ kind: 'sent', message: 'Статус документа: «Передан»' }, 'en')).toBeNull();
    expect(eventDetail({ kind: 'sent', message: 'Статус документа: «Передан»' }, 'ru')).toBe('Статус документа: «Передан»');
  });
});
