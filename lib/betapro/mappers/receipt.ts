/** FBox receipt outdocs (`goods_supply_start`, `goods_supply`) → the product's Receipt. */
import { AppError } from '@/lib/core/errors';
import type { Receipt } from '@/lib/core/domain';
import { parseMoscowDateTime } from '@/lib/core/time';
import { fboxReceiptOutdocSchema, type FboxAttribute, type FboxReceiptOutdoc } from '@/lib/betapro/schemas';
import { shipmentFactFromRaw } from '@/lib/betapro/mappers/shipment';

export const ATTRIBUTE_PARTIAL_RECEIPT_NUMBER = 9;
export const ATTRIBUTE_NON_ARRIVAL = 306;
export const ATTRIBUTE_SURPLUS_FOR_TASK = 624;

function attributeValue(attributes: FboxAttribute[] | undefined, id: number): unknown {
  return attributes?.find((a) => a.attribute_id === id)?.value ?? undefined;
}

/** Boolean attributes arrive as true/false, but FBox attribute values may also be "true", 1 or "1". */
function isSet(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['true', '1', 'yes', 'да'].includes(value.trim().toLowerCase());
  return false;
}

function asInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Which part a receipt is: attribute 9 is on every partial `goods_supply` except the last, and its
 * absence is BetaPRO's documented signal that receiving is complete. `part_num` is only a fallback for
 * a document that carries no attribute list at all, because whether BetaPRO also fills it on the last
 * part is not documented, and treating a final part as partial would leave the document unposted.
 */
function partNumberOf(outdoc: FboxReceiptOutdoc): number | undefined {
  const attributes = outdoc.common.attributes;
  if (attributes !== undefined) return asInteger(attributeValue(attributes, ATTRIBUTE_PARTIAL_RECEIPT_NUMBER));
  return outdoc.outdoc_type === 'goods_supply' ? outdoc.part_num : undefined;
}

export function toReceipt(outdoc: FboxReceiptOutdoc): Receipt {
  const { common } = outdoc;
  const createdAt = parseMoscowDateTime(common.created_at);
  if (!createdAt) {
    throw new AppError('REMOTE_REJECTED', `outdoc ${common.outdoc_id}: unreadable created_at "${common.created_at}"`, {
      userMessage: `Документ БетаПРО №${common.outdoc_id} пришёл с некорректной датой создания.`,
    });
  }
  const surplusFor = asText(attributeValue(common.attributes, ATTRIBUTE_SURPLUS_FOR_TASK));
  // A separate surplus document points at its task through attribute 624; indoc_id may be absent there.
  const indocId = common.indoc_id ?? surplusFor;
  if (!indocId) {
    throw new AppError('NOT_FOUND', `outdoc ${common.outdoc_id} (${outdoc.outdoc_type}) names no receipt task`, {
      userMessage: `Документ БетаПРО №${common.outdoc_id} не относится ни к одному заданию на оприходование.`,
    });
  }
  return {
    outdocId: common.outdoc_id,
    kind: outdoc.outdoc_type,
    indocId,
    outdocDate: common.outdoc_date,
    createdAt,
    partNumber: partNumberOf(outdoc),
    nonArrival: isSet(attributeValue(common.attributes, ATTRIBUTE_NON_ARRIVAL)),
    surplusFor,
    lines:
      outdoc.outdoc_type === 'goods_supply'
        ? (outdoc.goods ?? []).map((g) => ({
            goodId: g.good_id,
            planned: g.plan_qnt,
            useful: g.useful_qnt,
            defective: g.defective_qnt,
          }))
        : [],
  };
}

/**
 * Receipt from a stored raw `GET /outdocs/{id}` body (as kept by lib/sync for crash-safe replays); a
 * shipment outdoc is read as the same fact shape (./shipment.ts).
 */
export function receiptFromRaw(raw: unknown): Receipt {
  const shipment = shipmentFactFromRaw(raw);
  if (shipment) return shipment;
  const parsed = fboxReceiptOutdocSchema.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { common?: { outdoc_id?: unknown } } | null)?.common?.outdoc_id;
    throw new AppError('REMOTE_REJECTED', `outdoc ${String(id)} is not a readable receipt: ${parsed.error.message}`, {
      userMessage: `Документ БетаПРО №${String(id ?? '?')} не удалось прочитать как приёмку.`,
    });
  }
  return toReceipt(parsed.data);
}
