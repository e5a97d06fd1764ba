/**
 * A correction of an applied receipt (PRODUCT.md §4, docs/receipt-corrections.md). BetaPRO cannot delete
 * an outdoc we locked: it asks us to unlock it (`unlock_request`), and deletes and re-issues it once we
 * have. Before unlocking, the MoySklad document must stop telling the old facts: it goes back to the
 * projection without the outdoc. When that projection is not a posting (the only or the final part is
 * being corrected), the document is unposted, its positions go back to the plan (or, under the
 * progressive policy, to the parts that stay), status «Передан» and a comment line says why. The
 * re-issued outdoc is then stored, locked and applied like any other.
 */
import type { PrismaClient } from '@/lib/db';
import type { DocumentEntity, Receipt } from '@/lib/core/domain';
import { logFor } from '@/lib/core/logger';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import type { Account } from '../accounts';
import { recordEvent, transitionDocument, type SyncDocumentRow } from '../documents';
import { projectPlan, projectReceipt, type ProjectedPosition } from '../projection';
import { findUnexpected, writePositions, type StoredPlan } from '../receipt';

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
 * post it, which the ordinary apply writes before it unlocks.
 */
export async function revertBeforeUnlock(ctx: RevertContext): Promise<boolean> {
  const { prisma, doc, account, moysklad, reverting, supplies } = ctx;
  if (!reverting.some((o) => o.appliedAt)) return false;
  if (supplies.some(isFinalPart)) return false;
  const entity = doc.entity as DocumentEntity;
  const positions = await remainingPositions(ctx);
  const outdocIds = reverting.map((o) => String(o.outdocId)).join(', ');
  const lines = [
    `${CORRECTION_HEADLINE} (документ ${outdocIds}): проведение отменено, позиции возвращены ${supplies.length ? 'к уже принятым частям' : 'к плану'}.`,
    'Документ будет исправлен и проведён, когда склад пришлёт исправленные данные.',
  ];
  const document = await moysklad.getDocument(entity, doc.msId);
  const written = await writePositions(moysklad, account, entity, doc.msId, document.description, { positions }, {
    post: false, unpost: true, log: lines, logOnceHeadline: CORRECTION_HEADLINE,
  });
  const moved = await transitionDocument(prisma, doc.id, ['sent', 'receiving', 'review', 'posted', 'error'], {
    state: 'receiving', postedAt: null, errorClass: null, errors: null,
  });
  if (moved) {
    await recordEvent(prisma, doc, {
      kind: 'receipt_correction', trigger: 'poll',
      message: `Склад БетаПРО исправляет приёмку (документ ${outdocIds}): документ распроведён и возвращён ${supplies.length ? 'к уже принятым частям' : 'к плану'}`,
      data: { outdocIds, calls: written.calls },
    });
  }
  logFor({ accountId: doc.accountId, documentId: doc.msId }).info({ outdocIds, calls: written.calls }, 'receipt reverted before unlock');
  return true;
}

/** Plan positions, or under the progressive policy the projection of the parts that stay. */
async function remainingPositions(ctx: RevertContext): Promise<ProjectedPosition[]> {
  const { account, plan, moysklad, supplies } = ctx;
  const positionQuantities = plan.positionQuantities ? new Map(Object.entries(plan.positionQuantities)) : undefined;
  if (account.settings.partialPolicy !== 'progressive' || !supplies.length) return projectPlan(plan.lines, positionQuantities);
  const projection = projectReceipt({
    plan: plan.lines,
    receipts: supplies,
    policy: { defective: account.settings.defectivePolicy },
    unexpected: await findUnexpected(moysklad, account, plan, supplies),
    positionQuantities,
  });
  // Unknown goods cannot be written; the plan is the truthful fallback until the parts are re-applied.
  return projection.unknownGoods.length ? projectPlan(plan.lines, positionQuantities) : projection.positions;
}
