export { toFboxGood, goodFingerprint, warehouseGoodName, shortenText, FBOX_TEXT_LIMIT } from '@/lib/betapro/mappers/goods';
export { buildIndocId, parseIndocId, type IndocIdParts } from '@/lib/betapro/mappers/indoc-id';
export { toShipmentTask } from '@/lib/betapro/mappers/shipment-task';
export { toShipmentFact, shipmentFactFromRaw } from '@/lib/betapro/mappers/shipment';
export { toSupplyTask, plannedQuantities, ATTRIBUTE_PLANNED_ARRIVAL } from '@/lib/betapro/mappers/supply-task';
export {
  toReceipt,
  receiptFromRaw,
  ATTRIBUTE_PARTIAL_RECEIPT_NUMBER,
  ATTRIBUTE_NON_ARRIVAL,
  ATTRIBUTE_SURPLUS_FOR_TASK,
} from '@/lib/betapro/mappers/receipt';
export { toAccountSettings } from '@/lib/betapro/mappers/settings';
