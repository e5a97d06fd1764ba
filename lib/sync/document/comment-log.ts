/**
 * The app's log inside a MoySklad document comment (`description`, at most 4096 characters).
 *
 * Layout, so that the user's text survives byte for byte:
 *
 *     <user text><SEPARATOR><MARKER>\n<entry>\n<entry>…
 *
 * SEPARATOR is "\n\n" (a blank line, so the block stands apart in MoySklad's comment box) and is
 * written only when the user text is not empty; it belongs to us, everything before it to the user.
 * Each entry starts with its date (`DD.MM.YYYY HH:mm`, Moscow time); its further lines are indented, so
 * no line of ours but the marker can look like the marker and no continuation looks like a new entry.
 */
import { toMoyskladDateTime } from '@/lib/core/time';

/**
 * Box-drawing dashes around the title: reads as a divider in the comment box and is nothing a clerk
 * types by hand (a keyboard gives "-" or "—", not U+2500).
 */
export const COMMENT_MARKER = '─── Журнал БетаПРО ───';
export const COMMENT_MAX_LENGTH = 4096;
const SEPARATOR = '\n\n';
const INDENT = '    ';
/** Shortest cut entry worth writing: the date and a few words. Below that the block is left out. */
const MIN_ENTRY_LENGTH = 24;
const ENTRY_START = /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}(?:\s|$)/;

export interface CommentEntry {
  at: Date;
  lines: string[];
}

export interface SplitComment {
  userText: string;
  /** Raw entry texts, oldest first, each with its date and indented continuation lines. */
  entries: string[];
}

/** `DD.MM.YYYY HH:mm` in Moscow time, the way MoySklad shows dates to its users. */
export function formatLogDate(at: Date): string {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(toMoyskladDateTime(at))!;
  return `${m[3]}.${m[2]}.${m[1]} ${m[4]}:${m[5]}`;
}

/**
 * One dated entry. Lines are split on any line break they contain and blank ones dropped, so every
 * line after the first stays indented and the entry structure cannot be broken by its own content.
 */
export function renderEntry(entry: CommentEntry): string {
  const lines = entry.lines
    .flatMap((line) => line.split(/\r\n|\r|\n/))
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const date = formatLogDate(entry.at);
  if (lines.length === 0) return date;
  return [`${date} ${lines[0]}`, ...lines.slice(1).map((line) => INDENT + line)].join('\n');
}

/**
 * Start offset of the last line that is exactly our marker (trailing spaces or a `\r` tolerated, as an
 * editor might add them; leading ones not, since our indented entry lines must never match).
 */
function findMarker(text: string): number {
  let from = text.length;
  for (;;) {
    const at = text.lastIndexOf(COMMENT_MARKER, from);
    if (at < 0) return -1;
    const atLineStart = at === 0 || text[at - 1] === '\n';
    const lineEnd = text.indexOf('\n', at);
    const rest = text.slice(at + COMMENT_MARKER.length, lineEnd < 0 ? text.length : lineEnd);
    if (atLineStart && rest.trim() === '') return at;
    if (at === 0) return -1; // lastIndexOf treats a negative start as 0 and would find this one again
    from = at - 1;
  }
}

/**
 * Takes back exactly the separator we write ("\n\n"). If the user deleted part of it, whatever line
 * break is left before the marker is ours too; anything else before the marker is the user's.
 */
function stripSeparator(before: string): string {
  for (const sep of [SEPARATOR, '\r\n\r\n', '\r\n', '\n']) {
    if (before.endsWith(sep)) return before.slice(0, before.length - sep.length);
  }
  return before;
}

function parseEntries(block: string): string[] {
  const entries: string[][] = [];
  for (const raw of block.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line === '') continue;
    // A line the user typed into our block before any dated one is kept as an entry of its own.
    if (ENTRY_START.test(line) || entries.length === 0) entries.push([line]);
    else entries[entries.length - 1].push(line);
  }
  return entries.map((lines) => lines.join('\n'));
}

