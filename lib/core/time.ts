/**
 * Both MoySklad and BetaPRO speak Moscow time (UTC+3, no DST since 2014) without an offset in their
 * payloads. These helpers convert between those wall-clock strings and real instants.
 */
const MSK_OFFSET_MS = 3 * 60 * 60 * 1000;

/**
 * The account's time zone for everything a person reads (the widget, the settings page, the comment
 * log). MoySklad's API names no per-account zone and gives every date in Moscow time, so the product
 * shows Moscow time everywhere, never the browser's zone (docs/platform.md).
 */
export const ACCOUNT_TIME_ZONE = 'Europe/Moscow';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function mskParts(date: Date) {
  const shifted = new Date(date.getTime() + MSK_OFFSET_MS);
  return {
    y: shifted.getUTCFullYear(),
    mo: shifted.getUTCMonth() + 1,
    d: shifted.getUTCDate(),
    h: shifted.getUTCHours(),
    mi: shifted.getUTCMinutes(),
    s: shifted.getUTCSeconds(),
    ms: shifted.getUTCMilliseconds(),
  };
}

/** MoySklad format: `YYYY-MM-DD HH:mm:ss.SSS` in Moscow time. */
export function toMoyskladDateTime(date: Date): string {
  const p = mskParts(date);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}`;
}

/** BetaPRO format: `YYYY-MM-DDThh:mm:ss` in Moscow time. */
export function toBetaproDateTime(date: Date): string {
  const p = mskParts(date);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

export function toBetaproDate(date: Date): string {
  const p = mskParts(date);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}

/**
 * Parses a date-time as either vendor writes it: `YYYY-MM-DD`, `YYYY-MM-DD[T ]hh:mm[:ss[.SSS]]` (Moscow
 * time when no zone is given), or with `Z` / `±hh:mm`. Returns undefined when it is not a date.
 */
export function parseMoscowDateTime(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', zone] = m;
  const utcWall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms.padEnd(3, '0'));
  let offsetMs = MSK_OFFSET_MS;
  if (zone === 'Z') offsetMs = 0;
  else if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(':').map(Number);
    offsetMs = sign * (zh * 60 + zm) * 60 * 1000;
  }
  const result = new Date(utcWall - offsetMs);
  return Number.isNaN(result.getTime()) ? undefined : result;
}
