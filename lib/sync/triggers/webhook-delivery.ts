/**
 * One webhook delivery: a webhook says a document changed (never trusted: the document is re-read in
 * MoySklad), and a document now in the command status is requested for transfer. The sweep
 * (./sweep.ts) catches what lost webhooks miss.
 */
import type { PrismaClient } from '@/lib/db';
import type { DocumentEntity } from '@/lib/core/domain';
import { logFor } from '@/lib/core/logger';
import { loadAccount, isOperational } from '@/lib/sync/account/accounts';
import { moyskladClientFor } from '@/lib/sync/account/clients';
import { employeeNameFor } from '@/lib/sync/account/employee-names';
import { requestTransfer, TRIGGER_LABELS } from '@/lib/sync/transfer/request-transfer';

export interface WebhookEventRef {
  entity: DocumentEntity;
  msId: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  updatedFields?: string[];
}

function stateIdOf(href: string | undefined): string | null {
  return href ? href.slice(href.lastIndexOf('/') + 1) : null;
}

/** How a user name from the webhook body is shown when MoySklad's audit cannot confirm it. */
export function reportedActor(reported: string | null): string | null {
  const clean = (reported ?? '')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 100);
  return clean ? `${clean} (по данным вебхука)` : null;
}

/** Who set the document's status, from MoySklad's audit (newest change of `state`, or the creation). */
async function actorFromAudit(
  client: Awaited<ReturnType<typeof moyskladClientFor>>,
  entity: DocumentEntity,
  msId: string,
): Promise<string | null> {
  try {
    const { rows } = await client.getAudit(entity, msId, { limit: 10 });
    return rows.find((e) => e.eventType === 'create' || (e.diff && 'state' in e.diff))?.uid ?? null;
  } catch (error) {
    // Without the audit right (custom scope) the name stays marked as reported by the webhook.
    logFor({ entity, msId }).info({ err: (error as Error).message }, 'audit not readable; actor stays as reported by the webhook');
    return null;
  }
}

/**
 * The webhook body is unsigned: the request is recorded at once with the name it claims, marked as
 * reported by the webhook (so the request is not slowed down), then the name is replaced by the one
 * MoySklad's audit gives. A crash in between leaves the marked name, never an unmarked claim.
 * The audit names the user by login; it is shown as the employee's short name, the one the widget's
 * own actions record (lib/sync/account/employee-names.ts), or as the login when MoySklad cannot say who it is.
 * This runs after the transfer is queued, never on its path.
 */
async function confirmWebhookActor(
  prisma: PrismaClient,
  client: Awaited<ReturnType<typeof moyskladClientFor>>,
  documentId: string,
  event: WebhookEventRef,
  marked: string | null,
): Promise<void> {
  const login = await actorFromAudit(client, event.entity, event.msId);
  if (!login) return;
  const confirmed = await employeeNameFor(client, client.accountId, login);
  if (confirmed === marked) return;
  const requested = await prisma.syncEvent.findFirst({
    where: { documentId, kind: 'requested', trigger: 'webhook' },
    orderBy: { id: 'desc' },
  });
  if (requested && requested.actor === marked) {
    await prisma.syncEvent.update({
      where: { id: requested.id },
      data: { actor: confirmed, message: `Запрошена передача на склад (${TRIGGER_LABELS.webhook}, ${confirmed})` },
    });
  }
  await prisma.syncDocument.updateMany({
    where: { id: documentId, lastActor: marked },
    data: { lastActor: confirmed },
  });
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
    const marked = reportedActor(actor);
    const result = await requestTransfer(prisma, {
      accountId,
      entity: event.entity,
      msId: event.msId,
      trigger: 'webhook',
      actor: marked,
      name: document.name,
    });
    if (result.accepted) {
      requested++;
      await confirmWebhookActor(prisma, client, result.documentId, event, marked);
    }
  }
  return requested;
}
