/**
 * «Отменить задание» (docs/product.md §3): the task is deleted in BetaPRO while the goods have not arrived,
 * and the MoySklad document gets back the status it had before «Передать», with a comment line. After
 * arrival BetaPRO refuses the delete: the document stays «Передан» and the widget says why.
 *
 * Crash-safe: a delete already done answers 404 the next time (the task is gone: go on), and the
 * MoySklad answer is written while the document is `cancelled` and its line is not in the comment yet.
 */
import type { PrismaClient } from '@/lib/db';
import type { DocumentEntity } from '@/lib/core/domain';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import { loadAccount, isOperational, type Account } from '@/lib/sync/account/accounts';
import { betaproClientFor, moyskladClientFor } from '@/lib/sync/account/clients';
import { answerOnDocument, stateRef } from '@/lib/sync/document/answer';
import { recordEvent, transitionDocument, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { statusToRestore } from '@/lib/sync/transfer/previous-status';

export interface CancelPayload {
  accountId: string;
  documentId: string;
  actor?: string | null;
}

export async function cancelTask(prisma: PrismaClient, payload: CancelPayload): Promise<void> {
  let doc = await prisma.syncDocument.findUnique({ where: { id: payload.documentId } });
  if (!doc || !doc.indocId || (doc.state !== 'sent' && doc.state !== 'cancelled')) return;
  const account = await loadAccount(prisma, doc.accountId);
  if (!account || !isOperational(account)) return;
  if (doc.state === 'sent') {
    const refusal = await deleteTask(account, doc.indocId);
    if (refusal) {
      await recordEvent(prisma, doc, {
        kind: 'cancel_failed',
        actor: payload.actor,
        trigger: 'widget',
        message: refusal,
      });
      return;
    }
    const moved = await transitionDocument(prisma, doc.id, ['sent'], { state: 'cancelled' });
    if (!moved) return;
    await recordEvent(prisma, moved, {
      kind: 'cancelled',
      actor: payload.actor,
      trigger: 'widget',
      message: `Задание ${doc.indocId} отменено в БетаПРО`,
    });
    doc = moved;
  }
  await answerCancelled(account, doc, payload.actor);
}

/** Null when the task is gone; otherwise why it cannot be cancelled (retryable failures are thrown). */
async function deleteTask(account: Account, indocId: string): Promise<string | null> {
  const betapro = await betaproClientFor(account);
  try {
    await betapro.deleteIndoc(indocId);
    return null;
  } catch (thrown) {
    const error = toAppError(thrown);
    if (error.code === 'NOT_FOUND') return null; // deleted by an earlier attempt, or in BetaPRO by hand
    if (error.retryable) throw error;
    logFor({ accountId: account.accountId }).info({ indocId, err: error.message }, 'betapro refused to delete the task');
    return (
      `Задание ${indocId} не отменено: поставка уже прибыла на склад БетаПРО, а после прибытия задание отменить нельзя. ` +
      `Дождитесь приёмки: документ будет исправлен по факту. (${error.userMessage})`
    );
  }
}

async function answerCancelled(account: Account, doc: SyncDocumentRow, actor: string | null | undefined): Promise<void> {
  const entity = doc.entity as DocumentEntity;
  const moysklad = await moyskladClientFor(account);
  const document = await moysklad.getDocument(entity, doc.msId);
  const statusBefore = await statusToRestore(moysklad, account, doc, document);
  const headline = `Задание ${doc.indocId} на оприходование отменено в БетаПРО`;
  const statusLine = statusBefore
    ? ' Статус возвращён тот, что был до «Передать».'
    : ' Статус до «Передать» неизвестен: выберите статус документа сами.';
  await answerOnDocument(moysklad, account, entity, doc.msId, document.description, {
    log: [`${headline}${actor ? ` (${actor})` : ''}.${statusLine}`],
    logOnceHeadline: headline,
    extra: statusBefore ? { state: stateRef(moysklad, entity, statusBefore) } : {},
  });
}
