/**
 * Receipt reconciliation (PRODUCT.md §4): BetaPRO's outdocs → the corrected, posted MoySklad document.
 *
 * Exactly once and crash-safe: each outdoc is stored (raw JSON) before it is locked in BetaPRO, locked
 * before it is applied, and marked applied after. A crash at any line leaves a stage the next poll
 * resumes from. Applying is a projection: the document is made equal to f(plan, applied outdocs), so
 * applying twice changes nothing, and a correction is "recompute without the reverted outdoc".
 */
import type { Db, PrismaClient } from '../db';
import { packJson, unpackJson } from '../db/packed-json';
import type { DocumentEntity, PlanLine, Receipt } from '../core/domain';
import { AppError, toAppError } from '../core/errors';
import { logFor } from '../core/logger';
import { receiptFromRaw, type BetaproClient } from '../betapro';
import type { MoyskladClient } from '../moysklad/json-api';
import { enqueueJob } from '../jobs/queue';
import { loadAccount, isOperational, type Account } from './accounts';
import { betaproClientFor, moyskladClientFor } from './clients';
import { answerOnDocument } from './document-status';
import { writePositions } from './receipt/write-positions';
import { documentGroupKey, recordEvent, transitionDocument, type SyncDocumentRow } from './documents';
import { projectReceipt, summariseForComment, type UnexpectedGood } from './projection';

export const POLL_JOB = 'poll';
export const APPLY_JOB = 'apply-receipt';
const RECEIPT_KINDS = new Set(['goods_supply', 'goods_supply_start']);

/** What lib/sync stores as SyncDocument.plan when a task is created. */
export interface StoredPlan {
  lines: PlanLine[];
  /** Original quantity of each MoySklad position, to split merged lines back. */
  positionQuantities?: Record<string, number>;
}

/** The plan stored when the task was created; null when the document has none (never sent). */
export async function loadStoredPlan(prisma: Db, documentId: string): Promise<StoredPlan | null> {
  // The plan is left out of ordinary reads (lib/db LARGE_COLUMNS): asked for here only.
  const row = await prisma.syncDocument.findUnique({ where: { id: documentId }, select: { planPacked: true, plan: true } });
  if (!row) return null;
  // Compressed; databases from before planPacked hold it as plain JSON.
  const plan = (row.planPacked ? await unpackJson(row.planPacked) : row.plan) as StoredPlan | null;
  return plan && Array.isArray(plan.lines) ? plan : null;
}

export function packStoredPlan(plan: StoredPlan): Promise<Uint8Array<ArrayBuffer>> {
  return packJson(plan);
}

/** `omit` for outdoc reads that need the body (lib/db LARGE_COLUMNS leaves it out by default). */
export const WITH_OUTDOC_BODY = { raw: false, rawPacked: false } as const;

/** Receipts of stored outdocs (read with WITH_OUTDOC_BODY), in the given order. */
export async function receiptsOf(outdocs: Array<{ rawPacked: Uint8Array | null; raw: unknown }>): Promise<Receipt[]> {
  return Promise.all(outdocs.map(async (o) => receiptFromRaw(o.rawPacked ? await unpackJson(o.rawPacked) : o.raw)));
}

// ---------------------------------------------------------------- poll

export interface PollResult {
  stored: number;
  locked: number;
  revertRequested: number;
  documents: number;
}

