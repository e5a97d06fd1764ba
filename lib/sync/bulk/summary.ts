/**
 * The notification that ends a bulk send (docs/bulk-send.md): counts first, so they survive any
 * shortening, then the first error's document and reason; at most 255 characters (MoySklad's limit)
 * and a link to that document inside MoySklad.
 */
import type { DocumentEntity } from '@/lib/core/domain';
import type { MsButtonNotification } from '@/lib/moysklad/schemas';

export const NOTIFICATION_MAX = 255;
export const LINK_TEXT = 'Открыть документ';

/** What became of one selected document. */
export type ItemResult = 'sent' | 'already' | 'error' | 'forbidden' | 'missing' | 'pending';

export interface SummaryItem {
  msId: string;
  position: number;
  result: ItemResult;
  name?: string | null;
  message?: string | null;
}

export type BulkCounts = Record<ItemResult, number>;

export function countResults(items: readonly SummaryItem[]): BulkCounts {
  const counts: BulkCounts = { sent: 0, already: 0, error: 0, forbidden: 0, missing: 0, pending: 0 };
  for (const item of items) counts[item.result] += 1;
  return counts;
}

/** A MoySklad page of the document (relative links stay inside MoySklad, as button/complete requires). */
export function documentPath(entity: DocumentEntity, msId: string): string {
  return `/app/#${entity}/edit?id=${msId}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

export function summarize(entity: DocumentEntity, items: readonly SummaryItem[]): MsButtonNotification {
  const c = countResults(items);
  const parts = [`Передано: ${c.sent}`, `уже были переданы: ${c.already}`, `ошибки: ${c.error + c.missing}`];
  if (c.forbidden) parts.push(`нет прав: ${c.forbidden}`);
  if (c.pending) parts.push(`ещё в работе: ${c.pending}`);
  let text = parts.join(', ');
  const ordered = [...items].sort((a, b) => a.position - b.position);
  const first = ordered.find((i) => i.result === 'error' || i.result === 'missing') ?? ordered.find((i) => i.result === 'forbidden');
  if (!first) return { text };
  const label = first.name ? `№ ${first.name}` : 'документ';
  const reason = first.message ? `: ${first.message}` : '';
  text = clip(`${text}. Первая ошибка — ${label}${reason}`, NOTIFICATION_MAX);
  return first.result === 'missing' ? { text } : { text, url: documentPath(entity, first.msId), urlText: LINK_TEXT };
}
