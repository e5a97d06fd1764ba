/**
 * How a transfer ends without a task: «Ошибка передачи» on the document with every problem numbered,
 * the state `error` (data: the user fixes the document; transient: retries ran out) and a `failed` event.
 */
import type { PrismaClient } from '@/lib/db';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import type { Problem } from '@/lib/core/views';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import type { Account } from '@/lib/sync/account/accounts';
import { answerOnDocument } from '@/lib/sync/document/answer';
import { recordEvent, transitionDocument, type DocumentRef, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { requestDiscrepancyTask } from '@/lib/sync/tasks/discrepancy-task';

function formatProblems(problems: Problem[]): string[] {
  return [
    `Ошибка передачи в БетаПРО: ${problems.length === 1 ? 'исправьте ошибку' : `исправьте ошибки (${problems.length})`} и поставьте статус «Передать» снова.`,
    ...problems.map((p, i) => `${i + 1}. ${p.message}`),
  ];
}

export interface FailTarget {
  prisma: PrismaClient;
  syncDoc: SyncDocumentRow;
  account: Account;
  moysklad: MoyskladClient | undefined;
  ref: DocumentRef;
  description: string | undefined;
}

export async function failTransfer(target: FailTarget, problems: Problem[], errorClass: 'data' | 'transient'): Promise<void> {
  const { prisma, syncDoc, account, moysklad, ref, description } = target;
  const failed = await transitionDocument(prisma, syncDoc.id, ['sending', 'queued'], {
    state: 'error',
    errorClass,
    errors: problems,
  });
  if (!failed) return;
  await recordEvent(prisma, failed, {
    kind: 'failed',
    message:
      errorClass === 'data'
        ? `Ошибка передачи: ${problems.map((p) => p.message).join(' ')}`
        : `Ошибка передачи после повторов: ${problems.map((p) => p.message).join(' ')}`,
    data: { problems, errorClass } as never,
  });
  // A database insert only: the task itself is made by its own job once this one has answered.
  await requestDiscrepancyTask(prisma, account, failed);
  if (!moysklad) return;
  try {
    await answerOnDocument(moysklad, account, ref.entity, ref.msId, description, {
      role: 'error',
      log: formatProblems(problems),
    });
  } catch (error) {
    // The document state in our database already says why; MoySklad being unreachable must not
    // hide that. The widget shows it, and the next request retries the whole transfer.
    logFor({ accountId: ref.accountId, documentId: ref.msId }).warn(
      { err: toAppError(error).message },
      'could not write the error status to MoySklad',
    );
  }
}
