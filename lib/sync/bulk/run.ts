/**
 * The `bulk-send` job (docs/bulk-send.md): requests the transfer of each selected document through the
 * same operation as every other trigger, waits (rescheduling itself) until each one it queued is sent or
 * failed, then ends MoySklad's async process with one notification.
 *
 * Crash safety: an item's outcome is written in the transaction that queues its transfer (or, for a
 * document already in flight or sent, before the no-op is recorded), so a re-run never requests an
 * item twice nor takes its own request for an earlier one. `button/complete` is sent only under the
 * job's claim; a repeat after a crash between the call and its record is answered 409 by MoySklad and
 * recorded as completed, so the user sees the notification once.
 */
import type { Prisma, PrismaClient } from '@/lib/db';
import type { DocumentEntity } from '@/lib/core/domain';
import { AppError } from '@/lib/core/errors';
import { logFor, type Logger } from '@/lib/core/logger';
import { fenceRemoteWrite, withClaim } from '@/lib/jobs/claim';
import type { JobOutcome } from '@/lib/jobs/worker';
import type { ButtonCompletion } from '@/lib/moysklad/vendor-api';
import { isOperational, loadAccount, type Account } from '@/lib/sync/account/accounts';
import { moyskladClientFor, vendorApiClient } from '@/lib/sync/account/clients';
import type { BulkRights } from '@/lib/sync/bulk/press';
import { summarize, type ItemResult, type SummaryItem } from '@/lib/sync/bulk/summary';
import { coversDocument, type Session } from '@/lib/sync/rights';
import { requestTransfer } from '@/lib/sync/transfer/request-transfer';

/** Items requested per run: a large batch goes in slices, each run well inside the job's lease. */
const SLICE = 100;
/** MoySklad refuses completion (410) 24 h after the press: complete before, with what is still in work. */
const MAX_WAIT_MS = 23 * 60 * 60_000;

type BulkRow = Awaited<ReturnType<PrismaClient['bulkSend']['findUniqueOrThrow']>>;
type Client = Awaited<ReturnType<typeof moyskladClientFor>>;

const SENT_STATES = new Set(['sent', 'receiving', 'review', 'posted']);
const WAITING_STATES = new Set(['queued', 'sending']);

/** The pressing employee's right as a session, for the scope check of one document. */
function rightsSession(accountId: string, entity: DocumentEntity, rights: BulkRights): Session {
  const none = { view: false, update: false };
  return {
    accountId,
    employeeId: rights.employeeId,
    employeeName: '',
    isAdmin: false,
    locale: 'ru',
    ...(rights.groupId ? { groupId: rights.groupId } : {}),
    rights: { supply: none, move: none, [entity]: { view: true, update: true, viewScope: rights.scope, updateScope: rights.scope } },
  };
}

function markPending(
  db: Prisma.TransactionClient | PrismaClient,
  bulkId: string,
  msId: string,
  data: Prisma.BulkSendItemUpdateManyMutationInput,
) {
  // Only a pending item moves: a second worker that lost its claim cannot overwrite the first outcome.
  return db.bulkSendItem.updateMany({ where: { bulkId, msId, outcome: 'pending' }, data });
}

/** The scope check (OWN, OWN_GROUP, …): reads the document; null when it may be requested. */
async function refusal(client: Client, bulk: BulkRow, msId: string): Promise<{ outcome: string; message: string; name?: string } | null> {
  const entity = bulk.entity as DocumentEntity;
  try {
    const document = await client.getDocument(entity, msId);
    if (coversDocument(rightsSession(bulk.accountId, entity, bulk.rights as unknown as BulkRights), entity, 'update', document))
      return null;
    return { outcome: 'forbidden', message: 'нет прав на изменение этого документа', name: document.name };
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return { outcome: 'missing', message: 'документ не найден в МойСклад' };
    throw error;
  }
}

async function requestSlice(prisma: PrismaClient, bulk: BulkRow, account: Account, log: Logger): Promise<boolean> {
  const items = await prisma.bulkSendItem.findMany({
    where: { bulkId: bulk.id, outcome: 'pending' },
    orderBy: { position: 'asc' },
    take: SLICE,
  });
  const entity = bulk.entity as DocumentEntity;
  const scoped = (bulk.rights as unknown as BulkRights).scope !== 'ALL';
  let client: Client | undefined;
  for (const item of items) {
    if (scoped) {
      client ??= await moyskladClientFor(account);
      const refused = await refusal(client, bulk, item.msId);
      if (refused) {
        await markPending(prisma, bulk.id, item.msId, {
          outcome: refused.outcome,
          result: refused.outcome,
          message: refused.message,
          name: refused.name,
        });
        continue;
      }
    }
    const result = await requestTransfer(
      prisma,
      { accountId: bulk.accountId, entity, msId: item.msId, trigger: 'bulk' },
      async (tx, accepted) => {
        await markPending(tx, bulk.id, item.msId, { outcome: accepted ? 'requested' : 'already' });
      },
    );
    await prisma.bulkSendItem.update({
      where: { bulkId_msId: { bulkId: bulk.id, msId: item.msId } },
      data: { documentId: result.documentId },
    });
  }
  log.info({ bulkId: bulk.id, requested: items.length }, 'bulk send: slice requested');
  return items.length === SLICE;
}

