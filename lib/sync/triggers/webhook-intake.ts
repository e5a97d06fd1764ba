/**
 * Webhook intake: must answer within MoySklad's 1.5 s (we aim for < 100 ms at 200 deliveries/s), so
 * it does the least that keeps a delivery safe: the secret is resolved from a short-lived cache, the
 * body is validated, events that cannot be a command (another entity, a change that did not touch the
 * status) are answered without writing anything, and the rest is stored by one SQL statement that
 * remembers the requestId and queues one job per document. Reading the documents happens in the job.
 *
 * Group commit: deliveries that arrive within a short window, or while the previous statement is
 * running, are stored together by the next one, and each is answered only after that statement
 * committed. Under a burst, the per-statement cost (round trip, planning, commit) is paid once per batch
 * instead of once per delivery — on the embedded database that cost shares the web process's thread.
 *
 * The job of a document de-duplicates while it is queued (see `q:` keys in lib/jobs/queue.ts): a burst
 * of deliveries about one document costs one MoySklad read, because the job re-reads the document and
 * so sees every change made before it started.
 */
import type { Db } from '@/lib/db';
import { AppError } from '@/lib/core/errors';
import { DOCUMENT_ENTITIES, type DocumentEntity } from '@/lib/core/domain';
import { readJson } from '@/lib/core/request-body';
import { msWebhookDeliverySchema } from '@/lib/moysklad/schemas';
import { notifyJobEnqueued } from '@/lib/jobs/queue';
import { webhookJob } from '@/lib/sync/jobs';
import type { WebhookEventRef } from '@/lib/sync/triggers/webhook-delivery';
import { installationForWebhook } from '@/lib/sync/account/webhook-installations';

export type WebhookIntakeResult = 'queued' | 'duplicate' | 'ignored';

/** Keeps the events that may mean "the document's status is now the command", one per document; a malformed body is a 400. */
export function commandCandidates(delivery: unknown, accountId: string): WebhookEventRef[] {
  const parsed = msWebhookDeliverySchema.safeParse(delivery);
  if (!parsed.success) throw new AppError('BAD_REQUEST', `webhook body invalid: ${parsed.error.message.slice(0, 500)}`);
  const byDocument = new Map<string, WebhookEventRef>();
  for (const event of parsed.data.events) {
    const type = event.meta.type;
    // Events of another account under this account's secret are not ours to act on.
    if (!(DOCUMENT_ENTITIES as readonly string[]).includes(type) || event.accountId !== accountId) continue;
    if (event.action !== 'CREATE' && event.action !== 'UPDATE') continue;
    // MoySklad lists the changed fields of an UPDATE; without 'state' the command cannot have been set.
    if (event.action === 'UPDATE' && event.updatedFields && !event.updatedFields.includes('state')) continue;
    const msId = event.meta.href?.split('/').pop();
    if (!msId) continue;
    byDocument.set(`${type}:${msId}`, {
      entity: type as DocumentEntity,
      msId,
      action: event.action,
      updatedFields: event.updatedFields,
    });
  }
  return [...byDocument.values()];
}

export function webhookJobKey(accountId: string, event: Pick<WebhookEventRef, 'entity' | 'msId'>): string {
  return `q:webhook:${accountId}:${event.entity}:${event.msId}`;
}

interface PendingDelivery {
  requestId: string | null;
  accountId: string;
  jobs: Array<{ key: string; payload: unknown }>;
  settle(result: WebhookIntakeResult | Error): void;
}

/** Largest number of deliveries stored by one statement. */
const MAX_BATCH = 200;
/**
 * On the embedded database (its statements run on this thread), how long the first delivery of a batch
 * waits for others (ms): 2 ms when deliveries are sparse, 5 ms while they keep coming (the previous
 * batch was flushed less than BUSY_MS ago) — fewer, larger statements exactly when the process is
 * busiest; both are nothing next to MoySklad's 1.5 s. On a PostgreSQL server a statement does not hold
 * the thread, so deliveries gather by themselves while one is in flight and the first one waits for nothing.
 */
const GATHER_MS = 2;
const GATHER_BUSY_MS = 5;
const BUSY_MS = 50;

/**
 * Stores a batch in ONE statement (atomic without a transaction): a requestId is remembered only
 * together with its jobs, so a failure leaves MoySklad's retry free to succeed; a re-delivered
 * requestId adds nothing; a document whose job is still queued gets the newest payload instead of a
 * second job. Returns the requestIds that were new.
 */
