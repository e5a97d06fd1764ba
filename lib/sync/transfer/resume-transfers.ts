/**
 * Transfers requested while the account was suspended (a scenario call, a queued job that ran during
 * the suspension) end in a transient «account inactive» error. When MoySklad resumes the account, each
 * of them is requested again (docs/product.md §7): the user asked for the transfer and should not have to
 * ask twice.
 */
import type { PrismaClient } from '@/lib/db';
import { enqueueAccountJob, resumeTransfersJob } from '@/lib/sync/jobs';
import { logFor } from '@/lib/core/logger';
import { isOperational, loadAccount } from '@/lib/sync/account/accounts';
import { requestTransfer } from '@/lib/sync/transfer/request-transfer';
import type { DocumentEntity } from '@/lib/core/domain';

/** The code runTransfer records on a document it could not send because the account was not active. */
export const ACCOUNT_INACTIVE = 'account_inactive';

/** Queues the re-request (MoySklad waits only 10 s for the activation answer). */
export async function enqueueResumeTransfers(prisma: PrismaClient, accountId: string): Promise<void> {
  await enqueueAccountJob(prisma, resumeTransfersJob, { accountId }, { dedupeKey: `q:resume-transfers:${accountId}` });
}

function heldByInactiveAccount(errors: unknown): boolean {
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown })?.code === ACCOUNT_INACTIVE);
}

/** Requests again every transfer that failed only because the account was inactive; returns how many. */
export async function resumeHeldTransfers(prisma: PrismaClient, accountId: string): Promise<number> {
  const account = await loadAccount(prisma, accountId);
  if (!account || !isOperational(account)) return 0;
  const candidates = await prisma.syncDocument.findMany({
    where: { accountId, state: 'error', errorClass: 'transient' },
    select: { id: true, entity: true, msId: true, name: true, errors: true },
  });
  let requested = 0;
  for (const doc of candidates.filter((d) => heldByInactiveAccount(d.errors))) {
    const result = await requestTransfer(prisma, {
      accountId,
      entity: doc.entity as DocumentEntity,
      msId: doc.msId,
      trigger: 'system',
      actor: null,
      name: doc.name,
    });
    if (result.accepted) requested++;
  }
  if (requested) logFor({ accountId }).info({ requested }, 'transfers held during the suspension requested again');
  return requested;
}
