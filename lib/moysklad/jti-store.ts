/**
 * The JtiStore shared by every web process: one `SeenJwt` row per accepted MoySklad JWT. The primary
 * key makes "remember once" atomic — of two processes receiving the same token, exactly one inserts;
 * the other gets a unique violation and refuses the replay. Expired rows are purged now and then
 * from the insert path, so no separate job is needed.
 */
import type { PrismaClient } from '@/lib/db';
import type { JtiStore } from '@/lib/moysklad/vendor-jwt';

export interface PrismaJtiStoreOptions {
  /** Purge expired rows at most this often (ms). */
  purgeEveryMs?: number;
  now?: () => Date;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string; cause?: { code?: string } } | undefined;
  // P2002 from Prisma; 23505 is PostgreSQL's own code when an adapter passes it through.
  return e?.code === 'P2002' || e?.cause?.code === '23505' || /unique constraint/i.test(e?.message ?? '');
}

export class PrismaJtiStore implements JtiStore {
  private lastPurge = 0;
  private readonly purgeEveryMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly prisma: PrismaClient,
    options: PrismaJtiStoreOptions = {},
  ) {
    this.purgeEveryMs = options.purgeEveryMs ?? 10 * 60_000;
    this.now = options.now ?? (() => new Date());
  }

  async rememberOnce(jti: string, expiresAt: Date): Promise<boolean> {
    await this.purgeIfDue();
    try {
      await this.prisma.seenJwt.create({ data: { jti, expiresAt } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Deletes rows whose token has expired; returns how many. */
  async purgeExpired(): Promise<number> {
    const { count } = await this.prisma.seenJwt.deleteMany({ where: { expiresAt: { lt: this.now() } } });
    this.lastPurge = this.now().getTime();
    return count;
  }

  private async purgeIfDue(): Promise<void> {
    if (this.now().getTime() - this.lastPurge < this.purgeEveryMs) return;
    // A failed purge must not refuse a valid call: it is housekeeping only.
    await this.purgeExpired().catch(() => undefined);
  }
}
