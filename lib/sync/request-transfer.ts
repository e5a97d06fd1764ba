/**
 * The one operation every trigger converges on (PRODUCT.md §2): widget button, status webhook,
 * scenario call, periodic sweep. A document already queued, in flight, sent or received is never
 * sent twice: a second request is a logged no-op. Sending again after an error or a cancel is an
 * explicit request and is allowed.
 */
import type { PrismaClient } from '../db';
import type { DocumentEntity } from '../core/domain';
import { logFor } from '../core/logger';
import { enqueueJob } from '../jobs/queue';
import {
  documentGroupKey, ensureSyncDocument, IN_FLIGHT_OR_DONE, recordEvent, SENDABLE, transitionDocument,
  type DocumentRef, type Trigger,
} from './documents';

export const TRIGGER_LABELS: Record<Trigger, string> = {
  widget: 'кнопка в виджете',
  webhook: 'смена статуса',
  scenario: 'сценарий МойСклад',
  sweep: 'проверка по расписанию',
  poll: 'опрос БетаПРО',
  system: 'приложение',
};

export interface RequestTransferInput extends DocumentRef {
  trigger: Trigger;
  actor?: string | null;
  name?: string | null;
}

export interface RequestTransferResult {
  accepted: boolean;
  documentId: string;
  state: string;
  /** Why nothing was done (already sent, in flight...). */
  reason?: string;
}

export const TRANSFER_JOB = 'transfer';

export function transferJobKey(ref: DocumentRef): string {
  return `transfer:${ref.accountId}:${ref.entity}:${ref.msId}`;
}

export async function requestTransfer(prisma: PrismaClient, input: RequestTransferInput): Promise<RequestTransferResult> {
  const ref: DocumentRef = { accountId: input.accountId, entity: input.entity, msId: input.msId };
  const log = logFor({ accountId: ref.accountId, documentId: ref.msId, entity: ref.entity, trigger: input.trigger });
  const document = await ensureSyncDocument(prisma, ref, input.name);
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = attempt === 0 ? document : await prisma.syncDocument.findUniqueOrThrow({ where: { id: document.id } });
    if (IN_FLIGHT_OR_DONE.includes(current.state as never)) {
      const reason = current.state === 'queued' || current.state === 'sending' ? 'already_in_progress' : 'already_sent';
      await recordEvent(prisma, current, {
        kind: 'duplicate_ignored',
        trigger: input.trigger,
        actor: input.actor,
        message: reason === 'already_in_progress'
          ? `Повторный запрос передачи (${TRIGGER_LABELS[input.trigger]}) пропущен: передача уже выполняется`
          : `Повторный запрос передачи (${TRIGGER_LABELS[input.trigger]}) пропущен: документ уже передан`,
      });
      log.info({ state: current.state }, 'transfer request ignored: already in flight or done');
      return { accepted: false, documentId: current.id, state: current.state, reason };
    }
    const moved = await transitionDocument(prisma, current.id, SENDABLE, {
      state: 'queued',
      lastTrigger: input.trigger,
      lastActor: input.actor ?? null,
    });
    if (!moved) continue; // someone else changed it at the same moment: look again
    await recordEvent(prisma, moved, {
      kind: 'requested',
      trigger: input.trigger,
      actor: input.actor,
      message: `Запрошена передача на склад (${TRIGGER_LABELS[input.trigger]}${input.actor ? `, ${input.actor}` : ''})`,
    });
    await enqueueJob(prisma, {
      kind: TRANSFER_JOB,
      accountId: ref.accountId,
      groupKey: documentGroupKey(ref),
      dedupeKey: transferJobKey(ref),
      payload: { accountId: ref.accountId, entity: ref.entity, msId: ref.msId },
      maxAttempts: 8,
    });
    log.info('transfer requested');
    return { accepted: true, documentId: moved.id, state: 'queued' };
  }
  const latest = await prisma.syncDocument.findUniqueOrThrow({ where: { id: document.id } });
  return { accepted: false, documentId: latest.id, state: latest.state, reason: 'concurrent_change' };
}

/** Helper for triggers that address documents by MoySklad entity name. */
export function isDocumentEntity(value: string): value is DocumentEntity {
  return value === 'supply' || value === 'move';
}
