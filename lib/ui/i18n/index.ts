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

type Overrides = { [key: string]: string | ((...args: never[]) => string) | Overrides };

function overlay<T>(base: T, over: Overrides): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over)) {
    out[key] = typeof value === 'object' ? overlay(out[key], value) : value;
  }
  return out as T;
}

const directed = new WeakMap<Messages, Messages>();

/**
 * The texts for a document of this direction: an outbound one (goods leaving BetaPRO, docs/outbound.md)
 * speaks of a shipment where an inbound one speaks of a receipt (`outbound` in ru.ts/en.ts).
 */
export function withDirection(t: Messages, direction: 'inbound' | 'outbound' | null | undefined): Messages {
  if (direction !== 'outbound') return t;
  let result = directed.get(t);
  if (!result) {
    result = overlay(t, t.outbound as Overrides);
    directed.set(t, result);
  }
  return result;
}
