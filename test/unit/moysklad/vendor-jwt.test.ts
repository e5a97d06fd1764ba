import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { AppError } from '@/lib/core/errors';
import { InMemoryJtiStore, verifyVendorJwt, type JtiStore } from '@/lib/moysklad/vendor-jwt';
import { signVendorApiJwt } from '@/lib/moysklad/vendor-api';

const SECRET = 'moysklad-solution-secret-key-0123456789';
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

async function token(claims: Record<string, unknown> = {}, options: { secret?: string; alg?: string } = {}) {
  const iat = now();
  return new SignJWT({ jti: `j-${Math.random()}`, iat, exp: iat + 60, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function expectUnauthorized(promise: Promise<unknown>, reason?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('UNAUTHORIZED');
  if (reason) expect((error as AppError).message).toMatch(reason);
}

describe('verifyVendorJwt', () => {
  const options = () => ({ secret: SECRET, jtiStore: new InMemoryJtiStore() });

  it('accepts a valid HS256 token and returns its claims', async () => {
    const t = await token({ jti: 'abc' });
    await expect(verifyVendorJwt(`Bearer ${t}`, options())).resolves.toMatchObject({ jti: 'abc' });
  });

  it('refuses a missing or malformed header', async () => {
    await expectUnauthorized(verifyVendorJwt(undefined, options()));
    await expectUnauthorized(verifyVendorJwt('Basic abc', options()));
    await expectUnauthorized(verifyVendorJwt('Bearer not a jwt', options()));
  });

  it('refuses a forged signature', async () => {
    await expectUnauthorized(verifyVendorJwt(`Bearer ${await token({}, { secret: 'another-secret-of-some-length' })}`, options()));
    const t = await token();
    const [h, p] = t.split('.');
    const tampered = `${h}.${b64({ ...decodeJwt(t), jti: 'other' })}.${t.split('.')[2]}`;
    await expectUnauthorized(verifyVendorJwt(`Bearer ${tampered}`, options()));
    expect(p).toBeTruthy();
  });

  it('refuses alg none, other HMACs and asymmetric algorithms', async () => {
    const iat = now();
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ jti: 'n', iat, exp: iat + 60 })}.`;
    await expectUnauthorized(verifyVendorJwt(`Bearer ${none}`, options()));
    await expectUnauthorized(verifyVendorJwt(`Bearer ${await token({}, { alg: 'HS512' })}`, options()));
    const { privateKey } = await generateKeyPair('RS256');
    const rs = await new SignJWT({ jti: 'r', iat, exp: iat + 60 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    await expectUnauthorized(verifyVendorJwt(`Bearer ${rs}`, options()));
  });

  it('refuses expired tokens beyond the skew, accepts within it', async () => {
    const iat = now() - 600;
    await expectUnauthorized(verifyVendorJwt(`Bearer ${await token({ iat, exp: iat + 60 })}`, options()), /EXPIRED/);
    const nearly = await token({ iat: now() - 70, exp: now() - 10 });
    await expect(verifyVendorJwt(`Bearer ${nearly}`, { ...options(), clockSkewSec: 30 })).resolves.toBeTruthy();
  });

  it('refuses tokens issued in the future and tokens without exp, iat or jti', async () => {
    await expectUnauthorized(verifyVendorJwt(`Bearer ${await token({ iat: now() + 600, exp: now() + 900 })}`, options()));
    for (const missing of ['exp', 'iat', 'jti']) {
      const iat = now();
      const claims: Record<string, unknown> = { jti: 'x', iat, exp: iat + 60 };
      delete claims[missing];
      const t = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key);
      await expectUnauthorized(verifyVendorJwt(`Bearer ${t}`, options()));
    }
  });

  it('refuses a token whose exp − iat is over 10 minutes, accepts exactly 10 minutes', async () => {
    const iat = now();
    await expectUnauthorized(verifyVendorJwt(`Bearer ${await token({ iat, exp: iat + 601 })}`, options()), /lifetime 601 s/);
    await expectUnauthorized(verifyVendorJwt(`Bearer ${await token({ iat, exp: iat + 365 * 86_400 })}`, options()), /lifetime/);
    await expect(verifyVendorJwt(`Bearer ${await token({ iat, exp: iat + 600 })}`, options())).resolves.toBeTruthy();
  });

  it('refuses a replayed jti', async () => {
    const opts = options();
    const t = await token({ jti: 'once' });
    await verifyVendorJwt(`Bearer ${t}`, opts);
    await expectUnauthorized(verifyVendorJwt(`Bearer ${t}`, opts), /replayed/);
  });

  it('remembers the jti until the token expires (plus skew)', async () => {
    const seen: Array<[string, Date]> = [];
    const store: JtiStore = {
      rememberOnce: async (jti, at) => {
        seen.push([jti, at]);
        return true;
      },
    };
    const iat = now();
    await verifyVendorJwt(`Bearer ${await token({ jti: 'r1', iat, exp: iat + 60 })}`, {
      secret: SECRET,
      jtiStore: store,
      clockSkewSec: 30,
    });
    expect(seen).toEqual([['r1', new Date((iat + 90) * 1000)]]);
  });

  it('accepts any of several secrets (draft and published versions)', async () => {
    const t = await token({}, { secret: 'draft-version-secret-key-000' });
    await expect(
      verifyVendorJwt(`Bearer ${t}`, {
        secret: [SECRET, 'draft-version-secret-key-000'],
        jtiStore: new InMemoryJtiStore(),
      }),
    ).resolves.toBeTruthy();
  });
});

describe('signVendorApiJwt', () => {
  it('signs HS256 with sub = appUid, a fresh jti and a lifetime within 300 s', async () => {
    const a = await signVendorApiJwt({ appUid: 'bridge.acme', secretKey: SECRET });
    const b = await signVendorApiJwt({ appUid: 'bridge.acme', secretKey: SECRET, lifetimeSec: 3600 });
    expect(decodeProtectedHeader(a)).toMatchObject({ alg: 'HS256' });
    const ca = decodeJwt(a);
    const cb = decodeJwt(b);
    expect(ca.sub).toBe('bridge.acme');
    expect(ca.jti).not.toBe(cb.jti);
    expect(ca.exp! - ca.iat!).toBeLessThanOrEqual(300);
    expect(cb.exp! - cb.iat!).toBe(300);
    // Our verifier accepts it (same secret): the signature is real HS256.
    await expect(verifyVendorJwt(`Bearer ${a}`, { secret: SECRET, jtiStore: new InMemoryJtiStore() })).resolves.toBeTruthy();
  });
});
