import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  COMMENT_MARKER,
  appendToComment,
  formatLogDate,
  newestEntryStartsWith,
  renderEntry,
  splitComment,
} from '@/lib/sync/document/comment-log';

// 14:05 UTC = 17:05 in Moscow.
const AT = new Date('2025-03-11T14:05:00Z');
const minutes = (n: number) => new Date(AT.getTime() + n * 60_000);

describe('renderEntry', () => {
  it('dates the first line in Moscow time and indents the rest', () => {
    expect(renderEntry({ at: AT, lines: ['Передан на склад БетаПРО'] })).toBe('11.03.2025 17:05 Передан на склад БетаПРО');
    expect(
      renderEntry({
        at: AT,
        lines: ['Ошибка передачи:', '1. Позиция 2: нет артикула', '2. Склад не связан с БетаПРО'],
      }),
    ).toBe('11.03.2025 17:05 Ошибка передачи:\n    1. Позиция 2: нет артикула\n    2. Склад не связан с БетаПРО');
  });

  it('keeps the entry structure whatever the lines contain', () => {
    expect(renderEntry({ at: AT, lines: ['a\r\nb', '', `${COMMENT_MARKER}`, '  c  '] })).toBe(
      `11.03.2025 17:05 a\n    b\n    ${COMMENT_MARKER}\n    c`,
    );
    expect(renderEntry({ at: AT, lines: [] })).toBe('11.03.2025 17:05');
  });

  it('crosses midnight in Moscow, not in UTC', () => {
    expect(formatLogDate(new Date('2024-12-31T21:30:00Z'))).toBe('01.01.2025 00:30');
  });
});

