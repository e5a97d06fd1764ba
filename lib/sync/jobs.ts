/**
 * The product's job kinds. One job per document for transfers (grouped, so one document is never
 * worked on twice at once), one delivery job per accepted webhook, and recurring per-account jobs
 * for the safety-net sweep (and, with the receipt engine, the BetaPRO poll).
 */
import { z } from 'zod';
import type { PrismaClient } from '../db';
import { enqueueJob } from '../jobs/queue';
import { defineJob, type JobDefinition } from '../jobs/worker';
import { logger } from '../core/logger';
import { loadAccount, isOperational } from './accounts';
import { runTransfer, type TransferJobPayload } from './transfer';
import { TRANSFER_JOB } from './request-transfer';
import { handleWebhookEvents, sweepAccount } from './triggers';

const entitySchema = z.enum(['supply', 'move']);

export const transferJob = defineJob({
  kind: TRANSFER_JOB,
  payload: z.object({ accountId: z.string(), entity: entitySchema, msId: z.string() }),
  leaseMs: 120_000,
  async handler(payload: TransferJobPayload, ctx) {
    await runTransfer(payload, {
      prisma: ctx.prisma,
      attempt: ctx.job.attempts,
      lastAttempt: ctx.job.attempts >= ctx.job.maxAttempts,
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

export const SWEEP_JOB = 'sweep';
export const sweepJob = defineJob({
  kind: SWEEP_JOB,
  payload: z.object({ accountId: z.string() }),
  leaseMs: 300_000,
  async handler(payload, ctx) {
    const account = await loadAccount(ctx.prisma, payload.accountId);
    // An uninstalled account's recurring jobs end here; suspend keeps them idle until resume.
    if (!account || account.status === 'uninstalled') return;
    if (isOperational(account)) await sweepAccount(ctx.prisma, payload.accountId);
    return { rescheduleAt: new Date(Date.now() + account.settings.sweepIntervalSec * 1000) };
  },
});

export function productJobs(): JobDefinition[] {
  return [transferJob, webhookJob, sweepJob] as JobDefinition[];
}

/** Makes sure the account's recurring jobs exist (after install, resume, settings save, start-up). */
export async function ensureAccountJobs(prisma: PrismaClient, accountId: string): Promise<void> {
  await enqueueJob(prisma, {
    kind: SWEEP_JOB,
    accountId,
    dedupeKey: `sweep:${accountId}`,
    payload: { accountId },
    runAt: new Date(Date.now() + 5_000),
    maxAttempts: 1_000_000,
  });
}

export async function ensureAllAccountJobs(prisma: PrismaClient): Promise<void> {
  const installations = await prisma.installation.findMany({ where: { status: 'active' }, select: { accountId: true } });
  for (const { accountId } of installations) await ensureAccountJobs(prisma, accountId);
  if (installations.length) logger.info({ accounts: installations.length }, 'recurring account jobs ensured');
}
