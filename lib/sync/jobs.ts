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
 * Handlers live in their own modules, loaded lazily (`handlerModules` below).
 */
import { z } from 'zod';
import type { Db, PrismaClient } from '@/lib/db';
import { defineJob, type JobDefinition, type JobOutcome } from '@/lib/jobs/worker';
import { enqueue, type EnqueueOptions, type EnqueueResult } from '@/lib/jobs/queue';
import { documentGroupKey, type DocumentRef } from '@/lib/sync/document/sync-state';

export type JobGroup = 'document' | 'account';

export interface ProductJob<S extends z.ZodType, G extends JobGroup> extends JobDefinition<S> {
  group: G;
  maxAttempts: number;
}

/** What differs between the kinds beside their name, payload and handler. */
interface JobSettings {
  maxAttempts: number;
  leaseMs?: number;
}

/** Attempts of a job that must never die while its account is installed (it reschedules itself). */
const RECURRING_ATTEMPTS = 1_000_000;
const entitySchema = z.enum(['supply', 'move', 'purchasereturn']);
const accountPayload = z.object({ accountId: z.string() });

/** A job of one document: enqueued with `enqueueDocumentJob`, it runs alone on its document. */
function documentJob<S extends z.ZodType>(
  kind: string,
  payload: S,
  settings: JobSettings,
  handler: JobDefinition<S>['handler'],
): ProductJob<S, 'document'> {
  return {
    ...defineJob({ kind, payload, handler, ...settings }),
    group: 'document',
    maxAttempts: settings.maxAttempts,
  };
}

/** A job of an account; its handler gets the account id (the payload is `{ accountId }` only). */
function accountJob(
  kind: string,
  settings: JobSettings,
  run: (prisma: PrismaClient, accountId: string) => Promise<JobOutcome>,
): ProductJob<typeof accountPayload, 'account'> {
  return accountJobWith(kind, accountPayload, settings, (payload, ctx) => run(ctx.prisma, payload.accountId));
}

/** A job of an account with a payload of its own (which names the account). */
function accountJobWith<S extends z.ZodType>(
  kind: string,
  payload: S,
  settings: JobSettings,
  handler: JobDefinition<S>['handler'],
): ProductJob<S, 'account'> {
  return { ...defineJob({ kind, payload, handler, ...settings }), group: 'account', maxAttempts: settings.maxAttempts };
}

/**
 * The modules that hold the handlers, each imported when a job of its kind first runs (the way
 * documenso's job definitions load their handlers): modules that enqueue a job import this file
 * without importing every handler, and no import cycle runs through here. `preloadJobHandlers`
 * imports them all when a worker starts, so no job waits for a module to load (and compile) on its
 * first run in a fresh process, as a transfer did behind a first poll.
 */
const handlerModules = {
  transfer: () => import('@/lib/sync/transfer/run-transfer'),
  webhookDelivery: () => import('@/lib/sync/triggers/webhook-delivery'),
  sweep: () => import('@/lib/sync/triggers/sweep'),
  lifecycle: () => import('@/lib/sync/account/lifecycle'),
  pollJob: () => import('@/lib/sync/receipt/poll-job'),
  resumeTransfers: () => import('@/lib/sync/transfer/resume-transfers'),
  stock: () => import('@/lib/sync/stock/reconcile'),
  applyReceipts: () => import('@/lib/sync/receipt/apply'),
  cancel: () => import('@/lib/sync/transfer/cancel'),
  alreadySent: () => import('@/lib/sync/transfer/already-sent'),
  discrepancyTask: () => import('@/lib/sync/tasks/discrepancy-task'),
  bulkSend: () => import('@/lib/sync/bulk/run'),
};

/** Imports every handler module (a worker calls it before it claims its first job). */
export async function preloadJobHandlers(): Promise<void> {
  await Promise.all(Object.values(handlerModules).map((load) => load()));
}

/** Sends a document to BetaPRO (creates or replaces its supply task). */
export const transferJob = documentJob(
  'transfer',
  z.object({ accountId: z.string(), entity: entitySchema, msId: z.string() }),
  { maxAttempts: 8, leaseMs: 30_000 },
  async (payload, ctx) => {
    const { runTransfer } = await handlerModules.transfer();
    await runTransfer(payload, {
      prisma: ctx.prisma,
      attempt: ctx.job.attempts,
      lastAttempt: ctx.job.attempts >= ctx.job.maxAttempts,
      step: ctx.step,
    });
  },
);

/** One accepted webhook delivery (queued by lib/sync/triggers/webhook-intake in one statement). */
export const webhookJob = accountJobWith(
  'webhook',
  z.object({
    accountId: z.string(),
    actor: z.string().nullable(),
    events: z.array(
      z.object({
        entity: entitySchema,
        msId: z.string(),
        action: z.enum(['CREATE', 'UPDATE', 'DELETE']),
        updatedFields: z.array(z.string()).optional(),
      }),
    ),
  }),
  { maxAttempts: 5 },
  async (payload, ctx) => {
    const { handleWebhookEvents } = await handlerModules.webhookDelivery();
    await handleWebhookEvents(ctx.prisma, payload.accountId, payload.events, payload.actor);
  },
);

/** The recurring safety-net sweep for documents whose webhook was lost. */
export const sweepJob = accountJob('sweep', { maxAttempts: RECURRING_ATTEMPTS, leaseMs: 60_000 }, async (prisma, accountId) => {
  const { runSweepJob } = await handlerModules.sweep();
  return runSweepJob(prisma, accountId);
});

