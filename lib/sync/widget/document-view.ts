/**
 * What the widget shows for one document (lib/api/contract.ts DocumentView): sync state, reasons,
 * timeline, plan vs fact, and which actions this user may take now (also enforced on the server).
 */
import type { PrismaClient } from '@/lib/db';
import { ACTION_REASONS_RU } from '@/lib/core/action-reasons';
import { isFactKind, type DocumentEntity } from '@/lib/core/domain';
import type {
  ActionName,
  ActionReasonCode,
  DocumentView,
  Problem,
  ReceiptLineView,
  SyncState,
  TextParams,
  UnrecognizedGoodView,
} from '@/lib/core/views';
import type { Session } from '@/lib/sync/rights';
import { loadAccount } from '@/lib/sync/account/accounts';
import { findSyncDocument } from '@/lib/sync/document/sync-state';
import { projectReceipt } from '@/lib/sync/receipt/projection';
import { loadStoredPlan, receiptsOf, WITH_OUTDOC_BODY } from '@/lib/sync/receipt/stored';

const LIVE_STATES: readonly SyncState[] = ['queued', 'sending', 'receiving'];
const EVENTS_SHOWN = 30;

export interface ActionAvailability {
  enabled: boolean;
  /** Russian (the API's error message when the action is refused). */
  reason?: string;
  /** The same reason as a code the UI renders in the user's language (ACTION_REASON_CODES). */
  reasonCode?: ActionReasonCode;
}

const REASONS_RU = ACTION_REASONS_RU;

export function availableActions(state: SyncState, canUpdate: boolean, hasTask: boolean): Record<ActionName, ActionAvailability> {
  const no = (code: ActionReasonCode): ActionAvailability => ({
    enabled: false,
    reason: REASONS_RU[code],
    reasonCode: code,
  });
  const rule = (allowedStates: SyncState[], whyNot: ActionReasonCode): ActionAvailability => {
    if (!allowedStates.includes(state)) return no(whyNot);
    if (!canUpdate) return no('no_rights');
    return { enabled: true };
  };
  return {
    send: rule(['not_sent', 'cancelled', 'expired'], 'already_sent'),
    retry: rule(['error'], 'retry_after_error'),
    check: hasTask ? rule(['sent', 'receiving', 'review', 'error', 'posted', 'expired'], 'no_task') : no('not_sent_yet'),
    cancel: rule(['sent'], 'cancel_only_sent'),
    post: rule(['review'], 'no_review'),
  };
}

function hasProblem(errors: unknown, code: string): boolean {
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown })?.code === code);
}

/**
 * Goods outside the plan: the view does not look them up in MoySklad (that costs calls on every
 * refresh); the last applied receipt found them already and its event keeps their lines with names.
 * A good is «unknown» (and the document not posted because of it) only while the document is blocked
 * for unknown goods; otherwise it is named by the applied line, or by its code until the receipt is applied.
 */
function nameUnexpected(lines: ReceiptLineView[], events: Array<{ kind: string; data: unknown }>, blocked: boolean): ReceiptLineView[] {
  if (!lines.some((l) => l.unexpected)) return lines;
  const applied = events.find(
    (e) => ['posted', 'partial_applied', 'review'].includes(e.kind) && Array.isArray((e.data as { lines?: unknown })?.lines),
  );
  const names = new Map<string, string>();
  for (const l of (applied?.data as { lines?: ReceiptLineView[] })?.lines ?? []) {
    if (l.unexpected && !l.unknown && l.name) names.set(l.goodId, l.name);
  }
  return lines.map((l) => {
    if (!l.unexpected) return l;
    const name = names.get(l.goodId);
    return { ...l, name: name ?? (l.name || l.goodId), unknown: blocked && !name };
  });
}

