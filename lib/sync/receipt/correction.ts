/**
 * A correction of an applied receipt (docs/product.md §4, docs/receipt-corrections.md). BetaPRO cannot delete
 * an outdoc we locked: it asks us to unlock it (`unlock_request`), and deletes and re-issues it once we
 * have. Before unlocking, the MoySklad document must stop telling the old facts: it goes back to the
 * projection without the outdoc. When that projection is not a posting (the only or the final part is
 * being corrected, or review posting would hold the rest for a decision), the document is unposted, its
 * positions go back to the plan (or to the receipts that stay, when those would be written), status
 * «Передан» and a comment line says why. The re-issued outdoc is then stored, locked and applied.
 */
import type { PrismaClient } from '@/lib/db';
import type { DocumentEntity, Receipt } from '@/lib/core/domain';
import { logFor } from '@/lib/core/logger';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import type { Account } from '@/lib/sync/account/accounts';
import { recordEvent, transitionDocument, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { projectPlan, projectReceipt, type ProjectedPosition } from '@/lib/sync/receipt/projection';
import { findUnexpected } from '@/lib/sync/receipt/apply';
import type { StoredPlan } from '@/lib/sync/receipt/stored';
import { writePositions } from '@/lib/sync/receipt/write-positions';

export const CORRECTION_HEADLINE = 'Склад БетаПРО исправляет данные приёмки';

export interface RevertContext {
  prisma: PrismaClient;
  doc: SyncDocumentRow;
  account: Account;
  plan: StoredPlan;
  moysklad: MoyskladClient;
  /** Outdocs BetaPRO asked to unlock (stage revert_requested). */
  reverting: Array<{ outdocId: bigint; appliedAt: Date | null }>;
  /** The goods_supply receipts that stay counted. */
  supplies: Receipt[];
}

/** The task's own last part: no part number and not a separate surplus document (attribute 624). */
const isFinalPart = (r: Receipt) => r.partNumber === undefined && r.surplusFor === undefined;

/**
 * Returns true when it has reverted the document (the caller then unlocks and stops); false when there
 * is nothing to revert here: the outdoc never reached the document, or the remaining receipts still
 * post it, which the ordinary apply writes before it unlocks. Under review posting the ordinary apply
 * may hold the remaining receipt for a decision without writing, so the document is reverted here.
 */
export async function revertBeforeUnlock(ctx: RevertContext): Promise<boolean> {
  const { prisma, doc, account, moysklad, reverting, supplies } = ctx;
  if (!reverting.some((o) => o.appliedAt)) return false;
  if (supplies.some(isFinalPart) && account.settings.postingMode !== 'review') return false;
  const entity = doc.entity as DocumentEntity;
  const { positions, toPlan } = await remainingPositions(ctx);
  const backTo = toPlan ? 'к плану' : 'к остальным данным приёмки';
  const outdocIds = reverting.map((o) => String(o.outdocId)).join(', ');
  const lines = [
    `${CORRECTION_HEADLINE} (документ ${outdocIds}): проведение отменено, позиции возвращены ${backTo}.`,
    'Документ будет исправлен и проведён, когда склад пришлёт исправленные данные.',
  ];
  const written = await writePositions(
    moysklad,
    account,
    entity,
    doc.msId,
    { positions },
    {
      post: false,
      unpost: true,
      log: lines,
      logOnceHeadline: CORRECTION_HEADLINE,
    },
  );
  const moved = await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'review', 'posted', 'error'], {
    state: 'receiving',
    postedAt: null,
    errorClass: null,
    errors: null,
  });
  if (moved) {
    await recordEvent(prisma, doc, {
      kind: 'receipt_correction',
      trigger: 'poll',
      message: `Склад БетаПРО исправляет приёмку (документ ${outdocIds}): документ распроведён и возвращён ${backTo}`,
      data: { outdocIds, calls: written.calls },
    });
  }
  logFor({ accountId: doc.accountId, documentId: doc.msId }).info({ outdocIds, calls: written.calls }, 'receipt reverted before unlock');
  return true;
}

/**
 * Plan positions, or the projection of the receipts that stay when they would be written: under the
 * progressive policy, or when the final part stays (review posting).
 */
async function remainingPositions(ctx: RevertContext): Promise<{ positions: ProjectedPosition[]; toPlan: boolean }> {
  const { account, plan, moysklad, supplies } = ctx;
  const positionQuantities = plan.positionQuantities ? new Map(Object.entries(plan.positionQuantities)) : undefined;
  const written = account.settings.partialPolicy === 'progressive' || supplies.some(isFinalPart);
  const plannedPositions = { positions: projectPlan(plan.lines, positionQuantities), toPlan: true };
  if (!written || !supplies.length) return plannedPositions;
  const projection = projectReceipt({
    plan: plan.lines,
    receipts: supplies,
    policy: { defective: account.settings.defectivePolicy },
    unexpected: await findUnexpected(moysklad, account, plan, supplies),
    positionQuantities,
  });
  // Unknown goods cannot be written; the plan is the truthful fallback until the parts are re-applied.
  return projection.unknownGoods.length ? plannedPositions : { positions: projection.positions, toPlan: false };
}
