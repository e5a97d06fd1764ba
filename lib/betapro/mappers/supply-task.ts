/** TransferPlan → FBox `goods_supply_task` (POST /indocs). */
import { AppError } from '@/lib/core/errors';
import type { TransferPlan } from '@/lib/core/domain';
import { toBetaproDateTime } from '@/lib/core/time';
import type { FboxSupplyTask } from '@/lib/betapro/schemas';
import { FBOX_TEXT_LIMIT, shortenText } from '@/lib/betapro/mappers/goods';

export const ATTRIBUTE_PLANNED_ARRIVAL = 526;

/** good_id → total planned quantity, in first-seen order. */
export function plannedQuantities(lines: ReadonlyArray<{ goodId: string; quantity: number }>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.goodId, (totals.get(line.goodId) ?? 0) + line.quantity);
  return totals;
}

/**
 * Goods are not sent inline: they are registered beforehand by registerGoods, which skips unchanged
 * cards; inlining would re-send every card with every task.
 */
export function toSupplyTask(plan: TransferPlan): FboxSupplyTask {
  const bad = plan.lines.filter((line) => !Number.isInteger(line.quantity) || line.quantity <= 0);
  if (bad.length) {
    throw new AppError('DOCUMENT_INVALID', `plan ${plan.indocId}: non-positive or fractional quantities`, {
      userMessage: `Количество должно быть целым положительным числом: ${bad.map((l) => `«${l.name}» (${l.quantity})`).join(', ')}.`,
      details: { goodIds: bad.map((l) => l.goodId) },
    });
  }
  if (!plan.lines.length) {
    throw new AppError('DOCUMENT_INVALID', `plan ${plan.indocId}: no lines`, {
      userMessage: 'В документе нет позиций для передачи на склад.',
    });
  }
  const task: FboxSupplyTask = {
    indoc_type: 'goods_supply_task',
    indoc_id: plan.indocId,
    items: [...plannedQuantities(plan.lines)].map(([good_id, plan_qnt]) => ({ good_id, plan_qnt })),
  };
  const note = plan.note.replace(/\s+/g, ' ').trim();
  if (note) task.indoc_txt = shortenText(note, FBOX_TEXT_LIMIT);
  if (plan.plannedArrival) {
    task.attributes = [{ attribute_id: ATTRIBUTE_PLANNED_ARRIVAL, value: toBetaproDateTime(plan.plannedArrival) }];
  }
  return task;
}
