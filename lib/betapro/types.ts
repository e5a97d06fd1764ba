/**
 * What the connector hands to the rest of the product. These are our own names for BetaPRO facts, so
 * lib/sync and the settings page never depend on FBox field spellings.
 */
import type { Receipt, ReceiptKind } from '@/lib/core/domain';

export type BetaproQuotaKind =
  'requests' | 'requestMegabytes' | 'responseMegabytes' | 'failedRequests' | 'failedRequestMegabytes' | 'processingMinutes';

export interface BetaproQuota {
  kind: BetaproQuotaKind;
  /** Russian label for the settings page ("Запросов", …). */
  label: string;
  perDay: number;
  perMinute: number;
}

export interface BetaproRateLimits {
  /** BetaPRO asks for single-threaded use; this is the hard ceiling it enforces. */
  concurrentRequests: number;
  quotas: BetaproQuota[];
}

/** Optional outgoing document types the account can switch on (POST /settings `outdoc_types`). */
export type BetaproOptionalOutdocType =
  | 'goods_supply_start'
  | 'goods_shipment_start'
  | 'goods_shipment_ready'
  | 'orders_receiving'
  | 'orders_deficit'
  | 'orders_production_start'
  | 'orders_pallet';

export interface BetaproAccountSettings {
  optionalOutdocTypes: Partial<Record<BetaproOptionalOutdocType, boolean>>;
  /** Whether BetaPRO reports "receiving started" (goods_supply_start) for receipt tasks. */
  receivingStartReported: boolean;
  expiryTrackingEnabled: boolean;
  /** Account default for accepting surplus inside the receipt document (attribute 350). */
  surplusAcceptedInDocument: boolean;
  rateLimits: BetaproRateLimits;
}

export interface CatalogueGood {
  goodId: string;
  goodType: string;
  name: string;
  dimensionsMm?: { length: number; width: number; height: number };
  weightG?: number;
}

export interface DocumentAttribute {
  attributeId: number;
  name?: string;
  type?: string;
  value: unknown;
}

export interface AttributeInput {
  attributeId: number;
  value: string | number | boolean | Record<string, unknown>;
}

/** A receipt task as BetaPRO stored it (GET /indocs/{id}/json), reduced to what we compare. */
export interface StoredTask {
  indocId: string;
  indocType?: string;
  note?: string;
  /** good_id → planned quantity, summed over repeated lines. */
  items: Map<string, number>;
  raw: Record<string, unknown>;
}

export type OutdocType = ReceiptKind | (string & {});

export interface OutdocSummary {
  outdocId: number;
  type: OutdocType;
  typeDescription?: string;
  indocId?: string;
  /** Business date of the work (YYYY-MM-DD, Moscow). */
  outdocDate: string;
  createdAt: Date;
  locked: boolean;
  unlockRequest: boolean;
  partNumber?: number;
  note?: string;
}

export interface OutdocFilter {
  type?: OutdocType;
  locked?: boolean;
  unlockRequest?: boolean;
  indocId?: string;
  /** created_at window: from inclusive, to exclusive. */
  createdFrom?: Date;
  createdTo?: Date;
  pageSize?: number;
}

export interface OutdocDetails {
  outdocId: number;
  type: OutdocType;
  indocId?: string;
  /** The response as BetaPRO sent it, for storing and re-projecting later (see `receiptFromRaw`). */
  raw: unknown;
  /** Set for goods_supply / goods_supply_start. */
  receipt?: Receipt;
}

export interface StockMovement {
  goodId: string;
  goodState: string;
  quality: 'useful' | 'defective';
  /** Signed change of stock. */
  quantity: number;
}

export interface OutdocLockChange {
  outdocId: number;
  lock: boolean;
}

export interface SupplyTaskResult {
  indocId: string;
  /** True when this call created the task. */
  created: boolean;
  /** True when BetaPRO already had an identical task (a retry after a lost response). */
  alreadyExisted: boolean;
}

/** A good the warehouse could not identify (`GET /goods/recognition`), with where it was found. */
export interface UnrecognizedGood {
  barcode: string;
  description: string;
  /** Moscow date-time since which it waits, as BetaPRO wrote it. */
  since?: string;
  tasks: Array<{ indocId: string; useful: number; defective: number }>;
}
