import { describe, expect, it } from 'vitest';
import { availableActions } from '@/lib/sync/widget/document-view';
import { headerProblems, planHash, destinationStoreId } from '@/lib/sync/transfer/run-transfer';
import { defaultSettings, missingSettings, type Account } from '@/lib/sync/account/accounts';
import type { MsDocument } from '@/lib/moysklad/schemas';

function account(overrides: Partial<Account['settings']> = {}): Account {
  const settings = {
    ...defaultSettings(),
    betaproBaseUrl: 'https://wms',
    betaproPartnerId: 'p',
    betaproPassword: 'pw',
    hasPassword: true,
    storeIds: ['bp-store'],
    statuses: {
      supply: { transfer: 'a', sent: 'b', error: 'c', posted: 'd' },
      move: { transfer: 'e', sent: 'f', error: 'g', posted: 'h' },
      purchasereturn: { transfer: 'i', sent: 'j', error: 'k', posted: 'l' },
    },
    ...overrides,
  };
  return {
    accountId: 'acc',
    accountName: 'shop',
    status: 'active',
    reportedStatus: 'Activated',
    scope: 'admin',
    token: 't',
    webhookSecret: 's',
    settings,
    missing: missingSettings(settings),
  };
}

const storeRef = (id: string) => ({ meta: { href: `https://api/entity/store/${id}`, type: 'store' } });
const supply = (store?: string) =>
  ({
    meta: { href: 'x', type: 'supply' },
    id: 'd1',
    name: '00001',
    ...(store ? { store: storeRef(store) } : {}),
  }) as unknown as MsDocument;

describe('actions by state and rights', () => {
  it('enables only what makes sense now, and nothing without the update right', () => {
    expect(
      Object.entries(availableActions('not_sent', true, false))
        .filter(([, a]) => a.enabled)
        .map(([k]) => k),
    ).toEqual(['send']);
    expect(
      Object.entries(availableActions('error', true, true))
        .filter(([, a]) => a.enabled)
        .map(([k]) => k),
    ).toEqual(['retry', 'check']);
    expect(
      Object.entries(availableActions('sent', true, true))
        .filter(([, a]) => a.enabled)
        .map(([k]) => k),
    ).toEqual(['check', 'cancel']);
    expect(
      Object.entries(availableActions('review', true, true))
        .filter(([, a]) => a.enabled)
        .map(([k]) => k),
    ).toEqual(['check', 'post']);
    const noRights = availableActions('not_sent', false, false);
    expect(noRights.send).toEqual({
      enabled: false,
      reason: 'Нет прав на изменение документа в МойСклад',
      reasonCode: 'no_rights',
    });
  });
});

describe('header problems', () => {
  it('passes a configured account and a document to a BetaPRO store', () => {
    expect(headerProblems(account(), 'supply', supply('bp-store'))).toEqual([]);
  });
  it('names every problem at once', () => {
    const problems = headerProblems(account({ storeIds: ['bp-store'], enabledEntities: ['move'] }), 'supply', supply('other'));
    expect(problems.map((p) => p.code)).toEqual(['entity_disabled', 'store_not_mapped']);
    const unconfigured = headerProblems(account({ hasPassword: false, betaproPassword: null }), 'supply', supply());
    expect(unconfigured.map((p) => p.code)).toEqual(['not_configured', 'no_store']);
    expect(unconfigured[0].message).toContain('пароль БетаПРО');
  });
  it("reads a move's target store", () => {
    const move = {
      meta: { href: 'x', type: 'move' },
      id: 'm',
      name: 'm',
      sourceStore: storeRef('a'),
      targetStore: storeRef('b'),
    } as unknown as MsDocument;
    expect(destinationStoreId('move', move)).toBe('b');
  });
});

describe('plan hash', () => {
  it('ignores line order and changes with any quantity', () => {
    const line = (goodId: string, quantity: number) => ({
      goodId,
      quantity,
      assortment: { href: '', type: 'product' as const },
      name: '',
      price: 0,
      positionIds: [],
    });
    expect(planHash({ lines: [line('a', 1), line('b', 2)] })).toBe(planHash({ lines: [line('b', 2), line('a', 1)] }));
    expect(planHash({ lines: [line('a', 1), line('b', 2)] })).not.toBe(planHash({ lines: [line('a', 1), line('b', 3)] }));
  });
});
