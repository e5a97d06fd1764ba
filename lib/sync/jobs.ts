/**
 * The product's job registry: every job kind is defined here once — its name, payload schema, group,
 * attempts and lease — and every enqueue goes through `enqueueDocumentJob` / `enqueueAccountJob`,
 * type-checked against the definition. The worker dispatches from `productJobs()`.
 *
 * Groups: a document job runs alone on its document (group key `doc:<account>:<entity>:<id>`), so one
 * document is never worked on twice at once; an account job carries the account only. Failed runs are
 * retried with the queue's backoff (lib/jobs/queue backoffDelayMs) up to `maxAttempts`; the recurring
 * poll and sweep never fail: they reschedule themselves.
 *
 * Handlers are imported when a job first runs (the way documenso's job definitions load their
 * handlers), so modules that enqueue a job import this file without importing every handler — and no
 * import cycle runs through here.
 */
import { z } from 'zod';
import type { Db } from '@/lib/db';
import { defineJob, type JobDefinition } from '@/lib/jobs/worker';
import { enqueue, type EnqueueOptions, type EnqueueResult } from '@/lib/jobs/queue';
import { documentGroupKey, type DocumentRef } from '@/lib/sync/document/sync-state';

export type JobGroup = 'document' | 'account';

export interface ProductJob<S extends z.ZodType, G extends JobGroup> extends JobDefinition<S> {
  group: G;
  maxAttempts: number;
}

function defineProductJob<S extends z.ZodType, G extends JobGroup>(definition: ProductJob<S, G>): ProductJob<S, G> {
  return defineJob(definition) as ProductJob<S, G>;
}

/** Attempts of a job that must never die while its account is installed (it reschedules itself). */
const RECURRING_ATTEMPTS = 1_000_000;
const entitySchema = z.enum(['supply', 'move']);
const accountPayload = z.object({ accountId: z.string() });

/** Sends a document to BetaPRO (creates or replaces its supply task). */
export const transferJob = defineProductJob({
  kind: 'transfer',
  group: 'document',
  payload: z.object({ accountId: z.string(), entity: entitySchema, msId: z.string() }),
  maxAttempts: 8,
  leaseMs: 30_000,
  async handler(payload, ctx) {
    const { runTransfer } = await import('@/lib/sync/transfer/run-transfer');
    await runTransfer(payload, {
      prisma: ctx.prisma,
      attempt: ctx.job.attempts,
      lastAttempt: ctx.job.attempts >= ctx.job.maxAttempts,
      step: ctx.step,
    });
  },
});

/** One accepted webhook delivery (queued by lib/sync/triggers/webhook-intake in one statement). */
export const webhookJob = defineProductJob({
  kind: 'webhook',
  group: 'account',
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
  maxAttempts: 5,
  async handler(payload, ctx) {
    const { handleWebhookEvents } = await import('@/lib/sync/triggers/webhook-delivery');
    await handleWebhookEvents(ctx.prisma, payload.accountId, payload.events, payload.actor);
  },
});

/** The recurring safety-net sweep for documents whose webhook was lost. */
export const sweepJob = defineProductJob({
  kind: 'sweep',
  group: 'account',
  payload: accountPayload,
  maxAttempts: RECURRING_ATTEMPTS,
  leaseMs: 60_000,
  async handler(payload, ctx) {
    const { runSweepJob } = await import('@/lib/sync/triggers/sweep');
    return runSweepJob(ctx.prisma, payload.accountId);
  },
});

/** Installs the account's webhooks when MoySklad's 10 s activation call could not. */
export const installWebhooksJob = defineProductJob({
  kind: 'install-webhooks',
  group: 'account',
  payload: accountPayload,
  maxAttempts: 10,
  async handler(payload, ctx) {
    const { installWebhooks } = await import('@/lib/sync/account/lifecycle');
    await installWebhooks(ctx.prisma, payload.accountId);
  },
});

/** The recurring BetaPRO poll for the account's receipts. */
export const pollJob = defineProductJob({
  kind: 'poll',
  group: 'account',
  payload: accountPayload,
  maxAttempts: RECURRING_ATTEMPTS,
  leaseMs: 60_000,
  async handler(payload, ctx) {
    const { runPollJob } = await import('@/lib/sync/receipt/poll-job');
    return runPollJob(ctx.prisma, payload.accountId);
  },
});

/** Applies a document's stored receipts (and corrections) to MoySklad. */
export const applyReceiptJob = defineProductJob({
  kind: 'apply-receipt',
  group: 'document',
  payload: z.object({ accountId: z.string(), documentId: z.string(), force: z.boolean().optional() }),
  maxAttempts: 10,
  leaseMs: 60_000,
  async handler(payload, ctx) {
    const { applyReceipts } = await import('@/lib/sync/receipt/apply');
    await applyReceipts(ctx.prisma, payload);
  },
});

/** Cancels a document's BetaPRO task (the widget's «Отменить»). */
export const cancelTaskJob = defineProductJob({
  kind: 'cancel-task',
  group: 'document',
  payload: z.object({ accountId: z.string(), documentId: z.string(), actor: z.string().nullable().optional() }),
  maxAttempts: 10,
  async handler(payload, ctx) {
    const { cancelTask } = await import('@/lib/sync/transfer/cancel');
    await cancelTask(ctx.prisma, payload);
  },
});

/** Answers a «Передать» set again on a document already sent. */
export const alreadySentJob = defineProductJob({
  kind: 'answer-already-sent',
  group: 'document',
  payload: z.object({ accountId: z.string(), documentId: z.string() }),
  maxAttempts: 10,
  async handler(payload, ctx) {
    const { answerAlreadySent } = await import('@/lib/sync/transfer/already-sent');
    await answerAlreadySent(ctx.prisma, payload);
  },
});

/** Requests again the transfers held while the account was suspended. */
export const resumeTransfersJob = defineProductJob({
  kind: 'resume-transfers',
  group: 'account',
  payload: accountPayload,
  maxAttempts: 10,
  async handler(payload, ctx) {
    const { resumeHeldTransfers } = await import('@/lib/sync/transfer/resume-transfers');
    await resumeHeldTransfers(ctx.prisma, payload.accountId);
  },
});

const PRODUCT_JOBS = [
  transferJob, webhookJob, sweepJob, installWebhooksJob, pollJob, applyReceiptJob, cancelTaskJob, alreadySentJob,
  resumeTransfersJob,
];

/** Every job kind the worker runs. */
export function productJobs(): JobDefinition[] {
  return PRODUCT_JOBS as JobDefinition[];
}

type GroupOptions = Omit<EnqueueOptions, 'accountId' | 'groupKey'>;

/** Enqueues a job of a document: grouped by the document, so it never runs beside another of its jobs. */
export function enqueueDocumentJob<S extends z.ZodType>(
  db: Db, job: ProductJob<S, 'document'>, ref: DocumentRef, payload: z.input<S>, options: GroupOptions = {},
): Promise<EnqueueResult> {
  return enqueue(db, job, payload, { ...options, accountId: ref.accountId, groupKey: documentGroupKey(ref) });
}

/** Enqueues a job of an account (the payload names the account). */
export function enqueueAccountJob<S extends z.ZodType>(
  db: Db, job: ProductJob<S, 'account'>, payload: z.input<S> & { accountId: string }, options: GroupOptions = {},
): Promise<EnqueueResult> {
  return enqueue(db, job, payload, { ...options, accountId: payload.accountId });
}
