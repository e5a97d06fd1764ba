/**
 * A correction of an applied receipt (issue 14 item 3, docs/product.md §4): BetaPRO asks to unlock an outdoc
 * we applied (`unlock_request`). The document must stop telling the old facts before we unlock: it is
 * unposted, its positions go back to the plan and a comment line says the warehouse is correcting its
 * count. The outdoc BetaPRO re-issues after the unlock is then applied as usual.
 */
import { describe, expect, it } from 'vitest';
import { api, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import { receiptSteps, simOutdocs } from './receipt-support';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;
let progressive: ConfiguredAccount;
let review: ConfiguredAccount;
const steps = receiptSteps(() => sandbox);

sandboxSuite(
  ['correction-shop', ['correction-progressive', { partialPolicy: 'progressive' }], ['correction-review', { postingMode: 'review' }]],
  (s, [a0, a1, a2]) => {
    sandbox = s;
    account = a0;
    progressive = a1;
    review = a2;
  },
);

const CORRECTION_LINE = 'Склад БетаПРО исправляет данные приёмки';

describe('a correction reverts before it unlocks', () => {
  it('the only receipt corrected: unposted, back to the plan with a comment line, then the re-issued outdoc posts the new facts', async () => {
    const { id, indocId } = await steps.sendSupply(account, [
      ['TS-WHITE', 10],
      ['MUG-300', 4],
    ]);
    const planRows = steps.msDoc(account, id).positions!.rows.map((r) => ({ id: r.id, quantity: r.quantity, price: r.price }));
    await steps.control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [
        { good_id: 'TS-WHITE', useful_qnt: 7, defective_qnt: 0 },
        { good_id: 'MUG-300', useful_qnt: 0, defective_qnt: 0 },
      ],
    });
    await steps.checkUntil(account, id, 'first receipt posted', (v) => v.state === 'posted');
    expect(steps.quantities(account, id)).toEqual({ 'TS-WHITE': 7 });

    const [applied] = (await simOutdocs(sandbox, indocId)).filter((o) => !o.deleted);
    expect(applied.locked).toBe(true);
    await steps.control(`/outdocs/${applied.outdoc_id}/correct`, {
      items: [
        { good_id: 'TS-WHITE', useful_qnt: 9, defective_qnt: 0 },
        { good_id: 'MUG-300', useful_qnt: 4, defective_qnt: 0 },
      ],
    });

    // One «Проверить приёмку»: the poll sees the unlock_request, the apply reverts and unlocks. Nothing
    // polls again, so the document is observed between the revert and the re-issued receipt.
    await steps.check(account, id);
    const reverted = await waitFor('reverted and unlocked', async () => {
      const v = await documentView(sandbox, account.adminSession, 'supply', id);
      const old = (await simOutdocs(sandbox, indocId)).find((o) => o.outdoc_id === applied.outdoc_id)!;
      return v.state === 'receiving' && old.deleted ? v : undefined;
    });
    const doc = steps.msDoc(account, id);
    expect(doc.applicable).toBe(false);
    expect(doc.state?.name).toBe('Передан');
    // Back to the plan: the kept row in place, the row the receipt had removed added again at its price.
    expect(steps.quantities(account, id)).toEqual({ 'TS-WHITE': 10, 'MUG-300': 4 });
    expect(doc.positions!.rows.map((r) => r.price)).toEqual([15000, 15000]);
    const shirt = doc.positions!.rows.find((r) => r.assortment.article === 'TS-WHITE')!;
    expect(shirt.id).toBe(planRows.find((r) => r.quantity === 10)!.id);
    expect(doc.description!.startsWith('Комментарий пользователя')).toBe(true);
    expect(doc.description).toContain(CORRECTION_LINE);
    expect(reverted.events.map((e) => e.kind)).toContain('receipt_correction');
    expect(reverted.postedAt).toBeNull();

    const posted = await steps.checkUntil(account, id, 're-issued receipt posted', (v) => v.state === 'posted');
    expect(steps.quantities(account, id)).toEqual({ 'TS-WHITE': 9, 'MUG-300': 4 });
    const after = steps.msDoc(account, id);
    expect(after.applicable).toBe(true);
    expect(after.state?.name).toBe('Проведён');
    expect(after.description!.split(CORRECTION_LINE).length - 1).toBe(1);
    expect(posted.receipt?.lines.find((l) => l.goodId === 'TS-WHITE')).toMatchObject({ planned: 10, accepted: 9 });
    const live = (await simOutdocs(sandbox, indocId)).filter((o) => !o.deleted);
    expect(live).toHaveLength(1);
    expect(live[0].locked).toBe(true);
  });

  it('progressive policy, the final part corrected: the document goes back to the parts that stay, unposted, until the replacement', async () => {
    const { id, indocId } = await steps.sendSupply(progressive, [
      ['TS-WHITE', 10],
      ['MUG-300', 6],
    ]);
    await steps.control(`/indocs/${indocId}/receive`, {
      final: false,
      items: [{ good_id: 'TS-WHITE', useful_qnt: 4, defective_qnt: 0 }],
    });
    await steps.control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [
        { good_id: 'TS-WHITE', useful_qnt: 6, defective_qnt: 0 },
        { good_id: 'MUG-300', useful_qnt: 6, defective_qnt: 0 },
      ],
    });
    await steps.checkUntil(progressive, id, 'both parts posted', (v) => v.state === 'posted');
    expect(steps.quantities(progressive, id)).toEqual({ 'TS-WHITE': 10, 'MUG-300': 6 });

    const finalPart = (await simOutdocs(sandbox, indocId)).filter((o) => !o.deleted && !o.attributes.some((a) => a.attribute_id === 9))[0];
    await steps.control(`/outdocs/${finalPart.outdoc_id}/correct`, {
      items: [
        { good_id: 'TS-WHITE', useful_qnt: 5, defective_qnt: 0 },
        { good_id: 'MUG-300', useful_qnt: 5, defective_qnt: 0 },
      ],
    });
    await steps.check(progressive, id);
    await waitFor('final part reverted and unlocked', async () => {
      const v = await documentView(sandbox, progressive.adminSession, 'supply', id);
      const old = (await simOutdocs(sandbox, indocId)).find((o) => o.outdoc_id === finalPart.outdoc_id)!;
      return v.state === 'receiving' && old.deleted;
    });
    // What stays is part 1 only: 4 shirts, no mugs yet.
    expect(steps.quantities(progressive, id)).toEqual({ 'TS-WHITE': 4 });
    const doc = steps.msDoc(progressive, id);
    expect(doc.applicable).toBe(false);
    expect(doc.state?.name).toBe('Передан');
    expect(doc.description).toContain(`${CORRECTION_LINE}`);
    expect(doc.description).toContain('к остальным данным приёмки');

    await steps.checkUntil(progressive, id, 'replacement posted', (v) => v.state === 'posted');
    expect(steps.quantities(progressive, id)).toEqual({ 'TS-WHITE': 9, 'MUG-300': 5 });
    expect(steps.msDoc(progressive, id).applicable).toBe(true);
  });

  it('review posting, a separate surplus document corrected: the rest is held for a decision, so the document is reverted to it first', async () => {
    await steps.control('/config', { goods_surplus_enabled: false });
    try {
      const { id, indocId } = await steps.sendSupply(review, [
        ['TS-WHITE', 10],
        ['MUG-300', 4],
      ]);
      await steps.control(`/indocs/${indocId}/receive`, {
        final: true,
        items: [
          { good_id: 'TS-WHITE', useful_qnt: 12, defective_qnt: 0 },
          { good_id: 'MUG-300', useful_qnt: 3, defective_qnt: 0 },
        ],
      });
      await steps.checkUntil(review, id, 'held for review', (v) => v.state === 'review');
      await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
        token: review.adminSession,
        body: { action: 'post' },
      });
      await waitFor('posted by the user', async () => (await documentView(sandbox, review.adminSession, 'supply', id)).state === 'posted');
      expect(steps.quantities(review, id)).toEqual({ 'TS-WHITE': 12, 'MUG-300': 3 });

      const surplus = (await simOutdocs(sandbox, indocId)).find((o) => !o.deleted && o.attributes.some((a) => a.attribute_id === 624))!;
      await steps.control(`/outdocs/${surplus.outdoc_id}/correct`, {
        items: [{ good_id: 'TS-WHITE', useful_qnt: 1, defective_qnt: 0 }],
      });
      await steps.check(review, id);
      await waitFor('surplus reverted and unlocked', async () => {
        const v = await documentView(sandbox, review.adminSession, 'supply', id);
        const old = (await simOutdocs(sandbox, indocId)).find((o) => o.outdoc_id === surplus.outdoc_id)!;
        return v.state === 'receiving' && old.deleted;
      });
      // The receipt without the surplus document: 10 shirts and 3 mugs, unposted until a decision.
      expect(steps.quantities(review, id)).toEqual({ 'TS-WHITE': 10, 'MUG-300': 3 });
      expect(steps.msDoc(review, id).applicable).toBe(false);
      expect(steps.msDoc(review, id).description).toContain('к остальным данным приёмки');

      await steps.checkUntil(review, id, 'replacement held for review', (v) => v.state === 'review');
      expect(steps.msDoc(review, id).applicable).toBe(false);
      await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
        token: review.adminSession,
        body: { action: 'post' },
      });
      await waitFor(
        'posted with the corrected surplus',
        async () => (await documentView(sandbox, review.adminSession, 'supply', id)).state === 'posted',
      );
      expect(steps.quantities(review, id)).toEqual({ 'TS-WHITE': 11, 'MUG-300': 3 });
      expect(steps.msDoc(review, id).applicable).toBe(true);
    } finally {
      await steps.control('/config', { goods_surplus_enabled: true });
    }
  });
});
