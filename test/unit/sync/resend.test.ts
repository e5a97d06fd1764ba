import { describe, expect, it } from 'vitest';
import { planResend } from '@/lib/sync/transfer/generation';
import { findStatusBefore } from '@/lib/sync/transfer/previous-status';
import { defaultSettings, missingSettings, type Account } from '@/lib/sync/account/accounts';
import type { MoyskladClient } from '@/lib/moysklad/json-api';
import type { MsDocument } from '@/lib/moysklad/schemas';

const msId = '0b7c1d2e-3f40-5162-7384-9a5b6c7d8e9f';
const first = 'MSS0b7c1d2e3f40516273849a5b6c7d8e9f';
const doc = (state: string, indocId: string | null = first, generation = 1, replacedIndocId: string | null = null) => ({
  state,
  indocId,
  generation,
  entity: 'supply',
  msId,
  replacedIndocId,
});

describe('planResend: only a deliberate re-send after the task ended moves to a new generation', () => {
  it('after a cancel or a non-arrival: the next number, nothing to delete', () => {
    for (const state of ['cancelled', 'expired']) {
      const plan = planResend(doc(state), 'webhook');
      expect(plan?.nextIndocId).toBe(`${first}-2`);
      expect(plan?.patch).toEqual({ generation: 2, indocId: null });
    }
    expect(planResend(doc('expired', `${first}-2`, 2), 'widget')?.nextIndocId).toBe(`${first}-3`);
  });

  it('after an error when a task existed: the next number, and the previous task is deleted first', () => {
    // The previous task stays the document's task until the job deleted it.
    expect(planResend(doc('error'), 'scenario')?.patch).toEqual({ generation: 2, replacedIndocId: first });
  });

  it("keeps the number when no task existed, on the app's own triggers, and in other states", () => {
    expect(planResend(doc('error', null), 'widget')).toBeNull();
    expect(planResend(doc('not_sent', null), 'widget')).toBeNull();
    expect(planResend(doc('cancelled'), 'system')).toBeNull();
    expect(planResend(doc('expired'), 'poll')).toBeNull();
    expect(planResend(doc('sent'), 'widget')).toBeNull();
    // A replacement decided earlier (its job stopped on a data problem) is not decided again.
    expect(planResend(doc('error', first, 2, first), 'widget')).toBeNull();
  });
});

describe('findStatusBefore', () => {
  const settings = {
    ...defaultSettings(),
    statuses: {
      supply: { transfer: 'T', sent: 'S', error: 'E', posted: 'P' },
      move: defaultSettings().statuses.move,
      purchasereturn: defaultSettings().statuses.purchasereturn,
    },
  };
  const account = { accountId: 'acc', settings, missing: missingSettings(settings) } as unknown as Account;
  const ref = (id: string) => ({ meta: { href: `https://api/entity/supply/metadata/states/${id}`, type: 'state' } });
  const document = (state: string) =>
    ({ id: msId, name: '1', meta: { href: 'x', type: 'supply' }, state: ref(state) }) as unknown as MsDocument;
  const client = (rows: unknown[]) => ({ getAudit: async () => ({ meta: { size: rows.length }, rows }) }) as unknown as MoyskladClient;
  const change = (moment: string, from: string, to: string) => ({
    eventType: 'update',
    moment,
    diff: { state: { oldValue: ref(from), newValue: ref(to) } },
  });

  it("is the current status when it is not one of the app's", async () => {
    expect(await findStatusBefore(client([]), account, 'supply', document('NEW'))).toBe('NEW');
  });

  it("skips the app's statuses back through the audit, newest first", async () => {
    const audit = [
      change('2026-11-30 10:00:00', 'NEW', 'T'),
      change('2026-11-30 10:00:05', 'T', 'E'),
      change('2026-11-30 10:01:00', 'E', 'T'),
      change('2026-11-30 10:01:02', 'T', 'S'),
      { eventType: 'update', moment: '2026-11-30 10:01:03', diff: { description: { oldValue: '', newValue: 'x' } } },
    ];
    expect(await findStatusBefore(client(audit), account, 'supply', document('S'))).toBe('NEW');
  });

  it('is null for a document created in «Передать», or when the audit cannot be read', async () => {
    expect(
      await findStatusBefore(client([{ eventType: 'create', moment: '2026-11-30 10:00:00' }]), account, 'supply', document('T')),
    ).toBeNull();
    const failing = {
      getAudit: async () => {
        throw new Error('403');
      },
    } as unknown as MoyskladClient;
    expect(await findStatusBefore(failing, account, 'supply', document('T'))).toBeNull();
  });
});
