import { describe, expect, it } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret, keyId, needsReseal, sealedKeyId } from '@/lib/core/crypto';
import { encryptionKeyring, parseConfig } from '@/lib/core/config';
import { AppError } from '@/lib/core/errors';

const key = Buffer.alloc(32, 7).toString('base64');

describe('secrets at rest', () => {
  it('round-trips and never stores the plain text', () => {
    const sealed = encryptSecret('token-123', key);
    expect(sealed).not.toContain('token-123');
    expect(sealed.startsWith(`v2.${keyId(key)}.`)).toBe(true);
    expect(decryptSecret(sealed, key)).toBe('token-123');
    expect(encryptSecret('token-123', key)).not.toBe(sealed);
  });

  it('refuses a tampered value or another key', () => {
    const sealed = encryptSecret('token-123', key);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => decryptSecret(parts.join('.'), key)).toThrow(AppError);
    expect(() => decryptSecret(sealed, 'e'.repeat(64))).toThrow(/APP_ENCRYPTION_KEY/);
  });
});

describe('encryption key rotation', () => {
  const oldKey = key;
  const newKey = 'b'.repeat(64);

  /** A value sealed in the format used before key ids (v1.<iv>.<tag>.<data>). */
  function sealV1(plain: string, with_: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(with_, 'base64'), iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  it('sealed values name their key; the new key seals while the old one still opens what it sealed', () => {
    const old = encryptSecret('token-old', oldKey);
    expect(sealedKeyId(old)).toBe(keyId(oldKey));
    expect(keyId(oldKey)).not.toBe(keyId(newKey));
    const keyring = [newKey, oldKey];
    expect(decryptSecret(old, keyring)).toBe('token-old');
    const fresh = encryptSecret('token-new', keyring);
    expect(sealedKeyId(fresh)).toBe(keyId(newKey));
    expect(needsReseal(old, keyring)).toBe(true);
    expect(needsReseal(fresh, keyring)).toBe(false);
    // Without the old key, its values cannot be opened, and the message says what to configure.
    expect(() => decryptSecret(old, [newKey])).toThrow(/APP_ENCRYPTION_KEYS_PREVIOUS/);
  });

  it('values sealed before key ids existed are opened by any configured key', () => {
    const legacy = sealV1('legacy-token', oldKey);
    expect(decryptSecret(legacy, [newKey, oldKey])).toBe('legacy-token');
    expect(needsReseal(legacy, [newKey, oldKey])).toBe(true);
    expect(() => decryptSecret(legacy, [newKey])).toThrow(AppError);
  });

  it('the keyring comes from APP_ENCRYPTION_KEY then APP_ENCRYPTION_KEYS_PREVIOUS; a malformed previous key is refused', () => {
    const base = {
      APP_BASE_URL: 'https://app.example',
      MOYSKLAD_APP_ID: 'a',
      MOYSKLAD_APP_UID: 'u',
      MOYSKLAD_SECRET_KEY: 's'.repeat(16),
      APP_ENCRYPTION_KEY: newKey,
    };
    expect(encryptionKeyring(parseConfig({ ...base, APP_ENCRYPTION_KEYS_PREVIOUS: `${oldKey}, ${'c'.repeat(64)}` }))).toEqual([
      newKey,
      oldKey,
      'c'.repeat(64),
    ]);
    expect(encryptionKeyring(parseConfig(base))).toEqual([newKey]);
    expect(() => parseConfig({ ...base, APP_ENCRYPTION_KEYS_PREVIOUS: 'short' })).toThrow(/APP_ENCRYPTION_KEYS_PREVIOUS/);
  });
});
