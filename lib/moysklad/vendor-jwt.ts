/**
 * Verifies the JWT MoySklad puts on every Vendor API call it makes to us (activation, deactivation,
 * scenario, /event): HS256 with the solution's secretKey, `exp`/`iat` within a small clock skew, and a
 * lifetime (`exp − iat`) of at most 10 minutes, and a `jti` that was never seen before (MoySklad's own demos keep a replay table until `exp`). Anything
 * else — another algorithm, `alg: none`, a forged signature, an old or replayed token — is UNAUTHORIZED.
 */
import { errors as joseErrors, jwtVerify } from 'jose';
import { AppError } from '@/lib/core/errors';

export interface JtiStore {
  /**
   * Remembers `jti` until `expiresAt`; false when it was already remembered (a replay). Must be atomic
   * across processes (the Prisma store relies on the primary key).
   */
  rememberOnce(jti: string, expiresAt: Date): Promise<boolean>;
}

export interface VerifyVendorJwtOptions {
  /**
   * The solution secretKey; several while a draft version (own appId/appUid/secretKey) is in review
   * next to the published one.
   */
  secret: string | string[];
  jtiStore: JtiStore;
  clockSkewSec?: number;
  /** Injected for tests. */
  now?: () => Date;
}

export interface VendorJwtClaims {
  jti: string;
  iat: number;
  exp: number;
  sub?: string;
}

/** Longest `exp − iat` accepted (10 minutes). */
export const MAX_VENDOR_JWT_LIFETIME_SEC = 10 * 60;

const USER_MESSAGE = 'Запрос МоегоСклада не прошёл проверку подписи.';

function unauthorized(reason: string, cause?: unknown): AppError {
  return new AppError('UNAUTHORIZED', `vendor JWT rejected: ${reason}`, { userMessage: USER_MESSAGE, cause });
}

/** The token of `Authorization: Bearer <token>`, or UNAUTHORIZED. */
export function bearerToken(authorizationHeader: string | null | undefined): string {
  const match = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(authorizationHeader ?? '');
  if (!match) throw unauthorized('missing or malformed Authorization header');
  return match[1];
}

export async function verifyVendorJwt(
  authorizationHeader: string | null | undefined,
  options: VerifyVendorJwtOptions,
): Promise<VendorJwtClaims> {
  const token = bearerToken(authorizationHeader);
  const skew = options.clockSkewSec ?? 30;
  const now = options.now?.() ?? new Date();
  const nowSec = Math.floor(now.getTime() / 1000);
  const secrets = (Array.isArray(options.secret) ? options.secret : [options.secret]).filter(Boolean);
  if (!secrets.length) throw new AppError('INTERNAL', 'no MoySklad secret key configured');

  let payload: Record<string, unknown> | undefined;
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      const result = await jwtVerify(token, new TextEncoder().encode(secret), {
        // Only HS256: jose then refuses `none`, RS*/ES* (key confusion) and HS384/512.
        algorithms: ['HS256'],
        clockTolerance: skew,
        requiredClaims: ['exp', 'iat', 'jti'],
        currentDate: now,
      });
      payload = result.payload as Record<string, unknown>;
      break;
    } catch (error) {
      lastError = error;
      // A signature made with another of our secrets is worth trying; any other failure is final.
      if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) break;
    }
  }
  if (!payload) {
    const code = (lastError as { code?: string } | undefined)?.code ?? 'invalid';
    throw unauthorized(code, lastError);
  }
  const { jti, iat, exp, sub } = payload as { jti?: unknown; iat?: unknown; exp?: unknown; sub?: unknown };
  if (typeof jti !== 'string' || !jti.trim()) throw unauthorized('jti is empty');
  if (typeof iat !== 'number' || typeof exp !== 'number') throw unauthorized('iat/exp are not numbers');
  // jose accepts an iat in the future; a token "issued" later than now + skew is not from a sane clock.
  if (iat > nowSec + skew) throw unauthorized('iat is in the future');
  if (exp < iat) throw unauthorized('exp before iat');
  // MoySklad's tokens live a few minutes; a long-lived one would be a stolen key's skeleton key.
  if (exp - iat > MAX_VENDOR_JWT_LIFETIME_SEC) throw unauthorized(`lifetime ${exp - iat} s over ${MAX_VENDOR_JWT_LIFETIME_SEC} s`);

  // Remember until the token could no longer pass the exp check anyway.
  const fresh = await options.jtiStore.rememberOnce(jti, new Date((exp + skew) * 1000));
  if (!fresh) throw unauthorized(`jti ${jti} replayed`);
  return { jti, iat, exp, ...(typeof sub === 'string' ? { sub } : {}) };
}

/** A JtiStore in memory: tests and the single-process demo (not shared across processes). */
export class InMemoryJtiStore implements JtiStore {
  private readonly seen = new Map<string, number>();

  async rememberOnce(jti: string, expiresAt: Date): Promise<boolean> {
    const now = Date.now();
    for (const [key, until] of this.seen) if (until < now) this.seen.delete(key);
    if (this.seen.has(jti)) return false;
    this.seen.set(jti, expiresAt.getTime());
    return true;
  }
}
