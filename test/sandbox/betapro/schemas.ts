/**
 * Request bodies, following BetaPRO's OpenAPI schemas (types, required fields, enums, maxLength). A body
 * that breaks them is answered 400 ("что-то не так в содержании запроса"); rules the schema cannot
 * express (unknown goods, plan_qnt <= 0, EAN conflicts) are business errors 1000 in the handlers.
 * Objects are loose because BetaPRO's schemas do not forbid extra properties (and attributes may be
 * passed by json_name at the top level).
 */
import { z } from 'zod';
import { badRequest } from './errors';
import { GOOD_TYPES, INDOC_TYPES, OPTIONAL_OUTDOC_TYPES } from './model';
import { parseFboxDate } from './time';

export const OUTDOC_TYPES_EN = [
  'goods_supply_start',
  'goods_supply',
  'goods_shipment_start',
  'goods_shipment_ready',
  'goods_shipment',
  'goods_correction',
  'goods_to_long_storage',
  'goods_from_long_storage',
  'orders_receiving',
  'orders_deficit',
  'orders_production_start',
  'orders_cancel',
  'orders_pallet',
  'orders_shipment',
  'orders_shipment_refusal',
  'orders_full_return',
  'orders_part_return',
  'orders_client_return',
  'orders_payment',
  'orders_payment_transfer',
  'exorders_supply',
] as const;

const int32 = z.number().int().min(-2147483648).max(2147483647);
const id255 = z.string().min(1).max(255);
const fboxDate = z.string().refine((s) => parseFboxDate(s) !== undefined, {
  message: 'ожидается дата YYYY-MM-DD, YYYY-MM-DDThh:mm:ss, YYYY-MM-DDThh:mm:ssZ или YYYY-MM-DDThh:mm:ss(+|-)hh:mm',
});
const paging = {
  page_size: int32.min(1).optional(),
  page_token: z.string().optional(),
};

export const attrValue = z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown())]);
const attrInput = z.looseObject({ attribute_id: int32, value: attrValue });

export const goodInput = z.looseObject({
  good_id: id255,
  good_type: z.enum(GOOD_TYPES).optional(),
  good_name: id255,
  length: int32.optional(),
  width: int32.optional(),
  height: int32.optional(),
  weight: int32.optional(),
  eans: z.array(z.looseObject({ mode: z.enum(['add', 'set']).optional(), value: z.string().min(1) })).optional(),
  attributes: z.array(attrInput).optional(),
});
export type GoodInput = z.infer<typeof goodInput>;

export const goodSetReq = z.looseObject({ goods: z.array(goodInput) });

export const goodListReq = z.looseObject({
  ...paging,
  good_type: z.enum(GOOD_TYPES).optional(),
  good_ids: z.array(z.string()).optional(),
});

const eanLink = z.looseObject({ good_id: id255, ean: z.string().min(1) });
export const goodEanSetReq = z.looseObject({
  delete: z.array(z.string()).optional(),
  add: z.array(eanLink).optional(),
  set: z.array(eanLink).optional(),
});
export const goodEanListReq = z.looseObject({
  ...paging,
  good_ids: z.array(z.string()).optional(),
  eans: z.array(z.string()).optional(),
});

export const indocTypeOnly = z.looseObject({ indoc_type: z.enum(INDOC_TYPES), indoc_id: id255 });

export const goodsSupplyTask = z.looseObject({
  indoc_type: z.literal('goods_supply_task'),
  indoc_id: id255,
  indoc_txt: z.string().max(255).optional(),
  attributes: z.array(attrInput).optional(),
  goods: z.array(goodInput).optional(),
  items: z.array(
    z.looseObject({
      good_id: id255,
      plan_qnt: int32,
      sn_mandant: z.boolean().optional(),
      label_json: z.record(z.string(), z.unknown()).optional(),
      local_barcodes: z.array(z.string()).optional(),
    }),
  ),
});
/** Spec: goods_shipment_task (POST /indocs). */
export const goodsShipmentTask = z.looseObject({
  indoc_type: z.literal('goods_shipment_task'),
  indoc_id: id255,
  qual_type: z.enum(['useful', 'defective']).optional(),
  picking_only: z.boolean().optional(),
  indoc_txt: z.string().max(255).optional(),
  attributes: z.array(attrInput).optional(),
  items: z.array(z.looseObject({ good_id: id255, plan_qnt: int32, sn_mandant: z.boolean().optional() })),
});
export const goodStockReq = z.looseObject({ ...paging, good_ids: z.array(z.string()) });
export const controlShip = z.object({
  /** Omitted: everything planned, as far as the stock goes. */
  items: z.array(z.object({ good_id: z.string().min(1), qnt: z.number().int().min(0) })).optional(),
});
export const controlStock = z.object({
  items: z.array(z.object({ good_id: z.string().min(1), qnt: z.number().int() })),
});

