/**
 * BetaPRO FBox connector: the only way the product talks to BetaPRO. FBox payload types (`Fbox…`)
 * stay inside this folder; callers see product types (lib/core/domain) and the ones in ./types.
 */
export {
  createBetaproClient,
  collectPages,
  isTaskContentsConflict,
  TASK_CONTENTS_DIFFER,
  DEFAULT_GOODS_BATCH_SIZE,
  type BetaproClient,
  type BetaproClientOptions,
  type UpsertGoodsOptions,
} from '@/lib/betapro/client';
export { isDuplicateIndocError, REMOTE_AUTH_MESSAGE, BETAPRO_DUPLICATE_INDOC, BETAPRO_UNCLASSIFIED_ERROR } from '@/lib/betapro/errors';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from '@/lib/betapro/retry';
export { registerGoods, InMemoryGoodsRegistryStore, type GoodsRegistryStore, type RegisterGoodsResult } from '@/lib/betapro/goods-registry';
export { buildIndocId, parseIndocId, goodFingerprint, receiptFromRaw, warehouseGoodName, type IndocIdParts } from '@/lib/betapro/mappers';
export type * from '@/lib/betapro/types';
