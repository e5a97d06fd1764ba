/**
 * The product's job kinds. One job per document for transfers (grouped, so one document is never
 * worked on twice at once), one delivery job per accepted webhook, and recurring per-account jobs
 * for the safety-net sweep (and, with the receipt engine, the BetaPRO poll).
 */
import { z } from 'zod';
import { getConfig } from '../core/config';
import { defineJob, type JobDefinition } from '../jobs/worker';
import { loadAccount, isOperational } from './accounts';
import { runTransfer, type TransferJobPayload } from './transfer';
import { TRANSFER_JOB } from './request-transfer';
import { handleWebhookEvents, sweepAccount } from './triggers';
import { INSTALL_WEBHOOKS_JOB, installWebhooks } from './lifecycle';
import { SWEEP_JOB } from './account-jobs';
import { APPLY_JOB, CANCEL_JOB, POLL_JOB, applyReceipts, cancelTask, pollAccount } from './receipt';
import { nextPollIntervalSec } from './polling/interval';

export { ensureAccountJobs, ensureAllAccountJobs, SWEEP_JOB } from './account-jobs';

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
  async handler(payload, ctx) {
    const account = await loadAccount(ctx.prisma, payload.accountId);
    if (!account || account.status === 'uninstalled') return;
    if (!isOperational(account)) return { rescheduleAt: new Date(Date.now() + account.settings.pollIntervalSec * 1000) };
    await pollAccount(ctx.prisma, payload.accountId);
    // 15 s while a task is being received or was sent recently, within BetaPRO's quotas (polling/interval.ts).
    return { rescheduleAt: new Date(Date.now() + (await nextPollIntervalSec(ctx.prisma, account)) * 1000) };
  },
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

export function productJobs(): JobDefinition[] {
  return [transferJob, webhookJob, sweepJob, installWebhooksJob, pollJob, applyJob, cancelJob] as JobDefinition[];
}

