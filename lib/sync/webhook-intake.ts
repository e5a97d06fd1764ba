/**
 * Webhook intake: must answer within MoySklad's 1.5 s (we aim for < 100 ms), so it only checks the
 * secret, validates the body, de-duplicates by requestId and queues one job. Reading the documents
 * happens in the job.
 */
import type { PrismaClient } from '../db';
import { AppError } from '../core/errors';
import { readJson } from '../api/handler';
import { msWebhookDeliverySchema } from '../moysklad/schemas';
import { enqueueJob, notifyJobEnqueued } from '../jobs/queue';
import { rememberInbound } from './inbound';
import { WEBHOOK_JOB } from './jobs';
import type { WebhookEventRef } from './triggers';

export async function acceptWebhookDelivery(
  prisma: PrismaClient,
  secret: string,
  requestId: string | null,
  request: Request,
): Promise<'queued' | 'duplicate' | 'ignored'> {
  const installation = await prisma.installation.findUnique({
    where: { webhookSecret: secret },
    select: { accountId: true, status: true },
  });
  if (!installation) throw new AppError('NOT_FOUND', 'unknown webhook secret');
  const parsed = msWebhookDeliverySchema.safeParse(await readJson(request, 64 * 1024));
  if (!parsed.success) throw new AppError('BAD_REQUEST', `webhook body invalid: ${parsed.error.message.slice(0, 500)}`);
  if (installation.status !== 'active') return 'ignored';
  const events: WebhookEventRef[] = [];
  for (const event of parsed.data.events) {
    const type = event.meta.type;
    // Events of another account under this account's secret are not ours to act on.
    if ((type !== 'supply' && type !== 'move') || event.accountId !== installation.accountId) continue;
    const action = event.action === 'CREATE' || event.action === 'UPDATE' || event.action === 'DELETE' ? event.action : null;
    const msId = event.meta.href?.split('/').pop();
    if (!action || !msId) continue;
    events.push({ entity: type, msId, action, updatedFields: event.updatedFields });
  }
  if (!events.length) return 'ignored';
  // Request id and job commit together: a failed enqueue leaves MoySklad's retry free to succeed.
  const queued = await prisma.$transaction(async (tx) => {
    if (requestId && !(await rememberInbound(tx, 'webhook', requestId, installation.accountId))) return false;
    await enqueueJob(tx, {
      kind: WEBHOOK_JOB,
      accountId: installation.accountId,
      payload: { accountId: installation.accountId, actor: parsed.data.auditContext?.uid ?? null, events },
      maxAttempts: 5,
    });
    return true;
  });
  if (!queued) return 'duplicate';
  notifyJobEnqueued();
  return 'queued';
}
