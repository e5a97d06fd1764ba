/**
 * What a document keeps of its transfer and its receipts: the plan stored when the task was created
 * and the raw outdocs stored before they are locked. Both are compressed (lib/db/packed-json) and left
 * out of ordinary reads (lib/db LARGE_COLUMNS), so they are read here only.
 */
import type { Db } from '@/lib/db';
import { packJson, unpackJson } from '@/lib/db/packed-json';
import type { PlanLine, Receipt, TransferDirection } from '@/lib/core/domain';
import { receiptFromRaw } from '@/lib/betapro';

/** What lib/sync stores as SyncDocument.plan when a task is created. */
export interface StoredPlan {
  lines: PlanLine[];
  /** Original quantity of each MoySklad position, to split merged lines back. */
  positionQuantities?: Record<string, number>;
  /** Outbound plans say so; plans stored before outbound existed are inbound. */
  direction?: TransferDirection;
}

/** The plan stored when the task was created; null when the document has none (never sent). */
export async function loadStoredPlan(prisma: Db, documentId: string): Promise<StoredPlan | null> {
  // The plan is left out of ordinary reads (lib/db LARGE_COLUMNS): asked for here only.
  const row = await prisma.syncDocument.findUnique({
    where: { id: documentId },
    select: { planPacked: true, plan: true },
  });
  if (!row) return null;
  // Compressed; databases from before planPacked hold it as plain JSON.
  const plan = (row.planPacked ? await unpackJson(row.planPacked) : row.plan) as StoredPlan | null;
  return plan && Array.isArray(plan.lines) ? plan : null;
}

export function packStoredPlan(plan: StoredPlan): Promise<Uint8Array<ArrayBuffer>> {
  return packJson(plan);
}

/** `omit` for outdoc reads that need the body (lib/db LARGE_COLUMNS leaves it out by default). */
export const WITH_OUTDOC_BODY = { raw: false, rawPacked: false } as const;

/** Receipts of stored outdocs (read with WITH_OUTDOC_BODY), in the given order. */
export async function receiptsOf(outdocs: Array<{ rawPacked: Uint8Array | null; raw: unknown }>): Promise<Receipt[]> {
  return Promise.all(outdocs.map(async (o) => receiptFromRaw(o.rawPacked ? await unpackJson(o.rawPacked) : o.raw)));
}
