/**
 * «Проверить приёмку» asks BetaPRO for the account's outdocs at once. One account may do that at most
 * once per RECEIPT_CHECK_MIN_INTERVAL_SEC (15 s), across every web process: the last accepted check is stamped on a row of
 * RateBucket (key `widget-check:<account>`) by one atomic statement, so two clicks racing in two
 * processes cannot both pass.
 */
import type { Db } from '@/lib/db';
import { AppError } from '@/lib/core/errors';
import { getConfig } from '@/lib/core/config';

export async function claimReceiptCheck(prisma: Db, accountId: string, now = Date.now()): Promise<void> {
  const intervalMs = getConfig().RECEIPT_CHECK_MIN_INTERVAL_SEC * 1000;
  if (intervalMs === 0) return;
  const key = `widget-check:${accountId}`;
  const rows = await prisma.$queryRawUnsafe<{ key: string }[]>(
    `INSERT INTO "RateBucket" ("key", "windowStart", "count", "pausedUntil") VALUES ($1, $2, 1, 0)
     ON CONFLICT ("key") DO UPDATE SET "windowStart" = EXCLUDED."windowStart", "count" = "RateBucket"."count" + 1
       WHERE "RateBucket"."windowStart" <= $3
     RETURNING "key"`,
    key,
    BigInt(now),
    BigInt(now - intervalMs),
  );
  if (rows.length) return;
  const [last] = await prisma.$queryRawUnsafe<{ windowStart: bigint }[]>(`SELECT "windowStart" FROM "RateBucket" WHERE "key" = $1`, key);
  const waitMs = Math.max(1000, Number(last?.windowStart ?? BigInt(now)) + intervalMs - now);
  throw new AppError('RATE_LIMITED', `receipt check for ${accountId} throttled`, {
    userMessage: `Приёмку только что проверяли. Повторите через ${Math.ceil(waitMs / 1000)} с.`,
    retryAfterMs: waitMs,
    retryable: false,
  });
}
