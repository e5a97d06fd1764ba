/**
 * Discrepancy tasks (docs/discrepancy-tasks.md): when a document needs someone's attention — a receipt
 * held for review, a transfer or a receipt ending in error, a posting MoySklad refused, goods that did not
 * arrive — the app opens ONE MoySklad task for the document's owner (or the employee chosen in settings),
 * linked to the document; when the document reaches «Проведён» the task is marked done.
 *
 * Its own job (`discrepancy-task`), queued by the steps that record those states: a MoySklad failure here
 * never fails or delays the document's own answer, and a transfer or receipt that ends well makes no task
 * call at all (the job is queued for a posting only when a task is open).
 *
 * The job reconciles: it reads the document's state now and makes the tasks agree, so a duplicated
 * trigger, a retry or a second worker (jobs of one document never run at once) changes nothing more.
 * Creating is guarded by a row written BEFORE the POST: its id is a marker in the task's text, and a run
 * that finds the row still `creating` looks the task up by that marker before creating it, so a crash
 * between MoySklad's answer and our write never creates a second task.
 */
import { z } from 'zod';
import type { Db, PrismaClient } from '@/lib/db';
import type { DocumentEntity } from '@/lib/core/domain';
import { toAppError } from '@/lib/core/errors';
import { logFor } from '@/lib/core/logger';
import { toMoyskladDateTime } from '@/lib/core/time';
import { receiptLineSchema, type ReceiptLineView as ReceiptLine } from '@/lib/core/views';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import { closeTask, createTask, findOpenTasksByMarker } from '@/lib/moysklad/tasks';
import { isOperational, loadAccount, type Account } from '@/lib/sync/account/accounts';
import { moyskladClientFor } from '@/lib/sync/account/clients';
import { discrepancyTaskJob, enqueueDocumentJob } from '@/lib/sync/jobs';
import type { SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { describeCause, taskCause, type TaskCause } from '@/lib/sync/tasks/task-text';
import { loadStoredPlan } from '@/lib/sync/receipt/stored';

/** Document states that need a person: a task is opened for them. */
export const PROBLEM_STATES = ['review', 'error', 'expired'] as const;
/** How long the assignee has, shown as the task's due date. */
const DUE_IN_MS = 24 * 60 * 60 * 1000;
const OPEN_ROWS = ['creating', 'open'];

type TaskRow = Awaited<ReturnType<PrismaClient['discrepancyTask']['findFirstOrThrow']>>;

/** The marker written at the end of the task's text: finds the task again after a crash. */
export function taskMarker(rowId: string): string {
  return `[BetaPRO Bridge ${rowId}]`;
}

/**
 * Queues the job after a document reached a problem state (review, error, expired). Nothing is queued
 * when the account switched tasks off. The job reads the state when it runs, so queuing early or twice
 * is harmless; while the recording job runs the document's group keeps this one waiting.
 */
export async function requestDiscrepancyTask(db: Db, account: Account, doc: { id: string; entity: string; msId: string }): Promise<void> {
  if (!account.settings.discrepancyTasks) return;
  await enqueue(db, account.accountId, doc);
}

/**
 * Queues the job after a document was posted, only when one of its tasks is open: a receipt that ends
 * well costs one database read here and no MoySklad call.
 */
export async function requestTaskClosing(db: Db, accountId: string, doc: { id: string; entity: string; msId: string }): Promise<void> {
  const open = await db.discrepancyTask.count({ where: { documentId: doc.id, state: { in: OPEN_ROWS } } });
  if (open) await enqueue(db, accountId, doc);
}

async function enqueue(db: Db, accountId: string, doc: { id: string; entity: string; msId: string }): Promise<void> {
  await enqueueDocumentJob(
    db,
    discrepancyTaskJob,
    { accountId, entity: doc.entity as DocumentEntity, msId: doc.msId },
    { accountId, documentId: doc.id },
    // `q:`: a run already going may have read the state before this change, so one more is queued.
    { dedupeKey: `q:dtask:${doc.id}` },
  );
}

/** The job: make the document's MoySklad task agree with the document's state now. */
export async function syncDiscrepancyTask(prisma: PrismaClient, payload: { accountId: string; documentId: string }): Promise<void> {
  const doc = await prisma.syncDocument.findUnique({ where: { id: payload.documentId } });
  if (!doc) return;
  const log = logFor({ accountId: doc.accountId, documentId: doc.msId, job: discrepancyTaskJob.kind });
  const account = await loadAccount(prisma, doc.accountId);
  if (!account || !isOperational(account)) return;
  const open = await prisma.discrepancyTask.findFirst({
    where: { documentId: doc.id, state: { in: OPEN_ROWS } },
    orderBy: { episode: 'desc' },
  });
  if (doc.state === 'posted') {
    if (open) await closeEpisode(prisma, await moyskladClientFor(account), open, log);
    return;
  }
  if (!(PROBLEM_STATES as readonly string[]).includes(doc.state)) return;
  // One task per episode: a further problem while it is open is in the document's comment and widget.
  if (open?.state === 'open') return;
  if (!open && !account.settings.discrepancyTasks) return;
  if (account.scope !== 'admin') {
    log.warn({ scope: account.scope }, 'discrepancy task skipped: MoySklad tasks need the admin scope');
    return;
  }
  const row = open ?? (await newEpisode(prisma, doc, taskCause(doc)));
  await createGuarded(prisma, { account, doc, row, client: await moyskladClientFor(account), log });
}

/** The next episode's row, written before MoySklad is asked (its id is the task's marker). */
async function newEpisode(prisma: PrismaClient, doc: SyncDocumentRow, cause: TaskCause): Promise<TaskRow> {
  const last = await prisma.discrepancyTask.findFirst({ where: { documentId: doc.id }, orderBy: { episode: 'desc' } });
  return prisma.discrepancyTask.create({
    data: { accountId: doc.accountId, documentId: doc.id, episode: (last?.episode ?? 0) + 1, cause },
  });
}

interface CreateRun {
  account: Account;
  doc: SyncDocumentRow;
  row: TaskRow;
  client: MoyskladClient;
  log: ReturnType<typeof logFor>;
}

async function createGuarded(prisma: PrismaClient, { account, doc, row, client, log }: CreateRun): Promise<void> {
  const marker = taskMarker(row.id);
  // The assignee is written just before the POST: a row that has one may have its task already.
  if (row.assigneeId) {
    const [found] = await findOpenTasksByMarker(client, marker);
    if (found) {
      await markOpen(prisma, row, found.id, row.assigneeId);
      log.info({ task: found.id }, 'discrepancy task found by its marker after an interrupted run');
      return;
    }
  }
  const entity = doc.entity as DocumentEntity;
  const document = await client.getDocument(entity, doc.msId).catch((error: unknown) => {
    if (toAppError(error).code === 'NOT_FOUND') return null;
    throw error;
  });
  if (!document) {
    log.info('discrepancy task skipped: the document was deleted in MoySklad');
    return;
  }
  const assigneeId = account.settings.taskAssigneeId ?? idOf(document.owner?.meta.href);
  if (!assigneeId) {
    log.warn('discrepancy task skipped: the document has no owner and no employee is chosen in settings');
    return;
  }
  // From here a crash may leave a task in MoySklad: the next run looks for the marker first.
  await prisma.discrepancyTask.update({ where: { id: row.id }, data: { assigneeId } });
  const lines = row.cause === 'review' ? await reviewLines(prisma, doc.id) : undefined;
  const outbound = (await loadStoredPlan(prisma, doc.id))?.direction === 'outbound';
  const task = await createTask(client, {
    description: describeCause({ entity, name: document.name ?? doc.name ?? doc.msId, doc, marker, lines, outbound }),
    assigneeId,
    operation: { entity, id: doc.msId },
    dueToDate: toMoyskladDateTime(new Date(Date.now() + DUE_IN_MS)),
  });
  await markOpen(prisma, row, task.id, assigneeId);
  log.info({ task: task.id, cause: row.cause, assignee: assigneeId }, 'discrepancy task created');
}

async function markOpen(prisma: PrismaClient, row: TaskRow, msTaskId: string, assigneeId: string | null): Promise<void> {
  await prisma.discrepancyTask.update({ where: { id: row.id }, data: { state: 'open', msTaskId, assigneeId } });
}

/** Marks the episode's task done in MoySklad, then the row closed; a task deleted meanwhile counts as closed. */
async function closeEpisode(prisma: PrismaClient, client: MoyskladClient, row: TaskRow, log: ReturnType<typeof logFor>): Promise<void> {
  let taskId = row.msTaskId;
  if (!taskId && row.assigneeId) taskId = (await findOpenTasksByMarker(client, taskMarker(row.id)))[0]?.id ?? null;
  if (taskId) {
    try {
      await closeTask(client, taskId);
    } catch (error) {
      if (toAppError(error).code !== 'NOT_FOUND') throw error;
      log.info({ task: taskId }, 'discrepancy task was deleted in MoySklad: nothing to close');
    }
  }
  await prisma.discrepancyTask.update({ where: { id: row.id }, data: { state: 'closed', closedAt: new Date(), msTaskId: taskId } });
  log.info({ task: taskId }, 'discrepancy task closed: the document is posted');
}

/** The plan-vs-fact lines the review was recorded with (lib/sync/receipt/apply.ts heldBack). */
async function reviewLines(prisma: PrismaClient, documentId: string): Promise<ReceiptLine[] | undefined> {
  const event = await prisma.syncEvent.findFirst({
    where: { documentId, kind: 'review' },
    orderBy: { id: 'desc' },
    select: { data: true },
  });
  const parsed = z.object({ lines: z.array(receiptLineSchema) }).safeParse(event?.data);
  return parsed.success ? parsed.data.lines : undefined;
}

function idOf(href: string | undefined): string | undefined {
  return href ? href.slice(href.lastIndexOf('/') + 1) : undefined;
}
