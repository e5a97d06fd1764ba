import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from '@/lib/core/crypto';
import { AppError } from '@/lib/core/errors';

const key = Buffer.alloc(32, 7).toString('base64');

describe('secrets at rest', () => {
  it('round-trips and never stores the plain text', () => {
    const sealed = encryptSecret('token-123', key);
    expect(sealed).not.toContain('token-123');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(decryptSecret(sealed, key)).toBe('token-123');
    expect(encryptSecret('token-123', key)).not.toBe(sealed);
  });

  it('refuses a tampered value or another key', () => {
    const sealed = encryptSecret('token-123', key);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => decryptSecret(parts.join('.'), key)).toThrow(AppError);
    expect(() => decryptSecret(sealed, 'e'.repeat(64))).toThrow(/APP_ENCRYPTION_KEY/);
  });
});
