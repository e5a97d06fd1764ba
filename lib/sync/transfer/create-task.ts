/**
 * Step 2 of a transfer: goods registered, a replaced task retired, the task created in BetaPRO
 * (receipt or shipment, by the plan's direction) and the plan stored with its event. Each part is safe
 * to repeat after a crash (goods fingerprints, indoc_id 1001 check, plan hash).
 */
import type { PrismaClient } from '@/lib/db';
import type { TransferPlan } from '@/lib/core/domain';
import type { Problem } from '@/lib/core/views';
import { isTaskContentsConflict, registerGoods, type BetaproClient } from '@/lib/betapro';
import type { Account } from '@/lib/sync/account/accounts';
import { betaproPartnerKey, PrismaGoodsRegistryStore } from '@/lib/sync/account/goods-registry-store';
import { recordEvent, type SyncDocumentRow } from '@/lib/sync/document/sync-state';
import { packStoredPlan } from '@/lib/sync/receipt/stored';
import { retireReplacedTask } from '@/lib/sync/transfer/replaced-task';
import { planHash } from '@/lib/sync/transfer/plan';
import { Prisma as PrismaRuntime } from '@/lib/generated/prisma/client';

export const TASK_LABEL = { inbound: 'на оприходование', outbound: 'на отгрузку' } as const;

export const totalUnits = (plan: Pick<TransferPlan, 'lines'>) => plan.lines.reduce((s, l) => s + l.quantity, 0);

/** Registers new or changed goods and retires a replaced task; a problem when the old task must stay. */
export async function prepareWarehouse(
  prisma: PrismaClient,
  account: Account,
  betapro: BetaproClient,
  syncDoc: SyncDocumentRow,
  plan: TransferPlan,
): Promise<Problem | null> {
  const registered = await registerGoods({
    client: betapro,
    accountId: plan.accountId,
    goods: plan.goods,
    store: new PrismaGoodsRegistryStore(prisma, betaproPartnerKey(account.settings)),
  });
  if (registered.sent.length) {
    await recordEvent(prisma, syncDoc, {
      kind: 'goods_registered',
      message: `Товары зарегистрированы в БетаПРО: ${registered.sent.length} (без изменений: ${registered.unchanged.length})`,
      data: { sent: registered.sent.length, unchanged: registered.unchanged.length },
    });
  }
  return syncDoc.replacedIndocId ? retireReplacedTask(prisma, betapro, syncDoc) : null;
}

/** Creates the plan's task: a receipt task inbound, a shipment task outbound. */
export async function createTask(prisma: PrismaClient, betapro: BetaproClient, syncDoc: SyncDocumentRow, plan: TransferPlan) {
  try {
    return plan.direction === 'outbound' ? await betapro.createShipmentTask(plan) : await betapro.createSupplyTask(plan);
  } catch (error) {
    // BetaPRO holds another task under this number (a document edited after a lost answer, or a
    // restored database): never «Передан» for it. It becomes the document's task that a deliberate
    // re-send replaces (deleted if the goods have not moved, then a new generation).
    if (isTaskContentsConflict(error)) await prisma.syncDocument.update({ where: { id: syncDoc.id }, data: { indocId: plan.indocId } });
    throw error;
  }
}

/**
 * Stores the plan and its event together; the event is written only when this task's plan was not
 * stored yet, so a rerun after a crash past this point records no second «task created».
 */
export async function storePlan(
  prisma: PrismaClient,
  syncDoc: SyncDocumentRow,
  plan: TransferPlan,
  positionQuantities: Record<string, number>,
  alreadyExisted: boolean,
): Promise<void> {
  const { indocId } = plan;
  const hash = planHash(plan);
  // The receipt projection splits merged lines back over the original positions.
  const planPacked = await packStoredPlan({ lines: plan.lines, positionQuantities, direction: plan.direction });
  const label = TASK_LABEL[plan.direction ?? 'inbound'];
  await prisma.$transaction(async (tx) => {
    const before = await tx.syncDocument.findUniqueOrThrow({
      where: { id: syncDoc.id },
      select: { indocId: true, planHash: true },
    });
    await tx.syncDocument.update({
      where: { id: syncDoc.id },
      data: { indocId, planPacked, plan: PrismaRuntime.DbNull, planHash: hash, replacedIndocId: null },
    });
    if (before.indocId === indocId && before.planHash === hash) return;
    await recordEvent(
      tx,
      { id: syncDoc.id, accountId: syncDoc.accountId },
      {
        kind: 'task_created',
        message: alreadyExisted
          ? `Задание ${label} ${indocId} уже было в БетаПРО с тем же составом (ответ на прошлый запрос был потерян)`
          : `Создано задание ${label} ${indocId}: ${plan.lines.length} поз., ${totalUnits(plan)} шт.`,
        data: {
          indocId,
          lines: plan.lines.length,
          units: totalUnits(plan),
          alreadyExisted,
          direction: plan.direction ?? 'inbound',
        },
      },
    );
  });
}
