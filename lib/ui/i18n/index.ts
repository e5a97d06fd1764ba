/** Picking the language and formatting; plain functions (the React context is in ./context). */
import { en } from '@/lib/ui/i18n/en';
import { ru, type Messages } from '@/lib/ui/i18n/ru';
import { ACCOUNT_TIME_ZONE } from '@/lib/core/time';

export type Locale = 'ru' | 'en';
export type { Messages };

/** MoySklad passes `userLocale=ru_RU|en_US`; anything but English means Russian (the default). */
export function localeFrom(userLocale: string | null | undefined): Locale {
  return typeof userLocale === 'string' && /^en([_-]|$)/i.test(userLocale) ? 'en' : 'ru';
}

export function messagesFor(locale: Locale): Messages {
  return locale === 'en' ? en : ru;
}

/** A label from an open-ended dictionary (event kinds, triggers), falling back to the raw code. */
export function labelOf(dictionary: Record<string, string>, code: string | null | undefined): string {
  if (!code) return '';
  return dictionary[code] ?? code;
}

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // The account's zone, as the comment log writes it: not the browser's.
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'ru-RU', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: ACCOUNT_TIME_ZONE,
  }).format(date);
}

export function formatNumber(n: number, locale: Locale, signed = false): string {
  const text = new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'ru-RU', { maximumFractionDigits: 3 }).format(Math.abs(n));
  if (!signed || n === 0) return n < 0 ? `−${text}` : text;
  return n > 0 ? `+${text}` : `−${text}`;
}

/** Every key path of a messages object, for the completeness test. */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}
