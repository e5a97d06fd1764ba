/**
 * The user's rights in MoySklad, as carried by the app session (entity rights with their scopes, and
 * whether the user is an account admin). Route wrappers check the entity right or admin before the
 * handler (lib/api/session withAppSession's `right`); checks that need the document itself (scopes
 * OWN, OWN_GROUP, …_SHARED) are made here, where the document is read.
 */
import { AppError } from '@/lib/core/errors';
import { ENTITY_GENITIVE, ENTITY_PLURAL_GENITIVE, type DocumentEntity } from '@/lib/core/domain';
import { idOfHref, type AppSessionClaims, type DocumentRights } from '@/lib/moysklad/app-session';

export type Session = AppSessionClaims;
export type EntityRight = 'view' | 'update';

const NO_RIGHTS: DocumentRights = { view: false, update: false };

function rightsOf(session: Session, entity: DocumentEntity) {
  return session.rights[entity] ?? NO_RIGHTS;
}

export function requireRight(session: Session, entity: DocumentEntity, right: EntityRight): void {
  if (!rightsOf(session, entity)[right]) {
    throw new AppError('FORBIDDEN', `employee ${session.employeeId} lacks ${entity}.${right}`, {
      userMessage:
        right === 'view'
          ? `У вас нет прав на просмотр ${ENTITY_PLURAL_GENITIVE[entity]} в МойСклад.`
          : `У вас нет прав на изменение ${ENTITY_GENITIVE[entity]} в МойСклад: действие недоступно.`,
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
export function coversDocument(session: Session, entity: DocumentEntity, right: EntityRight, document: DocumentAccessFacts): boolean {
  const rights = rightsOf(session, entity);
  if (!rights[right]) return false;
  const scope = (right === 'view' ? rights.viewScope : rights.updateScope) ?? 'ALL';
  if (scope === 'ALL') return true;
  const own = idOfHref(document.owner?.meta.href) === session.employeeId;
  const ownGroup = Boolean(session.groupId) && idOfHref(document.group?.meta.href) === session.groupId;
  const shared = document.shared === true;
  switch (scope) {
    case 'OWN':
      return own;
    case 'OWN_SHARED':
      return own || shared;
    case 'OWN_GROUP':
      return own || ownGroup;
    case 'OWN_GROUP_SHARED':
      return own || ownGroup || shared;
  }
}

/** True when the right covers every document of the entity (no per-document check needed). */
export function coversAll(session: Session, entity: DocumentEntity, right: EntityRight): boolean {
  const rights = rightsOf(session, entity);
  return rights[right] && ((right === 'view' ? rights.viewScope : rights.updateScope) ?? 'ALL') === 'ALL';
}

export function requireDocumentRight(session: Session, entity: DocumentEntity, right: EntityRight, document: DocumentAccessFacts): void {
  requireRight(session, entity, right);
  if (coversDocument(session, entity, right, document)) return;
  throw new AppError('FORBIDDEN', `employee ${session.employeeId} lacks ${entity}.${right} on this document (scope)`, {
    userMessage:
      right === 'view'
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

/**
 * The stock reconciliation page (docs/stock-reconciliation.md): account admins and employees with
 * MoySklad's «Просмотр остатков» permission (viewStockReport).
 */
export function requireStockView(session: Session): void {
  if (!session.isAdmin && !session.stockReport) {
    throw new AppError('FORBIDDEN', `employee ${session.employeeId} may not view stock`, {
      userMessage: 'Сверку остатков видят администраторы и сотрудники с правом «Просмотр остатков» в МойСклад.',
    });
  }
}
