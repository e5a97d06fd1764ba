/**
 * The MoySklad status a document had before «Передать», so that a cancel can give it back
 * (docs/product.md §3). The app's own statuses (Передать, Передан, Ошибка передачи, Проведён) are skipped:
 * a document sent again after an error goes back to what the user had chosen before the first send.
 */
import type { DocumentEntity } from '@/lib/core/domain';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import type { PrismaClient } from '@/lib/db';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import type { MsDocument } from '@/lib/moysklad/schemas';
import type { Account } from '@/lib/sync/account/accounts';
import type { SyncDocumentRow } from '@/lib/sync/document/sync-state';

/** The audit keeps the last changes; a status set further back than this is not looked for. */
const AUDIT_EVENTS_READ = 100;

function idOfRef(value: unknown): string | null {
  const href = (value as { meta?: { href?: unknown } } | null | undefined)?.meta?.href;
  return typeof href === 'string' ? href.slice(href.lastIndexOf('/') + 1) : null;
}

function appStatusIds(account: Account, entity: DocumentEntity): Set<string> {
  return new Set(Object.values(account.settings.statuses[entity]).filter((id): id is string => Boolean(id)));
}

/**
 * The newest status of the document that is not one of the app's: the current one, else the
 * `oldValue` of the newest status change in the document's audit. Null when there is none (created
 * directly in «Передать») or the audit cannot be read (the transfer goes on without it).
 */
export async function findStatusBefore(
  client: MoyskladClient,
  account: Account,
  entity: DocumentEntity,
  document: MsDocument,
): Promise<string | null> {
  const appStatuses = appStatusIds(account, entity);
  const current = idOfRef(document.state);
  if (current && !appStatuses.has(current)) return current;
  try {
    const { rows } = await client.getAudit(entity, document.id, { limit: AUDIT_EVENTS_READ });
    const newestFirst = [...rows].sort((a, b) => (a.moment < b.moment ? 1 : a.moment > b.moment ? -1 : 0));
    for (const event of newestFirst) {
      const previous = idOfRef((event.diff?.state as { oldValue?: unknown } | undefined)?.oldValue);
      if (previous && !appStatuses.has(previous)) return previous;
    }
  } catch (error) {
    logFor({ accountId: account.accountId, documentId: document.id }).warn(
      { err: toAppError(error).message },
      'could not read the document audit for its status before transfer',
    );
  }
  return null;
}

/**
 * Stores the current status once per transfer request (the request clears it), before the app changes
 * it, when it is the user's own. When it is one of the app's (the usual «Передать»), nothing is read
 * now: a cancel, which is rare, finds it in the audit then (`statusToRestore`), so a transfer keeps
 * its call budget.
 */
export async function rememberStatusBefore(
  prisma: PrismaClient,
  account: Account,
  doc: SyncDocumentRow,
  document: MsDocument,
): Promise<void> {
  if (doc.statusBefore) return;
  const current = idOfRef(document.state);
  if (current && !appStatusIds(account, doc.entity as DocumentEntity).has(current)) {
    await prisma.syncDocument.update({ where: { id: doc.id }, data: { statusBefore: current } });
  }
}

/** The status a cancel gives back: the one remembered at the transfer, else the audit's. */
export async function statusToRestore(
  client: MoyskladClient,
  account: Account,
  doc: SyncDocumentRow,
  document: MsDocument,
): Promise<string | null> {
  return doc.statusBefore ?? findStatusBefore(client, account, doc.entity as DocumentEntity, document);
}
