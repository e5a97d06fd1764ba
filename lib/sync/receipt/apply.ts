/**
 * Receipt reconciliation (docs/product.md §4): BetaPRO's outdocs → the corrected, posted MoySklad document.
 *
 * Exactly once and crash-safe: each outdoc is stored (raw JSON) before it is locked in BetaPRO, locked
 * before it is applied, and marked applied after. A crash at any line leaves a stage the next poll
 * resumes from. Applying is a projection: the document is made equal to f(plan, applied outdocs), so
 * applying twice changes nothing, and a correction is "recompute without the reverted outdoc".
 */
import type { PrismaClient } from '@/lib/db';
import { isFactKind, type DocumentEntity, type Receipt } from '@/lib/core/domain';
import { AppError, toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import type { BetaproClient } from '@/lib/betapro';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import { applyReceiptJob, enqueueDocumentJob } from '@/lib/sync/jobs';
import { loadAccount, isOperational, type Account } from '@/lib/sync/account/accounts';
import { betaproClientFor, moyskladClientFor } from '@/lib/sync/account/clients';
import { answerOnDocument } from '@/lib/sync/document/answer';
import { writePositions } from '@/lib/sync/receipt/write-positions';
import { recordEvent, sameProblems, transitionDocument, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { projectReceipt, summariseForComment, type ProjectionResult, type UnexpectedGood } from '@/lib/sync/receipt/projection';
import { revertBeforeUnlock } from '@/lib/sync/receipt/correction';
import { loadStoredPlan, receiptsOf, WITH_OUTDOC_BODY, type StoredPlan } from '@/lib/sync/receipt/stored';
import { requestDiscrepancyTask, requestTaskClosing } from '@/lib/sync/tasks/discrepancy-task';

export async function enqueueApply(prisma: PrismaClient, accountId: string, documentId: string, force = false): Promise<void> {
  const doc = await prisma.syncDocument.findUnique({ where: { id: documentId } });
  if (!doc) return;
  const ref = { accountId, entity: doc.entity as DocumentEntity, msId: doc.msId };
  await enqueueDocumentJob(
    prisma,
    applyReceiptJob,
    ref,
    { accountId, documentId, force },
    {
      // `q:`: an apply already running may have read the outdocs before this request's poll marked new
      // work (a correction, a new part), so a request made after it started must run it once more.
      dedupeKey: `q:apply:${documentId}${force ? ':force' : ''}`,
    },
  );
}

// ---------------------------------------------------------------- apply

// Positions are written by ./write-positions.ts (fields kept above 1,000 rows, written once).

export async function findUnexpected(
  client: MoyskladClient,
  account: Account,
  plan: StoredPlan,
  receipts: Receipt[],
): Promise<Map<string, UnexpectedGood>> {
  const planned = new Set(plan.lines.map((l) => l.goodId));
  const outside = new Set<string>();
  for (const r of receipts)
    for (const line of r.lines) if (!planned.has(line.goodId) && line.useful + line.defective > 0) outside.add(line.goodId);
  const found = new Map<string, UnexpectedGood>();
  if (!outside.size) return found;
  const matches = await client.findAssortmentByKey(account.settings.productKey, [...outside]);
  for (const m of matches) {
    if (found.has(m.value) || m.archived) continue;
    found.set(m.value, {
      assortment: { href: m.href, type: m.type },
      name: m.name,
      price: m.buyPrice ?? 0,
      priceSource: m.buyPrice ? 'buyPrice' : 'zero',
    } as UnexpectedGood);
  }
  return found;
}

export interface ApplyPayload {
  accountId: string;
  documentId: string;
  /** The user confirmed posting a discrepant receipt held for review. */
  force?: boolean;
}

type OutdocRow = { id: string; outdocId: bigint; stage: string; appliedAt: Date | null };

/** Everything one apply works with, loaded once. */
interface ApplyRun {
  prisma: PrismaClient;
  payload: ApplyPayload;
  doc: SyncDocumentRow;
  entity: DocumentEntity;
  account: Account;
  plan: StoredPlan;
  outbound: boolean;
  counted: OutdocRow[];
  countedIds: string[];
  reverting: OutdocRow[];
  supplies: Receipt[];
  moysklad: MoyskladClient;
  betapro: BetaproClient;
  log: ReturnType<typeof logFor>;
}

export async function applyReceipts(prisma: PrismaClient, payload: ApplyPayload): Promise<void> {
  const run = await loadRun(prisma, payload);
  if (!run) return;
  const { doc, account, plan, moysklad, betapro, counted, reverting, supplies } = run;
  if (await revertBeforeUnlock({ prisma, doc, account, plan, moysklad, reverting, supplies })) {
    await finishOutdocs(
      prisma,
      betapro,
      counted.map((o) => o.id),
      reverting,
    );
    return;
  }
  if (!supplies.length) {
    await showProgress(run);
    return;
  }
  const unexpected = await findUnexpected(moysklad, account, plan, supplies);
  const projection = projectReceipt({
    plan: plan.lines,
    receipts: supplies,
    policy: { defective: account.settings.defectivePolicy },
    unexpected,
    positionQuantities: plan.positionQuantities ? new Map(Object.entries(plan.positionQuantities)) : undefined,
  });
  const document = await moysklad.getDocument(run.entity, doc.msId);
  if (await blockedByFacts(run, projection, document.description)) return;
  if (await heldBack(run, projection, document)) return;
  await writeFacts(run, projection, document.description);
}

/** The document, its account, plan and outdocs; null when there is nothing to apply. */
async function loadRun(prisma: PrismaClient, payload: ApplyPayload): Promise<ApplyRun | null> {
  const doc = await prisma.syncDocument.findUnique({ where: { id: payload.documentId } });
  if (!doc) return null;
  const log = logFor({ accountId: doc.accountId, documentId: doc.msId, job: applyReceiptJob.kind });
  const account = await loadAccount(prisma, doc.accountId);
  const plan = await loadStoredPlan(prisma, doc.id);
  // No current task (a re-send is on its way): nothing to apply until it exists.
  if (!account || !isOperational(account) || !plan || !doc.indocId) return null;
  const outdocs = await prisma.outdoc.findMany({
    // Only the current task's: a task closed before a re-send (non-arrival) is not this receipt.
    where: { documentId: doc.id, indocId: doc.indocId, stage: { in: ['locked', 'applied', 'revert_requested'] } },
    orderBy: { outdocId: 'asc' },
    omit: WITH_OUTDOC_BODY,
  });
  const reverting = outdocs.filter((o) => o.stage === 'revert_requested');
  const counted = outdocs.filter((o) => o.stage !== 'revert_requested');
  if (nothingNewSinceApplied(doc, counted, reverting)) {
    log.debug({ state: doc.state }, 'receipt already applied and nothing new: nothing to do');
    return null;
  }
  const receipts = await receiptsOf(counted);
  return {
    prisma,
    payload,
    doc,
    entity: doc.entity as DocumentEntity,
    account,
    plan,
    outbound: plan.direction === 'outbound',
    counted,
    countedIds: counted.map((o) => String(o.outdocId)),
    reverting,
    supplies: receipts.filter((r) => isFactKind(r.kind)),
    moysklad: await moyskladClientFor(account),
    betapro: await betaproClientFor(account),
    log,
  };
}

/** Only "receiving (picking) started" so far, or every fact was reverted: show it, change nothing else. */
async function showProgress(run: ApplyRun): Promise<void> {
  const { prisma, doc, betapro, counted, reverting, outbound } = run;
  const moved = await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'review', 'posted', 'error'], {
    state: 'receiving',
  });
  if (moved && doc.state !== 'receiving') {
    await recordEvent(prisma, doc, {
      kind: 'receiving',
      message: outbound ? 'Склад БетаПРО начал подбор товара для отгрузки' : 'Склад БетаПРО начал приёмку',
    });
  }
  await finishOutdocs(
    prisma,
    betapro,
    counted.map((o) => o.id),
    reverting,
  );
}

