import { describe, expect, it } from 'vitest';
import { coversAll, coversDocument, requireDocumentRight, type Session } from '@/lib/sync/rights';
import { rightsFromSecurity } from '@/lib/sync/widget/session-guard';
import type { RightScope } from '@/lib/moysklad/app-session';
import { AppError } from '@/lib/core/errors';

const API = 'https://api.moysklad.ru/api/remap/1.2';
const ref = (type: string, id: string) => ({ meta: { href: `${API}/entity/${type}/${id}` } });

function session(scope: RightScope | undefined, groupId = 'g-1'): Session {
  const rights = scope ? { view: true, update: true, viewScope: scope, updateScope: scope } : { view: true, update: true };
  return {
    accountId: 'a',
    employeeId: 'me',
    employeeName: 'Я',
    groupId,
    isAdmin: false,
    locale: 'ru',
    rights: { supply: rights, move: { view: false, update: false } },
  };
}

const mine = { owner: ref('employee', 'me'), group: ref('group', 'g-2'), shared: false };
const myGroup = { owner: ref('employee', 'boss'), group: ref('group', 'g-1'), shared: false };
const sharedForeign = { owner: ref('employee', 'boss'), group: ref('group', 'g-9'), shared: true };
const foreign = { owner: ref('employee', 'boss'), group: ref('group', 'g-9'), shared: false };

describe('rights scopes per document', () => {
  it.each([
    ['ALL', [true, true, true, true]],
    ['OWN', [true, false, false, false]],
    ['OWN_SHARED', [true, false, true, false]],
    ['OWN_GROUP', [true, true, false, false]],
    ['OWN_GROUP_SHARED', [true, true, true, false]],
  ] as Array<[RightScope, boolean[]]>)("%s covers mine, my group's, shared, foreign = %j", (scope, expected) => {
    const s = session(scope);
    expect([mine, myGroup, sharedForeign, foreign].map((d) => coversDocument(s, 'supply', 'view', d))).toEqual(expected);
    expect(coversAll(s, 'supply', 'view')).toBe(scope === 'ALL');
  });

  it('a token without scopes (issued before they were kept) counts as ALL; no right covers nothing', () => {
    expect(coversDocument(session(undefined), 'supply', 'update', foreign)).toBe(true);
    expect(coversDocument(session('ALL'), 'move', 'view', mine)).toBe(false);
  });

  it('an employee without a group is not covered by OWN_GROUP for group documents', () => {
    expect(coversDocument(session('OWN_GROUP', ''), 'supply', 'view', { ...myGroup, group: undefined })).toBe(false);
  });

  it('refusal names the document, in Russian', () => {
    expect(() => requireDocumentRight(session('OWN'), 'supply', 'update', foreign)).toThrow(AppError);
    try {
      requireDocumentRight(session('OWN'), 'supply', 'view', foreign);
    } catch (error) {
      expect((error as AppError).userMessage).toBe('У вас нет прав на просмотр этого документа в МойСклад.');
      expect((error as AppError).httpStatus).toBe(403);
    }
  });
});

describe('rights from the employee security data', () => {
  it('system admin role grants everything; an individual role its permissions; other system roles nothing', () => {
    const admin = rightsFromSecurity({ isActive: true, role: { meta: { href: `${API}/entity/role/admin` } } });
    expect(admin.isAdmin).toBe(true);
    expect(admin.stockReport).toBe(true);
    expect(admin.rights.supply).toEqual({ view: true, update: true, viewScope: 'ALL', updateScope: 'ALL' });
    const clerk = rightsFromSecurity({
      group: { meta: { href: `${API}/entity/group/g-5` } },
      role: {
        meta: { href: `${API}/entity/role/individual` },
        permissions: { supply: { view: 'OWN_GROUP', update: 'NO' } },
      },
    });
    expect(clerk).toEqual({
      isAdmin: false,
      stockReport: false,
      groupId: 'g-5',
      rights: {
        supply: { view: true, update: false, viewScope: 'OWN_GROUP' },
        move: { view: false, update: false },
        purchasereturn: { view: false, update: false },
      },
    });
    const cashier = rightsFromSecurity({ role: { meta: { href: `${API}/entity/role/cashier` } } });
    expect(cashier.rights.supply.view).toBe(false);
    expect(cashier.isAdmin).toBe(false);
  });
});