/** One poll of BetaPRO for an account: store → lock → queue apply, plus correction requests. */
export async function pollAccount(prisma: PrismaClient, accountId: string): Promise<PollResult> {
  const result: PollResult = { stored: 0, locked: 0, revertRequested: 0, documents: 0 };
  const account = await loadAccount(prisma, accountId);
  if (!account || !isOperational(account) || !account.settings.hasPassword) return result;
  const log = logFor({ accountId, job: POLL_JOB });
  const betapro = await betaproClientFor(account);
  const touched = new Set<string>();

  // 1. New outdocs: store each one we know the task of (others may belong to another system).
  const unlocked = await betapro.listOutdocs({ locked: false, unlockRequest: false });
  const ours = new Map<string, SyncDocumentRow | null>();
  for (const summary of unlocked) {
    if (!RECEIPT_KINDS.has(summary.type)) continue;
    const known = await prisma.outdoc.findUnique({ where: { accountId_outdocId: { accountId, outdocId: BigInt(summary.outdocId) } } });
    if (known) continue;
    const details = await betapro.getOutdoc(summary.outdocId);
    const receipt = details.receipt ?? receiptFromRaw(details.raw);
    const indocId = receipt.indocId || summary.indocId;
    if (!indocId) continue;
    if (!ours.has(indocId)) {
      ours.set(indocId, await prisma.syncDocument.findFirst({ where: { accountId, indocId } }));
    }
    const doc = ours.get(indocId);
    if (!doc) continue;
    await prisma.outdoc.upsert({
      where: { accountId_outdocId: { accountId, outdocId: BigInt(summary.outdocId) } },
      create: {
        accountId, outdocId: BigInt(summary.outdocId), indocId, documentId: doc.id, kind: summary.type,
        rawPacked: await packJson(details.raw), stage: 'stored', partNumber: receipt.partNumber ?? null,
      },
      update: {},
    });
    await recordEvent(prisma, doc, {
      kind: 'receipt_stored', trigger: 'poll',
      message: summary.type === 'goods_supply_start'
        ? `БетаПРО начал приёмку (документ ${summary.outdocId})`
        : `Получены данные приёмки от БетаПРО (документ ${summary.outdocId}${receipt.partNumber ? `, часть ${receipt.partNumber}` : ''})`,
      data: { outdocId: summary.outdocId },
    });
    result.stored++;
  }

  // 2. Lock everything stored (this run's and any a crash left behind), then apply.
  const toLock = await prisma.outdoc.findMany({ where: { accountId, stage: 'stored' } });
  if (toLock.length) {
    await betapro.lockOutdocs(toLock.map((o) => ({ outdocId: Number(o.outdocId), lock: true })));
    await prisma.outdoc.updateMany({ where: { id: { in: toLock.map((o) => o.id) }, stage: 'stored' }, data: { stage: 'locked' } });
    result.locked += toLock.length;
  }

  // 3. Corrections: BetaPRO wants to replace a locked outdoc. Revert (recompute without it), then unlock.
  const unlockRequested = await betapro.listOutdocs({ locked: true, unlockRequest: true });
  for (const summary of unlockRequested) {
    const updated = await prisma.outdoc.updateMany({
      where: { accountId, outdocId: BigInt(summary.outdocId), stage: { in: ['locked', 'applied'] } },
      data: { stage: 'revert_requested' },
    });
    result.revertRequested += updated.count;
  }

  // 4. Queue an apply for every document with work pending (including work a crash left behind).
  const pending = await prisma.outdoc.findMany({
    where: { accountId, stage: { in: ['locked', 'revert_requested'] }, documentId: { not: null } },
    select: { documentId: true },
    distinct: ['documentId'],
  });
  for (const { documentId } of pending) touched.add(documentId!);
  for (const documentId of touched) await enqueueApply(prisma, accountId, documentId);
  result.documents = touched.size;
  await prisma.installation.update({ where: { accountId }, data: { updatedAt: new Date() } }).catch(() => undefined);
  if (result.stored || result.revertRequested) log.info(result, 'BetaPRO poll found receipts');
  return result;
}

export async function enqueueApply(prisma: PrismaClient, accountId: string, documentId: string, force = false): Promise<void> {
  const doc = await prisma.syncDocument.findUnique({ where: { id: documentId } });
  if (!doc) return;
  await enqueueJob(prisma, {
    kind: APPLY_JOB,
    accountId,
    groupKey: documentGroupKey({ accountId, entity: doc.entity as DocumentEntity, msId: doc.msId }),
    dedupeKey: `apply:${documentId}${force ? ':force' : ''}`,
    payload: { accountId, documentId, force },
    maxAttempts: 10,
  });
}

// ---------------------------------------------------------------- apply

// Positions are written by ./receipt/write-positions.ts (fields kept above 1,000 rows, written once).

