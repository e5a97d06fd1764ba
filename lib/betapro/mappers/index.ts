export { toFboxGood, goodFingerprint, warehouseGoodName, shortenText, FBOX_TEXT_LIMIT } from './goods';
export { buildIndocId, parseIndocId, type IndocIdParts } from './indoc-id';
export { toShipmentTask } from './shipment-task';
export { toShipmentFact, shipmentFactFromRaw } from './shipment';
export { toSupplyTask, plannedQuantities, ATTRIBUTE_PLANNED_ARRIVAL } from './supply-task';
export {
  toReceipt,
  receiptFromRaw,
  ATTRIBUTE_PARTIAL_RECEIPT_NUMBER,
  ATTRIBUTE_NON_ARRIVAL,
  ATTRIBUTE_SURPLUS_FOR_TASK,
} from './receipt';
export { toAccountSettings } from './settings';
