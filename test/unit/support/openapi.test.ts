import { describe, expect, it } from 'vitest';
import { requestErrors, responseErrors } from '../../support/openapi';

describe('spec validation helpers', () => {
  it('validate request bodies of recursive MoySklad schemas without overflowing', () => {
    expect(requestErrors('moysklad', 'PUT /entity/supply/{id}', { description: 'ok', applicable: true })).toEqual([]);
    expect(requestErrors('moysklad', 'PUT /entity/supply/{id}', { applicable: 'yes' }).length).toBeGreaterThan(0);
  });

  it('find errors in FBox bodies', () => {
    expect(requestErrors('betapro', 'POST /indocs', { indoc_type: 'goods_supply_task', indoc_id: 'A', items: [{ good_id: 'g', plan_qnt: 1 }] })).toEqual([]);
    expect(requestErrors('betapro', 'POST /indocs', { indoc_type: 'goods_supply_task', indoc_id: 'A', items: [{ good_id: 'g', plan_qnt: 'x' }] }).length).toBeGreaterThan(0);
    expect(responseErrors('betapro', 'GET /settings', 200, { success: true })).not.toEqual([]);
  });
});