/** Every item with what became of it so far. */
async function results(prisma: PrismaClient, bulk: BulkRow): Promise<SummaryItem[]> {
  const items = await prisma.bulkSendItem.findMany({ where: { bulkId: bulk.id }, orderBy: { position: 'asc' } });
  const docs = await prisma.syncDocument.findMany({
    where: { accountId: bulk.accountId, entity: bulk.entity, msId: { in: items.map((i) => i.msId) } },
    select: { msId: true, state: true, name: true, errors: true },
  });
  const byId = new Map(docs.map((d) => [d.msId, d]));
  return items.map((item) => {
    const doc = byId.get(item.msId);
    const base = { msId: item.msId, position: item.position, name: doc?.name ?? item.name, message: item.message };
    if (item.outcome !== 'requested') return { ...base, result: (item.outcome === 'already' ? 'already' : item.outcome) as ItemResult };
    if (!doc || WAITING_STATES.has(doc.state)) return { ...base, result: 'pending' };
    if (SENT_STATES.has(doc.state)) return { ...base, result: 'sent' };
    const first = Array.isArray(doc.errors) ? (doc.errors[0] as { message?: unknown } | undefined) : undefined;
    return { ...base, result: 'error', message: typeof first?.message === 'string' ? first.message : null };
  });
}

const STATUS_OF: Record<ButtonCompletion, string> = {
  completed: 'completed',
  already_completed: 'completed',
  expired: 'expired',
  not_found: 'gone',
};

/** A 404 this soon may mean MoySklad has not yet taken in our answer with the process id: try again. */
const UNKNOWN_PROCESS_GRACE_MS = 5 * 60_000;

/** Ends the process; false when MoySklad does not know it yet (the job looks again). */
async function complete(prisma: PrismaClient, bulk: BulkRow, items: SummaryItem[], log: Logger): Promise<boolean> {
  const notification = summarize(bulk.entity as DocumentEntity, items);
  await fenceRemoteWrite();
  const outcome = await vendorApiClient().completeButton(bulk.id, notification);
  if (outcome === 'not_found' && Date.now() - bulk.createdAt.getTime() < UNKNOWN_PROCESS_GRACE_MS) {
    log.warn({ bulkId: bulk.id }, 'bulk send: MoySklad does not know the process yet, completing later');
    return false;
  }
  await withClaim(prisma, async (tx) => {
    await tx.bulkSend.updateMany({
      where: { id: bulk.id, status: 'running' },
      data: { status: STATUS_OF[outcome], notification, completedAt: new Date() },
    });
    for (const result of ['sent', 'error', 'pending'] as const) {
      const ids = items.filter((i) => i.result === result).map((i) => i.msId);
      if (ids.length) await tx.bulkSendItem.updateMany({ where: { bulkId: bulk.id, msId: { in: ids } }, data: { result } });
    }
  });
  log.info({ bulkId: bulk.id, outcome, text: notification.text }, 'bulk send completed');
  return true;
}

/** Next look while documents are still in work: soon at first, then at most every 10 s. */
function nextLook(bulk: BulkRow): Date {
  const ageMs = Date.now() - bulk.createdAt.getTime();
  return new Date(Date.now() + Math.min(10_000, 1_000 + ageMs / 20));
}

export async function runBulkSend(prisma: PrismaClient, payload: { accountId: string; bulkId: string }): Promise<JobOutcome> {
  const log = logFor({ accountId: payload.accountId, job: 'bulk-send' });
  const bulk = await prisma.bulkSend.findUnique({ where: { id: payload.bulkId } });
  if (!bulk || bulk.status !== 'running') return;
  const account = await loadAccount(prisma, bulk.accountId);
  if (!account || account.status === 'uninstalled') {
    await prisma.bulkSend.updateMany({ where: { id: bulk.id, status: 'running' }, data: { status: 'gone', completedAt: new Date() } });
    return;
  }
  if (isOperational(account) && (await requestSlice(prisma, bulk, account, log))) return { rescheduleAt: new Date() };
  const items = await results(prisma, bulk);
  const waiting = items.some((i) => i.result === 'pending');
  if (waiting && (Date.now() - bulk.createdAt.getTime() < MAX_WAIT_MS || !isOperational(account))) return { rescheduleAt: nextLook(bulk) };
  if (!(await complete(prisma, bulk, items, log))) return { rescheduleAt: new Date(Date.now() + 2_000) };
}