async function findUnexpected(
  client: MoyskladClient, account: Account, plan: StoredPlan, receipts: Receipt[],
): Promise<Map<string, UnexpectedGood>> {
  const planned = new Set(plan.lines.map((l) => l.goodId));
  const outside = new Set<string>();
  for (const r of receipts) for (const line of r.lines) if (!planned.has(line.goodId) && line.useful + line.defective > 0) outside.add(line.goodId);
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

export async function applyReceipts(prisma: PrismaClient, payload: ApplyPayload): Promise<void> {
  const doc = await prisma.syncDocument.findUnique({ where: { id: payload.documentId } });
  if (!doc) return;
  const entity = doc.entity as DocumentEntity;
  const log = logFor({ accountId: doc.accountId, documentId: doc.msId, job: APPLY_JOB });
  const account = await loadAccount(prisma, doc.accountId);
  const plan = await loadStoredPlan(prisma, doc.id);
  if (!account || !isOperational(account) || !plan) return;

  const outdocs = await prisma.outdoc.findMany({
    where: { documentId: doc.id, stage: { in: ['locked', 'applied', 'revert_requested'] } },
    orderBy: { outdocId: 'asc' },
    omit: WITH_OUTDOC_BODY,
  });
  const reverting = outdocs.filter((o) => o.stage === 'revert_requested');
  const counted = outdocs.filter((o) => o.stage !== 'revert_requested');
  const receipts = await receiptsOf(counted);
  const supplies = receipts.filter((r) => r.kind === 'goods_supply');

  const moysklad = await moyskladClientFor(account);
  const betapro = await betaproClientFor(account);

  if (!supplies.length) {
    // Only "receiving started" so far (or every receipt was reverted): show it, change nothing else.
    const moved = await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'review', 'posted', 'error'], { state: 'receiving' });
    if (moved && doc.state !== 'receiving') await recordEvent(prisma, doc, { kind: 'receiving', message: 'Склад БетаПРО начал приёмку' });
    await finishOutdocs(prisma, betapro, counted.map((o) => o.id), reverting);
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
  const document = await moysklad.getDocument(entity, doc.msId);
  const summary = summariseForComment(projection, { entity });

  if (projection.nonArrival) {
    await failReceipt(prisma, doc, account, moysklad, entity, document.description, [
      'Поставка не прибыла на склад БетаПРО: срок ожидания истёк, документ не проведён.',
    ], 'expired');
    await finishOutdocs(prisma, betapro, counted.map((o) => o.id), reverting);
    return;
  }
  if (projection.unknownGoods.length) {
    const names = projection.unknownGoods.join(', ');
    await failReceipt(prisma, doc, account, moysklad, entity, document.description, [
      `БетаПРО принял товары, которых нет в МойСклад по ключу «${account.settings.productKey}»: ${names}. Документ не проведён.`,
      'Создайте эти товары в МойСклад (или исправьте ключ) и нажмите «Проверить приёмку» в виджете.',
    ], 'error');
    // Outdocs stay locked (not applied): "check receipt now" re-applies once the goods exist.
    return;
  }
  const final = projection.complete;
  const progressive = account.settings.partialPolicy === 'progressive';
  if (!final && !progressive) {
    await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'error', 'review'], { state: 'receiving' });
    await recordEvent(prisma, doc, {
      kind: 'partial_receipt',
      message: `Частичная приёмка: получено частей ${projection.parts}. Документ будет исправлен и проведён после последней части.`,
    });
    await finishOutdocs(prisma, betapro, counted.map((o) => o.id), reverting);
    return;
  }
  const hasDifferences = projection.differences.length > 0;
  if (final && hasDifferences && account.settings.postingMode === 'review' && !payload.force) {
    await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'error', 'posted'], { state: 'review' });
    await recordEvent(prisma, doc, {
      kind: 'review',
      message: `Приёмка с расхождениями ожидает решения: ${projection.differences.length} расхожд. Проведите документ в виджете.`,
    });
    await finishOutdocs(prisma, betapro, [], reverting);
    return;
  }
  const post = final;
  const headline = post
    ? (hasDifferences ? 'Проведён по факту приёмки БетаПРО (есть расхождения):' : 'Проведён по факту приёмки БетаПРО: всё принято по плану.')
    : `Частичная приёмка БетаПРО, часть ${projection.parts}: позиции исправлены по факту.`;
  const written = await writePositions(moysklad, account, entity, doc.msId, projection, {
    post,
    log: [headline, ...summary.slice(hasDifferences || !post ? 0 : 1)],
  });
  await finishOutdocs(prisma, betapro, counted.map((o) => o.id), reverting);
  const nextState = post ? 'posted' : 'receiving';
  // State and event together; a rerun over a document already written and already in this state
  // (its first run lost only the job's completion) records no second event.
  await prisma.$transaction(async (tx) => {
    const before = await tx.syncDocument.findUnique({ where: { id: doc.id }, select: { state: true } });
    await transitionDocument(tx, doc.id, ['sent', 'receiving', 'review', 'error', 'posted'], {
      state: nextState, errorClass: null, errors: null, ...(post ? { postedAt: new Date() } : {}),
    });
    if (!written.changed && before?.state === nextState) return;
    await recordEvent(tx, doc, {
      kind: post ? 'posted' : 'partial_applied',
      message: post
        ? `Документ исправлен по факту и проведён, статус «Проведён»${hasDifferences ? `; расхождений: ${projection.differences.length}` : ''}`
        : `Позиции исправлены по частичной приёмке (часть ${projection.parts})`,
      data: { differences: projection.differences.length, calls: written.calls, lines: projection.lines } as never,
    });
  });
  log.info({ post, differences: projection.differences.length, calls: written.calls }, 'receipt applied');
}

