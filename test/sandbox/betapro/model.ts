/**
 * The simulator's state model. Plain JSON-friendly objects (no Maps, no classes) so that the whole
 * state can be snapshotted for atomic requests and written to a state file as it is.
 */

export const OPTIONAL_OUTDOC_TYPES = [
  'goods_supply_start',
  'goods_shipment_start',
  'goods_shipment_ready',
  'orders_receiving',
  'orders_deficit',
  'orders_production_start',
  'orders_pallet',
] as const;
export type OptionalOutdocType = (typeof OPTIONAL_OUTDOC_TYPES)[number];

export const GOOD_TYPES = ['good', 'flyer', 'service', 'advertising', 'pack'] as const;
export type GoodType = (typeof GOOD_TYPES)[number];

export const INDOC_TYPES = ['goods_supply_task', 'goods_shipment_task', 'orders_shipment_task', 'goods_from_long_storage_task'] as const;
export type IndocType = (typeof INDOC_TYPES)[number];

export const INDOC_TYPE_DESCRIP: Record<IndocType, string> = {
  goods_supply_task: 'Задание на оприходование товаров',
  goods_shipment_task: 'Задание на отгрузку товаров',
  orders_shipment_task: 'Задание на отгрузку заказов',
  goods_from_long_storage_task: 'Задание на возврат товаров со склада длительного хранения',
};

/** The simulator issues the outdoc types of the supply and the goods shipment processes. */
export type OutdocType = 'goods_supply_start' | 'goods_supply' | 'goods_shipment_start' | 'goods_shipment_ready' | 'goods_shipment';
export const OUTDOC_TYPE_DESCRIP: Record<OutdocType, string> = {
  goods_supply_start: 'Начата приемка товаров по заданию на оприходование',
  goods_supply: 'Товары оприходованы',
  goods_shipment_start: 'Начат подбор товаров по заданию на отгрузку',
  goods_shipment_ready: 'Подобран товар для отгрузки',
  goods_shipment: 'Товары отгружены',
};

/** One box of a shipment (spec gplt_out, reduced to what the simulator fills). */
export interface ShippedBox {
  box_id: number;
  box_upper_bar: string;
  box_lower_bar: string;
  goods: { good_id: string; qnt: number }[];
}

export interface QuotaBand {
  day: number;
  minute: number;
}
export interface RateLimits {
  concurrent_qnt: number;
  req_qnt: QuotaBand;
  req_mb: QuotaBand;
  resp_mb: QuotaBand;
  err_qnt: QuotaBand;
  err_mb: QuotaBand;
  duration_minutes: QuotaBand;
}
export const QUOTA_NAMES = ['req_qnt', 'req_mb', 'resp_mb', 'err_qnt', 'err_mb', 'duration_minutes'] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

/** Wording of each limit as BetaPRO's 429 message names it ("Превышен лимит err_qnt на ..."). */
export const QUOTA_TEXT: Record<QuotaName | 'concurrent_qnt', string> = {
  concurrent_qnt: 'на количество одновременных запросов',
  req_qnt: 'на суммарное количество запросов',
  req_mb: 'на суммарный размер тела запросов',
  resp_mb: 'на суммарный размер тела ответов',
  err_qnt: 'на суммарное количество ошибочных запросов (status code 4XX)',
  err_mb: 'на суммарный размер тела ошибочных запросов (status code 4XX)',
  duration_minutes: 'на суммарное время обработки запросов',
};

/** Real numbers are not published; these are generous so that a well-behaved client never meets them. */
export function defaultRateLimits(): RateLimits {
  return {
    concurrent_qnt: 1,
    req_qnt: { day: 100_000, minute: 600 },
    req_mb: { day: 2_000, minute: 50 },
    resp_mb: { day: 5_000, minute: 100 },
    err_qnt: { day: 10_000, minute: 300 },
    err_mb: { day: 200, minute: 10 },
    duration_minutes: { day: 600, minute: 10 },
  };
}

export interface PartnerSettings {
  outdoc_types: Record<OptionalOutdocType, boolean>;
  goods_expir_enabled: boolean;
  goods_surplus_enabled: boolean;
  rate_limits: RateLimits;
}

