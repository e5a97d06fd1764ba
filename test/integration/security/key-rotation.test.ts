/**
 * Issue 18 item 13: APP_ENCRYPTION_KEY rotation. Secrets sealed under the old key (and in the format
 * from before key ids) are re-sealed by `npm run keys:rotate` with the new key while the old one, given
 * in APP_ENCRYPTION_KEYS_PREVIOUS, still opens them; afterwards the new key alone opens everything.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decryptSecret, encryptSecret, keyId, sealedKeyId } from '@/lib/core/crypto';
import { openTestDatabase } from '../../support/db';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const OLD_KEY = 'a'.repeat(64);
const NEW_KEY = Buffer.alloc(32, 9).toString('base64');

function sealV1(plain: string, hexKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(hexKey, 'hex'), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

function rotate(dir: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/keys-rotate.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      NODE_ENV: 'production',
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PGLITE_DIR: dir,
      LOG_LEVEL: 'silent',
      APP_BASE_URL: 'https://app.example',
      MOYSKLAD_APP_ID: 'app',
      MOYSKLAD_APP_UID: 'uid',
      MOYSKLAD_SECRET_KEY: 's'.repeat(20),
      ...env,
    } as NodeJS.ProcessEnv,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('npm run keys:rotate', () => {
  it('re-seals tokens, passwords and webhook secrets with the new key; the old key is needed only until then', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'keys-rotate-')), 'pglite');
    let db = await openTestDatabase('pglite', { dir });
    await db.prisma.installation.create({
      data: {
        accountId: 'acc-1',
        appId: 'app',
        webhookSecretHash: 'h1',
        accessTokenEnc: encryptSecret('ms-token-1', OLD_KEY),
        webhookSecretEnc: encryptSecret('hook-secret-1', OLD_KEY),
        settings: { create: { betaproPasswordEnc: sealV1('bp-password-1', OLD_KEY) } },
      },
    });
    await db.prisma.installation.create({
      data: {
        accountId: 'acc-2',
        appId: 'app',
        webhookSecretHash: 'h2',
        accessTokenEnc: sealV1('ms-token-2', OLD_KEY),
      },
    });
    await db.close();

    // Without the old key the new one cannot open what the old one sealed: nothing is changed.
    const refused = rotate(dir, { APP_ENCRYPTION_KEY: NEW_KEY });
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/APP_ENCRYPTION_KEYS_PREVIOUS/);

    const first = rotate(dir, { APP_ENCRYPTION_KEY: NEW_KEY, APP_ENCRYPTION_KEYS_PREVIOUS: OLD_KEY });
    expect(first.status, first.out).toBe(0);
    expect(first.out).toContain(`Secrets re-sealed with key ${keyId(NEW_KEY)}: 4; already current: 0.`);
    const again = rotate(dir, { APP_ENCRYPTION_KEY: NEW_KEY, APP_ENCRYPTION_KEYS_PREVIOUS: OLD_KEY });
    expect(again.out).toContain(': 0; already current: 4.');

    db = await openTestDatabase('pglite', { dir });
    try {
      const one = await db.prisma.installation.findUniqueOrThrow({
        where: { accountId: 'acc-1' },
        include: { settings: true },
      });
      const two = await db.prisma.installation.findUniqueOrThrow({ where: { accountId: 'acc-2' } });
      for (const sealed of [one.accessTokenEnc!, one.webhookSecretEnc!, one.settings!.betaproPasswordEnc!, two.accessTokenEnc!]) {
        expect(sealedKeyId(sealed)).toBe(keyId(NEW_KEY));
        expect(() => decryptSecret(sealed, OLD_KEY)).toThrow();
      }
      expect(decryptSecret(one.accessTokenEnc!, NEW_KEY)).toBe('ms-token-1');
      expect(decryptSecret(one.webhookSecretEnc!, NEW_KEY)).toBe('hook-secret-1');
      expect(decryptSecret(one.settings!.betaproPasswordEnc!, NEW_KEY)).toBe('bp-password-1');
      expect(decryptSecret(two.accessTokenEnc!, NEW_KEY)).toBe('ms-token-2');
    } finally {
      await db.close();
    }
  }, 120_000);
});