/** Non-arrival, or goods MoySklad does not know: the document is not posted. True when it stopped here. */
async function blockedByFacts(run: ApplyRun, projection: ProjectionResult, description: string | undefined): Promise<boolean> {
  const { prisma, doc, account, moysklad, betapro, entity, counted, reverting } = run;
  const stop = (lines: string[], state: Parameters<typeof failReceipt>[7]) =>
    failReceipt(prisma, doc, account, moysklad, entity, description, lines, state);
  if (projection.nonArrival) {
    await stop(['Поставка не прибыла на склад БетаПРО: срок ожидания истёк, документ не проведён.'], 'expired');
    const countedOutdocIds = counted.map((o) => o.id);
    await finishOutdocs(prisma, betapro, countedOutdocIds, reverting);
    return true;
  }
  if (!projection.unknownGoods.length) return false;
  const names = projection.unknownGoods.join(', ');
  await stop(
    [
      `БетаПРО принял товары, которых нет в МойСклад по ключу «${account.settings.productKey}»: ${names}. Документ не проведён.`,
      'Создайте эти товары в МойСклад (или исправьте ключ) и нажмите «Проверить приёмку» в виджете.',
    ],
    'error',
  );
  // Outdocs stay locked (not applied): "check receipt now" re-applies once the goods exist.
  return true;
}

