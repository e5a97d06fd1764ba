/** JWTs as MoySklad signs them for calls to the app (tests of vendor endpoints). */
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { TEST_SECRET_KEY } from './app-server';

export async function vendorJwt(
  options: { secret?: string; alg?: 'HS256' | 'HS512'; iat?: number; exp?: number; jti?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 60)
    .setJti(options.jti ?? randomUUID())
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET_KEY));
}