async function finishOutdocs(
  prisma: PrismaClient, betapro: BetaproClient, appliedIds: string[],
  reverting: Array<{ id: string; outdocId: bigint }>,
): Promise<void> {
  if (appliedIds.length) {
    await prisma.outdoc.updateMany({ where: { id: { in: appliedIds }, stage: 'locked' }, data: { stage: 'applied', appliedAt: new Date() } });
  }
  if (reverting.length) {
    // Its effect is gone from the document (projection without it): let BetaPRO replace it.
    await betapro.lockOutdocs(reverting.map((o) => ({ outdocId: Number(o.outdocId), lock: false })));
    await prisma.outdoc.updateMany({ where: { id: { in: reverting.map((o) => o.id) } }, data: { stage: 'reverted' } });
  }
}

async function failReceipt(
  prisma: PrismaClient, doc: SyncDocumentRow, account: Account, moysklad: MoyskladClient, entity: DocumentEntity,
  description: string | undefined, lines: string[], state: 'error' | 'expired',
): Promise<void> {
  const problems = lines.map((message, i) => ({ code: state === 'expired' ? 'non_arrival' : i === 0 ? 'unknown_goods' : 'hint', message }));
  const moved = await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'review', 'error', 'expired'], {
    state, errorClass: 'data', errors: problems,
  });
  if (!moved) return;
  await recordEvent(prisma, doc, { kind: state === 'expired' ? 'non_arrival' : 'receipt_blocked', message: lines.join(' ') });
  if (doc.state === moved.state && JSON.stringify(doc.errors) === JSON.stringify(problems)) return;
  await answerOnDocument(moysklad, account, entity, doc.msId, description, { role: 'error', log: lines });
}

// ---------------------------------------------------------------- cancel

export const CANCEL_JOB = 'cancel-task';

export async function cancelTask(prisma: PrismaClient, payload: { accountId: string; documentId: string; actor?: string | null }): Promise<void> {
  const doc = await prisma.syncDocument.findUnique({ where: { id: payload.documentId } });
  if (!doc || doc.state !== 'sent' || !doc.indocId) return;
  const account = await loadAccount(prisma, doc.accountId);
  if (!account || !isOperational(account)) return;
  const betapro = await betaproClientFor(account);
  try {
    await betapro.deleteIndoc(doc.indocId);
  } catch (error) {
    const e = toAppError(error);
    if (e.code !== 'NOT_FOUND') {
      await recordEvent(prisma, doc, { kind: 'cancel_failed', actor: payload.actor, message: `Не удалось отменить задание: ${e.userMessage}` });
      if (e.retryable) throw e;
      return;
    }
  }
  const moved = await transitionDocument(prisma, doc.id, ['sent'], { state: 'cancelled' });
  if (!moved) return;
  await recordEvent(prisma, doc, { kind: 'cancelled', actor: payload.actor, trigger: 'widget', message: `Задание ${doc.indocId} отменено в БетаПРО` });
  const moysklad = await moyskladClientFor(account);
  await answerOnDocument(moysklad, account, doc.entity as DocumentEntity, doc.msId, undefined,
    { log: [`Задание ${doc.indocId} на оприходование отменено${payload.actor ? ` (${payload.actor})` : ''}.`] });
}

export function assertCancellable(doc: SyncDocumentRow): void {
  if (doc.state !== 'sent') {
    throw new AppError('CONFLICT', `cannot cancel in state ${doc.state}`, {
      userMessage: 'Отменить можно только переданное задание, пока склад не начал приёмку.',
    });
  }
}