/** A partial receipt waiting for its last part, or discrepancies held for review. True when held. */
async function heldBack(run: ApplyRun, projection: ProjectionResult, document: MsStatedDocument): Promise<boolean> {
  const { prisma, doc, account, betapro, counted, countedIds, reverting, payload } = run;
  const final = projection.complete;
  if (!final && account.settings.partialPolicy !== 'progressive') {
    if (doc.state === 'receiving' && !reverting.length && (await alreadyReported(prisma, doc.id, 'partial_receipt', countedIds)))
      return true;
    await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'error', 'review'], { state: 'receiving' });
    await recordEvent(prisma, doc, {
      kind: 'partial_receipt',
      message: `Частичная приёмка: получено частей ${projection.parts}. Документ будет исправлен и проведён после последней части.`,
      data: { outdocs: countedIds },
    });
    await finishOutdocs(
      prisma,
      betapro,
      counted.map((o) => o.id),
      reverting,
    );
    return true;
  }
  if (!(final && projection.differences.length > 0 && account.settings.postingMode === 'review' && !payload.force)) return false;
  if (doc.state === 'review' && !reverting.length && (await alreadyReported(prisma, doc.id, 'review', countedIds))) return true;
  await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'error', 'posted', 'review'], { state: 'review' });
  await requestDiscrepancyTask(prisma, account, doc);
  await showReviewStatus(run, document);
  await recordEvent(prisma, doc, {
    kind: 'review',
    message: `Приёмка с расхождениями ожидает решения: ${projection.differences.length} расхожд. Проведите документ в виджете.`,
    // lines: the widget names goods outside the plan found in MoySklad without asking it again.
    data: { outdocs: countedIds, differences: projection.differences.length, lines: projection.lines } as never,
  });
  await finishOutdocs(prisma, betapro, [], reverting);
  return true;
}

type MsStatedDocument = { state?: { meta: { href: string } } | null };

/**
 * The optional «Расхождения» status, when the account has one: MoySklad shows that the receipt waits
 * for a decision. Set before the event is recorded, and not sent again when the document shows it
 * already (a rerun after a crash between the two). The decision's posting sets «Проведён» over it.
 */
async function showReviewStatus(run: ApplyRun, document: MsStatedDocument): Promise<void> {
  const { account, entity, doc, moysklad } = run;
  const stateId = account.settings.statuses[entity].review;
  const current = document.state?.meta.href;
  if (!stateId || (current && current.slice(current.lastIndexOf('/') + 1) === stateId)) return;
  await answerOnDocument(moysklad, account, entity, doc.msId, undefined, { role: 'review' });
}

function headlineFor(post: boolean, outbound: boolean, hasDifferences: boolean, parts: number): string {
  if (!post) return `Частичная приёмка БетаПРО, часть ${parts}: позиции исправлены по факту.`;
  if (outbound)
    return hasDifferences
      ? 'Проведён по факту отгрузки БетаПРО (есть расхождения):'
      : 'Проведён по факту отгрузки БетаПРО: всё отгружено по плану.';
  return hasDifferences
    ? 'Проведён по факту приёмки БетаПРО (есть расхождения):'
    : 'Проведён по факту приёмки БетаПРО: всё принято по плану.';
}

