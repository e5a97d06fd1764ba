/**
 * One time zone (issue 16): the widget's times and the comment log's dates are the account's (Moscow,
 * MoySklad names no other), whatever zone the process or the browser runs in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatLogDate } from '@/lib/sync/document/comment-log';
import { formatDateTime } from '@/lib/ui/i18n';

const savedTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = savedTz;
});

describe('the widget and the comment tell the same time', () => {
  it.each(['UTC', 'America/New_York', 'Asia/Vladivostok'])('runtime zone %s: both in Moscow time', (zone) => {
    process.env.TZ = zone;
    const at = '2026-11-30T22:05:00.000Z';
    expect(formatLogDate(new Date(at))).toBe('01.12.2026 01:05');
    expect(formatDateTime(at, 'ru')).toBe('01.12.2026, 01:05');
    expect(formatDateTime(at, 'en')).toBe('01/12/2026, 01:05');
  });
});
