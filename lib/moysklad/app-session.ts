/**
 * The app's own short-lived session token for the widget and settings pages. Third-party cookies in
 * MoySklad's iframes are blocked or partitioned by browsers, so after the server exchanged the page's
 * `contextKey` it hands the page a signed token that the page sends back as a header on every API call.
 *
 * Signed with HS256 under a key derived (HKDF, purpose label) from APP_ENCRYPTION_KEY — a secret only we
 * hold; the MoySklad secretKey is shared with MoySklad and differs between draft and published versions.
 * Issuer and audience are fixed so no other token of ours can pass as a session.
 */
import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { AppError } from '@/lib/core/errors';
import { getConfig } from '@/lib/core/config';
import type { MsEmployeeContext } from '@/lib/moysklad/schemas';

export const APP_SESSION_LIFETIME_SEC = 2 * 60 * 60;
const ISSUER = 'betapro-bridge';
const AUDIENCE = 'betapro-bridge:app-session';
const PURPOSE = 'betapro-bridge/app-session/v1';

export type SessionLocale = 'ru' | 'en';

/**
 * Which documents a granted right covers: all, or only those the employee owns (OWN), also shared
 * ones (…_SHARED), or those of the employee's group (OWN_GROUP…).
 */
export type RightScope = 'ALL' | 'OWN' | 'OWN_SHARED' | 'OWN_GROUP' | 'OWN_GROUP_SHARED';

export interface DocumentRights {
  view: boolean;
  update: boolean;
  /** Present when granted; absent in tokens issued before scopes were kept (then read as ALL). */
  viewScope?: RightScope;
  updateScope?: RightScope;
}

export interface AppSessionClaims {
  accountId: string;
  employeeId: string;
  employeeName: string;
  /** The employee's group id (OWN_GROUP scopes), when MoySklad told it. */
  groupId?: string;
  isAdmin: boolean;
  /** purchasereturn is absent from sessions issued before returns existed: no rights on them. */
  rights: { supply: DocumentRights; move: DocumentRights; purchasereturn?: DocumentRights };
  /** MoySklad's «Просмотр остатков» (viewStockReport): the stock reconciliation page (docs/stock-reconciliation.md). */
  stockReport?: boolean;
  locale: SessionLocale;
  /** When MoySklad last confirmed these rights (epoch seconds): the token's iat, or a later re-check. */
  rightsCheckedAt?: number;
}

export interface AppSessionKeyOptions {
  /** Base secret; defaults to APP_ENCRYPTION_KEY from the configuration. */
  secret?: string;
}

export interface IssueAppSessionOptions extends AppSessionKeyOptions {
  lifetimeSec?: number;
  now?: () => Date;
}

export interface VerifyAppSessionOptions extends AppSessionKeyOptions {
  now?: () => Date;
  clockSkewSec?: number;
}

const keyCache = new Map<string, Uint8Array>();

/** 32 bytes for this purpose only, so the encryption key itself never signs anything. */
function sessionKey(secret: string | undefined): Uint8Array {
  const base = secret ?? getConfig().APP_ENCRYPTION_KEY;
  let key = keyCache.get(base);
  if (!key) {
    key = new Uint8Array(hkdfSync('sha256', Buffer.from(base, 'utf8'), Buffer.alloc(0), PURPOSE, 32));
    keyCache.set(base, key);
  }
  return key;
}

function unauthorized(reason: string, cause?: unknown): AppError {
  return new AppError('UNAUTHORIZED', `app session rejected: ${reason}`, {
    userMessage: 'Сессия истекла. Откройте страницу заново.',
    cause,
  });
}

export async function issueAppSession(claims: AppSessionClaims, options: IssueAppSessionOptions = {}): Promise<string> {
  const iat = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  return new SignJWT({
    acc: claims.accountId,
    name: claims.employeeName,
    adm: claims.isAdmin,
    rights: claims.rights,
    ...(claims.stockReport ? { stk: true } : {}),
    loc: claims.locale,
    ...(claims.groupId ? { grp: claims.groupId } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.employeeId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetimeSec ?? APP_SESSION_LIFETIME_SEC))
    .sign(sessionKey(options.secret));
}

const SCOPES: readonly RightScope[] = ['ALL', 'OWN', 'OWN_SHARED', 'OWN_GROUP', 'OWN_GROUP_SHARED'];
const asScope = (value: unknown): RightScope | undefined => SCOPES.find((scope) => scope === value);

function asRights(value: unknown): DocumentRights | undefined {
  const v = value as Partial<DocumentRights> | undefined;
  if (!v || typeof v.view !== 'boolean' || typeof v.update !== 'boolean') return undefined;
  const viewScope = asScope(v.viewScope);
  const updateScope = asScope(v.updateScope);
  return {
    view: v.view,
    update: v.update,
    ...(viewScope ? { viewScope } : {}),
    ...(updateScope ? { updateScope } : {}),
  };
}

export async function verifyAppSession(token: string | null | undefined, options: VerifyAppSessionOptions = {}): Promise<AppSessionClaims> {
  const raw = (token ?? '').replace(/^Bearer\s+/i, '').trim();
  if (!raw) throw unauthorized('no token');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(raw, sessionKey(options.secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      clockTolerance: options.clockSkewSec ?? 30,
      requiredClaims: ['exp', 'iat', 'sub'],
      currentDate: options.now?.(),
    }));
  } catch (error) {
    throw unauthorized((error as { code?: string }).code ?? 'invalid', error);
  }
  const rights = payload.rights as { supply?: unknown; move?: unknown; purchasereturn?: unknown } | undefined;
  const supply = asRights(rights?.supply);
  const move = asRights(rights?.move);
  // Sessions issued before returns existed carry no purchasereturn rights: none, until the next exchange.
  const purchasereturn = asRights(rights?.purchasereturn);
  if (typeof payload.acc !== 'string' || typeof payload.sub !== 'string' || !supply || !move) {
    throw unauthorized('claims malformed');
  }
  return {
    accountId: payload.acc,
    employeeId: payload.sub,
    employeeName: typeof payload.name === 'string' ? payload.name : '',
    isAdmin: payload.adm === true,
    rights: { supply, move, ...(purchasereturn ? { purchasereturn } : {}) },
    ...(payload.stk === true ? { stockReport: true } : {}),
    locale: payload.loc === 'en' ? 'en' : 'ru',
    ...(typeof payload.grp === 'string' ? { groupId: payload.grp } : {}),
    rightsCheckedAt: typeof payload.iat === 'number' ? payload.iat : 0,
  };
}

