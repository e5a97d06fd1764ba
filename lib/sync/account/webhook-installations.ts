/**
 * Webhook secret → installation cache for the intake's hot path. Its own module (no sync imports) so
 * the lifecycle handlers can drop entries without an import cycle through the job definitions.
 */
import type { Db } from '@/lib/db';
import { webhookSecretHash } from '@/lib/sync/account/webhook-secrets';

interface CachedInstallation {
  accountId: string;
  active: boolean;
  expiresAt: number;
}

/**
 * Secret (by its hash) → installation, for a few seconds. A secret never moves to another account; a status that
 * changed meanwhile is re-checked by the job (an inactive account's job does nothing), and the
 * lifecycle handlers of this process drop the entry at once.
 */
const INSTALLATION_TTL_MS = 10_000;
const cacheKey = Symbol.for('betapro-bridge.webhook-installations');
const installations: Map<string, CachedInstallation> = ((globalThis as Record<symbol, Map<string, CachedInstallation> | undefined>)[
  cacheKey
] ??= new Map());

export function forgetWebhookInstallation(accountId: string): void {
  for (const [secret, entry] of installations) if (entry.accountId === accountId) installations.delete(secret);
}

export async function installationForWebhook(prisma: Db, secret: string): Promise<CachedInstallation | null> {
  const now = Date.now();
  // Keyed by the hash like the table, so not even this process's memory holds the secrets.
  const hash = webhookSecretHash(secret);
  const cached = installations.get(hash);
  if (cached && cached.expiresAt > now) return cached;
  const row = await prisma.installation.findUnique({
    where: { webhookSecretHash: hash },
    select: { accountId: true, status: true },
  });
  if (!row) {
    installations.delete(hash);
    return null;
  }
  const entry = { accountId: row.accountId, active: row.status === 'active', expiresAt: now + INSTALLATION_TTL_MS };
  if (installations.size > 10_000) installations.clear();
  installations.set(hash, entry);
  return entry;
}
