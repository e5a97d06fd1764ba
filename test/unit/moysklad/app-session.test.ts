import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { AppError } from '@/lib/core/errors';
import {
  employeeToSessionClaims,
  issueAppSession,
  permissionGranted,
  verifyAppSession,
  type AppSessionClaims,
} from '@/lib/moysklad/app-session';
import { msEmployeeContextSchema } from '@/lib/moysklad/schemas';

const secret = Buffer.alloc(32, 7).toString('base64');
const claims: AppSessionClaims = {
  accountId: 'acc-1',
  employeeId: 'emp-1',
  employeeName: 'Иванов И.',
  isAdmin: false,
  rights: { supply: { view: true, update: true }, move: { view: true, update: false } },
  locale: 'ru',
};

describe('app session', () => {
  it('round-trips the claims', async () => {
    const token = await issueAppSession(claims, { secret });
    const payload = decodeJwt(token);
    await expect(verifyAppSession(token, { secret })).resolves.toEqual({ ...claims, rightsCheckedAt: payload.iat });
    await expect(verifyAppSession(`Bearer ${token}`, { secret })).resolves.toEqual({
      ...claims,
      rightsCheckedAt: payload.iat,
    });
    expect(payload.exp! - payload.iat!).toBe(7200);
  });

  it('refuses another key, an expired token, garbage and nothing', async () => {
    const token = await issueAppSession(claims, { secret });
    const other = Buffer.alloc(32, 8).toString('base64');
    const expired = await issueAppSession(claims, { secret, now: () => new Date(Date.now() - 3 * 3600_000) });
    for (const attempt of [
      () => verifyAppSession(token, { secret: other }),
      () => verifyAppSession(expired, { secret }),
      () => verifyAppSession('abc.def.ghi', { secret }),
      () => verifyAppSession(undefined, { secret }),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('UNAUTHORIZED');
    }
  });

  it('is not the key itself: a token signed directly with the base secret is refused', async () => {
    const { SignJWT } = await import('jose');
    const forged = await new SignJWT({ acc: 'acc-1', rights: claims.rights })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('emp-1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .setIssuer('betapro-bridge')
      .setAudience('betapro-bridge:app-session')
      .sign(new TextEncoder().encode(secret));
    await expect(verifyAppSession(forged, { secret })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('employeeToSessionClaims', () => {
  const employee = (permissions: Record<string, unknown>) =>
    msEmployeeContextSchema.parse({
      id: 'e1',
      accountId: 'a1',
      name: 'Мария',
      shortFio: 'Петрова М.',
      permissions,
    });

  it('admin = permissions.admin.view ALL', () => {
    const c = employeeToSessionClaims(
      employee({
        admin: { view: 'ALL' },
        supply: { view: 'ALL', update: 'ALL' },
        move: { view: 'ALL', update: 'ALL' },
      }),
      'ru_RU',
    );
    expect(c).toEqual({
      accountId: 'a1',
      employeeId: 'e1',
      employeeName: 'Петрова М.',
      isAdmin: true,
      stockReport: true,
      locale: 'ru',
      rights: {
        supply: { view: true, update: true, viewScope: 'ALL', updateScope: 'ALL' },
        move: { view: true, update: true, viewScope: 'ALL', updateScope: 'ALL' },
        purchasereturn: { view: false, update: false },
      },
    });
  });

  it('«Просмотр остатков» (viewStockReport, a flag) opens the stock reconciliation and survives the token', async () => {
    const granted = employeeToSessionClaims(employee({ viewStockReport: true, supply: { view: 'ALL' } }), 'ru_RU');
    const refused = employeeToSessionClaims(employee({ viewStockReport: false, supply: { view: 'ALL' } }), 'ru_RU');
    expect(granted.stockReport).toBe(true);
    expect(refused.stockReport).toBe(false);
    const secret = 'k'.repeat(32);
    await expect(verifyAppSession(await issueAppSession(granted, { secret }), { secret })).resolves.toMatchObject({ stockReport: true });
    expect((await verifyAppSession(await issueAppSession(refused, { secret }), { secret })).stockReport).toBeUndefined();
  });

  it('a clerk: rights count when present and not NO', () => {
    const c = employeeToSessionClaims(
      employee({ admin: { view: 'NO' }, supply: { view: 'OWN', update: 'NO' }, move: { view: 'ALL' } }),
      'en_US',
    );
    expect(c.isAdmin).toBe(false);
    // The scope is kept: an OWN right covers only the employee's own documents (checked per document).
    expect(c.rights).toEqual({
      supply: { view: true, update: false, viewScope: 'OWN' },
      move: { view: true, update: false, viewScope: 'ALL' },
      purchasereturn: { view: false, update: false },
    });
    expect(c.locale).toBe('en');
  });

  it('keeps the employee group and the scopes through the token', async () => {
    const c = employeeToSessionClaims(
      msEmployeeContextSchema.parse({
        id: 'e1',
        accountId: 'a1',
        group: { meta: { href: 'https://api.moysklad.ru/api/remap/1.2/entity/group/g-7', type: 'group' } },
        permissions: { supply: { view: 'OWN_GROUP', update: 'OWN' } },
      }),
    );
    expect(c.groupId).toBe('g-7');
    const back = await verifyAppSession(await issueAppSession(c, { secret }), { secret });
    expect(back.groupId).toBe('g-7');
    expect(back.rights.supply).toEqual({ view: true, update: true, viewScope: 'OWN_GROUP', updateScope: 'OWN' });
  });

  it('permissionGranted', () => {
    expect(['ALL', 'OWN', 'OWN_SHARED', 'OWN_GROUP', 'OWN_GROUP_SHARED', true].map(permissionGranted)).toEqual(Array(6).fill(true));
    expect(['NO', '', undefined, null, false, 0].map(permissionGranted)).toEqual(Array(6).fill(false));
  });
});
