/**
 * An app session is only as good as what MoySklad says now (docs/product.md §7):
 * - the account's installation is checked on every request (cached for a few seconds), so a token stops
 *   working at once after uninstall or suspension;
 * - the employee's rights are re-read from MoySklad (`GET /entity/employee/{id}/security` through the
 *   app's token) once they are older than APP_SESSION_RIGHTS_TTL_SEC (at most 10 minutes): a clerk whose
 *   rights were removed, or whose access to MoySklad was switched off, loses them in the app too.
 */
import type { PrismaClient } from '@/lib/db';
import { getConfig } from '@/lib/core/config';
import { AppError } from '@/lib/core/errors';
import { administratorRights, idOfHref, rightsFromPermissions, type AppSessionClaims } from '@/lib/moysklad/app-session';
import type { MsEmployeeSecurity } from '@/lib/moysklad/schemas';
import { loadAccountOrThrow } from '@/lib/sync/account/accounts';
import { moyskladClientFor } from '@/lib/sync/account/clients';

const INSTALLATION_TTL_MS = 5_000;
const CACHE_LIMIT = 10_000;

interface CachedStatus {
  active: boolean;
  until: number;
}
interface CachedRights {
  claims: Pick<AppSessionClaims, 'isAdmin' | 'rights' | 'groupId' | 'stockReport'>;
  checkedAt: number;
}

const cachesKey = Symbol.for('betapro-bridge.session-guard');
const caches = ((globalThis as Record<symbol, { status: Map<string, CachedStatus>; rights: Map<string, CachedRights> } | undefined>)[
  cachesKey
] ??= {
  status: new Map(),
  rights: new Map(),
});

function revoked(reason: string, userMessage: string): AppError {
  return new AppError('UNAUTHORIZED', `app session revoked: ${reason}`, { userMessage });
}

/** Lifecycle handlers of this process drop the account's entries at once (others wait out the TTL). */
export function forgetSessionAccount(accountId: string): void {
  caches.status.delete(accountId);
  for (const key of caches.rights.keys()) if (key.startsWith(`${accountId}:`)) caches.rights.delete(key);
}

async function requireActiveInstallation(prisma: PrismaClient, accountId: string): Promise<void> {
  const now = Date.now();
  let cached = caches.status.get(accountId);
  if (!cached || cached.until <= now) {
    const row = await prisma.installation.findUnique({ where: { accountId }, select: { status: true } });
    cached = { active: row?.status === 'active', until: now + INSTALLATION_TTL_MS };
    if (caches.status.size >= CACHE_LIMIT) caches.status.clear();
    caches.status.set(accountId, cached);
  }
  if (!cached.active) {
    throw revoked(`installation of ${accountId} is not active`, 'Решение отключено или удалено в этом аккаунте МойСклад. Доступ закрыт.');
  }
}

/** Rights from the employee's security data: the administrator role, an individual role, or none. */
export function rightsFromSecurity(security: MsEmployeeSecurity): Pick<AppSessionClaims, 'isAdmin' | 'rights' | 'groupId' | 'stockReport'> {
  const groupId = idOfHref(security.group?.meta.href);
  const role = idOfHref(security.role?.meta.href);
  const granted =
    role === 'admin' ? administratorRights() : rightsFromPermissions(role === 'individual' ? (security.role?.permissions ?? {}) : {});
  return { ...granted, ...(groupId ? { groupId } : {}) };
}

async function readRights(prisma: PrismaClient, claims: AppSessionClaims): Promise<CachedRights['claims']> {
  const account = await loadAccountOrThrow(prisma, claims.accountId);
  const client = await moyskladClientFor(account);
  const security = await client.getEmployeeSecurity(claims.employeeId);
  if (security.isActive === false) {
    throw revoked(`employee ${claims.employeeId} has no access to MoySklad`, 'Ваш доступ к МоемуСкладу отключён.');
  }
  return rightsFromSecurity(security);
}

/** The session with rights MoySklad confirmed within the TTL; UNAUTHORIZED when it no longer stands. */
export async function liveSession(prisma: PrismaClient, claims: AppSessionClaims): Promise<AppSessionClaims> {
  await requireActiveInstallation(prisma, claims.accountId);
  const ttlMs = getConfig().APP_SESSION_RIGHTS_TTL_SEC * 1000;
  const now = Date.now();
  if (claims.rightsCheckedAt !== undefined && now - claims.rightsCheckedAt * 1000 < ttlMs) return claims;
  const key = `${claims.accountId}:${claims.employeeId}`;
  let cached = caches.rights.get(key);
  if (!cached || now - cached.checkedAt >= ttlMs) {
    cached = { claims: await readRights(prisma, claims), checkedAt: now };
    if (caches.rights.size >= CACHE_LIMIT) caches.rights.clear();
    caches.rights.set(key, cached);
  }
  return { ...claims, ...cached.claims, rightsCheckedAt: Math.floor(cached.checkedAt / 1000) };
}