describe('appendToComment / splitComment', () => {
  const entry = (n: number, text = `Событие ${n}`) => ({ at: minutes(n), lines: [text] });

  it('writes the block after a blank line and reads the user text back byte for byte', () => {
    const out = appendToComment('Привезти до пятницы', [entry(0, 'Передан на склад БетаПРО')]);
    expect(out).toBe(`Привезти до пятницы\n\n${COMMENT_MARKER}\n11.03.2025 17:05 Передан на склад БетаПРО`);
    expect(splitComment(out)).toEqual({
      userText: 'Привезти до пятницы',
      entries: ['11.03.2025 17:05 Передан на склад БетаПРО'],
    });
  });

  it.each([
    ['empty', ''],
    ['trailing newlines', 'Комментарий\n\n\n'],
    ['Windows newlines', 'Строка 1\r\nСтрока 2\r\n'],
    ['a lone carriage return at the end', 'abc\r'],
    ['emoji', 'Хрупкое 📦🚚 — не кантовать 👍🏽'],
    ['only spaces', '   '],
    ['a leading newline', '\nтекст'],
    ['something like a marker', '─── Журнал ───\n——— БетаПРО ———'],
  ])('preserves user text with %s', (_, userText) => {
    let description = appendToComment(userText, [entry(0)]);
    expect(splitComment(description).userText).toBe(userText);
    description = appendToComment(description, [entry(1), entry(2)]);
    expect(splitComment(description).userText).toBe(userText);
    expect(description.startsWith(userText)).toBe(true);
  });

  it('writes no separator for an empty or missing comment', () => {
    for (const empty of ['', null, undefined]) {
      expect(appendToComment(empty, [entry(0)])).toBe(`${COMMENT_MARKER}\n11.03.2025 17:05 Событие 0`);
    }
    expect(splitComment(null)).toEqual({ userText: '', entries: [] });
  });

  it('keeps one block through repeated appends, newest last', () => {
    let description: string | null = 'Текст';
    for (let i = 0; i < 5; i++) description = appendToComment(description, [entry(i)]);
    expect(description.split(COMMENT_MARKER)).toHaveLength(2);
    expect(splitComment(description)).toEqual({
      userText: 'Текст',
      entries: [0, 1, 2, 3, 4].map((i) => `11.03.2025 ${String(17).padStart(2, '0')}:0${5 + i} Событие ${i}`),
    });
  });

  it('keeps multi-line entries whole when reading them back', () => {
    const description = appendToComment('x', [{ at: AT, lines: ['Ошибка передачи:', 'Позиция 1: нет артикула'] }, entry(1)]);
    expect(splitComment(description).entries).toEqual([
      '11.03.2025 17:05 Ошибка передачи:\n    Позиция 1: нет артикула',
      '11.03.2025 17:06 Событие 1',
    ]);
  });

  it('drops the oldest entries to fit 4096 characters', () => {
    let description = 'Мой комментарий';
    for (let i = 0; i < 300; i++) description = appendToComment(description, [entry(i, `Событие номер ${i} ${'.'.repeat(20)}`)]);
    expect(description.length).toBeLessThanOrEqual(4096);
    expect(description.length).toBeGreaterThan(4096 - 60);
    const { userText, entries } = splitComment(description);
    expect(userText).toBe('Мой комментарий');
    expect(entries.at(-1)).toContain('Событие номер 299 ');
    const numbers = entries.map((e) => Number(/номер (\d+)/.exec(e)![1]));
    expect(numbers).toEqual(numbers.map((_, i) => 300 - numbers.length + i));
  });

  it('honours a smaller limit', () => {
    const out = appendToComment('u', [entry(0), entry(1), entry(2)], { maxLength: 80 });
    expect(out.length).toBeLessThanOrEqual(80);
    expect(splitComment(out).entries).toEqual(['11.03.2025 17:06 Событие 1', '11.03.2025 17:07 Событие 2']);
  });

  it('never cuts a huge user text; keeps what fits of the newest entry', () => {
    const huge = 'Ж'.repeat(4000);
    const out = appendToComment(huge, [entry(0), { at: minutes(1), lines: ['Ошибка передачи: ' + 'причина '.repeat(40)] }]);
    expect(out.length).toBe(4096);
    expect(out.startsWith(huge + '\n\n' + COMMENT_MARKER + '\n11.03.2025 17:06 Ошибка передачи: причина')).toBe(true);
    expect(out.endsWith('…')).toBe(true);
    expect(splitComment(out).userText).toBe(huge);

    // No room for the marker and a readable piece of an entry: the user text alone.
    const fuller = 'Ж'.repeat(4070);
    expect(appendToComment(fuller, [entry(0)])).toBe(fuller);
    // Longer than MoySklad allows already: still never cut.
    const tooLong = 'Ж'.repeat(5000);
    expect(appendToComment(tooLong, [entry(0)])).toBe(tooLong);
  });

  it('does not split an emoji when cutting an entry', () => {
    const out = appendToComment('', [{ at: AT, lines: ['😀'.repeat(100)] }], { maxLength: 60 });
    expect(out.length).toBeLessThanOrEqual(60);
    const cutEntry = splitComment(out).entries[0];
    expect(cutEntry.endsWith('😀…')).toBe(true);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(out)).toBe(false);
  });

  it('treats everything as user text when the marker was deleted, and starts a new block', () => {
    const original = appendToComment('Текст', [entry(0)]);
    const edited = original.replace(COMMENT_MARKER + '\n', '');
    expect(splitComment(edited)).toEqual({ userText: edited, entries: [] });
    const next = appendToComment(edited, [entry(1)]);
    expect(splitComment(next)).toEqual({ userText: edited, entries: ['11.03.2025 17:06 Событие 1'] });
  });

  it('survives a user editing our block', () => {
    const base = `Текст\n\n${COMMENT_MARKER}\n11.03.2025 17:05 A\n    деталь\n`;
    // User deleted one blank line, added a note above the entries and trailing spaces, removed an entry's date.
    const edited = `Текст\n${COMMENT_MARKER}  \r\nзаметка пользователя\n11.03.2025 17:05 A  \n    деталь\nбез даты\n\n`;
    expect(splitComment(base)).toEqual({ userText: 'Текст', entries: ['11.03.2025 17:05 A\n    деталь'] });
    expect(splitComment(edited)).toEqual({
      userText: 'Текст',
      entries: ['заметка пользователя', '11.03.2025 17:05 A\n    деталь\nбез даты'],
    });
    // The marker with nothing after it.
    expect(splitComment(`Текст\n\n${COMMENT_MARKER}`)).toEqual({ userText: 'Текст', entries: [] });
  });

  it('uses the last marker when there are several', () => {
    const description = `A\n\n${COMMENT_MARKER}\n11.03.2025 17:05 старое\n\n${COMMENT_MARKER}\n11.03.2025 17:06 новое`;
    expect(splitComment(description)).toEqual({
      userText: `A\n\n${COMMENT_MARKER}\n11.03.2025 17:05 старое`,
      entries: ['11.03.2025 17:06 новое'],
    });
  });

  it('recognises the marker only as a whole line', () => {
    for (const text of [`x${COMMENT_MARKER}`, `${COMMENT_MARKER}x`, `  ${COMMENT_MARKER}`, `${COMMENT_MARKER}x\n${COMMENT_MARKER}y`]) {
      expect(splitComment(text)).toEqual({ userText: text, entries: [] });
    }
  });
});

