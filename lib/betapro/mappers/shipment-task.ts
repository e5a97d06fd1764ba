/**
 * TransferPlan (outbound) → FBox `goods_shipment_task` (POST /indocs), docs/outbound.md.
 *
 * Only the fields our documents fill: the goods leave as good quality (`qual_type` useful, the spec's
 * default, written out so that BetaPRO never ships defective stock by a changed default), and the
 * warehouse ships rather than only picks (`picking_only` false). MoySklad moves and returns carry no
 * delivery address BetaPRO could use, so the consignee stays in the note.
 */
import { AppError } from '@/lib/core/errors';
import type { TransferPlan } from '@/lib/core/domain';
import type { FboxShipmentTask } from '@/lib/betapro/schemas';
import { FBOX_TEXT_LIMIT, shortenText } from '@/lib/betapro/mappers/goods';
import { plannedQuantities } from '@/lib/betapro/mappers/supply-task';

export function toShipmentTask(plan: TransferPlan): FboxShipmentTask {
  const bad = plan.lines.filter((line) => !Number.isInteger(line.quantity) || line.quantity <= 0);
  if (bad.length || !plan.lines.length) {
    throw new AppError('DOCUMENT_INVALID', `plan ${plan.indocId}: no lines, or non-positive or fractional quantities`, {
      userMessage: bad.length
        ? `Количество должно быть целым положительным числом: ${bad.map((l) => `«${l.name}» (${l.quantity})`).join(', ')}.`
        : 'В документе нет позиций для отгрузки со склада.',
    });
  }
  const task: FboxShipmentTask = {
    indoc_type: 'goods_shipment_task',
    indoc_id: plan.indocId,
    qual_type: 'useful',
    picking_only: false,
    items: [...plannedQuantities(plan.lines)].map(([good_id, plan_qnt]) => ({ good_id, plan_qnt })),
  };
  const note = plan.note.replace(/\s+/g, ' ').trim();
  if (note) task.indoc_txt = shortenText(note, FBOX_TEXT_LIMIT);
  return task;
}
