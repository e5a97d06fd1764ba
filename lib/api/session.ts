/**
 * Wrapper for the widget and settings API: the short-lived app token (issued by POST /api/session
 * after exchanging MoySklad's contextKey) is sent as `Authorization: Bearer` — no third-party cookies.
 * Every query is then scoped to the token's account.
 */
import { getPrisma, type PrismaClient } from '../db';
import { AppError } from '../core/errors';
import { verifyAppSession, type AppSessionClaims } from '../moysklad/app-session';
import { liveSession } from '../sync/session-guard';
import type { DocumentEntity } from '../core/domain';
import { withErrors, type RouteContext, type RouteParams } from './handler';

export type Session = AppSessionClaims;

export function withAppSession<P extends RouteParams>(
  handler: (args: { request: Request; params: P; session: Session; prisma: PrismaClient }) => Promise<Response>,
) {
  return withErrors<P>(async (request: Request, context: RouteContext<P>) => {
    const claims = await verifyAppSession(request.headers.get('authorization'));
    const prisma = await getPrisma();
    // Uninstalled or suspended accounts and rights MoySklad has since withdrawn end the session here.
    const session = await liveSession(prisma, claims);
    return handler({ request, params: await context.params, session, prisma });
  });
}

export function requireRight(session: Session, entity: DocumentEntity, right: 'view' | 'update'): void {
  if (!session.rights[entity][right]) {
    const what = entity === 'supply' ? 'приёмки' : 'перемещения';
    throw new AppError('FORBIDDEN', `employee ${session.employeeId} lacks ${entity}.${right}`, {
      userMessage: right === 'view'
        ? `У вас нет прав на просмотр ${what === 'приёмки' ? 'приёмок' : 'перемещений'} в МойСклад.`
        : `У вас нет прав на изменение ${what} в МойСклад: действие недоступно.`,
    });
  }
}

export function requireAdmin(session: Session): void {
  if (!session.isAdmin) {
    throw new AppError('FORBIDDEN', `employee ${session.employeeId} is not an admin`, {
      userMessage: 'Изменять настройки решения может только администратор аккаунта МойСклад.',
    });
  }
}