/** Positions corrected to the facts (and posted at the final part), outdocs applied, state and event. */
async function writeFacts(run: ApplyRun, projection: ProjectionResult, description: string | undefined): Promise<void> {
  const { prisma, doc, account, moysklad, betapro, entity, counted, countedIds, reverting, log } = run;
  const summary = summariseForComment(projection, { entity, direction: run.plan.direction });
  const hasDifferences = projection.differences.length > 0;
  const post = projection.complete;
  if (!post && doc.state === 'receiving' && !reverting.length && (await alreadyReported(prisma, doc.id, 'partial_applied', countedIds)))
    return;
  let written: { calls: number; changed: boolean };
  try {
    written = await writePositions(moysklad, account, entity, doc.msId, projection, {
      post,
      log: [headlineFor(post, run.outbound, hasDifferences, projection.parts), ...summary.slice(hasDifferences || !post ? 0 : 1)],
    });
  } catch (error) {
    const refusal = post ? postingRefusal(error) : null;
    if (!refusal) throw error;
    await refusePosting(
      prisma,
      { doc, account, moysklad, betapro, entity, description },
      {
        projection,
        summary,
        refusal,
        appliedRowIds: counted.map((o) => o.id),
        reverting,
      },
    );
    return;
  }
  const appliedIds = counted.map((o) => o.id);
  await finishOutdocs(prisma, betapro, appliedIds, reverting);
  const nextState = post ? 'posted' : 'receiving';
  // State and event together; a rerun over a document already written and already in this state
  // (its first run lost only the job's completion) records no second event.
  await prisma.$transaction(async (tx) => {
    const before = await tx.syncDocument.findUnique({ where: { id: doc.id }, select: { state: true } });
    await transitionDocument(tx, doc.id, ['sent', 'receiving', 'review', 'error', 'posted'], {
      state: nextState,
      errorClass: null,
      errors: null,
      ...(post ? { postedAt: new Date() } : {}),
    });
    if (post) await requestTaskClosing(tx, account.accountId, doc); // with the state: a crash cannot skip it
    if (!written.changed && before?.state === nextState) return;
    await recordEvent(tx, doc, {
      kind: post ? 'posted' : 'partial_applied',
      message: post
        ? `Документ исправлен по факту и проведён, статус «Проведён»${hasDifferences ? `; расхождений: ${projection.differences.length}` : ''}`
        : `Позиции исправлены по частичной приёмке (часть ${projection.parts})`,
      data: {
        differences: projection.differences.length,
        calls: written.calls,
        lines: projection.lines,
        outdocs: countedIds,
      } as never,
    });
  });
  log.info({ post, differences: projection.differences.length, calls: written.calls }, 'receipt applied');
}

/**
 * A posted (or expired) document whose outdocs are all applied already shows every fact:
 * a poll or a «Проверить приёмку» then changes nothing (no event, no comment line, no MoySklad write).
 * An error state is not covered: a refused posting is tried again.
 */
function nothingNewSinceApplied(doc: SyncDocumentRow, counted: Array<{ stage: string }>, reverting: unknown[]): boolean {
  if (reverting.length || !counted.length || counted.some((o) => o.stage !== 'applied')) return false;
  return doc.state === 'posted' || doc.state === 'expired';
}

/**
 * The document's last event of this kind (review, partial receipt) was about exactly these outdocs: the
 * document already says all there is to say about them.
 */
async function alreadyReported(prisma: PrismaClient, documentId: string, kind: string, outdocIds: string[]): Promise<boolean> {
  const last = await prisma.syncEvent.findFirst({
    where: { documentId, kind },
    orderBy: { id: 'desc' },
    select: { data: true },
  });
  const before = (last?.data as { outdocs?: unknown } | null)?.outdocs;
  return Array.isArray(before) && before.length === outdocIds.length && before.every((id, i) => id === outdocIds[i]);
}