/**
 * A permission counts when present and not "NO": MoySklad gives a scope (ALL, OWN, OWN_SHARED,
 * OWN_GROUP, OWN_GROUP_SHARED) or a flag. A narrower scope (OWN…) still allows acting on the
 * documents MoySklad lets the user open, which is the only way the widget sees a document.
 */
export function permissionGranted(value: unknown): boolean {
  if (value === true) return true;
  if (typeof value !== 'string') return false;
  const v = value.trim().toUpperCase();
  return v !== '' && v !== 'NO' && v !== 'NONE' && v !== 'FALSE';
}

/** The scope of a granted permission; a flag (`true`) or an unknown word counts as ALL. */
export function permissionScope(value: unknown): RightScope | undefined {
  if (!permissionGranted(value)) return undefined;
  return typeof value === 'string' ? (asScope(value.trim().toUpperCase()) ?? 'ALL') : 'ALL';
}

function entityRights(permissions: Record<string, unknown>, entity: string): DocumentRights {
  const p = permissions[entity] as Record<string, unknown> | undefined;
  const viewScope = permissionScope(p?.view);
  const updateScope = permissionScope(p?.update);
  return {
    view: Boolean(viewScope),
    update: Boolean(updateScope),
    ...(viewScope ? { viewScope } : {}),
    ...(updateScope ? { updateScope } : {}),
  };
}

/**
 * The user-level «Просмотр остатков» permission (`viewStockReport`, docs/platform.md): a flag, or an
 * object with `view` as MoySklad writes entity permissions.
 */
function stockReportGranted(permissions: Record<string, unknown>): boolean {
  const value = permissions.viewStockReport;
  return permissionGranted(value) || (typeof value === 'object' && value !== null && permissionGranted((value as { view?: unknown }).view));
}

/** isAdmin and document rights from MoySklad permissions (context exchange or an individual role). */
export function rightsFromPermissions(permissions: Record<string, unknown>): Pick<AppSessionClaims, 'isAdmin' | 'rights' | 'stockReport'> {
  const admin = permissions.admin as { view?: unknown } | undefined;
  return {
    // MoySklad has no isAdmin field; its demos use permissions.admin.view === "ALL".
    isAdmin: admin?.view === 'ALL',
    stockReport: admin?.view === 'ALL' || stockReportGranted(permissions),
    rights: {
      supply: entityRights(permissions, 'supply'),
      move: entityRights(permissions, 'move'),
      purchasereturn: entityRights(permissions, 'purchasereturn'),
    },
  };
}

/** Everything granted on every document: MoySklad's system administrator role. */
export function administratorRights(): Pick<AppSessionClaims, 'isAdmin' | 'rights' | 'stockReport'> {
  const all: DocumentRights = { view: true, update: true, viewScope: 'ALL', updateScope: 'ALL' };
  return { isAdmin: true, stockReport: true, rights: { supply: { ...all }, move: { ...all }, purchasereturn: { ...all } } };
}

/** The last path segment of a MoySklad href (an entity's id). */
export function idOfHref(href: string | undefined): string | undefined {
  const id = href?.split('?')[0].split('/').pop();
  return id || undefined;
}

/** `userLocale` query parameter (`ru_RU` / `en_US`) → the page language. */
export function localeFrom(userLocale: string | null | undefined): SessionLocale {
  return (userLocale ?? '').toLowerCase().startsWith('en') ? 'en' : 'ru';
}

/** Claims from the employee MoySklad returned for the page's contextKey. */
export function employeeToSessionClaims(employee: MsEmployeeContext, userLocale?: string | null): AppSessionClaims {
  const groupId = idOfHref(employee.group?.meta.href);
  return {
    accountId: employee.accountId,
    employeeId: employee.id,
    employeeName: employee.shortFio || employee.fullName || employee.name || employee.uid || employee.id,
    ...(groupId ? { groupId } : {}),
    ...rightsFromPermissions(employee.permissions ?? {}),
    locale: localeFrom(userLocale),
  };
}