async function storeDeliveries(prisma: Db, batch: PendingDelivery[]): Promise<Set<string>> {
  const input = batch.map((delivery, ord) => ({
    ord,
    requestId: delivery.requestId,
    accountId: delivery.accountId,
    jobs: delivery.jobs,
  }));
  const rows = await prisma.$queryRawUnsafe<{ fresh: string[] | null }[]>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS d("ord" int, "requestId" text, "accountId" text, "jobs" jsonb)
     ), fresh AS (
       INSERT INTO "InboundEvent" ("source", "key", "accountId")
       SELECT 'webhook', "requestId", "accountId" FROM input WHERE "requestId" IS NOT NULL
       ON CONFLICT ("source", "key") DO NOTHING
       RETURNING "key"
     ), wanted AS (
       SELECT DISTINCT ON (j."key") j."key", j."payload", i."accountId"
       FROM input i CROSS JOIN LATERAL jsonb_to_recordset(i."jobs") AS j("key" text, "payload" jsonb)
       WHERE i."requestId" IS NULL OR i."requestId" IN (SELECT "key" FROM fresh)
       ORDER BY j."key", i."ord" DESC
     ), queued AS (
       INSERT INTO "Job" ("kind", "accountId", "activeKey", "payload", "runAt", "maxAttempts", "updatedAt")
       SELECT $2::text, "accountId", "key", "payload", now(), $3::int, now() FROM wanted
       ON CONFLICT ("activeKey") DO UPDATE SET "payload" = EXCLUDED."payload", "updatedAt" = now()
         WHERE "Job"."state" = 'queued'
       RETURNING "id"
     )
     SELECT (SELECT array_agg("key") FROM fresh) AS "fresh", (SELECT count(*) FROM queued) AS "jobs"`,
    JSON.stringify(input),
    webhookJob.kind,
    webhookJob.maxAttempts,
  );
  return new Set(rows[0]?.fresh ?? []);
}

class DeliveryBatcher {
  private pending: PendingDelivery[] = [];
  private flushing = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlushAt = 0;

  constructor(
    private readonly prisma: Db,
    private readonly singleConnection: boolean,
  ) {}

  submit(delivery: Omit<PendingDelivery, 'settle'>): Promise<WebhookIntakeResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        ...delivery,
        settle: (result) => (result instanceof Error ? reject(result) : resolve(result)),
      });
      // A short gathering window: the embedded database runs on this thread, so without it a statement
      // would finish before the next request even reached this handler and every batch would hold one.
      if (!this.flushing && !this.timer && !this.singleConnection) {
        void this.flush();
      } else if (!this.flushing && !this.timer) {
        const busy = Date.now() - this.lastFlushAt < BUSY_MS;
        this.timer = setTimeout(
          () => {
            this.timer = null;
            void this.flush();
          },
          busy ? GATHER_BUSY_MS : GATHER_MS,
        );
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    this.lastFlushAt = Date.now();
    try {
      while (this.pending.length) {
        const batch: PendingDelivery[] = [];
        const repeated: PendingDelivery[] = [];
        const ids = new Set<string>();
        for (const delivery of this.pending.splice(0, MAX_BATCH)) {
          // The same requestId twice in one batch: the first one decides; the other is a re-delivery.
          if (delivery.requestId && ids.has(delivery.requestId)) repeated.push(delivery);
          else batch.push(delivery);
          if (delivery.requestId) ids.add(delivery.requestId);
        }
        try {
          const fresh = await storeDeliveries(this.prisma, batch);
          for (const delivery of batch)
            delivery.settle(delivery.requestId === null || fresh.has(delivery.requestId) ? 'queued' : 'duplicate');
          for (const delivery of repeated) delivery.settle('duplicate');
          notifyJobEnqueued();
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const delivery of [...batch, ...repeated]) delivery.settle(failure);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

const batchersKey = Symbol.for('betapro-bridge.webhook-batchers');
const batchers: WeakMap<Db, DeliveryBatcher> = ((globalThis as Record<symbol, WeakMap<Db, DeliveryBatcher> | undefined>)[batchersKey] ??=
  new WeakMap());

function batcherFor(prisma: Db, singleConnection: boolean): DeliveryBatcher {
  let batcher = batchers.get(prisma);
  if (!batcher) batchers.set(prisma, (batcher = new DeliveryBatcher(prisma, singleConnection)));
  return batcher;
}

export async function acceptWebhookDelivery(
  prisma: Db,
  secret: string,
  requestId: string | null,
  request: Request,
  options: { singleConnection?: boolean } = {},
): Promise<WebhookIntakeResult> {
  const installation = await installationForWebhook(prisma, secret);
  if (!installation) throw new AppError('NOT_FOUND', 'unknown webhook secret');
  const body = await readJson(request, 64 * 1024);
  const events = commandCandidates(body, installation.accountId);
  if (!installation.active || !events.length) return 'ignored';
  const actor = (body as { auditContext?: { uid?: string } }).auditContext?.uid ?? null;
  const jobs = events.map((event) => ({
    key: webhookJobKey(installation.accountId, event),
    payload: { accountId: installation.accountId, actor, events: [event] },
  }));
  return batcherFor(prisma, options.singleConnection ?? false).submit({
    requestId: requestId ? requestId.slice(0, 200) : null,
    accountId: installation.accountId,
    jobs,
  });
}
