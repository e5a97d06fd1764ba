/**
 * The product's own vocabulary. lib/moysklad and lib/betapro map their payloads to and from these
 * types; lib/sync works only with them. Quantities are integers (the warehouse counts units).
 */
export type DocumentEntity = 'supply' | 'move' | 'purchasereturn';
export const DOCUMENT_ENTITIES: readonly DocumentEntity[] = ['supply', 'move', 'purchasereturn'];
/** Russian names for messages: «… этой приёмки», «… приёмок». */
export const ENTITY_GENITIVE: Record<DocumentEntity, string> = {
  supply: 'приёмки',
  move: 'перемещения',
  purchasereturn: 'возврата поставщику',
};
export const ENTITY_PLURAL_GENITIVE: Record<DocumentEntity, string> = {
  supply: 'приёмок',
  move: 'перемещений',
  purchasereturn: 'возвратов поставщикам',
};

/**
 * Which way the goods go relative to the BetaPRO warehouse (docs/outbound.md): `inbound` is a receipt
 * task (goods_supply_task), `outbound` a shipment task (goods_shipment_task). Decided from the
 * document's stores by lib/sync/transfer/direction.ts, never from the entity alone.
 */
export type TransferDirection = 'inbound' | 'outbound';

/** Which MoySklad field identifies a product for BetaPRO (its `good_id`). */
export type ProductKey = 'article' | 'code' | 'externalCode';

/** A product as the warehouse must know it (BetaPRO catalogue card). */
export interface WarehouseGood {
  goodId: string;
  /** Name with variant characteristics, so the warehouse can tell sizes/colours apart. */
  name: string;
  /** Barcodes printed on the item (EAN-13, EAN-8, UPC, GTIN, Code128 values as strings). */
  barcodes: string[];
  /** All three dimensions in millimetres, or none. */
  dimensionsMm?: { length: number; width: number; height: number };
  weightG?: number;
}

/** One expected line of a receipt task. */
export interface PlanLine {
  goodId: string;
  quantity: number;
  /** MoySklad assortment the line came from (to rebuild positions after the receipt). */
  assortment: { href: string; type: 'product' | 'variant' };
  name: string;
  /** Price per unit in kopecks, as on the MoySklad position. */
  price: number;
  /** MoySklad position ids that were merged into this line (usually one). */
  positionIds: string[];
}

/** Everything needed to create the BetaPRO receipt task for one MoySklad document. */
export interface TransferPlan {
  accountId: string;
  entity: DocumentEntity;
  documentId: string;
  documentName: string;
  indocId: string;
  /** Short note shown to the warehouse (≤255 chars once mapped). */
  note: string;
  plannedArrival?: Date;
  lines: PlanLine[];
  goods: WarehouseGood[];
  /** Absent on plans made before outbound existed: inbound. */
  direction?: TransferDirection;
}

/** One line of what the warehouse accepted. */
export interface ReceiptLine {
  goodId: string;
  planned: number;
  useful: number;
  defective: number;
}

export type ReceiptKind = 'goods_supply_start' | 'goods_supply' | 'goods_shipment_start' | 'goods_shipment_ready' | 'goods_shipment';

/** The outdoc kinds that report goods counted (received or shipped); the others only report progress. */
export const FACT_KINDS: ReadonlySet<ReceiptKind> = new Set<ReceiptKind>(['goods_supply', 'goods_shipment']);
export const SHIPMENT_KINDS: ReadonlySet<string> = new Set(['goods_shipment_start', 'goods_shipment_ready', 'goods_shipment']);
export const RECEIPT_FLOW_KINDS: ReadonlySet<string> = new Set(['goods_supply_start', 'goods_supply', ...SHIPMENT_KINDS]);

/** Whether an outdoc of this kind counts goods (the projection uses only those). */
export function isFactKind(kind: string): boolean {
  return FACT_KINDS.has(kind as ReceiptKind);
}

/** A BetaPRO outgoing document about a receipt task, in product terms. */
export interface Receipt {
  outdocId: number;
  kind: ReceiptKind;
  indocId: string;
  /** Business date of the stock change (BetaPRO `outdoc_date`). */
  outdocDate: string;
  createdAt: Date;
  /** Sequence number of a partial receipt (attribute 9); undefined on the last part. */
  partNumber?: number;
  /** Attribute 306: the supply is no longer expected (nothing arrived). */
  nonArrival: boolean;
  /** Attribute 624: this document holds surplus found for another task. */
  surplusFor?: string;
  lines: ReceiptLine[];
}
