/**
 * BetaPRO's date conventions. Kept separate from lib/core/time on purpose: the simulator must not share
 * the product's parser, or a parsing bug in the product would be mirrored here and go unnoticed.
 *
 * Responses: Moscow time (UTC+3, no DST) without an offset, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss`.
 * Requests: those two, plus `YYYY-MM-DDThh:mm:ssZ` and `YYYY-MM-DDThh:mm:ss(+|-)hh:mm`.
 */
const MSK_MS = 3 * 3600 * 1000;

const pad = (n: number) => String(n).padStart(2, '0');

export function mskDateTime(at: Date): string {
  const d = new Date(at.getTime() + MSK_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

export function mskDate(at: Date): string {
  return mskDateTime(at).slice(0, 10);
}

/** Only the four formats the spec lists; anything else (spaces, fractions, `+0300`) is refused. */
const INPUT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseFboxDate(text: string): Date | undefined {
  const m = INPUT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +s > 59) return undefined;
  let offset = MSK_MS;
  if (zone === 'Z') offset = 0;
  else if (zone) {
    const sign = zone[0] === '-' ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) - offset;
  const date = new Date(ms);
  // Date.UTC rolls 2025-02-30 over into March; such input is not a date.
  const check = new Date(ms + offset);
  if (check.getUTCDate() !== +d || check.getUTCMonth() !== +mo - 1) return undefined;
  return date;
}

/** Whole seconds: BetaPRO shows created_at to the second, and filters must agree with what it shows. */
export function truncateToSecond(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}
