/** Widget actions (docs/product.md §5): checked against state and the user's rights, then queued. */
import type { PrismaClient } from '@/lib/db';
import type { DocumentEntity } from '@/lib/core/domain';
import { AppError } from '@/lib/core/errors';
import type { ActionName, PreflightResponse, Problem } from '@/lib/core/views';
import { coversAll, requireDocumentRight, type EntityRight, type Session } from '@/lib/sync/rights';
import { toTransferLines } from '@/lib/moysklad/mappers/to-transfer-lines';
import { loadAccountOrThrow } from '@/lib/sync/account/accounts';
import { betaproClientFor, moyskladClientFor } from '@/lib/sync/account/clients';
import { findSyncDocument } from '@/lib/sync/document/sync-state';
import { cancelTaskJob, enqueueDocumentJob } from '@/lib/sync/jobs';
import { availableActions } from '@/lib/sync/widget/document-view';
import { requestTransfer } from '@/lib/sync/transfer/request-transfer';
import { pollNow } from '@/lib/sync/account/recurring-jobs';
import { claimReceiptCheck } from '@/lib/sync/widget/receipt-check-throttle';
import { enqueueApply, POSTING_REFUSED } from '@/lib/sync/receipt/apply';
import { decideDirection, headerProblems } from '@/lib/sync/transfer/direction';
import { stockShortages, stockShortageText } from '@/lib/sync/transfer/outbound-plan';

export async function runWidgetAction(
  prisma: PrismaClient,
  session: Session,
  entity: DocumentEntity,
  msId: string,
  action: ActionName,
): Promise<void> {
  await requireScopedRight(prisma, session, entity, msId, 'update');
  const ref = { accountId: session.accountId, entity, msId };
  // «Передать» on a document the app has not seen yet reads it in MoySklad with the account's token:
  // the account is loaded beside the document's row (not after it), both on the clerk's path.
  const accountForSend = action === 'send' || action === 'retry' ? loadAccountOrThrow(prisma, session.accountId) : undefined;
  accountForSend?.catch(() => undefined);
  const doc = await findSyncDocument(prisma, ref);
  const state = (doc?.state ?? 'not_sent') as Parameters<typeof availableActions>[0];
  const availability = availableActions(state, true, Boolean(doc?.indocId))[action];
  if (!availability.enabled) {
    throw new AppError('CONFLICT', `action ${action} not available in state ${state}`, {
      userMessage: availability.reason,
    });
  }
  switch (action) {
    case 'retry':
      // The receipt is applied and only its posting was refused: retry the posting, not the transfer.
      if (doc && postingWasRefused(doc.errors)) {
        await enqueueApply(prisma, session.accountId, doc.id, true);
        return;
      }
    // falls through
    case 'send': {
      let name = doc?.name ?? null;
      if (!doc) {
        // First contact with this id: make sure it is a document of the user's own account (the
        // account's token cannot read another account's documents: MoySklad answers 404).
        const account = await (accountForSend ?? loadAccountOrThrow(prisma, session.accountId));
        const client = await moyskladClientFor(account);
        name = (await client.getDocument(entity, msId)).name;
      }
      await requestTransfer(prisma, { ...ref, trigger: 'widget', actor: session.employeeName, name });
      return;
    }
    case 'check':
      await claimReceiptCheck(prisma, session.accountId);
      await pollNow(prisma, session.accountId);
      if (doc) await enqueueApply(prisma, session.accountId, doc.id);
      return;
    case 'cancel':
      await enqueueDocumentJob(
        prisma,
        cancelTaskJob,
        ref,
        {
          accountId: session.accountId,
          documentId: doc!.id,
          actor: session.employeeName,
        },
        { dedupeKey: `cancel:${doc!.id}` },
      );
      return;
    case 'post':
      await enqueueApply(prisma, session.accountId, doc!.id, true);
      return;
  }
}

/**
 * The user's right on this very document (the route wrapper checked the entity right already): a
 * right of scope ALL needs no read; a narrower one (OWN, OWN_GROUP, …_SHARED) is checked against the
 * document's owner, group and sharing read from MoySklad.
 */
export async function requireScopedRight(
  prisma: PrismaClient,
  session: Session,
  entity: DocumentEntity,
  msId: string,
  right: EntityRight,
): Promise<void> {
  if (coversAll(session, entity, right)) return;
  const account = await loadAccountOrThrow(prisma, session.accountId);
  const client = await moyskladClientFor(account);
  requireDocumentRight(session, entity, right, await client.getDocument(entity, msId));
}

/** What would block sending the document now (read live from MoySklad; the route checked the view right). */
export async function preflight(prisma: PrismaClient, session: Session, entity: DocumentEntity, msId: string): Promise<PreflightResponse> {
  const account = await loadAccountOrThrow(prisma, session.accountId);
  const client = await moyskladClientFor(account);
  const read = await client.getDocumentWithPositions(entity, msId);
  // The positions name products: only someone who may open this document sees them.
  requireDocumentRight(session, entity, 'view', read.document);
  const mapped = toTransferLines(read.positions, account.settings.productKey);
  const problems: Problem[] = [
    ...headerProblems(account, entity, read.document),
    ...mapped.problems.map((p) => ({
      code: p.code,
      message: p.message,
      params: p.params,
      position: p.positionNumbers[0],
    })),
  ];
  const decision = decideDirection(account, entity, read.document);
  const direction = 'direction' in decision ? decision.direction : null;
  // Outbound: the warehouse's stock of the planned goods, a warning (not a problem) when short.
  const shortages = direction === 'outbound' && !problems.length ? await stockShortages(await betaproClientFor(account), mapped) : [];
  return { ok: problems.length === 0, problems, direction, warnings: shortages.map(stockShortageText), shortages };
}

function postingWasRefused(errors: unknown): boolean {
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown })?.code === POSTING_REFUSED);
}
