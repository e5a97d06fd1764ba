/**
 * The app's block is rebuilt from the log stored with the document (issue 14, item 8): a save of a
 * stale form that removed or cut back the block does not lose the app's entries.
 */
import { describe, expect, it } from 'vitest';
import {
  COMMENT_MARKER,
  appendToComment,
  mergeEntries,
  newestEntryIs,
  newestEntryStartsWith,
  splitComment,
} from '@/lib/sync/document/comment-log';

const AT = new Date('2025-03-11T14:05:00Z');
const minutes = (n: number) => new Date(AT.getTime() + n * 60_000);

describe('comment block restored from the stored log', () => {
  const sent = appendToComment('Текст пользователя', [{ at: AT, lines: ['Передан в БетаПРО: задание X, 1 поз., 2 шт.'] }]);
  const stored = splitComment(sent).entries;

  it('a stale form removed the block: the next write puts the stored entries back before the new one', () => {
    const staleSave = 'Текст пользователя, исправленный';
    const next = appendToComment(staleSave, [{ at: minutes(10), lines: ['Проведён по факту приёмки БетаПРО'] }], {
      storedEntries: stored,
    });
    expect(next).toBe(
      `${staleSave}\n\n${COMMENT_MARKER}\n11.03.2025 17:05 Передан в БетаПРО: задание X, 1 поз., 2 шт.\n11.03.2025 17:15 Проведён по факту приёмки БетаПРО`,
    );
    // Without the stored log (before this change) the first entry was lost.
    expect(appendToComment(staleSave, [{ at: minutes(10), lines: ['Проведён'] }])).not.toContain('Передан в БетаПРО');
  });

  it('a stale form cut the block back: the missing entries come back in date order, none twice', () => {
    const two = appendToComment(sent, [{ at: minutes(5), lines: ['Склад начал приёмку'] }]);
    const storedTwo = splitComment(two).entries;
    // The form was opened when only the first entry existed, and saved after the second was written.
    const next = appendToComment(sent, [{ at: minutes(10), lines: ['Проведён'] }], { storedEntries: storedTwo });
    expect(splitComment(next).entries).toEqual([...storedTwo, '11.03.2025 17:15 Проведён']);
    expect(splitComment(next).userText).toBe('Текст пользователя');
  });

  it('entries in the document the app did not store (a crash before storing) are kept, by date', () => {
    const inDocument = ['11.03.2025 17:05 a', '11.03.2025 17:20 c'];
    expect(mergeEntries(['11.03.2025 17:05 a', '11.03.2025 17:10 b'], inDocument)).toEqual([
      '11.03.2025 17:05 a',
      '11.03.2025 17:10 b',
      '11.03.2025 17:20 c',
    ]);
    expect(mergeEntries(null, inDocument)).toEqual(inDocument);
  });

  it('a rerun finds its line in the stored log even when the form removed it from the document', () => {
    expect(newestEntryStartsWith('Текст', 'Передан в БетаПРО: задание X,', stored)).toBe(true);
    expect(newestEntryStartsWith('Текст', 'Передан в БетаПРО: задание X,')).toBe(false);
  });

  it('the same entry again (its date aside) is recognised, a different one is not', () => {
    const lines = ['Проведён по факту приёмки БетаПРО (есть расхождения):', 'TS-WHITE: 7 из 10'];
    const posted = appendToComment('Текст', [{ at: AT, lines }]);
    expect(newestEntryIs(posted, lines)).toBe(true);
    expect(newestEntryIs(posted, [lines[0], 'TS-WHITE: 8 из 10'])).toBe(false);
    expect(newestEntryIs('Текст из старой формы', lines, splitComment(posted).entries)).toBe(true);
  });
});