export function defaultSettings(): PartnerSettings {
  return {
    // Optional outdocs are off until the customer asks for them (spec, "Опциональные документы").
    outdoc_types: Object.fromEntries(OPTIONAL_OUTDOC_TYPES.map((t) => [t, false])) as Record<OptionalOutdocType, boolean>,
    goods_expir_enabled: false,
    goods_surplus_enabled: true,
    rate_limits: defaultRateLimits(),
  };
}

export type AttrValue = string | number | boolean | Record<string, unknown>;
export type AttrType = 'string' | 'boolean' | 'int' | 'float' | 'date' | 'datetime' | 'json';

export interface AttrDef {
  name: string;
  type: AttrType;
  readOnly: boolean;
  jsonName?: string;
}

/** Attributes of the supply document (spec, "Атрибуты документа поставки товаров"). */
export const SUPPLY_ATTRS: Record<number, AttrDef> = {
  9: { name: 'Порядковый номер частичной приемки', type: 'int', readOnly: true },
  56: { name: '№ счет фактуры', type: 'string', readOnly: false, jsonName: 'sf_num' },
  57: { name: 'Дата счет фактуры', type: 'date', readOnly: false, jsonName: 'sf_date' },
  58: { name: '№ торг 12', type: 'string', readOnly: false, jsonName: 'tr12_num' },
  59: { name: 'Дата торг 12', type: 'date', readOnly: false, jsonName: 'tr12_date' },
  76: { name: 'Грузоотправитель', type: 'string', readOnly: false, jsonName: 'gruzotpr' },
  128: { name: 'Аккаунт с которого перемещается товар', type: 'int', readOnly: false, jsonName: 'source_partner' },
  135: {
    name: 'Качество товара которое требуется при перемещении с другого аккаунта',
    type: 'string',
    readOnly: false,
    jsonName: 'source_qual_type',
  },
  143: { name: 'Аккаунт с которого перемещены товары', type: 'int', readOnly: true },
  180: { name: 'Дата прибытия поставки', type: 'datetime', readOnly: true },
  181: { name: 'Дата начала приемки', type: 'datetime', readOnly: true },
  305: { name: 'Пул серийных номеров для маркировки поставки', type: 'int', readOnly: false, jsonName: 'sn_pool' },
  306: { name: 'Истек срок ожидания поставки', type: 'boolean', readOnly: true },
  350: { name: 'Возможность принимать излишки товаров', type: 'boolean', readOnly: false, jsonName: 'surplus_enabled' },
  519: { name: 'Проверка качества принимаемых товаров', type: 'boolean', readOnly: false, jsonName: 'qual_check' },
  526: { name: 'Планируемая дата поставки', type: 'datetime', readOnly: false, jsonName: 'shipment_date' },
  541: { name: 'Требуется фото товаров по документу', type: 'int', readOnly: false },
  582: { name: 'Приемка поставки валом', type: 'boolean', readOnly: true },
  624: { name: 'Задание на оприходование по которому были обнаружены излишки', type: 'string', readOnly: true },
  632: { name: 'BestMarket номер счета', type: 'string', readOnly: false, jsonName: 'bm_invoice' },
  646: { name: 'Дополнительная информация по документу', type: 'string', readOnly: false, jsonName: 'additional_info' },
  657: { name: 'Информация для координации систем заказчика', type: 'string', readOnly: false },
};

export interface Good {
  good_id: string;
  good_type: GoodType;
  good_name: string;
  length?: number;
  width?: number;
  height?: number;
  weight?: number;
  attributes: Record<string, AttrValue>;
  created_at: string;
}

export interface EanLink {
  good_id: string;
  created_at: string;
}

export interface PlanLine {
  good_id: string;
  plan_qnt: number;
}

/** created → arrived → (receiving) → completed | expired. Only `created` may be deleted. */
export type IndocState = 'created' | 'arrived' | 'receiving' | 'completed' | 'expired';

