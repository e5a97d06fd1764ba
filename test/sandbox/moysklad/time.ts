/**
 * MoySklad writes date-times as `YYYY-MM-DD HH:mm:ss.SSS` in Moscow time (UTC+3, no DST since 2014),
 * and reads `YYYY-MM-DD HH:mm:ss[.SSS]` as Moscow time. Kept local to the simulator on purpose: the
 * fake must not share date code with the product it tests.
 */
const MSK_OFFSET_MS = 3 * 3600_000;

export function mskNow(): string {
  return formatMsk(Date.now());
}

export function formatMsk(epochMs: number): string {
  const d = new Date(epochMs + MSK_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;

/** Parses a MoySklad date-time (Moscow) to epoch ms; undefined when malformed. */
export function parseMsk(value: string): number | undefined {
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0'] = m;
  const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms.padEnd(3, '0'));
  return Number.isNaN(utc) ? undefined : utc - MSK_OFFSET_MS;
}

/** Normalises an accepted date-time to the stored form (`.SSS` always present). */
export function normaliseMsk(value: string): string | undefined {
  const t = parseMsk(value);
  return t === undefined ? undefined : formatMsk(t);
}

/** RFC 3339 with +03:00, as the Vendor API writes `expiryMoment`. */
export function rfc3339Msk(epochMs: number): string {
  return (
    formatMsk(epochMs)
      .replace(' ', 'T')
      .replace(/\.\d{3}$/, '') + '+03:00'
  );
}
