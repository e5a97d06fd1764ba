import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/core/errors';
import { mapMoyskladError } from '@/lib/moysklad/errors';
import type { MoyskladClient, NewState } from '@/lib/moysklad/json-api';
import type { MsState } from '@/lib/moysklad/schemas';
import { ensureStatuses, normalizeStatusName, STATUS_DEFINITIONS } from '@/lib/moysklad/statuses';

function fakeClient(states: Array<Pick<MsState, 'name'>>, create: (s: NewState) => MsState): MoyskladClient {
  return {
    getEntityMetadata: async () => ({
      meta: { href: 'x' },
      states: states.map((s, i) => ({
        meta: { href: `s${i}`, type: 'state' },
        id: `s${i}`,
        color: 0,
        stateType: 'Regular',
        ...s,
      })),
    }),
    createState: async (_e: string, s: NewState) => create(s),
  } as unknown as MoyskladClient;
}

describe('ensureStatuses', () => {
  it('reports what is missing when MoySklad refuses to create states (no admin scope)', async () => {
    let attempts = 0;
    const client = fakeClient([{ name: 'Передать' }], () => {
      attempts += 1;
      throw mapMoyskladError({
        status: 403,
        body: { errors: [{ error: 'Нет прав', code: 1016 }] },
        headers: {},
        operation: 'POST /entity/supply/metadata/states',
      });
    });
    const result = await ensureStatuses(client, 'supply');
    expect(attempts).toBe(1);
    expect(result.permissionDenied).toBe(true);
    expect(result.states.transfer?.name).toBe('Передать');
    expect(result.missing).toEqual(['sent', 'error', 'posted']);
    expect(result.message).toContain('«Передан», «Ошибка передачи», «Проведён»');
    expect(result.message).toContain('приёмок');
  });

  it('other errors are not swallowed', async () => {
    const client = fakeClient([], () => {
      throw new AppError('REMOTE_UNAVAILABLE', 'down');
    });
    await expect(ensureStatuses(client, 'move')).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
  });

  it('uses the configured names and the documented kinds', async () => {
    const created: NewState[] = [];
    const client = fakeClient([], (s) => {
      created.push(s);
      return { meta: { href: 'h', type: 'state' }, id: s.name, ...s };
    });
    await ensureStatuses(client, 'move', { names: { transfer: 'На склад' } });
    // The optional «Расхождения» is created with the others (issue 16).
    expect(created.map((s) => s.name)).toEqual(['На склад', 'Передан', 'Ошибка передачи', 'Проведён', 'Расхождения']);
    expect(created.map((s) => s.stateType)).toEqual(['Regular', 'Regular', 'Regular', 'Successful', 'Regular']);
    for (const s of Object.values(STATUS_DEFINITIONS)) expect(Number.isInteger(s.color) && s.color >= 0 && s.color <= 0xffffff).toBe(true);
  });

  it('compares names as people read them', () => {
    expect(normalizeStatusName('  Проведен ')).toBe(normalizeStatusName('проведён'));
    expect(normalizeStatusName('Ошибка  передачи')).toBe(normalizeStatusName('ошибка передачи'));
  });
});
