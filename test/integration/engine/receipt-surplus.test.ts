/**
 * Surplus in a separate outdoc (issue 14 item 4, docs/product.md §4): when the task does not accept surplus
 * (attribute 350 / the account's default off), BetaPRO reports it in its own goods_supply carrying
 * attribute 624 = our indoc id and no indoc_id. It belongs to the task's document all the same, whether
 * it comes with the receipt or later (issued here from the simulator's operator console).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import { receiptSteps, simOutdocs } from './receipt-support';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;
const steps = receiptSteps(() => sandbox);

sandboxSuite(['surplus-shop'], (s, [a]) => {
  sandbox = s;
  account = a;
});
beforeAll(async () => {
  // This warehouse keeps surplus apart from the receipt (attribute 624).
  await steps.control('/config', { goods_surplus_enabled: false });
  // PEN-BLUE becomes known to BetaPRO through another task, so it can arrive as surplus.
  await steps.sendSupply(account, [['PEN-BLUE', 1]]);
});

const surplusDocs = (outdocs: Awaited<ReturnType<typeof simOutdocs>>) =>
  outdocs.filter((o) => !o.deleted && o.attributes.some((a) => a.attribute_id === 624));

describe('surplus in a separate outdoc (attribute 624)', () => {
  it('surplus counted with the receipt arrives apart and is added to the posted document', async () => {
    const { id, indocId } = await steps.sendSupply(account, [
      ['TS-WHITE', 10],
      ['MUG-300', 4],
    ]);
    await steps.control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [
        { good_id: 'TS-WHITE', useful_qnt: 13, defective_qnt: 0 },
        { good_id: 'MUG-300', useful_qnt: 4, defective_qnt: 0 },
        { good_id: 'PEN-BLUE', useful_qnt: 2, defective_qnt: 0 },
      ],
    });
    const outdocs = await simOutdocs(sandbox, indocId);
    const [surplus] = surplusDocs(outdocs);
    expect(surplus).toBeDefined();
    expect(surplus.indoc_id).toBeUndefined();
    expect(surplus.attributes).toContainEqual({ attribute_id: 624, value: indocId });

    const view = await steps.checkUntil(account, id, 'posted with surplus', (v) => v.state === 'posted');
    expect(steps.quantities(account, id)).toEqual({ 'TS-WHITE': 13, 'MUG-300': 4, 'PEN-BLUE': 2 });
    const doc = steps.msDoc(account, id);
    expect(doc.applicable).toBe(true);
    expect(doc.state?.name).toBe('Проведён');
    expect(doc.description).toMatch(/TS-WHITE.*план 10, принято 13/);
    expect(doc.description).toMatch(/PEN-BLUE.*не было в плане, принято 2/);
    expect(view.receipt?.lines.find((l) => l.goodId === 'TS-WHITE')).toMatchObject({
      planned: 10,
      accepted: 13,
      difference: 3,
    });
    // Both outdocs were locked (loaded) by the app.
    expect((await simOutdocs(sandbox, indocId)).filter((o) => !o.deleted).every((o) => o.locked)).toBe(true);
  });

  it('surplus found after the receipt, issued from the operator console, is added to the already posted document', async () => {
    const { id, indocId } = await steps.sendSupply(account, [['NB-A5', 6]]);
    await steps.control(`/indocs/${indocId}/receive`, { final: true });
    await steps.checkUntil(account, id, 'posted by the plan', (v) => v.state === 'posted');
    expect(steps.quantities(account, id)).toEqual({ 'NB-A5': 6 });

    const console = await (await fetch(sandbox.betapro.consoleUrl)).text();
    expect(console).toContain('Излишки отдельным документом');
    expect(console).toContain(`${indocId}/surplus`);
    const form = await fetch(`${sandbox.betapro.controlUrl}/indocs/${encodeURIComponent(indocId)}/surplus`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ lines: 'NB-A5 2\nPEN-BLUE 1' }).toString(),
    });
    expect(form.status).toBe(303);
    expect(decodeURIComponent(form.headers.get('location')!)).toContain('исходящие');
    expect(surplusDocs(await simOutdocs(sandbox, indocId))).toHaveLength(1);

    await steps.checkUntil(account, id, 'late surplus applied', () => steps.quantities(account, id)['NB-A5'] === 8);
    expect(steps.quantities(account, id)).toEqual({ 'NB-A5': 8, 'PEN-BLUE': 1 });
    const doc = steps.msDoc(account, id);
    expect(doc.applicable).toBe(true);
    expect(doc.state?.name).toBe('Проведён');
    expect(doc.description).toMatch(/NB-A5.*план 6, принято 8/);
  });

  it('the console switches a partner between surplus in the receipt and separate surplus documents', async () => {
    const before = await (await fetch(sandbox.betapro.consoleUrl)).text();
    expect(before).toContain('излишки в документе: нет (атрибут 624)');
    const form = await fetch(`${sandbox.betapro.controlUrl}/config`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ partnerId: 'P-1001', goods_surplus_enabled: 'true' }).toString(),
    });
    expect(form.status).toBe(303);
    expect(await (await fetch(sandbox.betapro.consoleUrl)).text()).toContain('излишки в документе: да');
    await steps.control('/config', { goods_surplus_enabled: false });
  });
});
