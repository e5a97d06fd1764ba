import { describe, expect, it } from 'vitest';
import { parseMoscowDateTime, toBetaproDateTime, toMoyskladDateTime } from '@/lib/core/time';

describe('Moscow time', () => {
  const instant = new Date('2026-03-01T21:30:05.120Z');
  it('formats for both vendors in UTC+3', () => {
    expect(toMoyskladDateTime(instant)).toBe('2026-03-02 00:30:05.120');
    expect(toBetaproDateTime(instant)).toBe('2026-03-02T00:30:05');
  });
  it('parses every documented input form', () => {
    expect(parseMoscowDateTime('2026-03-02 00:30:05.120')?.toISOString()).toBe(instant.toISOString());
    expect(parseMoscowDateTime('2026-03-02T00:30:05')?.toISOString()).toBe('2026-03-01T21:30:05.000Z');
    expect(parseMoscowDateTime('2026-03-01T21:30:05Z')?.toISOString()).toBe('2026-03-01T21:30:05.000Z');
    expect(parseMoscowDateTime('2026-03-02T02:30:05+05:00')?.toISOString()).toBe('2026-03-01T21:30:05.000Z');
    expect(parseMoscowDateTime('2026-03-02')?.toISOString()).toBe('2026-03-01T21:00:00.000Z');
    expect(parseMoscowDateTime('yesterday')).toBeUndefined();
  });
});
