/** De-duplication of inbound deliveries (webhook requestId, scenario X_Lognex_RequestId). */
import type { PrismaClient } from '../db';

/** True the first time (source, key) is seen; false for a re-delivery. Atomic across processes. */
export async function rememberInbound(prisma: PrismaClient, source: string, key: string, accountId?: string): Promise<boolean> {
  const rows = await prisma.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO "InboundEvent" ("source", "key", "accountId") VALUES ($1, $2, $3)
     ON CONFLICT ("source", "key") DO NOTHING RETURNING "id"`,
    source, key.slice(0, 200), accountId ?? null,
  );
  return rows.length === 1;
}