export interface Indoc {
  indoc_id: string;
  indoc_type: IndocType;
  indoc_txt?: string;
  created_at: string;
  created_ms: number;
  seq: number;
  /** The request body exactly as the customer sent it (GET /indocs/{id}/json returns it). */
  json: Record<string, unknown>;
  attributes: Record<string, AttrValue>;
  items: PlanLine[];
  state: IndocState;
  /** Partial goods_supply docs issued so far (the next one gets attribute 9 = parts + 1). */
  parts: number;
  /** A receipt waiting for the customer to identify unknown goods (`POST /goods/recognition`). */
  held?: HeldReceipt;
}

export interface OutdocLine {
  good_id: string;
  plan_qnt: number;
  useful_qnt: number;
  defective_qnt: number;
}
export interface ExpiryLine {
  good_id: string;
  qual_type: 'useful' | 'defective';
  expiry_date: string;
  qnt: number;
}

export interface ReceiptItem {
  good_id: string;
  useful_qnt: number;
  defective_qnt: number;
  expiry_date?: string;
}

/** Goods the warehouse found under a barcode it cannot match: received under a temporary code. */
export interface UnknownItem {
  barcode: string;
  descrip?: string;
  useful_qnt: number;
  defective_qnt: number;
}

/**
 * One entry of the recognition queue (`GET /goods/recognition`), keyed by barcode. Identified entries
 * stay in the state (for the console and tests) with the good they were matched to.
 */
export interface RecognitionItem {
  barcode: string;
  descrip: string;
  length: number;
  width: number;
  height: number;
  weight: number;
  date: string;
  indocs: { indoc_id: string; qual_type: 'useful' | 'defective'; qnt: number }[];
  good_id?: string;
  identified_at?: string;
}

/** A receipt counted with unknown goods: BetaPRO cannot complete it until every barcode is identified. */
export interface HeldReceipt {
  items?: ReceiptItem[];
  final: boolean;
  barcodes: string[];
}

export interface Outdoc {
  outdoc_id: number;
  outdoc_type: OutdocType;
  outdoc_date: string;
  created_at: string;
  created_ms: number;
  indoc_id?: string;
  attributes: { attribute_id: number; value: AttrValue }[];
  part_num?: number;
  goods?: OutdocLine[];
  goods_expiry?: ExpiryLine[];
  locked: boolean;
  unlock_request: boolean;
  /** Deleted outdocs stay in the state (for the console and tests) but are invisible to the API. */
  deleted?: boolean;
  deleted_at?: string;
  replaced_by?: number;
  replaces?: number;
  /** Indoc the doc belongs to for the simulator's bookkeeping (also set on 624 surplus docs). */
  task_id?: string;
  /** Correction waiting for the customer to unlock this doc. */
  pending_correction?: ReceiptItem[];
  /** Shipment outdocs: what was picked or shipped, as one pallet of boxes. */
  pallets?: { plt_id: number; boxes: ShippedBox[] }[];
}

export interface PartnerData {
  partnerId: string;
  password: string;
  settings: PartnerSettings;
  goods: Record<string, Good>;
  eans: Record<string, EanLink>;
  indocs: Record<string, Indoc>;
  outdocs: Record<string, Outdoc>;
  /** Recognition queue by barcode; absent in state files of older simulators. */
  recognition?: Record<string, RecognitionItem>;
  /** Stock put on the warehouse by the control API (an inventory), on top of what outdocs moved. */
  stock_base?: Record<string, number>;
}

export interface SimConfig {
  /** HTTP status of business errors (>= 1000). BetaPRO's own portal sees 200; some setups may use 400. */
  business_error_http_status: number;
  /** Added before every API request is handled: emulates network/processing latency. */
  response_delay_ms: number;
  /** How long the `timeout` fault keeps a connection open before destroying it. */
  timeout_hold_ms: number;
  /** Settings given to partners created from now on. */
  defaults: PartnerSettings;
}

export function defaultConfig(): SimConfig {
  return {
    business_error_http_status: 200,
    response_delay_ms: 0,
    timeout_hold_ms: 30_000,
    defaults: defaultSettings(),
  };
}

export interface SimData {
  version: 1;
  nextOutdocId: number;
  seq: number;
  config: SimConfig;
  partners: Record<string, PartnerData>;
}

export function emptyData(): SimData {
  return { version: 1, nextOutdocId: 700_001, seq: 0, config: defaultConfig(), partners: {} };
}
