/**
 * Prisma-backed fingerprints of goods last confirmed by BetaPRO (see lib/betapro/goods-registry), kept
 * per account and per BetaPRO catalogue: a good registered with one partner is unknown to another, so
 * switching the account to a new partner (or a new BetaPRO address) registers every good again.
 */
import type { PrismaClient } from '@/lib/db';
import type { GoodsRegistryStore } from '@/lib/betapro';

/** The BetaPRO catalogue an account's goods are registered in. */
export function betaproPartnerKey(settings: { betaproPartnerId: string | null; betaproBaseUrl: string | null }): string {
  return `${settings.betaproPartnerId ?? ''}@${settings.betaproBaseUrl ?? ''}`;
}

export class PrismaGoodsRegistryStore implements GoodsRegistryStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly partnerKey: string,
  ) {}

  async getFingerprints(accountId: string, goodIds: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < goodIds.length; i += 1000) {
      const rows = await this.prisma.registeredGood.findMany({
        where: { accountId, partnerKey: this.partnerKey, goodId: { in: goodIds.slice(i, i + 1000) } },
        select: { goodId: true, fingerprint: true },
      });
      for (const row of rows) found.set(row.goodId, row.fingerprint);
    }
    return found;
  }

  /** Every good registered for the account in this catalogue (the stock reconciliation asks BetaPRO about them). */
  async listGoodIds(accountId: string): Promise<string[]> {
    const rows = await this.prisma.registeredGood.findMany({ where: { accountId, partnerKey: this.partnerKey }, select: { goodId: true } });
    return rows.map((row) => row.goodId);
  }

  async saveFingerprints(accountId: string, entries: Array<{ goodId: string; fingerprint: string }>): Promise<void> {
    if (!entries.length) return;
    // One statement per batch: an upsert per good would cost a round trip each on large documents.
    for (let i = 0; i < entries.length; i += 500) {
      const batch = entries.slice(i, i + 500);
      const values = batch.map((_, j) => `($1, $2, $${j * 2 + 3}, $${j * 2 + 4}, now())`).join(', ');
      await this.prisma.$executeRawUnsafe(
        `INSERT INTO "RegisteredGood" ("accountId", "partnerKey", "goodId", "fingerprint", "updatedAt") VALUES ${values}
         ON CONFLICT ("accountId", "partnerKey", "goodId") DO UPDATE SET "fingerprint" = EXCLUDED."fingerprint", "updatedAt" = now()`,
        accountId,
        this.partnerKey,
        ...batch.flatMap((e) => [e.goodId, e.fingerprint]),
      );
    }
  }
}
