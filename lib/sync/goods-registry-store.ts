/** Prisma-backed fingerprints of goods last confirmed by BetaPRO (see lib/betapro/goods-registry). */
import type { PrismaClient } from '../db';
import type { GoodsRegistryStore } from '../betapro';

export class PrismaGoodsRegistryStore implements GoodsRegistryStore {
  constructor(private readonly prisma: PrismaClient) {}

  async getFingerprints(accountId: string, goodIds: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < goodIds.length; i += 1000) {
      const rows = await this.prisma.registeredGood.findMany({
        where: { accountId, goodId: { in: goodIds.slice(i, i + 1000) } },
        select: { goodId: true, fingerprint: true },
      });
      for (const row of rows) found.set(row.goodId, row.fingerprint);
    }
    return found;
  }

  async saveFingerprints(accountId: string, entries: Array<{ goodId: string; fingerprint: string }>): Promise<void> {
    if (!entries.length) return;
    // One statement per batch: an upsert per good would cost a round trip each on large documents.
    for (let i = 0; i < entries.length; i += 500) {
      const batch = entries.slice(i, i + 500);
      const values = batch.map((_, j) => `($1, $${j * 2 + 2}, $${j * 2 + 3}, now())`).join(', ');
      await this.prisma.$executeRawUnsafe(
        `INSERT INTO "RegisteredGood" ("accountId", "goodId", "fingerprint", "updatedAt") VALUES ${values}
         ON CONFLICT ("accountId", "goodId") DO UPDATE SET "fingerprint" = EXCLUDED."fingerprint", "updatedAt" = now()`,
        accountId,
        ...batch.flatMap((e) => [e.goodId, e.fingerprint]),
      );
    }
  }
}
