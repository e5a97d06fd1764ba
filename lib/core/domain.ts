/**
 * The product's own vocabulary. lib/moysklad and lib/betapro map their payloads to and from these
 * types; lib/sync works only with them. Quantities are integers (the warehouse counts units).
 */
export type DocumentEntity = 'supply' | 'move';
export const DOCUMENT_ENTITIES: readonly DocumentEntity[] = ['supply', 'move'];

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
}

/** One line of what the warehouse accepted. */
export interface ReceiptLine {
  goodId: string;
  planned: number;
  useful: number;
  defective: number;
}

export type ReceiptKind = 'goods_supply_start' | 'goods_supply';

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
