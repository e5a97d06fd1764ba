/**
 * The per-account secret in the webhook URL. The database keeps its sha256 (the lookup key) and the
 * secret sealed under the encryption key (only to register the webhooks again); it is never logged.
 * A reinstall, or an installation from before the sealed copy existed, gets a new secret and its
 * webhooks move to the new URL.
 */
import { encryptionKeyring } from '@/lib/core/config';
import { encryptSecret, randomToken, sha256Hex } from '@/lib/core/crypto';

export function webhookSecretHash(secret: string): string {
  return sha256Hex(secret);
}

/** Columns of Installation for a new secret, and the secret itself (for the URL). */
export function newWebhookSecret(): {
  secret: string;
  columns: { webhookSecretHash: string; webhookSecretEnc: string };
} {
  const secret = randomToken(24);
  return {
    secret,
    columns: {
      webhookSecretHash: webhookSecretHash(secret),
      webhookSecretEnc: encryptSecret(secret, encryptionKeyring()),
    },
  };
}

/** `/api/moysklad/webhooks/<secret>` → `/api/moysklad/webhooks/[secret]`, for logs. */
export function redactWebhookPath(path: string): string {
  return path.replace(/(\/api\/moysklad\/webhooks\/)[^/?#]+/, '$1[secret]');
}