export function splitComment(description: string | null | undefined): SplitComment {
  const text = description ?? '';
  const at = findMarker(text);
  if (at < 0) return { userText: text, entries: [] };
  const lineEnd = text.indexOf('\n', at);
  return {
    userText: stripSeparator(text.slice(0, at)),
    entries: lineEnd < 0 ? [] : parseEntries(text.slice(lineEnd + 1)),
  };
}

/** `YYYYMMDDHHmm` of an entry's leading date, '' for a line without one (sorts first). */
function entrySortKey(entry: string): string {
  const m = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})/.exec(entry);
  return m ? `${m[3]}${m[2]}${m[1]}${m[4]}${m[5]}` : '';
}

/**
 * The app's entries: those it stored when it last wrote the comment, plus any in the document's block
 * it has not stored (written just before a crash, or by a version that did not store them), by date.
 * A block that a save of a stale form removed or cut back is thus restored from the stored log; an
 * entry a user rewrote inside the block stays as they wrote it, next to the app's own.
 */
export function mergeEntries(stored: readonly string[] | null | undefined, inDocument: readonly string[]): string[] {
  if (!stored?.length) return [...inDocument];
  const known = new Set(stored);
  const extra = inDocument.filter((entry) => !known.has(entry));
  if (!extra.length) return [...stored];
  const merged = [...stored, ...extra].map((entry, order) => ({ entry, order, key: entrySortKey(entry) }));
  merged.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.order - b.order));
  return merged.map((m) => m.entry);
}

/**
 * Whether the newest entry of the app's log begins (after its date) with `headline`: the answer a
 * rerun of the same step would write is already there.
 */
export function newestEntryStartsWith(
  description: string | null | undefined,
  headline: string,
  storedEntries?: readonly string[] | null,
): boolean {
  const newest = mergeEntries(storedEntries, splitComment(description).entries).at(-1);
  if (newest === undefined) return false;
  return newest.slice(formatLogDate(new Date(0)).length + 1).startsWith(headline);
}

/**
 * Whether the newest entry of the app's log says exactly what an entry of `lines` would (its date
 * aside): the step that writes it has already run.
 */
export function newestEntryIs(description: string | null | undefined, lines: string[], storedEntries?: readonly string[] | null): boolean {
  const newest = mergeEntries(storedEntries, splitComment(description).entries).at(-1);
  if (newest === undefined) return false;
  const dateLength = formatLogDate(new Date(0)).length;
  return newest.slice(dateLength) === renderEntry({ at: new Date(0), lines }).slice(dateLength);
}

/** Cuts to at most `max` UTF-16 units ending with '…', never between the halves of a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end).replace(/\s+$/, '')}…`;
}

/**
 * Appends entries to the app's block and returns the new description. The block is rebuilt from
 * `storedEntries` (the log as the app last wrote it) merged with the block found in the document. The
 * user's text is never changed; our block keeps the newest entries that fit in `maxLength` (dropping the oldest first), and
 * when even one entry does not fit whole, the newest is cut with '…'. When the user text leaves no room
 * for the marker and a meaningful piece of an entry, the block is left out altogether rather than
 * writing a piece of log without its marker (it would be taken for user text on the next read).
 * Lengths are UTF-16 units, which is at least what MoySklad counts (an emoji is two of them).
 */
export function appendToComment(
  description: string | null | undefined,
  newEntries: CommentEntry[],
  { maxLength = COMMENT_MAX_LENGTH, storedEntries }: { maxLength?: number; storedEntries?: readonly string[] | null } = {},
): string {
  const { userText, entries: existing } = splitComment(description);
  const entries = [...mergeEntries(storedEntries, existing), ...newEntries.map(renderEntry)];
  if (entries.length === 0) return userText;

  const head = (userText === '' ? '' : userText + SEPARATOR) + COMMENT_MARKER;
  const room = maxLength - head.length; // each entry costs its length plus the line break before it
  let first = entries.length - 1;
  let used = 1 + entries[first].length;
  if (used > room) {
    if (room - 1 < MIN_ENTRY_LENGTH) return userText;
    return `${head}\n${cut(entries[first], room - 1)}`;
  }
  while (first > 0 && used + 1 + entries[first - 1].length <= room) {
    first -= 1;
    used += 1 + entries[first].length;
  }
  return `${head}\n${entries.slice(first).join('\n')}`;
}