describe('newestEntryStartsWith', () => {
  const sent = 'Передан в БетаПРО: задание S-1,';
  it('looks at the newest entry of the app block only, after its date', () => {
    const once = appendToComment('Заметка клерка', [{ at: AT, lines: [`${sent} 3 поз., 9 шт.`, 'вторая строка'] }]);
    expect(newestEntryStartsWith(once, sent)).toBe(true);
    expect(newestEntryStartsWith(once, 'Передан в БетаПРО: задание S-2,')).toBe(false);
    const later = appendToComment(once, [{ at: minutes(5), lines: ['Ошибка передачи в БетаПРО'] }]);
    expect(newestEntryStartsWith(later, sent)).toBe(false);
  });
  it('is false without an app block, also when the user wrote the same words', () => {
    expect(newestEntryStartsWith(undefined, sent)).toBe(false);
    expect(newestEntryStartsWith(`${formatLogDate(AT)} ${sent} 1 поз.`, sent)).toBe(false);
  });
});

describe('comment log properties', () => {
  const userTextArb = fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom('\n', '\r', ' ', 'a', 'Ж', '─', '😀', '\t'), maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
    )
    .filter((s) => !s.includes(COMMENT_MARKER));
  const entriesArb = fc.array(
    fc.record({
      at: fc.date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2100-01-01T00:00:00Z'),
        noInvalidDate: true,
      }),
      lines: fc.array(fc.string({ maxLength: 80 }), { maxLength: 4 }),
    }),
    { maxLength: 5 },
  );

  it('round-trips the user text byte for byte through any number of appends', () => {
    fc.assert(
      fc.property(
        userTextArb,
        fc.array(entriesArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 600 }),
        (userText, batches, limit) => {
          const maxLength = limit === 0 ? 4096 : limit;
          let description = userText;
          for (const batch of batches) {
            description = appendToComment(description, batch, { maxLength });
            expect(splitComment(description).userText).toBe(userText);
            expect(description.startsWith(userText)).toBe(true);
            if (userText.length + 2 + COMMENT_MARKER.length + 1 + 24 <= maxLength) {
              expect(description.length).toBeLessThanOrEqual(maxLength);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps the newest entries in order and never more than one block', () => {
    fc.assert(
      fc.property(userTextArb, entriesArb, entriesArb, (userText, first, second) => {
        const once = appendToComment(userText, first);
        const twice = appendToComment(once, second);
        const rendered = [...first, ...second].map(renderEntry);
        const { entries } = splitComment(twice);
        // A rendered entry survives reading back as it was written, newest last.
        expect(entries).toEqual(rendered.slice(rendered.length - entries.length));
        if (rendered.length > 0 && userText.length < 3000) expect(entries.length).toBeGreaterThan(0);
        expect(twice.split('\n').filter((l) => l.trimEnd() === COMMENT_MARKER).length).toBe(rendered.length > 0 ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });
});
