/**
 * Reading a paged list to the end, in the two forms our remotes use: offset paging against a total
 * (MoySklad: `offset`, `meta.size`) and token paging (BetaPRO: `page_token` → `page_next_token`).
 * Both stop at MAX_PAGES rather than loop forever on a remote that never says "last page".
 */
import type { AppError } from '@/lib/core/errors';

export const MAX_PAGES = 10_000;

export interface OffsetPage<T> {
  rows: T[];
  /** Total rows of the list, when the remote tells it. */
  size?: number;
}

/** Page after page from offset 0, until an empty page or `size` rows. */
export async function* offsetPages<T>(fetchPage: (offset: number) => Promise<OffsetPage<T>>): AsyncGenerator<T[], boolean> {
  let offset = 0;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { rows, size } = await fetchPage(offset);
    if (rows.length) yield rows;
    offset += rows.length;
    if (!rows.length || size === undefined || offset >= size) return true;
  }
  return false;
}

/** Every row of an offset-paged list; `tooMany` names the error when it never ends. */
export async function collectOffsetPages<T>(fetchPage: (offset: number) => Promise<OffsetPage<T>>, tooMany: () => AppError): Promise<T[]> {
  const all: T[] = [];
  const pages = offsetPages(fetchPage);
  for (;;) {
    const next = await pages.next();
    if (next.done) {
      if (!next.value) throw tooMany();
      return all;
    }
    all.push(...next.value);
  }
}

/**
 * Every item of a token-paged list (no token means last page). A token seen twice would loop forever,
 * so `broken` reports it as a broken response instead.
 */
export async function collectTokenPages<T>(
  fetchPage: (pageToken: string | undefined) => Promise<{ items?: T[]; page_next_token?: string }>,
  broken: (problem: string) => AppError,
): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await fetchPage(token);
    all.push(...(result.items ?? []));
    const next = result.page_next_token;
    if (!next) return all;
    if (seen.has(next)) throw broken(`page_next_token "${next}" repeated`);
    seen.add(next);
    token = next;
  }
  throw broken(`more than ${MAX_PAGES} pages`);
}

/**
 * Values in groups whose rendered, percent-encoded length (plus a separator) fits `maxChars`: several
 * values OR-ed in one query string, as many per request as the URL budget allows.
 */
export function chunkByLength(values: string[], render: (v: string) => string, maxChars: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const value of values) {
    const size = encodeURIComponent(render(value)).length + 3;
    if (current.length && length + size > maxChars) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    current.push(value);
    length += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