/** The parts of an event's data the UI builds its text from: primitive fields and the reasons. */
export function eventTextParts(data: unknown): { params?: TextParams; problems?: Problem[] } {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return {};
  const params: TextParams = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params[key] = value;
  }
  const problems = (data as { problems?: unknown }).problems;
  return { params, ...(Array.isArray(problems) ? { problems: problems as Problem[] } : {}) };
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** A document the app has never seen: not sent, nothing to show yet. */
function emptyView(entity: DocumentEntity, msId: string, canUpdate: boolean): DocumentView {
  return {
    entity,
    id: msId,
    name: null,
    state: 'not_sent',
    errorClass: null,
    errors: [],
    indocId: null,
    lastTrigger: null,
    lastActor: null,
    sentAt: null,
    postedAt: null,
    updatedAt: null,
    events: [],
    receipt: null,
    actions: availableActions('not_sent', canUpdate, false),
    live: false,
    documentChangedAt: null,
    unrecognized: [],
  };
}

type SyncDocumentRecord = NonNullable<Awaited<ReturnType<typeof findSyncDocument>>>;
type StoredPlanRecord = Awaited<ReturnType<typeof loadStoredPlan>>;
type EventRecord = Awaited<ReturnType<PrismaClient['syncEvent']['findMany']>>[number];

/** Plan vs fact of the applied warehouse facts (receipt or shipment), or null before the first one. */
async function receiptView(prisma: PrismaClient, doc: SyncDocumentRecord, events: EventRecord[], plan: StoredPlanRecord | null) {
  const outdocs = await prisma.outdoc.findMany({
    where: {
      documentId: doc.id,
      indocId: doc.indocId ?? '',
      kind: { in: ['goods_supply', 'goods_shipment'] },
      stage: { in: ['locked', 'applied'] },
    },
    orderBy: { outdocId: 'asc' },
    omit: WITH_OUTDOC_BODY,
  });
  const receipts = (await receiptsOf(outdocs)).filter((r) => isFactKind(r.kind));
  if (!plan?.lines || !receipts.length) return null;
  const account = await loadAccount(prisma, doc.accountId);
  const projection = projectReceipt({ plan: plan.lines, receipts, policy: { defective: account?.settings.defectivePolicy ?? 'received' } });
  const lines = nameUnexpected(projection.lines, events, hasProblem(doc.errors, 'unknown_goods'));
  return { lines, partial: !projection.complete, parts: projection.parts, nonArrival: projection.nonArrival };
}

/** Events after which the app had changed the MoySklad document (it answered with a status). */
const DOCUMENT_CHANGING_EVENTS = [
  'sent',
  'failed',
  'posted',
  'partial_applied',
  'cancelled',
  'non_arrival',
  'receipt_blocked',
  'already_sent_answered',
  'posting_refused',
  'receipt_correction',
  'unrecognized_goods',
];

function eventView(e: EventRecord): DocumentView['events'][number] {
  return {
    id: e.id.toString(),
    at: e.createdAt.toISOString(),
    kind: e.kind,
    trigger: e.trigger,
    actor: e.actor,
    message: e.message,
    ...eventTextParts(e.data),
  };
}

export async function buildDocumentView(
  prisma: PrismaClient,
  session: Session,
  entity: DocumentEntity,
  msId: string,
): Promise<DocumentView> {
  const doc = await findSyncDocument(prisma, { accountId: session.accountId, entity, msId });
  const canUpdate = session.rights[entity]?.update ?? false;
  if (!doc) return emptyView(entity, msId, canUpdate);
  const state = doc.state as SyncState;
  const events = await prisma.syncEvent.findMany({ where: { documentId: doc.id }, orderBy: { id: 'desc' }, take: EVENTS_SHOWN });
  const plan = doc.indocId ? await loadStoredPlan(prisma, doc.id) : null;
  const receipt = await receiptView(prisma, doc, events, plan);
  const changedBy = events.find((e) => DOCUMENT_CHANGING_EVENTS.includes(e.kind));
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
    events: events.map(eventView),
    receipt,
    actions: availableActions(state, canUpdate, Boolean(doc.indocId)),
    live: LIVE_STATES.includes(state),
    documentChangedAt: iso(changedBy?.createdAt),
    unrecognized: Array.isArray(doc.unrecognized) ? (doc.unrecognized as unknown as UnrecognizedGoodView[]) : [],
    direction: plan ? (plan.direction ?? 'inbound') : null,
  };
}
