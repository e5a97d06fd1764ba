/** Starting a page session: MoySklad tells who the user is; the app issues its own short token. */
import { AppError } from '@/lib/core/errors';
import { getPrisma } from '@/lib/db';
import { vendorApiClient } from '@/lib/sync/account/clients';
import { rememberEmployeeName } from '@/lib/sync/account/employee-names';
import { APP_SESSION_LIFETIME_SEC, employeeToSessionClaims, issueAppSession } from '@/lib/moysklad/app-session';
import type { SessionResponse } from '@/lib/core/views';

export async function startAppSession(contextKey: string, userLocale?: string): Promise<SessionResponse> {
  const vendor = vendorApiClient();
  const employee = await vendor.exchangeContext(contextKey);
  const claims = employeeToSessionClaims(employee, userLocale);
  const prisma = await getPrisma();
  const installation = await prisma.installation.findUnique({
    where: { accountId: claims.accountId },
    select: { status: true },
  });
  if (!installation || installation.status === 'uninstalled') {
    throw new AppError('NOT_FOUND', `no installation for account ${claims.accountId}`, {
      userMessage: 'Решение не установлено в этом аккаунте МойСклад.',
    });
  }
  // The same person under the same name when a webhook names them by login (employee-names.ts).
  rememberEmployeeName(claims.accountId, employee.uid, claims.employeeName);
  const token = await issueAppSession(claims);
  return {
    token,
    expiresAt: new Date(Date.now() + APP_SESSION_LIFETIME_SEC * 1000).toISOString(),
    accountId: claims.accountId,
    locale: claims.locale,
    user: { id: claims.employeeId, name: claims.employeeName, isAdmin: claims.isAdmin, rights: claims.rights },
  };
}
