/**
 * FBox shipment outdocs (`goods_shipment_start`, `goods_shipment_ready`, `goods_shipment`) → the
 * product's Receipt, so that outbound facts go through the same store → lock → apply protocol as
 * receipts (docs/outbound.md). What left the warehouse is the sum of `qnt` over the boxes of the
 * pallets (spec: gplt_out); a `goods_shipment` without pallets shipped nothing.
 */
import { AppError } from '@/lib/core/errors';
import type { Receipt, ReceiptLine } from '@/lib/core/domain';
import { parseMoscowDateTime } from '@/lib/core/time';
import { fboxShipmentOutdocSchema, type FboxShipmentOutdoc } from '@/lib/betapro/schemas';

function shippedLines(outdoc: FboxShipmentOutdoc): ReceiptLine[] {
  const totals = new Map<string, number>();
  for (const pallet of outdoc.pallets ?? []) {
    for (const box of pallet.boxes ?? []) {
      for (const good of box.goods ?? []) totals.set(good.good_id, (totals.get(good.good_id) ?? 0) + good.qnt);
    }
  }
  // `planned` is not in a shipment outdoc: the projection takes the plan from the stored task.
  return [...totals].map(([goodId, qnt]) => ({ goodId, planned: 0, useful: qnt, defective: 0 }));
}

export function toShipmentFact(outdoc: FboxShipmentOutdoc): Receipt {
  const { common } = outdoc;
  const createdAt = parseMoscowDateTime(common.created_at);
  if (!createdAt || !common.indoc_id) {
    throw new AppError('REMOTE_REJECTED', `outdoc ${common.outdoc_id}: unreadable created_at or no indoc_id`, {
      userMessage: `Документ БетаПРО №${common.outdoc_id} об отгрузке пришёл без даты создания или без номера задания.`,
    });
  }
  return {
    outdocId: common.outdoc_id,
    kind: outdoc.outdoc_type,
    indocId: common.indoc_id,
    outdocDate: common.outdoc_date,
    createdAt,
    nonArrival: false,
    lines: outdoc.outdoc_type === 'goods_shipment' ? shippedLines(outdoc) : [],
  };
}

/** The shipment fact of a raw `GET /outdocs/{id}` body, or undefined when it is not a shipment outdoc. */
export function shipmentFactFromRaw(raw: unknown): Receipt | undefined {
  const type = (raw as { outdoc_type?: unknown } | null)?.outdoc_type;
  if (type !== 'goods_shipment_start' && type !== 'goods_shipment_ready' && type !== 'goods_shipment') return undefined;
  const parsed = fboxShipmentOutdocSchema.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { common?: { outdoc_id?: unknown } } | null)?.common?.outdoc_id;
    throw new AppError('REMOTE_REJECTED', `outdoc ${String(id)} is not a readable shipment: ${parsed.error.message}`, {
      userMessage: `Документ БетаПРО №${String(id ?? '?')} не удалось прочитать как отгрузку.`,
    });
  }
  return toShipmentFact(parsed.data);
}
