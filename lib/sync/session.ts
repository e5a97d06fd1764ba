/** Starting a page session: MoySklad tells who the user is; the app issues its own short token. */
import { getConfig } from '../core/config';
import { AppError } from '../core/errors';
import { getPrisma } from '../db';
import { createVendorApiClient } from '../moysklad/vendor-api';
import { APP_SESSION_LIFETIME_SEC, employeeToSessionClaims, issueAppSession } from '../moysklad/app-session';
import type { SessionResponse } from '../api/contract';

export async function startAppSession(contextKey: string, userLocale?: string): Promise<SessionResponse> {
  const config = getConfig();
  const vendor = createVendorApiClient({
    baseUrl: config.MOYSKLAD_VENDOR_API_URL,
    appId: config.MOYSKLAD_APP_ID,
    appUid: config.MOYSKLAD_APP_UID,
    secretKey: config.MOYSKLAD_SECRET_KEY,
  });
  const employee = await vendor.exchangeContext(contextKey);
  const claims = employeeToSessionClaims(employee, userLocale);
  const prisma = await getPrisma();
  const installation = await prisma.installation.findUnique({ where: { accountId: claims.accountId }, select: { status: true } });
  if (!installation || installation.status === 'uninstalled') {
    throw new AppError('NOT_FOUND', `no installation for account ${claims.accountId}`, {
      userMessage: 'Решение не установлено в этом аккаунте МойСклад.',
    });
  }
  const token = await issueAppSession(claims);
  return {
    token,
    expiresAt: new Date(Date.now() + APP_SESSION_LIFETIME_SEC * 1000).toISOString(),
    accountId: claims.accountId,
    locale: claims.locale,
    user: { id: claims.employeeId, name: claims.employeeName, isAdmin: claims.isAdmin, rights: claims.rights },
  };
}
