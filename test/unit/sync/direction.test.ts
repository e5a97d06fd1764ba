import { describe, expect, it } from 'vitest';
import { decideDirection } from '@/lib/sync/transfer/direction';
import { defaultSettings, missingSettings, type Account } from '@/lib/sync/account/accounts';
import type { MsDocument } from '@/lib/moysklad/schemas';
import { toShipmentTask } from '@/lib/betapro/mappers/shipment-task';
import { shipmentFactFromRaw } from '@/lib/betapro/mappers/shipment';

function account(storeIds: string[]): Account {
  const settings = {
    ...defaultSettings(),
    betaproBaseUrl: 'https://wms',
    betaproPartnerId: 'p',
    betaproPassword: 'pw',
    hasPassword: true,
    storeIds,
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
const ref = (id: string) => ({ meta: { href: `https://api/entity/store/${id}`, type: 'store' } });
const move = (from: string, to: string) =>
  ({
    meta: { href: 'x', type: 'move' },
    id: 'm',
    name: 'm',
    sourceStore: ref(from),
    targetStore: ref(to),
  }) as unknown as MsDocument;

describe('direction from the stores (docs/outbound.md)', () => {
  it('inbound into BetaPRO, outbound out of it, an error between two BetaPRO stores or none', () => {
    const a = account(['bp', 'bp2']);
    expect(decideDirection(a, 'move', move('main', 'bp'))).toEqual({ direction: 'inbound', storeId: 'bp' });
    expect(decideDirection(a, 'move', move('bp', 'main'))).toEqual({ direction: 'outbound', storeId: 'bp' });
    expect(decideDirection(a, 'move', move('bp', 'bp2'))).toMatchObject({ problem: { code: 'same_warehouse' } });
    expect(decideDirection(a, 'move', move('main', 'shop'))).toMatchObject({ problem: { code: 'store_not_mapped' } });
  });
  it('a purchase return leaves its one store: outbound from a BetaPRO store, store_not_mapped otherwise', () => {
    const ret = (store?: string) =>
      ({
        meta: { href: 'x', type: 'purchasereturn' },
        id: 'r',
        name: 'r',
        ...(store ? { store: ref(store) } : {}),
      }) as unknown as MsDocument;
    expect(decideDirection(account(['bp']), 'purchasereturn', ret('bp'))).toEqual({
      direction: 'outbound',
      storeId: 'bp',
    });
    const other = decideDirection(account(['bp']), 'purchasereturn', ret('main'));
    expect(other).toMatchObject({ problem: { code: 'store_not_mapped', params: { entity: 'purchasereturn' } } });
    expect('problem' in other && other.problem.message).toContain('возврат');
    expect(decideDirection(account(['bp']), 'purchasereturn', ret())).toMatchObject({ problem: { code: 'no_store' } });
    // No store marked: every store is BetaPRO's, and a return can only go out of it.
    expect(decideDirection(account([]), 'purchasereturn', ret('a'))).toEqual({ direction: 'outbound', storeId: 'a' });
  });
  it('an account with no BetaPRO store marked keeps every document inbound', () => {
    expect(decideDirection(account([]), 'move', move('a', 'b'))).toEqual({ direction: 'inbound', storeId: 'b' });
  });
});

describe('shipment mappers', () => {
  it('a plan becomes a goods_shipment_task of good quality, shipped (not only picked), lines merged by good', () => {
    const line = (goodId: string, quantity: number) => ({
      goodId,
      quantity,
      assortment: { href: '', type: 'product' as const },
      name: goodId,
      price: 0,
      positionIds: [],
    });
    const task = toShipmentTask({
      accountId: 'a',
      entity: 'move',
      direction: 'outbound',
      documentId: 'd',
      documentName: '1',
      indocId: 'MSM1',
      note: ' Перемещение  1 ',
      lines: [line('A', 2), line('B', 1), line('A', 3)],
      goods: [],
    });
    expect(task).toEqual({
      indoc_type: 'goods_shipment_task',
      indoc_id: 'MSM1',
      qual_type: 'useful',
      picking_only: false,
      indoc_txt: 'Перемещение 1',
      items: [
        { good_id: 'A', plan_qnt: 5 },
        { good_id: 'B', plan_qnt: 1 },
      ],
    });
  });
  it('goods_shipment: what left is the sum over the boxes; start carries nothing', () => {
    const common = {
      outdoc_id: 7,
      outdoc_type: 'goods_shipment',
      outdoc_type_descrip: 'x',
      outdoc_date: '2026-11-30',
      created_at: '2026-11-30 10:00:00',
      indoc_id: 'MSM1',
    };
    const fact = shipmentFactFromRaw({
      success: true,
      outdoc_type: 'goods_shipment',
      common,
      pallets: [
        {
          boxes: [
            {
              box_id: 1,
              goods: [
                { good_id: 'A', qnt: 2 },
                { good_id: 'B', qnt: 1 },
              ],
            },
            { box_id: 2, goods: [{ good_id: 'A', qnt: 1 }] },
          ],
        },
      ],
    });
    expect(fact?.kind).toBe('goods_shipment');
    expect(fact?.lines).toEqual([
      { goodId: 'A', planned: 0, useful: 3, defective: 0 },
      { goodId: 'B', planned: 0, useful: 1, defective: 0 },
    ]);
    expect(
      shipmentFactFromRaw({
        success: true,
        outdoc_type: 'goods_shipment_start',
        common: { ...common, outdoc_type: 'goods_shipment_start' },
      })?.lines,
    ).toEqual([]);
    expect(shipmentFactFromRaw({ success: true, outdoc_type: 'goods_supply', common })).toBeUndefined();
  });
});