export type GoodsSupplyTaskInput = z.infer<typeof goodsSupplyTask>;

export const indocListReq = z.looseObject({
  ...paging,
  from_date: fboxDate.optional(),
  to_date: fboxDate.optional(),
  indoc_type: z.enum(INDOC_TYPES).optional(),
});

export const indocAttrSetReq = z.looseObject({ attributes: z.array(attrInput) });

export const outdocListReq = z.looseObject({
  ...paging,
  from_date: fboxDate.optional(),
  to_date: fboxDate.optional(),
  outdoc_type: z.enum(OUTDOC_TYPES_EN).optional(),
  locked: z.boolean().optional(),
  unlock_request: z.boolean().optional(),
  indoc_id: z.string().optional(),
});

export const outdocLockReq = z.looseObject({
  outdocs: z.array(z.looseObject({ outdoc_id: int32, lock: z.boolean() })),
});

export const goodRecognitionSetReq = z.looseObject({
  goods: z.array(z.looseObject({ good_id: id255, barcode: z.string() })),
});

export const outdocCheckReq = z.looseObject({ outdoc_ids: z.array(int32) });

const outdocTypesPatch = z.looseObject(
  Object.fromEntries(OPTIONAL_OUTDOC_TYPES.map((t) => [t, z.boolean().optional()])) as Record<
    (typeof OPTIONAL_OUTDOC_TYPES)[number],
    z.ZodOptional<z.ZodBoolean>
  >,
);
export const settingsSetReq = z.looseObject({ outdoc_types: outdocTypesPatch.optional() });

// ---- control API (not BetaPRO) ----

export const controlPartner = z.object({
  partnerId: z.string().min(1),
  password: z.string().min(1),
});

export const receiptItem = z.object({
  good_id: z.string().min(1),
  useful_qnt: z.number().int().min(0).default(0),
  defective_qnt: z.number().int().min(0).default(0),
  expiry_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
export const unknownItem = z.object({
  barcode: z.string().min(1).max(255),
  descrip: z.string().max(500).optional(),
  useful_qnt: z.number().int().min(0).default(0),
  defective_qnt: z.number().int().min(0).default(0),
});
export const controlReceive = z.object({
  items: z.array(receiptItem).optional(),
  final: z.boolean().optional(),
  /** Goods under barcodes the warehouse cannot match (recognition queue). */
  unknown: z.array(unknownItem).optional(),
});
export const controlSurplus = z.object({ items: z.array(receiptItem).min(1) });

export const FAULT_MODES = ['none', 'error500', 'timeout', 'rate429', 'acceptThenDrop'] as const;
export const controlFaults = z.object({
  mode: z.enum(FAULT_MODES),
  /** Probability that a matching request is hit (default 1). */
  rate: z.number().min(0).max(1).default(1),
  /** Hit only this many requests, then switch back to `none`. */
  count: z.number().int().min(1).optional(),
  /** Only these operations, e.g. "POST /outdocs/lock". */
  operations: z.array(z.string()).optional(),
  partnerId: z.string().optional(),
});
export type FaultSpec = z.infer<typeof controlFaults>;

const band = z.object({ day: z.number().positive().optional(), minute: z.number().positive().optional() });
export const controlConfig = z.object({
  partnerId: z.string().optional(),
  business_error_http_status: z.number().int().min(200).max(599).optional(),
  response_delay_ms: z.number().int().min(0).optional(),
  timeout_hold_ms: z.number().int().min(0).optional(),
  goods_surplus_enabled: z.boolean().optional(),
  goods_expir_enabled: z.boolean().optional(),
  outdoc_types: z.object(Object.fromEntries(OPTIONAL_OUTDOC_TYPES.map((t) => [t, z.boolean().optional()]))).optional(),
  rate_limits: z
    .object({
      concurrent_qnt: z.number().int().min(1).optional(),
      req_qnt: band.optional(),
      req_mb: band.optional(),
      resp_mb: band.optional(),
      err_qnt: band.optional(),
      err_mb: band.optional(),
      duration_minutes: band.optional(),
    })
    .optional(),
});
export type ControlConfig = z.infer<typeof controlConfig>;

export const controlReset = z.object({ keepPartners: z.boolean().default(true) });

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ');
}

/** Parses an FBox request body; a mismatch is a 400 with the field paths in the message. */
export function parseFbox<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest(`Ошибка в содержании запроса: ${describe(result.error)}`);
  return result.data;
}

export function zodMessage(error: z.ZodError): string {
  return describe(error);
}
