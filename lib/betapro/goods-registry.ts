/**
 * Registers goods in BetaPRO's catalogue, sending only cards that are new or changed since BetaPRO
 * last confirmed them for the account. Fingerprints are saved per confirmed batch and only then, so a
 * failure half-way re-sends exactly the unconfirmed rest next time.
 */
import type { WarehouseGood } from '@/lib/core/domain';
import type { BetaproClient } from '@/lib/betapro/client';
import { goodFingerprint } from '@/lib/betapro/mappers/goods';

export interface GoodsRegistryStore {
  /** Fingerprints last confirmed by BetaPRO, for those of `goodIds` that have one. */
  getFingerprints(accountId: string, goodIds: string[]): Promise<Map<string, string>>;
  saveFingerprints(accountId: string, entries: Array<{ goodId: string; fingerprint: string }>): Promise<void>;
}

/** For tests and the demo; production uses the Prisma-backed store (RegisteredGood table). */
export class InMemoryGoodsRegistryStore implements GoodsRegistryStore {
  private readonly byAccount = new Map<string, Map<string, string>>();

  async getFingerprints(accountId: string, goodIds: string[]): Promise<Map<string, string>> {
    const known = this.byAccount.get(accountId);
    const found = new Map<string, string>();
    for (const goodId of goodIds) {
      const fingerprint = known?.get(goodId);
      if (fingerprint !== undefined) found.set(goodId, fingerprint);
    }
    return found;
  }

  async saveFingerprints(accountId: string, entries: Array<{ goodId: string; fingerprint: string }>): Promise<void> {
    let known = this.byAccount.get(accountId);
    if (!known) {
      known = new Map();
      this.byAccount.set(accountId, known);
    }
    for (const { goodId, fingerprint } of entries) known.set(goodId, fingerprint);
  }
}

export interface RegisterGoodsResult {
  /** good_ids sent to BetaPRO in this call. */
  sent: string[];
  /** good_ids skipped because BetaPRO already has this exact card. */
  unchanged: string[];
}

export async function registerGoods(args: {
  client: Pick<BetaproClient, 'upsertGoods'>;
  accountId: string;
  goods: WarehouseGood[];
  store: GoodsRegistryStore;
  batchSize?: number;
}): Promise<RegisterGoodsResult> {
  const { client, accountId, store, batchSize } = args;
  // One card per good_id: a document may list the same product on several positions.
  const unique = new Map<string, WarehouseGood>();
  for (const good of args.goods) if (!unique.has(good.goodId)) unique.set(good.goodId, good);

  const fingerprints = new Map([...unique.values()].map((g) => [g.goodId, goodFingerprint(g)]));
  const known = await store.getFingerprints(accountId, [...unique.keys()]);
  const toSend: WarehouseGood[] = [];
  const unchanged: string[] = [];
  for (const good of unique.values()) {
    if (known.get(good.goodId) === fingerprints.get(good.goodId)) unchanged.push(good.goodId);
    else toSend.push(good);
  }

  await client.upsertGoods(toSend, {
    batchSize,
    onBatchConfirmed: (batch) =>
      store.saveFingerprints(
        accountId,
        batch.map((g) => ({ goodId: g.goodId, fingerprint: fingerprints.get(g.goodId)! })),
      ),
  });
  return { sent: toSend.map((g) => g.goodId), unchanged };
}
