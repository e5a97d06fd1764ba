/**
 * One poll of BetaPRO for an account (docs/product.md §4): new outdocs are stored, then locked in
 * BetaPRO, then an apply is queued for each document with work pending; BetaPRO's requests to replace
 * a locked outdoc are recorded for the apply to revert. A crash at any line leaves a stage the next
 * poll resumes from.
 */
import type { PrismaClient } from '@/lib/db';
import { packJson } from '@/lib/db/packed-json';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import { receiptFromRaw, type BetaproClient } from '@/lib/betapro';
import { RECEIPT_FLOW_KINDS } from '@/lib/core/domain';
import { loadAccount, isOperational } from '@/lib/sync/account/accounts';
import { betaproClientFor } from '@/lib/sync/account/clients';
import { recordEvent, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { lockStoredOutdocs, readListedOutdoc, rememberForeignOutdoc } from '@/lib/sync/receipt/poll-outdocs';
import { syncUnrecognized } from '@/lib/sync/receipt/recognition';
import { enqueueApply } from '@/lib/sync/receipt/apply';
import { pollJob } from '@/lib/sync/jobs';

/** Receipt and shipment outdocs go through the same store → lock → apply protocol (docs/outbound.md). */
const STORED_MESSAGES: Record<string, (outdocId: number, part?: number) => string> = {
  goods_supply_start: (id) => `БетаПРО начал приёмку (документ ${id})`,
  goods_supply: (id, part) => `Получены данные приёмки от БетаПРО (документ ${id}${part ? `, часть ${part}` : ''})`,
  goods_shipment_start: (id) => `БетаПРО начал подбор товара для отгрузки (документ ${id})`,
  goods_shipment_ready: (id) => `БетаПРО подобрал товар для отгрузки (документ ${id})`,
  goods_shipment: (id) => `Получены данные отгрузки от БетаПРО (документ ${id})`,
};
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
  const log = logFor({ accountId, job: pollJob.kind });
  const betapro = await betaproClientFor(account);

  // 1. New outdocs stored; 2. everything stored locked (this run's and any a crash left behind).
  result.stored = await storeNewOutdocs(prisma, betapro, accountId);
  result.locked += await lockStoredOutdocs(prisma, betapro, accountId, log);
  // 3. Corrections: BetaPRO wants to replace a locked outdoc. Revert (recompute without it), then unlock.
  result.revertRequested = await markRevertRequests(prisma, betapro, accountId);
  // 4. An apply for every document with work pending (including work a crash left behind).
  result.documents = await queuePendingApplies(prisma, accountId);
  // 5. Goods received under temporary codes keep their documents waiting until an admin identifies them.
  // Receipts above are already stored and queued: a failure here must not undo or block them.
  await syncUnrecognized(prisma, account, betapro).catch((error: unknown) => {
    const e = toAppError(error);
    log.warn({ err: e.message, code: e.code }, 'reading BetaPRO goods waiting for identification failed');
  });
  await prisma.installation.update({ where: { accountId }, data: { updatedAt: new Date() } }).catch(() => undefined);
  if (result.stored || result.revertRequested) log.info(result, 'BetaPRO poll found receipts');
  return result;
}

/**
 * Stores each new outdoc of one of our tasks (receipt or shipment); others belong to another system
 * and are remembered as ignored, so they are read once, not on every poll. Returns how many were stored.
 */
async function storeNewOutdocs(prisma: PrismaClient, betapro: BetaproClient, accountId: string): Promise<number> {
  const unlocked = await betapro.listOutdocs({ locked: false, unlockRequest: false });
  const ours = new Map<string, SyncDocumentRow | null>();
  let stored = 0;
  for (const summary of unlocked) {
    if (!RECEIPT_FLOW_KINDS.has(summary.type)) continue;
    const known = await prisma.outdoc.findUnique({
      where: { accountId_outdocId: { accountId, outdocId: BigInt(summary.outdocId) } },
    });
    if (known) continue;
    const details = await readListedOutdoc(betapro, summary.outdocId);
    if (!details) continue;
    const receipt = details.receipt ?? receiptFromRaw(details.raw);
    const indocId = receipt.indocId || summary.indocId;
    if (indocId && !ours.has(indocId)) {
      ours.set(indocId, await prisma.syncDocument.findFirst({ where: { accountId, indocId } }));
    }
    const doc = indocId ? ours.get(indocId) : null;
    if (!doc || !indocId) {
      await rememberForeignOutdoc(prisma, accountId, summary, details, indocId);
      continue;
    }
    await prisma.outdoc.upsert({
      where: { accountId_outdocId: { accountId, outdocId: BigInt(summary.outdocId) } },
      create: {
        accountId,
        outdocId: BigInt(summary.outdocId),
        indocId,
        documentId: doc.id,
        kind: summary.type,
        rawPacked: await packJson(details.raw),
        stage: 'stored',
        partNumber: receipt.partNumber ?? null,
      },
      update: {},
    });
    await recordEvent(prisma, doc, {
      kind: 'receipt_stored',
      trigger: 'poll',
      message: STORED_MESSAGES[summary.type](summary.outdocId, receipt.partNumber),
      data: { outdocId: summary.outdocId },
    });
    stored++;
  }
  return stored;
}

async function markRevertRequests(prisma: PrismaClient, betapro: BetaproClient, accountId: string): Promise<number> {
  const unlockRequested = await betapro.listOutdocs({ locked: true, unlockRequest: true });
  let count = 0;
  for (const summary of unlockRequested) {
    const updated = await prisma.outdoc.updateMany({
      where: { accountId, outdocId: BigInt(summary.outdocId), stage: { in: ['locked', 'applied'] } },
      data: { stage: 'revert_requested' },
    });
    count += updated.count;
  }
  return count;
}

async function queuePendingApplies(prisma: PrismaClient, accountId: string): Promise<number> {
  const pending = await prisma.outdoc.findMany({
    where: { accountId, stage: { in: ['locked', 'revert_requested'] }, documentId: { not: null } },
    select: { documentId: true },
    distinct: ['documentId'],
  });
  for (const { documentId } of pending) await enqueueApply(prisma, accountId, documentId!);
  return pending.length;
}
