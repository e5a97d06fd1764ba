/**
 * The transfer of one document to BetaPRO (docs/product.md §3, docs/outbound.md), run as a job per
 * document: read → validate everything and decide the direction → register goods → create the task
 * (receipt or shipment, deterministic id) → answer on the MoySklad document → state `sent`. Every step
 * is safe to repeat: after a crash at any line the job runs again and converges (goods fingerprints,
 * indoc_id 1001 check, compare-and-set states).
 */
import type { PrismaClient } from '@/lib/db';
import type { DocumentEntity, TransferPlan } from '@/lib/core/domain';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import type { Problem } from '@/lib/core/views';
import type { MoyskladClient, DocumentWithPositions } from '@/lib/moysklad/json-api';
import { loadAccount, type Account } from '@/lib/sync/account/accounts';
import { betaproClientFor, moyskladClientFor } from '@/lib/sync/account/clients';
import { answerOnDocument } from '@/lib/sync/document/answer';
import { findSyncDocument, recordEvent, transitionDocument, type DocumentRef, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { ACCOUNT_INACTIVE } from '@/lib/sync/transfer/resume-transfers';
import { readPlan } from '@/lib/sync/transfer/plan';
import { createTask, prepareWarehouse, storePlan, totalUnits } from '@/lib/sync/transfer/create-task';
import { stockWarningLine, stockWarnings } from '@/lib/sync/transfer/outbound-plan';
import { failTransfer, type FailTarget } from '@/lib/sync/transfer/fail';

export { destinationStoreId, headerProblems } from '@/lib/sync/transfer/direction';
export { planHash } from '@/lib/sync/transfer/plan';

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

/** The document, claimed for sending (`queued` → `sending`), or null when there is nothing to do. */
async function claim(prisma: PrismaClient, ref: DocumentRef): Promise<{ account: Account; syncDoc: SyncDocumentRow } | null> {
  const log = logFor({ accountId: ref.accountId, documentId: ref.msId, entity: ref.entity });
  // Two independent reads at once: the claim is on the path of every transfer.
  const [account, syncDoc] = await Promise.all([loadAccount(prisma, ref.accountId), findSyncDocument(prisma, ref)]);
  if (!account || !syncDoc) return null;
  if (account.status !== 'active' || !account.token) {
    log.info({ status: account.status }, 'transfer skipped: account not active');
    await transitionDocument(prisma, syncDoc.id, ['queued', 'sending'], {
      state: 'error',
      errorClass: 'transient',
      errors: [
        {
          code: ACCOUNT_INACTIVE,
          params: { status: account.status },
          message:
            account.status === 'suspended'
              ? 'Работа решения в аккаунте приостановлена: документ будет передан, когда её возобновят.'
              : 'Решение удалено из аккаунта: документ не передан.',
        },
      ],
    });
    return null;
  }
  if (syncDoc.state === 'queued') {
    const sending = await transitionDocument(prisma, syncDoc.id, ['queued'], { state: 'sending' });
    return sending ? { account, syncDoc: sending } : null;
  }
  if (syncDoc.state === 'sending') return { account, syncDoc };
  log.info({ state: syncDoc.state }, 'transfer job found the document no longer waiting: nothing to do');
  return null;
}

/**
 * Runs the transfer. Data problems end the job (the user must fix the document); transient
 * failures are rethrown for the job runner to retry, and reported on the document at the last try.
 */
export async function runTransfer(payload: TransferJobPayload, ctx: TransferContext): Promise<void> {
  const { prisma } = ctx;
  const ref: DocumentRef = { accountId: payload.accountId, entity: payload.entity, msId: payload.msId };
  const claimed = await claim(prisma, ref);
  if (!claimed) return;
  const { account, syncDoc } = claimed;
  const target: FailTarget = { prisma, syncDoc, account, moysklad: undefined, ref, description: undefined };
  try {
    target.moysklad = await moyskladClientFor(account);
    const outcome = await readPlan(prisma, account, target.moysklad, ref, syncDoc);
    target.description = outcome.read.document.description;
    if ('problems' in outcome) {
      await failTransfer(target, outcome.problems, 'data');
      return;
    }
    await sendPlan(ctx, target, outcome.read, outcome.plan);
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
    await failTransfer(target, problems, error.retryable ? 'transient' : 'data');
    logFor({ accountId: ref.accountId, documentId: ref.msId }).warn({ code: error.code, err: error.message }, 'transfer failed');
  }
}

/** Steps 2–4: the task in BetaPRO, the plan stored, the answer on the document, state `sent`. */
async function sendPlan(ctx: TransferContext, target: FailTarget, read: DocumentWithPositions, plan: TransferPlan): Promise<void> {
  const { prisma } = ctx;
  const { syncDoc, account, ref } = target;
  const betapro = await betaproClientFor(account);
  const kept = await prepareWarehouse(prisma, account, betapro, syncDoc, plan);
  if (kept) {
    await failTransfer(target, [kept], 'data');
    return;
  }
  const outbound = plan.direction === 'outbound';
  const once = ctx.step ?? (<T>(_name: string, fn: () => Promise<T>) => fn());
  // Read before the task exists: the task's own reservation would hide the shortage.
  const short = outbound ? await once(`stock:${plan.indocId}`, () => stockWarnings(betapro, plan)) : [];
  const created = await createTask(prisma, betapro, syncDoc, plan);
  await storePlan(prisma, syncDoc, plan, Object.fromEntries(read.positions.map((p) => [p.id, p.quantity])), created.alreadyExisted);
  await answerSent(ctx, target, read, plan, short);
  const sent = await transitionDocument(prisma, syncDoc.id, ['sending'], {
    state: 'sent',
    errorClass: null,
    errors: null,
    sentAt: new Date(),
  });
  if (sent) await recordEvent(prisma, sent, { kind: 'sent', message: 'Статус документа: «Передан»' });
  logFor({ accountId: ref.accountId, documentId: ref.msId, entity: ref.entity }).info(
    {
      indocId: plan.indocId,
      lines: plan.lines.length,
      direction: plan.direction,
      mode: created.alreadyExisted ? 'existing' : 'created',
    },
    'document sent to BetaPRO',
  );
}

/** «Передан» with the task number (and, outbound, the shortage found before shipping). */
async function answerSent(
  ctx: TransferContext,
  target: FailTarget,
  read: DocumentWithPositions,
  plan: TransferPlan,
  short: string[],
): Promise<void> {
  const { account, ref } = target;
  const moysklad = target.moysklad as MoyskladClient;
  const { indocId } = plan;
  // Until the warehouse reports what it accepted or shipped, the goods are in transit: a posted document
  // would move them already. It is posted again, by the facts, when they come.
  const unpost = read.document.applicable === true;
  const until = plan.direction === 'outbound' ? 'фактической отгрузки' : 'фактической приёмки';
  const warning = stockWarningLine(short);
  const once = ctx.step ?? (<T>(_name: string, fn: () => Promise<T>) => fn());
  // Memoised within the job; and a new job for the same task (after a crash before the job was marked
  // done) finds the line already in the comment and sets only the status.
  await once(`answer-sent:${indocId}`, () =>
    answerOnDocument(moysklad, account, ref.entity, ref.msId, read.document.description, {
      role: 'sent',
      logOnceHeadline: `Передан в БетаПРО: задание ${indocId},`,
      log: [
        `Передан в БетаПРО: задание ${indocId}, ${plan.lines.length} поз., ${totalUnits(plan)} шт.` +
          (plan.direction === 'outbound' ? ' Отгрузка со склада БетаПРО.' : '') +
          (unpost ? ` Документ снят с проведения до ${until}.` : ''),
        ...(warning ? [warning] : []),
      ],
      extra: unpost ? { applicable: false } : {},
    }),
  );
}
