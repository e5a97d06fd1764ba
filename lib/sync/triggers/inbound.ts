/** De-duplication of inbound deliveries (webhook requestId, scenario X_Lognex_RequestId). */
import type { Db } from '@/lib/db';

/** True the first time (source, key) is seen; false for a re-delivery. Atomic across processes. */
export async function rememberInbound(prisma: Db, source: string, key: string, accountId?: string): Promise<boolean> {
  const rows = await prisma.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO "InboundEvent" ("source", "key", "accountId") VALUES ($1, $2, $3)
     ON CONFLICT ("source", "key") DO NOTHING RETURNING "id"`,
    source,
    key.slice(0, 200),
    accountId ?? null,
  );
  return rows.length === 1;
}

export async function inboundSeen(prisma: Db, source: string, key: string): Promise<boolean> {
  const rows = await prisma.$queryRawUnsafe<{ id: bigint }[]>(
    `SELECT "id" FROM "InboundEvent" WHERE "source" = $1 AND "key" = $2`,
    source,
    key.slice(0, 200),
  );
  return rows.length > 0;
}
