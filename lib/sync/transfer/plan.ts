/**
 * Step 1 of a transfer (docs/product.md §3, docs/outbound.md): read the MoySklad document, validate
 * header and positions, decide the direction, and build the plan. Nothing is sent to BetaPRO here.
 */
import { createHash } from 'node:crypto';
import type { PrismaClient } from '@/lib/db';
import type { DocumentEntity, TransferDirection, TransferPlan } from '@/lib/core/domain';
import { parseMoscowDateTime } from '@/lib/core/time';
import type { Problem } from '@/lib/core/views';
import { buildIndocId } from '@/lib/betapro';
import type { DocumentWithPositions, MoyskladClient } from '@/lib/moysklad/json-api';
import type { MsDocument } from '@/lib/moysklad/schemas';
import { toTransferLines } from '@/lib/moysklad/mappers/to-transfer-lines';
import type { Account } from '@/lib/sync/account/accounts';
import type { DocumentRef, SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { rememberStatusBefore } from '@/lib/sync/transfer/previous-status';
import { decideDirection, headerProblems } from '@/lib/sync/transfer/direction';

export function planHash(plan: Pick<TransferPlan, 'lines'>): string {
  const canonical = plan.lines
    .map((l) => `${l.goodId}\u0000${l.quantity}`)
    .sort()
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex');
}

function noteFor(entity: DocumentEntity, direction: TransferDirection, document: MsDocument): string {
  const kind = entity === 'supply' ? 'Приёмка' : direction === 'outbound' ? 'Перемещение со склада' : 'Перемещение';
  return `${kind} ${document.name} из МойСклад`.slice(0, 255);
}

export type PlanOutcome = { read: DocumentWithPositions; plan: TransferPlan } | { read: DocumentWithPositions; problems: Problem[] };

/** Reads and validates the document; the plan when it can be sent, or every problem at once. */
export async function readPlan(
  prisma: PrismaClient,
  account: Account,
  moysklad: MoyskladClient,
  ref: DocumentRef,
  syncDoc: SyncDocumentRow,
): Promise<PlanOutcome> {
  const read = await moysklad.getDocumentWithPositions(ref.entity, ref.msId);
  const document = read.document;
  if (document.name !== syncDoc.name) {
    await prisma.syncDocument.update({ where: { id: syncDoc.id }, data: { name: document.name } });
  }
  await rememberStatusBefore(prisma, account, syncDoc, document);
  const mapped = toTransferLines(read.positions, account.settings.productKey);
  const problems: Problem[] = [
    ...headerProblems(account, ref.entity, document),
    ...mapped.problems.map((p) => ({
      code: p.code,
      message: p.message,
      params: p.params,
      position: p.positionNumbers[0],
    })),
  ];
  const decision = decideDirection(account, ref.entity, document);
  if (problems.length || 'problem' in decision) return { read, problems };
  // A re-send that replaces the previous task uses the new generation's number (lib/sync/transfer/generation.ts).
  const indocId =
    syncDoc.indocId && !syncDoc.replacedIndocId
      ? syncDoc.indocId
      : buildIndocId({ entity: ref.entity, documentId: ref.msId, generation: syncDoc.generation });
  const plan: TransferPlan = {
    accountId: ref.accountId,
    entity: ref.entity,
    direction: decision.direction,
    documentId: ref.msId,
    documentName: document.name,
    indocId,
    note: noteFor(ref.entity, decision.direction, document),
    plannedArrival: document.moment ? parseMoscowDateTime(document.moment) : undefined,
    lines: mapped.lines,
    goods: mapped.goods,
  };
  return { read, plan };
}