async function finishOutdocs(
  prisma: PrismaClient,
  betapro: BetaproClient,
  appliedIds: string[],
  reverting: Array<{ id: string; outdocId: bigint }>,
): Promise<void> {
  if (appliedIds.length) {
    await prisma.outdoc.updateMany({
      where: { id: { in: appliedIds }, stage: 'locked' },
      data: { stage: 'applied', appliedAt: new Date() },
    });
  }
  if (reverting.length) {
    // Its effect is gone from the document (projection without it): let BetaPRO replace it.
    await betapro.lockOutdocs(reverting.map((o) => ({ outdocId: Number(o.outdocId), lock: false })));
    await prisma.outdoc.updateMany({ where: { id: { in: reverting.map((o) => o.id) } }, data: { stage: 'reverted' } });
  }
}

/** MoySklad refused to save the posted document (e.g. not enough stock at a move's source store). */
function postingRefusal(error: unknown): AppError | null {
  const e = toAppError(error);
  return e.code === 'REMOTE_REJECTED' ? e : null;
}

export const POSTING_REFUSED = 'posting_refused';

/**
 * MoySklad refused to post the corrected document: the facts stay applied (positions corrected, outdocs
 * applied), the document shows «Ошибка» with MoySklad's reason, and «Повторить» or «Проверить приёмку»
 * posts it once the cause is fixed. The same refusal again adds nothing.
 */
async function refusePosting(
  prisma: PrismaClient,
  target: {
    doc: SyncDocumentRow;
    account: Account;
    moysklad: MoyskladClient;
    betapro: BetaproClient;
    entity: DocumentEntity;
    description: string | undefined;
  },
  outcome: {
    projection: ProjectionResult;
    summary: string[];
    refusal: AppError;
    appliedRowIds: string[];
    reverting: Array<{ id: string; outdocId: bigint }>;
  },
): Promise<void> {
  const { doc, account, moysklad, betapro, entity } = target;
  const reason = outcome.refusal.userMessage;
  const problems = [{ code: POSTING_REFUSED, message: reason, params: { reason } }];
  logFor({ accountId: doc.accountId, documentId: doc.msId, job: applyReceiptJob.kind }).warn(
    { err: outcome.refusal.message },
    'MoySklad refused to post the receipt',
  );
  if (doc.state === 'error' && sameProblems(doc.errors, problems)) {
    await finishOutdocs(prisma, betapro, outcome.appliedRowIds, outcome.reverting);
    return;
  }
  await writePositions(moysklad, account, entity, doc.msId, outcome.projection, {
    post: false,
    role: 'error',
    log: [
      `МойСклад не провёл документ по факту приёмки БетаПРО: ${reason}`,
      ...outcome.summary,
      'Факты приёмки сохранены: устраните причину и нажмите «Повторить» в виджете.',
    ],
  });
  await finishOutdocs(prisma, betapro, outcome.appliedRowIds, outcome.reverting);
  await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'review', 'error', 'posted'], {
    state: 'error',
    errorClass: 'data',
    errors: problems,
  });
  await requestDiscrepancyTask(prisma, account, doc);
  await recordEvent(prisma, doc, { kind: POSTING_REFUSED, message: `МойСклад отказался провести документ: ${reason}` });
}

async function failReceipt(
  prisma: PrismaClient,
  doc: SyncDocumentRow,
  account: Account,
  moysklad: MoyskladClient,
  entity: DocumentEntity,
  description: string | undefined,
  lines: string[],
  state: 'error' | 'expired',
): Promise<void> {
  const problems = lines.map((message, i) => ({
    code: state === 'expired' ? 'non_arrival' : i === 0 ? 'unknown_goods' : 'hint',
    message,
  }));
  // Already blocked for exactly this reason: a new poll or click changes nothing.
  if (doc.state === state && sameProblems(doc.errors, problems)) return;
  // MoySklad first: a crash after it reruns this step, whose log line is then not added twice.
  await answerOnDocument(moysklad, account, entity, doc.msId, description, {
    role: 'error',
    log: lines,
    logOnceHeadline: lines[0],
  });
  const moved = await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'review', 'error', 'expired'], {
    state,
    errorClass: 'data',
    errors: problems,
  });
  if (!moved) return;
  await requestDiscrepancyTask(prisma, account, doc);
  await recordEvent(prisma, doc, {
    kind: state === 'expired' ? 'non_arrival' : 'receipt_blocked',
    message: lines.join(' '),
  });
}
