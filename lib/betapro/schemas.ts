/**
 * Shapes of the FBox responses this connector reads, after BetaPRO's spec (reference/specs/
 * betapro-fbox.openapi.yaml). Objects strip unknown keys rather than reject them: BetaPRO adds fields
 * over time and an extra field must never break a receipt. Optional fields also accept `null`, which
 * real servers tend to send where the spec says "absent".
 */
import { z } from 'zod';

/** Optional in the spec; `null` from the wire is read as absent. */
function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

export const fboxErrorSchema = z.object({
  success: z.literal(false),
  error_code: z.number().int(),
  error_message: optional(z.string()),
});
export type FboxError = z.infer<typeof fboxErrorSchema>;

export const fboxOkSchema = z.object({ success: z.literal(true) });

const quotaSchema = z.object({ day: z.number(), minute: z.number() });

export const fboxRateLimitsSchema = z.object({
  concurrent_qnt: z.number().int(),
  req_qnt: quotaSchema,
  req_mb: quotaSchema,
  resp_mb: quotaSchema,
  err_qnt: quotaSchema,
  err_mb: quotaSchema,
  duration_minutes: quotaSchema,
});
export type FboxRateLimits = z.infer<typeof fboxRateLimitsSchema>;

export const FBOX_OPTIONAL_OUTDOC_TYPES = [
  'goods_supply_start',
  'goods_shipment_start',
  'goods_shipment_ready',
  'orders_receiving',
  'orders_deficit',
  'orders_production_start',
  'orders_pallet',
] as const;
export type FboxOptionalOutdocType = (typeof FBOX_OPTIONAL_OUTDOC_TYPES)[number];

export const fboxSettingsSchema = z.object({
  success: z.literal(true),
  outdoc_types: z.record(z.string(), z.boolean()),
  goods_expir_enabled: z.boolean(),
  goods_surplus_enabled: z.boolean(),
  rate_limits: fboxRateLimitsSchema,
});
export type FboxSettings = z.infer<typeof fboxSettingsSchema>;

export const fboxGoodListItemSchema = z.object({
  good_id: z.string(),
  good_type: z.string(),
  good_name: z.string(),
  length: optional(z.number().int()),
  width: optional(z.number().int()),
  height: optional(z.number().int()),
  weight: optional(z.number().int()),
});
export type FboxGoodListItem = z.infer<typeof fboxGoodListItemSchema>;

/** One page of a token-paged list: `items`, and `page_next_token` unless it is the last page. */
export function fboxPageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    success: z.literal(true),
    items: optional(z.array(item)),
    page_next_token: optional(z.string()),
  });
}

export const fboxGoodListSchema = fboxPageSchema(fboxGoodListItemSchema);

export const fboxAttributeSchema = z.object({
  attribute_id: z.number().int(),
  attribute_type: optional(z.string()),
  attribute_name: optional(z.string()),
  // Typed by attribute_type (string, int, datetime, json…); readers interpret the ones they know.
  value: z.unknown(),
});
export type FboxAttribute = z.infer<typeof fboxAttributeSchema>;

export const fboxAttributeListSchema = z.object({
  success: z.literal(true),
  items: optional(z.array(fboxAttributeSchema)),
});

/** `GET /indocs/{id}/json` echoes the document as it was created; only what we compare is typed. */
export const fboxIndocJsonSchema = z.object({
  success: z.literal(true),
  indoc: z
    .object({
      indoc_type: optional(z.string()),
      indoc_id: optional(z.string()),
      indoc_txt: optional(z.string()),
      // An echo of what we sent; coerced in case BetaPRO normalises numbers to strings on the way back.
      items: optional(z.array(z.object({ good_id: z.string(), plan_qnt: z.coerce.number() }))),
    })
    .loose(),
});
export type FboxIndocJson = z.infer<typeof fboxIndocJsonSchema>;

/** The fields every outdoc has, in the list and in the full document. */
const outdocHeaderFields = {
  outdoc_id: z.number().int(),
  outdoc_type: z.string(),
  outdoc_type_descrip: optional(z.string()),
  outdoc_date: z.string(),
  outdoc_txt: optional(z.string()),
  created_at: z.string(),
};

export const fboxOutdocListItemSchema = z.object({
  ...outdocHeaderFields,
  locked: z.boolean(),
  unlock_request: z.boolean(),
  indoc_id: optional(z.string()),
  part_num: optional(z.number().int()),
  origin: optional(z.string()),
});
export type FboxOutdocListItem = z.infer<typeof fboxOutdocListItemSchema>;

export const fboxOutdocListSchema = fboxPageSchema(fboxOutdocListItemSchema);

export const fboxOutdocCommonSchema = z.object({
  ...outdocHeaderFields,
  indoc_id: optional(z.string()),
  attributes: optional(z.array(fboxAttributeSchema)),
});

