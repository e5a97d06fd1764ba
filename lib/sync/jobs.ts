/**
 * The product's job kinds. One job per document for transfers (grouped, so one document is never
 * worked on twice at once), one delivery job per accepted webhook, and recurring per-account jobs
 * for the safety-net sweep (and, with the receipt engine, the BetaPRO poll).
 */
import { z } from 'zod';
import { getConfig } from '../core/config';
import { defineJob, type JobDefinition } from '../jobs/worker';
import { loadAccount, isOperational } from '@/lib/sync/account/accounts';
import { runTransfer, type TransferJobPayload } from '@/lib/sync/transfer/run-transfer';
import { TRANSFER_JOB } from '@/lib/sync/transfer/request-transfer';
import { handleWebhookEvents } from '@/lib/sync/triggers/webhook-delivery';
import { sweepAccount } from '@/lib/sync/triggers/sweep';
import { INSTALL_WEBHOOKS_JOB, installWebhooks } from '@/lib/sync/account/lifecycle';
import { SWEEP_JOB } from '@/lib/sync/account/recurring-jobs';
import { APPLY_JOB, POLL_JOB, applyReceipts } from '@/lib/sync/receipt/apply';
import { runPollJob } from './receipt/poll-job';
import { RESUME_TRANSFERS_JOB, resumeHeldTransfers } from '@/lib/sync/transfer/resume-transfers';
import { CANCEL_JOB, cancelTask } from './transfer/cancel';
import { ALREADY_SENT_JOB, answerAlreadySent } from './transfer/already-sent';

export { ensureAccountJobs, ensureAllAccountJobs, SWEEP_JOB } from '@/lib/sync/account/recurring-jobs';

const entitySchema = z.enum(['supply', 'move']);

export const transferJob = defineJob({
  kind: TRANSFER_JOB,
  payload: z.object({ accountId: z.string(), entity: entitySchema, msId: z.string() }),
  leaseMs: 30_000,
  async handler(payload: TransferJobPayload, ctx) {
    await runTransfer(payload, {
      prisma: ctx.prisma,
      attempt: ctx.job.attempts,
      lastAttempt: ctx.job.attempts >= ctx.job.maxAttempts,
      step: ctx.step,
    });
  },
});

export const WEBHOOK_JOB = 'webhook';
export const webhookJob = defineJob({
  kind: WEBHOOK_JOB,
  payload: z.object({
    accountId: z.string(),
    actor: z.string().nullable(),
    events: z.array(z.object({
      entity: entitySchema,
      msId: z.string(),
      action: z.enum(['CREATE', 'UPDATE', 'DELETE']),
      updatedFields: z.array(z.string()).optional(),
    })),
  }),
  async handler(payload, ctx) {
    await handleWebhookEvents(ctx.prisma, payload.accountId, payload.events, payload.actor);
  },
});

export const sweepJob = defineJob({
  kind: SWEEP_JOB,
  payload: z.object({ accountId: z.string() }),
  leaseMs: 60_000,
  async handler(payload, ctx) {
    const account = await loadAccount(ctx.prisma, payload.accountId);
    // An uninstalled account's recurring jobs end here; suspend keeps them idle until resume.
    if (!account || account.status === 'uninstalled') return;
    if (isOperational(account)) await sweepAccount(ctx.prisma, payload.accountId);
    return { rescheduleAt: new Date(Date.now() + (getConfig().SWEEP_INTERVAL_SEC ?? account.settings.sweepIntervalSec) * 1000) };
  },
});

export const installWebhooksJob = defineJob({
  kind: INSTALL_WEBHOOKS_JOB,
  payload: z.object({ accountId: z.string() }),
  async handler(payload, ctx) {
    await installWebhooks(ctx.prisma, payload.accountId);
  },
});

export const pollJob = defineJob({
  kind: POLL_JOB,
  payload: z.object({ accountId: z.string() }),
  leaseMs: 60_000,
  handler: (payload, ctx) => runPollJob(ctx.prisma, payload.accountId),
});

export const applyJob = defineJob({
  kind: APPLY_JOB,
  payload: z.object({ accountId: z.string(), documentId: z.string(), force: z.boolean().optional() }),
  leaseMs: 60_000,
  async handler(payload, ctx) {
    await applyReceipts(ctx.prisma, payload);
  },
});

export const cancelJob = defineJob({
  kind: CANCEL_JOB,
  payload: z.object({ accountId: z.string(), documentId: z.string(), actor: z.string().nullable().optional() }),
  async handler(payload, ctx) {
    await cancelTask(ctx.prisma, payload);
  },
});

export const alreadySentJob = defineJob({
  kind: ALREADY_SENT_JOB,
  payload: z.object({ accountId: z.string(), documentId: z.string() }),
  async handler(payload, ctx) {
    await answerAlreadySent(ctx.prisma, payload);
  },
});

export const resumeTransfersJob = defineJob({
  kind: RESUME_TRANSFERS_JOB,
  payload: z.object({ accountId: z.string() }),
  async handler(payload, ctx) {
    await resumeHeldTransfers(ctx.prisma, payload.accountId);
  },
});

export function productJobs(): JobDefinition[] {
  return [transferJob, webhookJob, sweepJob, installWebhooksJob, pollJob, applyJob, cancelJob, alreadySentJob, resumeTransfersJob] as JobDefinition[];
}

