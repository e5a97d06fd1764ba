/**
 * Secrets at rest (MoySklad tokens, BetaPRO passwords, webhook secrets) are sealed with AES-256-GCM.
 * Format: `v2.<keyId>.<iv>.<tag>.<ciphertext>` (base64url); `keyId` names the key that sealed it, so
 * after a rotation the right one of the configured keys is picked (APP_ENCRYPTION_KEY seals; the keys in
 * APP_ENCRYPTION_KEYS_PREVIOUS still open what they sealed until `npm run keys:rotate` re-sealed it).
 * Values sealed before key ids existed (`v1.<iv>.<tag>.<ciphertext>`) are opened by trying each key.
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { AppError } from '@/lib/core/errors';

/** The current key first, then older ones that may still open values (see lib/core/config.ts). */
export type Keyring = string | readonly string[];

function keyBytes(key: string): Buffer {
  const bytes = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  if (bytes.length !== 32) throw new AppError('INTERNAL', 'APP_ENCRYPTION_KEY must be 32 bytes');
  return bytes;
}

/** A public, stable name of a key: 8 bytes of a hash, which reveal nothing usable about the key. */
export function keyId(key: string): string {
  return createHash('sha256').update('betapro-bridge/key-id/v1').update(keyBytes(key)).digest().subarray(0, 8).toString('base64url');
}

function keysOf(keyring: Keyring): string[] {
  const keys = (typeof keyring === 'string' ? [keyring] : [...keyring]).filter(Boolean);
  if (!keys.length) throw new AppError('INTERNAL', 'no encryption key configured');
  return keys;
}

/** Seals with the keyring's first (current) key. */
export function encryptSecret(plain: string, keyring: Keyring): string {
  const key = keysOf(keyring)[0];
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(key), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v2', keyId(key), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

function open(key: string, iv: string, tag: string, data: string): string {
  const decipher = createDecipheriv('aes-256-gcm', keyBytes(key), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** The key id a sealed value names (null for the older format without one). */
export function sealedKeyId(sealed: string): string | null {
  return sealed.startsWith('v2.') ? (sealed.split('.')[1] ?? null) : null;
}

export function decryptSecret(sealed: string, keyring: Keyring): string {
  const keys = keysOf(keyring);
  const parts = sealed.split('.');
  let candidates: string[];
  let rest: string[];
  if (parts[0] === 'v2' && parts.length === 5) {
    candidates = keys.filter((key) => keyId(key) === parts[1]);
    rest = parts.slice(2);
    if (!candidates.length)
      throw new AppError('INTERNAL', `no configured key has id ${parts[1]} (add the old key to APP_ENCRYPTION_KEYS_PREVIOUS)`);
  } else if (parts[0] === 'v1' && parts.length === 4) {
    candidates = keys;
    rest = parts.slice(1);
  } else {
    throw new AppError('INTERNAL', 'sealed secret has an unknown format');
  }
  const [iv, tag, data] = rest;
  let lastError: unknown;
  for (const key of candidates) {
    try {
      return open(key, iv, tag, data);
    } catch (cause) {
      lastError = cause;
    }
  }
  throw new AppError('INTERNAL', 'cannot decrypt a stored secret (was APP_ENCRYPTION_KEY changed?)', {
    cause: lastError,
  });
}

/** True when the value is not sealed with the keyring's current key (keys:rotate re-seals it). */
export function needsReseal(sealed: string, keyring: Keyring): boolean {
  return sealedKeyId(sealed) !== keyId(keysOf(keyring)[0]);
}

/** Unguessable URL-safe token (webhook path secrets, ids). */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