export const fboxSupplyGoodSchema = z.object({
  good_id: z.string(),
  plan_qnt: z.number().int(),
  useful_qnt: z.number().int(),
  defective_qnt: z.number().int(),
});

/** `GET /outdocs/{id}` for the two receipt types; other types are read only as far as `common`. */
export const fboxGoodsSupplyOutdocSchema = z.object({
  success: z.literal(true),
  outdoc_type: z.literal('goods_supply'),
  common: fboxOutdocCommonSchema,
  part_num: optional(z.number().int()),
  goods: optional(z.array(fboxSupplyGoodSchema)),
});

export const fboxGoodsSupplyStartOutdocSchema = z.object({
  success: z.literal(true),
  outdoc_type: z.literal('goods_supply_start'),
  common: fboxOutdocCommonSchema,
});

export const fboxReceiptOutdocSchema = z.discriminatedUnion('outdoc_type', [fboxGoodsSupplyOutdocSchema, fboxGoodsSupplyStartOutdocSchema]);
export type FboxReceiptOutdoc = z.infer<typeof fboxReceiptOutdocSchema>;

/** Shipment outdocs (spec: goods_shipment_start, goods_shipment_ready, goods_shipment; gplt_out). */
export const fboxShippedBoxSchema = z.object({
  box_id: optional(z.number().int()),
  goods: optional(z.array(z.object({ good_id: z.string(), qnt: z.number().int() }))),
});
export const fboxShippedPalletSchema = z.object({
  plt_id: optional(z.number().int()),
  boxes: optional(z.array(fboxShippedBoxSchema)),
});
export const fboxShipmentOutdocSchema = z.object({
  success: z.literal(true),
  outdoc_type: z.enum(['goods_shipment_start', 'goods_shipment_ready', 'goods_shipment']),
  common: fboxOutdocCommonSchema,
  pallets: optional(z.array(fboxShippedPalletSchema)),
});
export type FboxShipmentOutdoc = z.infer<typeof fboxShipmentOutdocSchema>;

/** `POST /goods/stock` (spec: good_stock_cur_resp). */
export const fboxGoodStockSchema = z.object({
  success: z.literal(true),
  page_next_token: optional(z.string()),
  items: optional(
    z.array(
      z.object({
        good_id: z.string(),
        qual_type: z.enum(['useful', 'defective']),
        stock: z.number(),
        quarantine: optional(z.number()),
        long_storage: optional(z.number()),
        orders_inwork: optional(z.number()),
        orders_wait: optional(z.number()),
        shipment_picking: optional(z.number()),
        shipment_ready: optional(z.number()),
      }),
    ),
  ),
});

export const fboxAnyOutdocSchema = z.object({
  success: z.literal(true),
  outdoc_type: z.string(),
  common: fboxOutdocCommonSchema,
});

export const fboxOutdocGoodsSchema = z.object({
  success: z.literal(true),
  goods: optional(
    z.array(
      z.object({
        good_id: z.string(),
        good_state: z.string(),
        qual_type: z.enum(['useful', 'defective']),
        qnt: z.number().int(),
      }),
    ),
  ),
});

export const fboxOutdocCheckSchema = z.object({
  success: z.literal(true),
  missing_outdoc_ids: optional(z.array(z.number().int())),
});

/** `GET /goods/recognition`: goods the warehouse received under temporary codes (spec, recognition). */
export const fboxRecognitionListSchema = z.object({
  success: z.literal(true),
  items: optional(
    z.array(
      z.object({
        barcode: z.string(),
        descrip: optional(z.string()),
        date: optional(z.string()),
        indocs: optional(
          z.array(
            z.object({
              indoc_id: optional(z.string()),
              qual_type: z.enum(['useful', 'defective']),
              qnt: z.number().int(),
            }),
          ),
        ),
      }),
    ),
  ),
});

/** What we send: `POST /goods` items and `POST /indocs` goods_supply_task (spec: good_set_req, goods_supply_task). */
export interface FboxGood {
  good_id: string;
  good_name: string;
  length?: number;
  width?: number;
  height?: number;
  weight?: number;
  eans?: Array<{ mode: 'add' | 'set'; value: string }>;
}

export interface FboxAttributeInput {
  attribute_id: number;
  value: string | number | boolean | Record<string, unknown>;
}

/** `POST /indocs` goods_shipment_task (spec: goods_shipment_task). */
export interface FboxShipmentTask {
  indoc_type: 'goods_shipment_task';
  indoc_id: string;
  qual_type?: 'useful' | 'defective';
  picking_only?: boolean;
  indoc_txt?: string;
  attributes?: FboxAttributeInput[];
  items: Array<{ good_id: string; plan_qnt: number }>;
}

export interface FboxSupplyTask {
  indoc_type: 'goods_supply_task';
  indoc_id: string;
  indoc_txt?: string;
  attributes?: FboxAttributeInput[];
  items: Array<{ good_id: string; plan_qnt: number }>;
}
