/**
 * HS256 JWTs with the solution's secretKey, both directions of the Vendor API:
 * MoySklad → app (lifecycle, scenario): `iat`, `exp`, `jti`;
 * app → MoySklad (Vendor API calls): `sub` = appUid, `iat`, `jti` required, lifetime capped at 300 s,
 * each `jti` usable once.
 */
import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

const enc = (secret: string) => new TextEncoder().encode(secret);

export async function signMoyskladJwt(secret: string, ttlSeconds = 60): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(randomBytes(16).toString('hex'))
    .sign(enc(secret));
}

export interface VendorJwtCheck {
  ok: boolean;
  reason?: string;
  jti?: string;
  exp?: number;
}

const MAX_LIFETIME_S = 300;
const CLOCK_SKEW_S = 30;

/** Verifies an app's token for the Vendor API; the caller records `jti` to refuse replays. */
export async function verifyVendorJwt(
  token: string,
  secret: string,
  appUid: string,
  seenJti: (jti: string) => boolean,
): Promise<VendorJwtCheck> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, enc(secret), { algorithms: ['HS256'], clockTolerance: CLOCK_SKEW_S }));
  } catch (e) {
    return { ok: false, reason: `invalid token: ${(e as Error).message}` };
  }
  if (payload.sub !== appUid) return { ok: false, reason: 'sub must be the solution appUid' };
  if (typeof payload.iat !== 'number') return { ok: false, reason: 'iat is required' };
  if (typeof payload.jti !== 'string' || !payload.jti) return { ok: false, reason: 'jti is required' };
  const now = Math.floor(Date.now() / 1000);
  if (payload.iat > now + CLOCK_SKEW_S) return { ok: false, reason: 'iat is in the future' };
  const effectiveExp = Math.min(typeof payload.exp === 'number' ? payload.exp : Infinity, payload.iat + MAX_LIFETIME_S);
  if (now > effectiveExp + CLOCK_SKEW_S) return { ok: false, reason: 'token expired' };
  if (seenJti(payload.jti)) return { ok: false, reason: 'jti already used' };
  return { ok: true, jti: payload.jti, exp: effectiveExp };
}
