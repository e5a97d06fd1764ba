/**
 * The periodic safety-net sweep: lists documents sitting in the command status that the app has not
 * taken (MoySklad drops a webhook after three fast failures) and requests their transfer.
 */
import type { PrismaClient } from '@/lib/db';
import { getConfig } from '@/lib/core/config';
import { logFor } from '@/lib/core/logger';
import type { JobOutcome } from '@/lib/jobs/worker';
import { parseMoscowDateTime } from '@/lib/core/time';
import { loadAccount, isOperational } from '@/lib/sync/account/accounts';
import { moyskladClientFor } from '@/lib/sync/account/clients';
import { findSyncDocument, SENDABLE } from '@/lib/sync/document/sync-state';
import { stateRef } from '@/lib/sync/document/answer';
import { requestTransfer } from '@/lib/sync/transfer/request-transfer';
import { enqueueAlreadySentAnswer, isAnsweredWhenRequestedAgain } from '@/lib/sync/transfer/already-sent';

/** The recurring sweep job: sweeps an operational account, then comes back after the sweep interval. */
export async function runSweepJob(prisma: PrismaClient, accountId: string): Promise<JobOutcome> {
  const account = await loadAccount(prisma, accountId);
  // An uninstalled account's recurring jobs end here; suspend keeps them idle until resume.
  if (!account || account.status === 'uninstalled') return;
  if (isOperational(account)) await sweepAccount(prisma, accountId);
  return {
    rescheduleAt: new Date(Date.now() + (getConfig().SWEEP_INTERVAL_SEC ?? account.settings.sweepIntervalSec) * 1000),
  };
}

/** Requests transfer for documents in the command status the app has not taken yet. */
export async function sweepAccount(prisma: PrismaClient, accountId: string): Promise<number> {
  const account = await loadAccount(prisma, accountId);
  if (!account || !isOperational(account) || account.missing.length) return 0;
  const client = await moyskladClientFor(account);
  const log = logFor({ accountId, job: 'sweep' });
  let requested = 0;
  for (const entity of account.settings.enabledEntities) {
    const commandStateId = account.settings.statuses[entity].transfer;
    if (!commandStateId) continue;
    const href = stateRef(client, entity, commandStateId).meta.href;
    for await (const page of client.iterateDocuments(entity, { filter: [['state', '=', href]], pageSize: 1000 })) {
      for (const document of page) {
        const ref = { accountId, entity, msId: document.id };
        const existing = await findSyncDocument(prisma, ref);
        // Sent already, and the «Передать» was set again while its webhook was lost: answer it.
        if (existing && isAnsweredWhenRequestedAgain(existing.state)) await enqueueAlreadySentAnswer(prisma, ref, existing.id);
        if (existing && !SENDABLE.includes(existing.state as never)) continue;
        // An error the app already reported stays until the user acts (sets the status again); and a
        // document cancelled (or closed by the warehouse) after this page was read shows a stale
        // «Передать» here: only a «Передать» set after the app's last answer is a request.
        const changedAt = document.updated ? (parseMoscowDateTime(document.updated)?.getTime() ?? 0) : 0;
        if (existing && existing.state !== 'not_sent' && existing.updatedAt.getTime() > changedAt) continue;
        const result = await requestTransfer(prisma, {
          accountId,
          entity,
          msId: document.id,
          trigger: 'sweep',
          actor: null,
          name: document.name,
        });
        if (result.accepted) requested++;
      }
    }
  }
  if (requested) log.info({ requested }, 'sweep requested transfers for documents missed by webhooks');
  return requested;
}
