/**
 * Problem codes the browser needs as values, in a module that imports nothing: lib/core/views.ts (the
 * API's zod schemas) re-exports them, and the widget imports them from here so that its bundle does not
 * carry zod and every view schema (docs/architecture.md «The widget's bundle»).
 */
/**
 * The transfer check's codes (pre-flight): what a user fixes in the document or the settings. An error
 * made only of these is gone once pre-flight passes (lib/ui/widget/rules.ts).
 */
export const TRANSFER_CHECK_PROBLEM_CODES = [
  // positions (lib/moysklad/mappers/to-transfer-lines.ts)
  'NO_POSITIONS',
  'ASSORTMENT_UNREADABLE',
  'NOT_STORABLE',
  'MISSING_KEY',
  'NON_INTEGER_QUANTITY',
  'NON_POSITIVE_QUANTITY',
  'DUPLICATE_KEY',
  // configuration and header (lib/sync/transfer/direction.ts)
  'not_configured',
  'entity_disabled',
  'no_store',
  'store_not_mapped',
  'same_warehouse',
] as const;