/** Installs the account's webhooks when MoySklad's 10 s activation call could not. */
export const installWebhooksJob = accountJob('install-webhooks', { maxAttempts: 10 }, async (prisma, accountId) => {
  const { installWebhooks } = await handlerModules.lifecycle();
  await installWebhooks(prisma, accountId);
});

/** The recurring BetaPRO poll for the account's receipts. */
export const pollJob = accountJob('poll', { maxAttempts: RECURRING_ATTEMPTS, leaseMs: 60_000 }, async (prisma, accountId) => {
  const { runPollJob } = await handlerModules.pollJob();
  return runPollJob(prisma, accountId);
});

/** Requests again the transfers held while the account was suspended. */
export const resumeTransfersJob = accountJob('resume-transfers', { maxAttempts: 10 }, async (prisma, accountId) => {
  const { resumeHeldTransfers } = await handlerModules.resumeTransfers();
  await resumeHeldTransfers(prisma, accountId);
});

/** Works the account's waiting stock reconciliations (docs/stock-reconciliation.md): reads only, then stores the result. */
export const stockReconcileJob = accountJob('stock-reconcile', { maxAttempts: 3, leaseMs: 180_000 }, async (prisma, accountId) => {
  const { runStockReconciliation } = await handlerModules.stock();
  await runStockReconciliation(prisma, accountId);
});

/** The daily stock check: asks for a reconciliation once a day; its summary shows in the health panel. */
export const stockDailyJob = accountJob('stock-daily', { maxAttempts: RECURRING_ATTEMPTS }, async (prisma, accountId) => {
  const { runDailyStockCheck } = await handlerModules.stock();
  return runDailyStockCheck(prisma, accountId);
});

const documentPayload = z.object({ accountId: z.string(), documentId: z.string() });

/** Applies a document's stored receipts (and corrections) to MoySklad. */
export const applyReceiptJob = documentJob(
  'apply-receipt',
  documentPayload.extend({ force: z.boolean().optional() }),
  { maxAttempts: 10, leaseMs: 60_000 },
  async (payload, ctx) => {
    const { applyReceipts } = await handlerModules.applyReceipts();
    await applyReceipts(ctx.prisma, payload);
  },
);

/** Cancels a document's BetaPRO task (the widget's «Отменить»). */
export const cancelTaskJob = documentJob(
  'cancel-task',
  documentPayload.extend({ actor: z.string().nullable().optional() }),
  { maxAttempts: 10 },
  async (payload, ctx) => {
    const { cancelTask } = await handlerModules.cancel();
    await cancelTask(ctx.prisma, payload);
  },
);

/** Answers a «Передать» set again on a document already sent. */
export const alreadySentJob = documentJob('answer-already-sent', documentPayload, { maxAttempts: 10 }, async (payload, ctx) => {
  const { answerAlreadySent } = await handlerModules.alreadySent();
  await answerAlreadySent(ctx.prisma, payload);
});

/**
 * Opens or closes the document's MoySklad task after a problem or a posting (docs/discrepancy-tasks.md):
 * its own job, so a MoySklad failure here never fails or delays the document's own answer.
 */
export const discrepancyTaskJob = documentJob('discrepancy-task', documentPayload, { maxAttempts: 10 }, async (payload, ctx) => {
  const { syncDiscrepancyTask } = await handlerModules.discrepancyTask();
  await syncDiscrepancyTask(ctx.prisma, payload);
});

/** A list button's batch: requests each selected transfer, then ends MoySklad's async process once. */
export const bulkSendJob = accountJobWith(
  'bulk-send',
  z.object({ accountId: z.string(), bulkId: z.string() }),
  { maxAttempts: 10, leaseMs: 60_000 },
  async (payload, ctx) => {
    const { runBulkSend } = await handlerModules.bulkSend();
    return runBulkSend(ctx.prisma, payload);
  },
);

const PRODUCT_JOBS = [
  transferJob,
  webhookJob,
  sweepJob,
  installWebhooksJob,
  pollJob,
  applyReceiptJob,
  cancelTaskJob,
  alreadySentJob,
  resumeTransfersJob,
  stockReconcileJob,
  stockDailyJob,
  discrepancyTaskJob,
  bulkSendJob,
];

/** Every job kind the worker runs. */
export function productJobs(): JobDefinition[] {
  return PRODUCT_JOBS as JobDefinition[];
}

type GroupOptions = Omit<EnqueueOptions, 'accountId' | 'groupKey'>;

/** Enqueues a job of a document: grouped by the document, so it never runs beside another of its jobs. */
export function enqueueDocumentJob<S extends z.ZodType>(
  db: Db,
  job: ProductJob<S, 'document'>,
  ref: DocumentRef,
  payload: z.input<S>,
  options: GroupOptions = {},
): Promise<EnqueueResult> {
  return enqueue(db, job, payload, { ...options, accountId: ref.accountId, groupKey: documentGroupKey(ref) });
}

/** Enqueues a job of an account (the payload names the account). */
export function enqueueAccountJob<S extends z.ZodType>(
  db: Db,
  job: ProductJob<S, 'account'>,
  payload: z.input<S> & { accountId: string },
  options: GroupOptions = {},
): Promise<EnqueueResult> {
  return enqueue(db, job, payload, { ...options, accountId: payload.accountId });
}
