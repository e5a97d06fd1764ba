/**
 * What the widget shows for one document (lib/api/contract.ts DocumentView): sync state, reasons,
 * timeline, plan vs fact, and which actions this user may take now (also enforced on the server).
 */
import type { PrismaClient } from '@/lib/db';
import { isFactKind, type DocumentEntity } from '@/lib/core/domain';
import type { ActionName, DocumentView, Problem, SyncState, UnrecognizedGoodView } from '@/lib/core/views';
import type { Session } from '@/lib/sync/rights';
import { loadAccount } from '@/lib/sync/account/accounts';
import { findSyncDocument } from '@/lib/sync/document/sync-state';
import { projectReceipt } from '@/lib/sync/receipt/projection';
import { loadStoredPlan, receiptsOf, WITH_OUTDOC_BODY } from '@/lib/sync/receipt/stored';

const LIVE_STATES: readonly SyncState[] = ['queued', 'sending', 'receiving'];
const EVENTS_SHOWN = 30;

export interface ActionAvailability {
  enabled: boolean;
  reason?: string;
}

export function availableActions(state: SyncState, canUpdate: boolean, hasTask: boolean, ru = true): Record<ActionName, ActionAvailability> {
  const noRights = ru ? 'Нет прав на изменение документа в МойСклад' : 'You have no right to change this document in MoySklad';
  const rule = (allowedStates: SyncState[], whyNot: string): ActionAvailability => {
    if (!allowedStates.includes(state)) return { enabled: false, reason: whyNot };
    if (!canUpdate) return { enabled: false, reason: noRights };
    return { enabled: true };
  };
  return {
    send: rule(['not_sent', 'cancelled', 'expired'], ru ? 'Документ уже передан или передаётся' : 'Already sent or being sent'),
    retry: rule(['error'], ru ? 'Повтор нужен только после ошибки' : 'Retry is only needed after an error'),
    check: hasTask
      ? rule(['sent', 'receiving', 'review', 'error', 'posted', 'expired'], ru ? 'Нет задания в БетаПРО' : 'No BetaPRO task')
      : { enabled: false, reason: ru ? 'Документ ещё не передан на склад' : 'Not sent to the warehouse yet' },
    cancel: rule(['sent'], ru ? 'Отменить можно только переданное задание до начала приёмки' : 'Only a sent task can be cancelled before receiving starts'),
    post: rule(['review'], ru ? 'Нет приёмки, ожидающей решения' : 'No receipt is waiting for a decision'),
  };
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

export async function buildDocumentView(
  prisma: PrismaClient, session: Session, entity: DocumentEntity, msId: string,
): Promise<DocumentView> {
  const doc = await findSyncDocument(prisma, { accountId: session.accountId, entity, msId });
  const canUpdate = session.rights[entity].update;
  const ru = session.locale !== 'en';
  if (!doc) {
    return {
      entity, id: msId, name: null, state: 'not_sent', errorClass: null, errors: [], indocId: null,
      lastTrigger: null, lastActor: null, sentAt: null, postedAt: null, updatedAt: null, events: [], receipt: null,
      actions: availableActions('not_sent', canUpdate, false, ru), live: false, documentChangedAt: null, unrecognized: [],
    };
  }
  const state = doc.state as SyncState;
  const [events, outdocs] = await Promise.all([
    prisma.syncEvent.findMany({ where: { documentId: doc.id }, orderBy: { id: 'desc' }, take: EVENTS_SHOWN }),
    prisma.outdoc.findMany({
      where: { documentId: doc.id, indocId: doc.indocId ?? '', kind: { in: ['goods_supply', 'goods_shipment'] }, stage: { in: ['locked', 'applied'] } },
      orderBy: { outdocId: 'asc' }, omit: WITH_OUTDOC_BODY,
    }),
  ]);
  let receipt: DocumentView['receipt'] = null;
  const receipts = (await receiptsOf(outdocs)).filter((r) => isFactKind(r.kind));
  const plan = doc.indocId ? await loadStoredPlan(prisma, doc.id) : null;
  if (plan?.lines && receipts.length) {
    const account = await loadAccount(prisma, doc.accountId);
    const projection = projectReceipt({
      plan: plan.lines,
      receipts,
      policy: { defective: account?.settings.defectivePolicy ?? 'received' },
    });
    receipt = { lines: projection.lines, partial: !projection.complete, parts: projection.parts, nonArrival: projection.nonArrival };
  }
  // The app changed the MoySklad document when it answered with a status (sent, error, posted).
  const changedBy = events.find((e) => ['sent', 'failed', 'posted', 'partial_applied', 'cancelled', 'non_arrival', 'receipt_blocked', 'already_sent_answered', 'posting_refused', 'receipt_correction', 'unrecognized_goods'].includes(e.kind));
  return {
    entity,
    id: msId,
    name: doc.name,
    state,
    errorClass: doc.errorClass === 'data' || doc.errorClass === 'transient' ? doc.errorClass : null,
    errors: Array.isArray(doc.errors) ? (doc.errors as unknown as Problem[]) : [],
    indocId: doc.indocId,
    lastTrigger: doc.lastTrigger,
    lastActor: doc.lastActor,
    sentAt: iso(doc.sentAt),
    postedAt: iso(doc.postedAt),
    updatedAt: iso(doc.updatedAt),
    events: events.map((e) => ({ id: e.id.toString(), at: e.createdAt.toISOString(), kind: e.kind, trigger: e.trigger, actor: e.actor, message: e.message })),
    receipt,
    actions: availableActions(state, canUpdate, Boolean(doc.indocId), ru),
    live: LIVE_STATES.includes(state),
    documentChangedAt: iso(changedBy?.createdAt),
    unrecognized: Array.isArray(doc.unrecognized) ? (doc.unrecognized as unknown as UnrecognizedGoodView[]) : [],
    direction: plan ? plan.direction ?? 'inbound' : null,
  };
}
