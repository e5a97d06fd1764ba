/**
 * Re-seals every secret at rest (MoySklad tokens, BetaPRO passwords, webhook secrets) with the current
 * APP_ENCRYPTION_KEY. Each value is opened with whichever configured key sealed it and written back only
 * if the row still holds the value that was read, so a token replaced meanwhile is never overwritten.
 */
import type { PrismaClient } from '@/lib/db';
import { decryptSecret, encryptSecret, needsReseal, type Keyring } from '@/lib/core/crypto';

export interface RotationReport {
  resealed: number;
  current: number;
}

async function resealColumn(
  rows: Array<{ id: string; sealed: string | null }>,
  keyring: Keyring,
  write: (id: string, before: string, after: string) => Promise<number>,
  report: RotationReport,
): Promise<void> {
  for (const row of rows) {
    if (!row.sealed) continue;
    if (!needsReseal(row.sealed, keyring)) {
      report.current += 1;
      continue;
    }
    const resealed = encryptSecret(decryptSecret(row.sealed, keyring), keyring);
    report.resealed += await write(row.id, row.sealed, resealed);
  }
}

export async function rotateEncryptionKey(prisma: PrismaClient, keyring: Keyring): Promise<RotationReport> {
  const report: RotationReport = { resealed: 0, current: 0 };
  const installations = await prisma.installation.findMany({
    select: { accountId: true, accessTokenEnc: true, webhookSecretEnc: true },
  });
  await resealColumn(
    installations.map((r) => ({ id: r.accountId, sealed: r.accessTokenEnc })),
    keyring,
    async (accountId, before, after) =>
      (
        await prisma.installation.updateMany({
          where: { accountId, accessTokenEnc: before },
          data: { accessTokenEnc: after },
        })
      ).count,
    report,
  );
  await resealColumn(
    installations.map((r) => ({ id: r.accountId, sealed: r.webhookSecretEnc })),
    keyring,
    async (accountId, before, after) =>
      (
        await prisma.installation.updateMany({
          where: { accountId, webhookSecretEnc: before },
          data: { webhookSecretEnc: after },
        })
      ).count,
    report,
  );
  const settings = await prisma.settings.findMany({ select: { accountId: true, betaproPasswordEnc: true } });
  await resealColumn(
    settings.map((r) => ({ id: r.accountId, sealed: r.betaproPasswordEnc })),
    keyring,
    async (accountId, before, after) =>
      (
        await prisma.settings.updateMany({
          where: { accountId, betaproPasswordEnc: before },
          data: { betaproPasswordEnc: after },
        })
      ).count,
    report,
  );
  return report;
}
