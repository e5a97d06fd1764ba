import { describe, expect, it } from 'vitest';
import type { WarehouseGood } from '@/lib/core/domain';
import { AppError } from '@/lib/core/errors';
import { InMemoryGoodsRegistryStore, registerGoods, goodFingerprint, type BetaproClient } from '@/lib/betapro';

type Upsert = BetaproClient['upsertGoods'];

/** Stands in for the client: records batches and can fail the n-th one. */
function recordingClient(failOnBatch?: number) {
  const batches: string[][] = [];
  const upsertGoods: Upsert = async (goods, options = {}) => {
    const size = options.batchSize ?? 500;
    for (let i = 0; i < goods.length; i += size) {
      const batch = goods.slice(i, i + size);
      if (batches.length === failOnBatch) throw new AppError('REMOTE_UNAVAILABLE', 'down');
      batches.push(batch.map((g) => g.goodId));
      await options.onBatchConfirmed?.(batch);
    }
  };
  return { client: { upsertGoods }, batches };
}

const good = (goodId: string, name = `Товар ${goodId}`): WarehouseGood => ({ goodId, name, barcodes: [] });

describe('registerGoods', () => {
  it('sends new goods, then nothing while they stay unchanged', async () => {
    const store = new InMemoryGoodsRegistryStore();
    const { client, batches } = recordingClient();
    expect(await registerGoods({ client, accountId: 'a', goods: [good('A'), good('B')], store })).toEqual({
      sent: ['A', 'B'],
      unchanged: [],
    });
    expect(await registerGoods({ client, accountId: 'a', goods: [good('A'), good('B')], store })).toEqual({
      sent: [],
      unchanged: ['A', 'B'],
    });
    expect(batches).toEqual([['A', 'B']]);
  });

  it('re-sends only a changed card', async () => {
    const store = new InMemoryGoodsRegistryStore();
    const { client, batches } = recordingClient();
    await registerGoods({ client, accountId: 'a', goods: [good('A'), good('B')], store });
    const result = await registerGoods({ client, accountId: 'a', goods: [good('A', 'Новое имя'), good('B')], store });
    expect(result).toEqual({ sent: ['A'], unchanged: ['B'] });
    expect(batches).toEqual([['A', 'B'], ['A']]);
  });

  it('keeps accounts apart', async () => {
    const store = new InMemoryGoodsRegistryStore();
    const { client } = recordingClient();
    await registerGoods({ client, accountId: 'a', goods: [good('A')], store });
    expect((await registerGoods({ client, accountId: 'b', goods: [good('A')], store })).sent).toEqual(['A']);
  });

  it('sends a good listed twice once', async () => {
    const { client, batches } = recordingClient();
    await registerGoods({
      client,
      accountId: 'a',
      goods: [good('A'), good('A')],
      store: new InMemoryGoodsRegistryStore(),
    });
    expect(batches).toEqual([['A']]);
  });

  it('saves fingerprints only for batches BetaPRO confirmed', async () => {
    const store = new InMemoryGoodsRegistryStore();
    const failing = recordingClient(1);
    const goods = [good('A'), good('B'), good('C')];
    await expect(registerGoods({ client: failing.client, accountId: 'a', goods, store, batchSize: 2 })).rejects.toThrow('down');
    const saved = await store.getFingerprints('a', ['A', 'B', 'C']);
    expect([...saved.keys()]).toEqual(['A', 'B']);
    expect(saved.get('A')).toBe(goodFingerprint(good('A')));

    const { client, batches } = recordingClient();
    expect((await registerGoods({ client, accountId: 'a', goods, store, batchSize: 2 })).sent).toEqual(['C']);
    expect(batches).toEqual([['C']]);
  });
});
