/**
 * Triggers that need MoySklad to decide: a webhook says a document changed (never trusted: the
 * document is re-read), and the periodic sweep lists documents sitting in the command status that
 * the app has not taken (webhooks are dropped after three fast failures).
 */
import type { PrismaClient } from '../db';
import type { DocumentEntity } from '../core/domain';
import { logFor } from '../core/logger';
import { parseMoscowDateTime } from '../core/time';
import { loadAccount, isOperational } from './accounts';
import { moyskladClientFor } from './clients';
import { findSyncDocument, SENDABLE } from './documents';
import { requestTransfer } from './request-transfer';
import { stateRef } from './document-status';
import { enqueueAlreadySentAnswer, isAnsweredWhenRequestedAgain } from './transfer/already-sent';

export interface WebhookEventRef {
  entity: DocumentEntity;
  msId: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  updatedFields?: string[];
}

function stateIdOf(href: string | undefined): string | null {
  return href ? href.slice(href.lastIndexOf('/') + 1) : null;
}

/** Handles one webhook delivery: for each document whose status is now the command, request transfer. */
export async function handleWebhookEvents(
  prisma: PrismaClient,
  accountId: string,
  events: WebhookEventRef[],
  actor: string | null,
): Promise<number> {
  const account = await loadAccount(prisma, accountId);
  if (!account || !isOperational(account)) return 0;
  const client = await moyskladClientFor(account);
  let requested = 0;
  for (const event of events) {
    if (event.action === 'DELETE') continue;
    if (event.action === 'UPDATE' && event.updatedFields && !event.updatedFields.includes('state')) continue;
    const commandStateId = account.settings.statuses[event.entity].transfer;
    if (!commandStateId) continue;
    const document = await client.getDocument(event.entity, event.msId);
    if (stateIdOf(document.state?.meta.href) !== commandStateId) continue;
    const result = await requestTransfer(prisma, {
      accountId, entity: event.entity, msId: event.msId, trigger: 'webhook', actor, name: document.name,
    });
    if (result.accepted) requested++;
  }
  return requested;
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
        const changedAt = document.updated ? parseMoscowDateTime(document.updated)?.getTime() ?? 0 : 0;
        if (existing && existing.state !== 'not_sent' && existing.updatedAt.getTime() > changedAt) continue;
        const result = await requestTransfer(prisma, {
          accountId, entity, msId: document.id, trigger: 'sweep', actor: null, name: document.name,
        });
        if (result.accepted) requested++;
      }
    }
  }
  if (requested) log.info({ requested }, 'sweep requested transfers for documents missed by webhooks');
  return requested;
}

