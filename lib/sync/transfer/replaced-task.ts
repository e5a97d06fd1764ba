/**
 * A deliberate re-send after an error moves the document to a new generation; the previous task may
 * still wait at the warehouse (e.g. the task was created, then answering MoySklad failed). It is
 * deleted before its replacement is created, so the warehouse never holds two tasks for one document.
 * Until it is gone it stays the document's `indocId`, so its receipt still finds the document. If the
 * goods already arrived under it, BetaPRO refuses: it remains the document's task (its receipt is
 * applied as usual), the generation goes back, and no new task is created.
 */
import type { PrismaClient } from '@/lib/db';
import type { Problem } from '@/lib/core/views';
import { parseIndocId, type BetaproClient } from '@/lib/betapro';
import { toAppError } from '@/lib/core/errors';
import { recordEvent, type SyncDocumentRow } from '@/lib/sync/document/sync-state';

/** Null when the previous task is gone; otherwise the problem to report (the document keeps that task). */
export async function retireReplacedTask(prisma: PrismaClient, betapro: BetaproClient, doc: SyncDocumentRow): Promise<Problem | null> {
  const replaced = doc.replacedIndocId!;
  try {
    await betapro.deleteIndoc(replaced);
  } catch (thrown) {
    const error = toAppError(thrown);
    if (error.retryable) throw error;
    // Gone already: deleted by an earlier run of this job (which recorded it), or by hand in BetaPRO.
    if (error.code === 'NOT_FOUND') return null;
    return keepReplacedTask(prisma, doc, replaced, error.userMessage);
  }
  // `replacedIndocId` is cleared only with the new task's number (lib/sync/transfer/run-transfer.ts): a crash before
  // then reruns into a 404 here, never into the freed old number.
  await recordEvent(prisma, doc, {
    kind: 'task_deleted',
    message: `Прежнее задание ${replaced} удалено в БетаПРО перед повторной передачей`,
  });
  return null;
}

async function keepReplacedTask(prisma: PrismaClient, doc: SyncDocumentRow, replaced: string, reason: string): Promise<Problem> {
  const generation = parseIndocId(replaced)?.generation ?? doc.generation;
  await prisma.syncDocument.update({ where: { id: doc.id }, data: { generation, replacedIndocId: null } });
  return {
    code: 'task_arrived',
    params: { indocId: replaced },
    message:
      `Новое задание не создано: поставка по заданию ${replaced} уже прибыла на склад БетаПРО, и удалить его нельзя (${reason}). ` +
      'Дождитесь приёмки — документ будет исправлен по факту — или нажмите «Проверить приёмку».',
  };
}
