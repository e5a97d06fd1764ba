/**
 * The parts of a BetaPRO poll that must never stop the poll as a whole (docs/product.md §4):
 *  - an outdoc of another system's task is read once and remembered as `ignored`, so later polls do not
 *    fetch it again;
 *  - an outdoc BetaPRO deleted after we stored it but before we locked it (it may delete unlocked outdocs
 *    to correct them) is found with `POST /outdocs/check` and dropped as `vanished`: a lock naming it
 *    would be refused as a whole and hold back every other receipt of the account.
 */
import type { PrismaClient } from '@/lib/db';
import type { BetaproClient, OutdocSummary } from '@/lib/betapro';
import { packJson } from '@/lib/db/packed-json';
import { toAppError } from '@/lib/core/errors';
import type { Logger } from '@/lib/core/logger';
import { recordEvent } from '@/lib/sync/document/sync-state';

type OutdocDetails = Awaited<ReturnType<BetaproClient['getOutdoc']>>;

/** The outdoc's full body, or null when BetaPRO deleted it between the list and this read. */
export async function readListedOutdoc(betapro: BetaproClient, outdocId: number): Promise<OutdocDetails | null> {
  try {
    return await betapro.getOutdoc(outdocId);
  } catch (error) {
    if (toAppError(error).code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** Remembers an outdoc that is not about one of our tasks, so that no later poll reads it again. */
export async function rememberForeignOutdoc(
  prisma: PrismaClient,
  accountId: string,
  summary: OutdocSummary,
  details: OutdocDetails,
  indocId: string | undefined,
): Promise<void> {
  await prisma.outdoc.upsert({
    where: { accountId_outdocId: { accountId, outdocId: BigInt(summary.outdocId) } },
    create: {
      accountId,
      outdocId: BigInt(summary.outdocId),
      indocId: indocId ?? '',
      documentId: null,
      kind: summary.type,
      rawPacked: await packJson(details.raw),
      stage: 'ignored',
    },
    update: {},
  });
}

interface StoredOutdoc {
  id: string;
  outdocId: bigint;
  documentId: string | null;
  accountId: string;
}

async function dropVanished(prisma: PrismaClient, outdocs: StoredOutdoc[], log: Logger): Promise<void> {
  if (!outdocs.length) return;
  await prisma.outdoc.updateMany({
    where: { id: { in: outdocs.map((o) => o.id) }, stage: 'stored' },
    data: { stage: 'vanished' },
  });
  for (const o of outdocs) {
    if (!o.documentId) continue;
    await recordEvent(
      prisma,
      { id: o.documentId, accountId: o.accountId },
      {
        kind: 'receipt_vanished',
        trigger: 'poll',
        message: `БетаПРО удалил документ ${o.outdocId} до того, как приложение его приняло (исправление на складе): ждём новый документ`,
        data: { outdocId: Number(o.outdocId) },
      },
    );
  }
  log.warn({ outdocIds: outdocs.map((o) => Number(o.outdocId)) }, 'outdocs deleted by BetaPRO before we locked them: dropped');
}

async function missingOf(betapro: BetaproClient, outdocs: StoredOutdoc[]): Promise<Set<number>> {
  const missing = await betapro.checkOutdocs(outdocs.map((o) => Number(o.outdocId)));
  return new Set(missing.map(Number));
}

/**
 * Locks every stored outdoc of the account that BetaPRO still has (this poll's and any a crash left
 * behind) and marks them locked; returns how many. Those BetaPRO deleted meanwhile are dropped.
 */
export async function lockStoredOutdocs(prisma: PrismaClient, betapro: BetaproClient, accountId: string, log: Logger): Promise<number> {
  const stored = await prisma.outdoc.findMany({
    where: { accountId, stage: 'stored' },
    select: { id: true, outdocId: true, documentId: true, accountId: true },
  });
  if (!stored.length) return 0;
  const missing = await missingOf(betapro, stored);
  await dropVanished(
    prisma,
    stored.filter((o) => missing.has(Number(o.outdocId))),
    log,
  );
  let live = stored.filter((o) => !missing.has(Number(o.outdocId)));
  if (!live.length) return 0;
  try {
    await betapro.lockOutdocs(live.map((o) => ({ outdocId: Number(o.outdocId), lock: true })));
  } catch (error) {
    // Deleted between the check and the lock: drop it and lock the rest; any other refusal stands.
    const gone = await missingOf(betapro, live);
    if (!gone.size) throw error;
    await dropVanished(
      prisma,
      live.filter((o) => gone.has(Number(o.outdocId))),
      log,
    );
    live = live.filter((o) => !gone.has(Number(o.outdocId)));
    if (live.length) await betapro.lockOutdocs(live.map((o) => ({ outdocId: Number(o.outdocId), lock: true })));
  }
  await prisma.outdoc.updateMany({
    where: { id: { in: live.map((o) => o.id) }, stage: 'stored' },
    data: { stage: 'locked' },
  });
  return live.length;
}
