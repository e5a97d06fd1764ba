/**
 * Which BetaPRO task a deliberate re-send creates (docs/product.md §3, docs/resend-and-cancel.md).
 *
 * The indoc id is a pure function of the document and its generation, so an automatic retry (the same
 * job again) always reuses the number and BetaPRO's 1001 check catches a repeat. Only a request by a
 * person or a scenario (widget, «Передать», scenario, the sweep of a document left in «Передать») after
 * the previous task ended moves the document to the next generation: a task cancelled or closed by the
 * warehouse (non-arrival) is never reused, and the previous task after an error is deleted first.
 */
import { buildIndocId } from '@/lib/betapro';
import type { DocumentEntity } from '@/lib/core/domain';
import type { SyncDocumentRow, TransitionPatch, Trigger } from '@/lib/sync/document/sync-state';

/** Triggers that stand for a person's (or a scenario's) decision to send; never the app's own retries. */
const DELIBERATE: readonly Trigger[] = ['widget', 'webhook', 'scenario', 'sweep', 'bulk'];

export interface ResendPlan {
  patch: TransitionPatch;
  /** The task the re-send moves away from, and the one it will create. */
  previousIndocId: string;
  nextIndocId: string;
  why: string;
}

/** The generation step of a request, or null when the request keeps the current number. */
export function planResend(
  doc: Pick<SyncDocumentRow, 'state' | 'indocId' | 'generation' | 'entity' | 'msId' | 'replacedIndocId'>,
  trigger: Trigger,
): ResendPlan | null {
  // A replacement already decided (its job ended before creating the task) stands as it is.
  if (!doc.indocId || doc.replacedIndocId || !DELIBERATE.includes(trigger)) return null;
  const why =
    doc.state === 'cancelled'
      ? 'отменено'
      : doc.state === 'expired'
        ? 'закрыто складом: поставка не прибыла'
        : doc.state === 'error'
          ? 'будет удалено, если поставка ещё не прибыла'
          : null;
  if (!why) return null;
  const generation = doc.generation + 1;
  const nextIndocId = buildIndocId({ entity: doc.entity as DocumentEntity, documentId: doc.msId, generation });
  // After an error the previous task may still wait at the warehouse: the job deletes it first, and
  // until then it stays the document's task, so a receipt for it still finds the document.
  const patch: TransitionPatch = doc.state === 'error' ? { generation, replacedIndocId: doc.indocId } : { generation, indocId: null };
  return { patch, previousIndocId: doc.indocId, nextIndocId, why };
}
