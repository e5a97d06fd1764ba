/**
 * Wrapper for the widget and settings API: the short-lived app token (issued by POST /api/session
 * after exchanging MoySklad's contextKey) is sent as `Authorization: Bearer` — no third-party cookies.
 * Every query is then scoped to the token's account.
 */
import { getPrisma, type PrismaClient } from '../db';
import { AppError } from '../core/errors';
import { idOfHref, verifyAppSession, type AppSessionClaims } from '../moysklad/app-session';
import { liveSession } from '@/lib/sync/widget/session-guard';
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

/** The facts of a MoySklad document that rights scopes depend on. */
export interface DocumentAccessFacts {
  owner?: { meta: { href: string } };
  group?: { meta: { href: string } };
  shared?: boolean;
}

/** Whether the session's right (of its scope: ALL, OWN…, OWN_GROUP…, …_SHARED) covers this document. */
export function coversDocument(session: Session, entity: DocumentEntity, right: 'view' | 'update', document: DocumentAccessFacts): boolean {
  const rights = session.rights[entity];
  if (!rights[right]) return false;
  const scope = (right === 'view' ? rights.viewScope : rights.updateScope) ?? 'ALL';
  if (scope === 'ALL') return true;
  const own = idOfHref(document.owner?.meta.href) === session.employeeId;
  const ownGroup = Boolean(session.groupId) && idOfHref(document.group?.meta.href) === session.groupId;
  const shared = document.shared === true;
  switch (scope) {
    case 'OWN': return own;
    case 'OWN_SHARED': return own || shared;
    case 'OWN_GROUP': return own || ownGroup;
    case 'OWN_GROUP_SHARED': return own || ownGroup || shared;
  }
}

/** True when the right covers every document of the entity (no per-document check needed). */
export function coversAll(session: Session, entity: DocumentEntity, right: 'view' | 'update'): boolean {
  const rights = session.rights[entity];
  return rights[right] && ((right === 'view' ? rights.viewScope : rights.updateScope) ?? 'ALL') === 'ALL';
}

export function requireDocumentRight(session: Session, entity: DocumentEntity, right: 'view' | 'update', document: DocumentAccessFacts): void {
  requireRight(session, entity, right);
  if (coversDocument(session, entity, right, document)) return;
  throw new AppError('FORBIDDEN', `employee ${session.employeeId} lacks ${entity}.${right} on this document (scope)`, {
    userMessage: right === 'view'
      ? 'У вас нет прав на просмотр этого документа в МойСклад.'
      : 'У вас нет прав на изменение этого документа в МойСклад: действие недоступно.',
  });
}

export function requireAdmin(session: Session): void {
  if (!session.isAdmin) {
    throw new AppError('FORBIDDEN', `employee ${session.employeeId} is not an admin`, {
      userMessage: 'Изменять настройки решения может только администратор аккаунта МойСклад.',
    });
  }
}
