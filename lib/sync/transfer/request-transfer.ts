/**
 * The one operation every trigger converges on (docs/product.md §2): widget button, status webhook,
 * scenario call, periodic sweep. A document already queued, in flight, sent or received is never
 * sent twice: a second request is a logged no-op (answered on the MoySklad document when it came from
 * a status or a scenario). Sending again after an error, a cancel or a non-arrival is an explicit
 * request: it creates a new task (lib/sync/transfer/generation.ts).
 */
import type { Db, PrismaClient } from '@/lib/db';
import { DOCUMENT_ENTITIES, type DocumentEntity } from '@/lib/core/domain';
import { logFor, type Logger } from '@/lib/core/logger';
import { notifyJobEnqueued } from '@/lib/jobs/queue';
import { enqueueDocumentJob, transferJob } from '@/lib/sync/jobs';
import {
  ensureSyncDocument,
  IN_FLIGHT_OR_DONE,
  recordEvent,
  SENDABLE,
  transitionDocument,
  type DocumentRef,
  type SyncDocumentRow,
  type Trigger,
} from '@/lib/sync/document/sync-state';
import { enqueueAlreadySentAnswer, isAnsweredWhenRequestedAgain } from '@/lib/sync/transfer/already-sent';
import { planResend } from '@/lib/sync/transfer/generation';

export const TRIGGER_LABELS: Record<Trigger, string> = {
  widget: 'кнопка в виджете',
  webhook: 'смена статуса',
  scenario: 'сценарий МойСклад',
  bulk: 'кнопка в списке документов',
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

export function transferJobKey(ref: DocumentRef): string {
  return `transfer:${ref.accountId}:${ref.entity}:${ref.msId}`;
}

function enqueueTransfer(db: Db, ref: DocumentRef) {
  return enqueueDocumentJob(
    db,
    transferJob,
    ref,
    { accountId: ref.accountId, entity: ref.entity, msId: ref.msId },
    {
      dedupeKey: transferJobKey(ref),
    },
  );
}

/**
 * A document already queued, in flight or done: a logged no-op, answered on the MoySklad document when a
 * status or a scenario asked again.
 */
async function ignoreRepeatedRequest(
  prisma: PrismaClient,
  ref: DocumentRef,
  current: SyncDocumentRow,
  input: RequestTransferInput,
  beforeCommit: BeforeCommit | undefined,
  log: Logger,
): Promise<RequestTransferResult> {
  const reason = current.state === 'queued' || current.state === 'sending' ? 'already_in_progress' : 'already_sent';
  // A queued document always has its job; enqueueing again is a no-op then, and repairs the
  // state if an outage ever separated the two.
  if (current.state === 'queued') await enqueueTransfer(prisma, ref);
  // The widget and a list button show their own answer; a status or a scenario is answered on the document.
  const answer = input.trigger !== 'widget' && input.trigger !== 'bulk' && isAnsweredWhenRequestedAgain(current.state);
  if (answer) await enqueueAlreadySentAnswer(prisma, ref, current.id);
  if (beforeCommit) await beforeCommit(prisma, false);
  await recordEvent(prisma, current, {
    kind: 'duplicate_ignored',
    trigger: input.trigger,
    actor: input.actor,
    message:
      reason === 'already_in_progress'
        ? `Повторный запрос передачи (${TRIGGER_LABELS[input.trigger]}) пропущен: передача уже выполняется`
        : `Повторный запрос передачи (${TRIGGER_LABELS[input.trigger]}) пропущен: документ уже передан`,
  });
  if (answer) notifyJobEnqueued();
  log.info({ state: current.state }, 'transfer request ignored: already in flight or done');
  return { accepted: false, documentId: current.id, state: current.state, reason };
}

/** Recording that goes with the request; `accepted` tells whether this request queued the transfer. */
export type BeforeCommit = (tx: Db, accepted: boolean) => Promise<void>;

/**
 * `beforeCommit` runs inside the same transaction as the state change and the job (e.g. recording an
 * inbound request id), so a failure anywhere leaves nothing half done for a retry to trip over.
 */
export async function requestTransfer(
  prisma: PrismaClient,
  input: RequestTransferInput,
  beforeCommit?: BeforeCommit,
): Promise<RequestTransferResult> {
  const ref: DocumentRef = { accountId: input.accountId, entity: input.entity, msId: input.msId };
  const log = logFor({ accountId: ref.accountId, documentId: ref.msId, entity: ref.entity, trigger: input.trigger });
  const document = await ensureSyncDocument(prisma, ref, input.name);
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = attempt === 0 ? document : await prisma.syncDocument.findUniqueOrThrow({ where: { id: document.id } });
    if (IN_FLIGHT_OR_DONE.includes(current.state as never)) {
      return ignoreRepeatedRequest(prisma, ref, current, input, beforeCommit, log);
    }
    const resend = planResend(current, input.trigger);
    // State, event and job commit together: never a queued document without its job.
    const moved = await prisma.$transaction(async (tx) => {
      const row = await transitionDocument(tx, current.id, SENDABLE, {
        state: 'queued',
        lastTrigger: input.trigger,
        lastActor: input.actor ?? null,
        // The job reads the status the document has before this transfer (for a later cancel).
        statusBefore: null,
        ...resend?.patch,
      });
      if (!row) return null;
      if (resend) {
        await recordEvent(tx, row, {
          kind: 'resend',
          trigger: input.trigger,
          actor: input.actor,
          message: `Повторная передача: будет создано новое задание ${resend.nextIndocId} (прежнее ${resend.previousIndocId} ${resend.why})`,
          data: { previousIndocId: resend.previousIndocId, indocId: resend.nextIndocId },
        });
      }
      await recordEvent(tx, row, {
        kind: 'requested',
        trigger: input.trigger,
        actor: input.actor,
        message: `Запрошена передача на склад (${TRIGGER_LABELS[input.trigger]}${input.actor ? `, ${input.actor}` : ''})`,
      });
      await enqueueTransfer(tx, ref);
      if (beforeCommit) await beforeCommit(tx, true);
      return row;
    });
    if (!moved) continue; // someone else changed it at the same moment: look again
    notifyJobEnqueued();
    log.info('transfer requested');
    return { accepted: true, documentId: moved.id, state: 'queued' };
  }
  const latest = await prisma.syncDocument.findUniqueOrThrow({ where: { id: document.id } });
  return { accepted: false, documentId: latest.id, state: latest.state, reason: 'concurrent_change' };
}

/** Helper for triggers that address documents by MoySklad entity name. */
export function isDocumentEntity(value: string): value is DocumentEntity {
  return (DOCUMENT_ENTITIES as readonly string[]).includes(value);
}
