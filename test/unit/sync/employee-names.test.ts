/**
 * One name per user (issue 16): a login is turned into the employee's short name once per account and
 * remembered; a burst asks MoySklad once; a failed or empty lookup gives the login, never an error.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { employeeNameFor, forgetEmployeeNames, rememberEmployeeName } from '@/lib/sync/account/employee-names';
import type { MsEmployee } from '@/lib/moysklad/schemas';

function fakeClient(answer: (uid: string) => Promise<MsEmployee | null>) {
  const calls: string[] = [];
  return {
    calls,
    findEmployeeByUid: (uid: string) => {
      calls.push(uid);
      return answer(uid);
    },
  };
}

beforeEach(() => forgetEmployeeNames());

describe('employee names', () => {
  it('looks a login up once, even for a burst, and remembers it per account', async () => {
    const client = fakeClient(async (uid) => ({ id: 'e1', uid, shortFio: 'Кладовщикова К.' }));
    const names = await Promise.all(Array.from({ length: 20 }, () => employeeNameFor(client, 'acc-1', 'clerk@shop')));
    expect(new Set(names)).toEqual(new Set(['Кладовщикова К.']));
    expect(client.calls).toEqual(['clerk@shop']);
    expect(await employeeNameFor(client, 'acc-1', 'CLERK@shop')).toBe('Кладовщикова К.');
    expect(client.calls).toHaveLength(1);
    // Another account is another cache entry.
    await employeeNameFor(client, 'acc-2', 'clerk@shop');
    expect(client.calls).toHaveLength(2);
  });

  it('asks nothing for an employee known from a session', async () => {
    const client = fakeClient(async () => {
      throw new Error('must not be called');
    });
    rememberEmployeeName('acc-1', 'admin@shop', 'Администраторова А.');
    expect(await employeeNameFor(client, 'acc-1', 'admin@shop')).toBe('Администраторова А.');
    expect(client.calls).toEqual([]);
  });

  it('falls back to the login when MoySklad fails or knows no such employee, and does not retry at once', async () => {
    const failing = fakeClient(async () => {
      throw new Error('503');
    });
    expect(await employeeNameFor(failing, 'acc-1', 'ghost@shop')).toBe('ghost@shop');
    expect(await employeeNameFor(failing, 'acc-1', 'ghost@shop')).toBe('ghost@shop');
    expect(failing.calls).toHaveLength(1);
    const empty = fakeClient(async () => null);
    expect(await employeeNameFor(empty, 'acc-1', 'gone@shop')).toBe('gone@shop');
    const nameless = fakeClient(async (uid) => ({ id: 'e2', uid, fullName: 'Полное Имя' }));
    expect(await employeeNameFor(nameless, 'acc-1', 'full@shop')).toBe('Полное Имя');
  });

  it('is bounded: the least recently used logins are dropped first', async () => {
    const client = fakeClient(async (uid) => ({ id: uid, uid, shortFio: `name of ${uid}` }));
    await employeeNameFor(client, 'acc-1', 'first@shop');
    for (let i = 0; i < 2500; i++) rememberEmployeeName('acc-1', `user${i}@shop`, `User ${i}`);
    await employeeNameFor(client, 'acc-1', 'first@shop');
    expect(client.calls).toEqual(['first@shop', 'first@shop']);
  });
});
