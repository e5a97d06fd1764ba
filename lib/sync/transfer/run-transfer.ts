/**
 * The transfer of one document to BetaPRO (docs/product.md §3), run as a job per document:
 * read → validate everything → register goods → create the task (deterministic id) → answer on the
 * MoySklad document → state `sent`. Every step is safe to repeat: after a crash at any line the job
 * runs again and converges (goods fingerprints, indoc_id 1001 check, compare-and-set states).
 */
import { createHash } from 'node:crypto';
import type { PrismaClient } from '@/lib/db';
import type { DocumentEntity, TransferPlan } from '@/lib/core/domain';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import { parseMoscowDateTime } from '@/lib/core/time';
import type { Problem } from '@/lib/core/views';
import { buildIndocId, isTaskContentsConflict, registerGoods } from '@/lib/betapro';
import type { MoyskladClient, DocumentWithPositions } from '@/lib/moysklad/json-api';
import type { MsDocument } from '@/lib/moysklad/schemas';
import { toTransferLines } from '@/lib/moysklad/mappers/to-transfer-lines';
import { loadAccount, type Account } from '@/lib/sync/account/accounts';
import { betaproClientFor, moyskladClientFor } from '@/lib/sync/account/clients';
import { answerOnDocument } from '@/lib/sync/document/answer';
import { findSyncDocument, recordEvent, transitionDocument, type DocumentRef, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { betaproPartnerKey, PrismaGoodsRegistryStore } from '@/lib/sync/account/goods-registry-store';
import { ACCOUNT_INACTIVE } from '@/lib/sync/transfer/resume-transfers';
import { packStoredPlan } from '@/lib/sync/receipt/stored';
import { Prisma as PrismaRuntime } from '@/lib/generated/prisma/client';
import { rememberStatusBefore } from '@/lib/sync/transfer/previous-status';
import { retireReplacedTask } from '@/lib/sync/transfer/replaced-task';

const ENTITY_LABEL: Record<DocumentEntity, string> = { supply: 'приёмки', move: 'перемещения' };

/** The store the goods go to: a supply's store, a move's target store. */
export function destinationStoreId(entity: DocumentEntity, document: MsDocument): string | null {
  const ref = entity === 'supply' ? document.store : document.targetStore;
  const href = ref?.meta.href;
  return href ? href.slice(href.lastIndexOf('/') + 1) : null;
}

/** Problems of configuration and document header (the mapper reports the positions' ones). */
export function headerProblems(account: Account, entity: DocumentEntity, document: MsDocument): Problem[] {
  const problems: Problem[] = [];
  if (account.missing.length) {
    problems.push({
      code: 'not_configured', params: { missing: account.missing.join(', ') },
      message: `Решение не настроено: не заполнено — ${account.missing.join(', ')}. Администратор аккаунта может сделать это на странице настроек решения.`,
    });
  }
  if (!account.settings.enabledEntities.includes(entity)) {
    problems.push({
      code: 'entity_disabled', params: { entity },
      message: `Передача ${ENTITY_LABEL[entity]} в БетаПРО выключена в настройках решения.`,
    });
  }
  const storeId = destinationStoreId(entity, document);
  if (!storeId) {
    problems.push({
      code: 'no_store', params: { entity },
      message: entity === 'supply' ? 'В приёмке не указан склад.' : 'В перемещении не указан склад-получатель.',
    });
  } else if (account.settings.storeIds.length && !account.settings.storeIds.includes(storeId)) {
    problems.push({
      code: 'store_not_mapped', params: { entity },
      message: entity === 'supply'
        ? 'Склад приёмки не является складом БетаПРО. Выберите склад БетаПРО или отметьте этот склад в настройках решения.'
        : 'Склад-получатель перемещения не является складом БетаПРО. Выберите склад БетаПРО или отметьте этот склад в настройках решения.',
    });
  }
  return problems;
}

export function planHash(plan: Pick<TransferPlan, 'lines'>): string {
  const canonical = plan.lines.map((l) => `${l.goodId}\u0000${l.quantity}`).sort().join('\u0001');
  return createHash('sha256').update(canonical).digest('hex');
}

function noteFor(entity: DocumentEntity, document: MsDocument): string {
  const kind = entity === 'supply' ? 'Приёмка' : 'Перемещение';
  return `${kind} ${document.name} из МойСклад`.slice(0, 255);
}

function formatProblems(problems: Problem[]): string[] {
  return [
    `Ошибка передачи в БетаПРО: ${problems.length === 1 ? 'исправьте ошибку' : `исправьте ошибки (${problems.length})`} и поставьте статус «Передать» снова.`,
    ...problems.map((p, i) => `${i + 1}. ${p.message}`),
  ];
}

export interface TransferJobPayload {
  accountId: string;
  entity: DocumentEntity;
  msId: string;
}

export interface TransferContext {
  prisma: PrismaClient;
  /** Attempt number of the job, and whether it is the last one allowed. */
  attempt: number;
  lastAttempt: boolean;
  /** Job step memo: an effect done by an earlier attempt of this job is not done again. */
  step?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
}

/**
 * Runs the transfer. Data problems end the job (the user must fix the document); transient
 * failures are rethrown for the job runner to retry, and reported on the document at the last try.
 */
export async function runTransfer(payload: TransferJobPayload, ctx: TransferContext): Promise<void> {
  const { prisma } = ctx;
  const ref: DocumentRef = { accountId: payload.accountId, entity: payload.entity, msId: payload.msId };
  const log = logFor({ accountId: ref.accountId, documentId: ref.msId, entity: ref.entity });
  const account = await loadAccount(prisma, ref.accountId);
  let syncDoc = await findSyncDocument(prisma, ref);
  if (!account || !syncDoc) return;
  if (account.status !== 'active' || !account.token) {
    log.info({ status: account.status }, 'transfer skipped: account not active');
    await transitionDocument(prisma, syncDoc.id, ['queued', 'sending'], { state: 'error', errorClass: 'transient',
      errors: [{ code: ACCOUNT_INACTIVE, params: { status: account.status }, message: account.status === 'suspended'
        ? 'Работа решения в аккаунте приостановлена: документ будет передан, когда её возобновят.'
        : 'Решение удалено из аккаунта: документ не передан.' }] });
    return;
  }
  if (syncDoc.state === 'queued') {
    syncDoc = await transitionDocument(prisma, syncDoc.id, ['queued'], { state: 'sending' });
    if (!syncDoc) return;
  } else if (syncDoc.state !== 'sending') {
    log.info({ state: syncDoc.state }, 'transfer job found the document no longer waiting: nothing to do');
    return;
  }

  let moysklad: MoyskladClient | undefined;
  let read: DocumentWithPositions | undefined;
  try {
    moysklad = await moyskladClientFor(account);
    read = await moysklad.getDocumentWithPositions(ref.entity, ref.msId);
    const document = read.document;
    if (document.name !== syncDoc.name) {
      await prisma.syncDocument.update({ where: { id: syncDoc.id }, data: { name: document.name } });
    }
    await rememberStatusBefore(prisma, account, syncDoc, document);
    const mapped = toTransferLines(read.positions, account.settings.productKey);
    const problems: Problem[] = [
      ...headerProblems(account, ref.entity, document),
      ...mapped.problems.map((p) => ({ code: p.code, message: p.message, params: p.params, position: p.positionNumbers[0] })),
    ];
    if (problems.length) {
      await failWithDataProblems(prisma, syncDoc, account, moysklad, ref, document.description, problems);
      return;
    }

    // A re-send that replaces the previous task uses the new generation's number (lib/sync/transfer/generation.ts).
    const indocId = syncDoc.indocId && !syncDoc.replacedIndocId
      ? syncDoc.indocId
      : buildIndocId({ entity: ref.entity, documentId: ref.msId, generation: syncDoc.generation });
    const moment = document.moment ? parseMoscowDateTime(document.moment) : undefined;
    const plan: TransferPlan = {
      accountId: ref.accountId,
      entity: ref.entity,
      documentId: ref.msId,
      documentName: document.name,
      indocId,
      note: noteFor(ref.entity, document),
      plannedArrival: moment,
      lines: mapped.lines,
      goods: mapped.goods,
    };
    const betapro = await betaproClientFor(account);
    const registered = await registerGoods({
      client: betapro, accountId: ref.accountId, goods: plan.goods, store: new PrismaGoodsRegistryStore(prisma, betaproPartnerKey(account.settings)),
    });
    if (registered.sent.length) {
      await recordEvent(prisma, syncDoc, {
        kind: 'goods_registered',
        message: `Товары зарегистрированы в БетаПРО: ${registered.sent.length} (без изменений: ${registered.unchanged.length})`,
        data: { sent: registered.sent.length, unchanged: registered.unchanged.length },
      });
    }
    if (syncDoc.replacedIndocId) {
      const kept = await retireReplacedTask(prisma, betapro, syncDoc);
      if (kept) {
        await failTransfer(prisma, syncDoc, account, moysklad, ref, document.description, [kept], 'data');
        return;
      }
    }
    let created;
    try {
      created = await betapro.createSupplyTask(plan);
    } catch (error) {
      // BetaPRO holds another task under this number (a document edited after a lost answer, or a
      // restored database): never «Передан» for it. It becomes the document's task that a deliberate
      // re-send replaces (deleted if the goods have not arrived, then a new generation).
      if (isTaskContentsConflict(error)) await prisma.syncDocument.update({ where: { id: syncDoc.id }, data: { indocId } });
      throw error;
    }
    const hash = planHash(plan);
    // The receipt projection splits merged lines back over the original positions.
    const positionQuantities = Object.fromEntries(read.positions.map((p) => [p.id, p.quantity]));
    const planPacked = await packStoredPlan({ lines: plan.lines, positionQuantities });
    const documentId = syncDoc.id;
    const eventDoc = { id: syncDoc.id, accountId: syncDoc.accountId };
    // The plan and its event commit together, and the event is written only when this task's plan was
    // not stored yet: a rerun after a crash past this point (or a resend of an unchanged document whose
    // task already exists) records no second «task created».
    await prisma.$transaction(async (tx) => {
      const before = await tx.syncDocument.findUniqueOrThrow({ where: { id: documentId }, select: { indocId: true, planHash: true } });
      await tx.syncDocument.update({
        where: { id: documentId },
        data: { indocId, planPacked, plan: PrismaRuntime.DbNull, planHash: hash, replacedIndocId: null },
      });
      if (before.indocId === indocId && before.planHash === hash) return;
      await recordEvent(tx, eventDoc, {
        kind: 'task_created',
        message: created.alreadyExisted
          ? `Задание на оприходование ${indocId} уже было в БетаПРО с тем же составом (ответ на прошлый запрос был потерян)`
          : `Создано задание на оприходование ${indocId}: ${plan.lines.length} поз., ${plan.lines.reduce((s, l) => s + l.quantity, 0)} шт.`,
        data: { indocId, lines: plan.lines.length, units: plan.lines.reduce((s, l) => s + l.quantity, 0), alreadyExisted: created.alreadyExisted },
      });
    });
    // Until the warehouse reports what it accepted, the goods are in transit: a posted document would
    // count them on the BetaPRO store already. It is posted again, by the facts, at the receipt.
    const unpost = document.applicable === true;
    const once = ctx.step ?? (<T>(_name: string, fn: () => Promise<T>) => fn());
    // Memoised within the job; and a new job for the same task (after a crash before the job was marked
    // done) finds the line already in the comment and sets only the status.
    await once(`answer-sent:${indocId}`, () => answerOnDocument(moysklad!, account, ref.entity, ref.msId, document.description, {
      role: 'sent',
      logOnceHeadline: `Передан в БетаПРО: задание ${indocId},`,
      log: [
        `Передан в БетаПРО: задание ${indocId}, ${plan.lines.length} поз., ${plan.lines.reduce((s, l) => s + l.quantity, 0)} шт.`
          + (unpost ? ' Документ снят с проведения до фактической приёмки.' : ''),
      ],
      extra: unpost ? { applicable: false } : {},
    }));
    const sent = await transitionDocument(prisma, syncDoc.id, ['sending'], {
      state: 'sent', errorClass: null, errors: null, sentAt: new Date(),
    });
    if (sent) await recordEvent(prisma, sent, { kind: 'sent', message: 'Статус документа: «Передан»' });
    log.info({ indocId, lines: plan.lines.length, mode: created.alreadyExisted ? 'existing' : 'created' }, 'document sent to BetaPRO');
  } catch (thrown) {
    const error = toAppError(thrown);
    if (error.retryable && !ctx.lastAttempt) {
      await recordEvent(prisma, syncDoc, {
        kind: 'retry_scheduled',
        message: `Временная ошибка, повторим автоматически: ${error.userMessage}`,
        data: { code: error.code, attempt: ctx.attempt },
      });
      throw error;
    }
    // A remote refused for good (or transient errors outlasted the retries): report and stop.
    const problems: Problem[] = [{ code: error.code.toLowerCase(), message: error.userMessage, params: {} }];
    await failTransfer(prisma, syncDoc, account, moysklad, ref, read?.document.description, problems,
      error.retryable ? 'transient' : 'data');
    log.warn({ code: error.code, err: error.message }, 'transfer failed');
  }
}

async function failWithDataProblems(
  prisma: PrismaClient, syncDoc: SyncDocumentRow, account: Account, moysklad: MoyskladClient, ref: DocumentRef,
  description: string | undefined, problems: Problem[],
): Promise<void> {
  await failTransfer(prisma, syncDoc, account, moysklad, ref, description, problems, 'data');
}

async function failTransfer(
  prisma: PrismaClient, syncDoc: SyncDocumentRow, account: Account, moysklad: MoyskladClient | undefined,
  ref: DocumentRef, description: string | undefined, problems: Problem[], errorClass: 'data' | 'transient',
): Promise<void> {
  const failed = await transitionDocument(prisma, syncDoc.id, ['sending', 'queued'], { state: 'error', errorClass, errors: problems });
  if (!failed) return;
  await recordEvent(prisma, failed, {
    kind: 'failed',
    message: errorClass === 'data'
      ? `Ошибка передачи: ${problems.map((p) => p.message).join(' ')}`
      : `Ошибка передачи после повторов: ${problems.map((p) => p.message).join(' ')}`,
    data: { problems, errorClass } as never,
  });
  if (!moysklad) return;
  try {
    await answerOnDocument(moysklad, account, ref.entity, ref.msId, description, { role: 'error', log: formatProblems(problems) });
  } catch (error) {
    // The document state in our database already says why; MoySklad being unreachable must not
    // hide that. The widget shows it, and the next request retries the whole transfer.
    logFor({ accountId: ref.accountId, documentId: ref.msId }).warn({ err: toAppError(error).message }, 'could not write the error status to MoySklad');
  }
}

