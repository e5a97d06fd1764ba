/**
 * A «Передать» (status, scenario, or the sweep of a document left in «Передать») on a document whose
 * task already exists is not sent again (docs/product.md §2), but it is answered: the document gets its
 * status back («Передан», or «Проведён» once posted) and a comment line naming the existing task, so
 * it is never left in «Передать». Run as a job: the request path only queues it.
 */
import type { Db, PrismaClient } from '@/lib/db';
import type { DocumentEntity } from '@/lib/core/domain';
import type { SyncState } from '@/lib/core/views';
import { loadAccount, isOperational, type StatusRole } from '@/lib/sync/account/accounts';
import { moyskladClientFor } from '@/lib/sync/account/clients';
import { answerOnDocument } from '@/lib/sync/document/answer';
import { recordEvent, type DocumentRef } from '@/lib/sync/document/sync-state';
import { alreadySentJob, enqueueDocumentJob } from '@/lib/sync/jobs';

/** States in which the document's task exists, and the status that tells it. */
const ANSWERED: Partial<Record<SyncState, StatusRole>> = {
  sent: 'sent',
  receiving: 'sent',
  review: 'sent',
  posted: 'posted',
};

export function isAnsweredWhenRequestedAgain(state: string): boolean {
  return state in ANSWERED;
}

export async function enqueueAlreadySentAnswer(db: Db, ref: DocumentRef, documentId: string): Promise<void> {
  await enqueueDocumentJob(
    db,
    alreadySentJob,
    ref,
    { accountId: ref.accountId, documentId },
    {
      dedupeKey: `already-sent:${documentId}`,
    },
  );
}

export async function answerAlreadySent(prisma: PrismaClient, payload: { accountId: string; documentId: string }): Promise<void> {
  const doc = await prisma.syncDocument.findUnique({ where: { id: payload.documentId } });
  const role = doc ? ANSWERED[doc.state as SyncState] : undefined;
  if (!doc || !role || !doc.indocId) return;
  const account = await loadAccount(prisma, doc.accountId);
  if (!account || !isOperational(account)) return;
  const entity = doc.entity as DocumentEntity;
  const statusId = account.settings.statuses[entity][role];
  const moysklad = await moyskladClientFor(account);
  const document = await moysklad.getDocument(entity, doc.msId);
  const current = document.state?.meta.href;
  // Already showing it (a repeated request answered before, or the user set it back): nothing to say.
  if (!statusId || (current && current.slice(current.lastIndexOf('/') + 1) === statusId)) return;
  const line =
    role === 'posted'
      ? `Документ уже принят складом и проведён по заданию ${doc.indocId}: повторная передача не нужна, статус возвращён.`
      : `Документ уже передан в БетаПРО: задание ${doc.indocId}. Повторная передача не выполнялась, статус возвращён.`;
  await answerOnDocument(moysklad, account, entity, doc.msId, document.description, { role, log: [line] });
  await recordEvent(prisma, doc, { kind: 'already_sent_answered', message: line, data: { indocId: doc.indocId } });
}
