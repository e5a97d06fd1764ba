/**
 * Receipt reconciliation over HTTP (docs/product.md §4): the operator receives goods in the BetaPRO
 * simulator, the app polls ("check now"), applies the facts onto the MoySklad document and posts it.
 */
import { describe, expect, it } from 'vitest';
import { api, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import { receiptSteps, type MsDoc } from './receipt-support';
import type { DocumentView } from '@/lib/api/contract';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;
let progressive: ConfiguredAccount;

sandboxSuite(['receipt-shop', ['receipt-progressive', { partialPolicy: 'progressive' }]], (s, [a0, a1]) => {
  sandbox = s;
  account = a0;
  progressive = a1;
});

const ms = () => sandbox.moysklad;
const { sendSupply, control, checkUntil, msDoc, quantities, productOf } = receiptSteps(() => sandbox, {
  description: 'Комментарий пользователя\nвторая строка',
});
const checkAndWait = (acc: ConfiguredAccount, id: string, done: (v: DocumentView) => boolean) =>
  checkUntil(acc, id, 'receipt applied', done);

describe('receipt → corrected and posted document', () => {
  it('received exactly as planned → "Проведён", applicable, positions unchanged', async () => {
    const { id, indocId } = await sendSupply(account, [
      ['TS-WHITE', 10],
      ['MUG-300', 4],
    ]);
    const before = msDoc(account, id).positions!.rows.map((r) => ({ id: r.id, quantity: r.quantity, price: r.price }));
    await control(`/indocs/${indocId}/receive`, { final: true });
    const view = await checkAndWait(account, id, (v) => v.state === 'posted');
    const after = msDoc(account, id);
    expect(after.applicable).toBe(true);
    expect(after.state?.name).toBe('Проведён');
    expect(after.positions!.rows.map((r) => ({ id: r.id, quantity: r.quantity, price: r.price }))).toEqual(before);
    expect(after.description!.startsWith('Комментарий пользователя\nвторая строка')).toBe(true);
    expect(after.description).toContain('всё принято по плану');
    expect(view.receipt?.lines.every((l) => l.difference === 0)).toBe(true);
  });

  it('shortage, a different product instead, surplus and defects → positions equal the facts, comment lists each', async () => {
    // The product that arrives instead is known to the warehouse (its card was sent with another task).
    await sendSupply(account, [['PEN-BLUE', 1]]);
    const { id, indocId } = await sendSupply(account, [
      ['TS-WHITE', 10],
      ['MUG-300', 4],
      ['NB-A5', 6],
    ]);
    await control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [
        { good_id: 'TS-WHITE', useful_qnt: 7, defective_qnt: 1 }, // shortage, one defective (counted as received)
        { good_id: 'MUG-300', useful_qnt: 0, defective_qnt: 0 }, // nothing arrived...
        { good_id: 'PEN-BLUE', useful_qnt: 4, defective_qnt: 0 }, // ...a different product instead
        { good_id: 'NB-A5', useful_qnt: 9, defective_qnt: 0 }, // surplus
      ],
    });
    const view = await checkAndWait(account, id, (v) => v.state === 'posted');
    expect(quantities(account, id)).toEqual({ 'TS-WHITE': 8, 'NB-A5': 9, 'PEN-BLUE': 4 });
    const doc = msDoc(account, id);
    expect(doc.applicable).toBe(true);
    expect(doc.state?.name).toBe('Проведён');
    const comment = doc.description!;
    for (const text of ['TS-WHITE', 'MUG-300', 'NB-A5', 'PEN-BLUE']) expect(comment).toContain(text);
    expect(comment).toMatch(/брак/);
    const pen = doc.positions!.rows.find((r) => r.assortment.article === 'PEN-BLUE')!;
    expect(pen.price).toBe(2500);
    const penLine = view.receipt!.lines.find((l) => l.goodId === 'PEN-BLUE')!;
    expect(penLine.unexpected).toBe(true);
    // «Принято» is one number: the widget's column, the comment and the document (defects counted as received).
    expect(view.receipt!.lines.find((l) => l.goodId === 'TS-WHITE')).toMatchObject({
      planned: 10,
      accepted: 8,
      defective: 1,
    });
    expect(comment).toMatch(/TS-WHITE[^\n]*план 10, принято 8 /);
  });

  it('two partial receipts then the final one: applied once at the end (default) or progressively, same final document', async () => {
    const results: Record<string, number>[] = [];
    for (const acc of [account, progressive]) {
      const { id, indocId } = await sendSupply(acc, [
        ['TS-WHITE', 10],
        ['MUG-300', 6],
      ]);
      await control(`/indocs/${indocId}/receive`, {
        final: false,
        items: [{ good_id: 'TS-WHITE', useful_qnt: 4, defective_qnt: 0 }],
      });
      await control(`/indocs/${indocId}/receive`, {
        final: false,
        items: [{ good_id: 'MUG-300', useful_qnt: 6, defective_qnt: 0 }],
      });
      const partial = await checkAndWait(acc, id, (v) => v.state === 'receiving' && (v.receipt?.parts ?? 0) >= 2);
      expect(partial.receipt?.partial).toBe(true);
      if (acc === account) {
        expect(quantities(acc, id)).toEqual({ 'TS-WHITE': 10, 'MUG-300': 6 });
        expect(msDoc(acc, id).state?.name).toBe('Передан');
      } else {
        await waitFor('progressive positions', async () => quantities(acc, id)['TS-WHITE'] === 4);
        expect(msDoc(acc, id).applicable).not.toBe(true);
      }
      await control(`/indocs/${indocId}/receive`, {
        final: true,
        items: [{ good_id: 'TS-WHITE', useful_qnt: 5, defective_qnt: 0 }],
      });
      await checkAndWait(acc, id, (v) => v.state === 'posted');
      expect(msDoc(acc, id).state?.name).toBe('Проведён');
      results.push(quantities(acc, id));
    }
    expect(results[0]).toEqual({ 'TS-WHITE': 9, 'MUG-300': 6 });
    expect(results[1]).toEqual(results[0]);
  });

  it('non-arrival → not posted, error status with the reason', async () => {
    const { id, indocId } = await sendSupply(account, [['NB-A5', 3]]);
    await control(`/indocs/${indocId}/expire`);
    const view = await checkAndWait(account, id, (v) => v.state === 'expired');
    expect(view.errors[0].message).toMatch(/не прибыла/);
    const doc = msDoc(account, id);
    expect(doc.applicable).not.toBe(true);
    expect(doc.state?.name).toBe('Ошибка передачи');
    expect(doc.description).toContain('не прибыла');
  });

  it('a correction of a locked outdoc → the document equals the projection of the replacement', async () => {
    const { id, indocId } = await sendSupply(account, [['TS-WHITE', 10]]);
    await control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [{ good_id: 'TS-WHITE', useful_qnt: 7, defective_qnt: 0 }],
    });
    await checkAndWait(account, id, (v) => v.state === 'posted');
    expect(quantities(account, id)).toEqual({ 'TS-WHITE': 7 });
    const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
      partners: Record<string, { outdocs: Record<string, { outdoc_id: number; indoc_id?: string; locked: boolean; deleted?: boolean }> }>;
    };
    const outdoc = Object.values(Object.values(state.partners)[0].outdocs).find((o) => o.indoc_id === indocId && !o.deleted)!;
    expect(outdoc.locked).toBe(true);
    await control(`/outdocs/${outdoc.outdoc_id}/correct`, {
      items: [{ good_id: 'TS-WHITE', useful_qnt: 10, defective_qnt: 0 }],
    });
    await waitFor('replacement applied', async () => {
      await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
        token: account.adminSession,
        body: { action: 'check' },
      });
      await new Promise((r) => setTimeout(r, 400));
      // The revert before the unlock also shows 10 (the plan), unposted: wait for the replacement's posting.
      const v = await documentView(sandbox, account.adminSession, 'supply', id);
      return v.state === 'posted' && quantities(account, id)['TS-WHITE'] === 10;
    });
    const view = await documentView(sandbox, account.adminSession, 'supply', id);
    expect(view.state).toBe('posted');
    expect(msDoc(account, id).applicable).toBe(true);
  });

  it('a move with a shortage → posted by the facts; the log says the missing quantity stays on the source store', async () => {
    const doc = ms().createDocument(account.accountId, 'move', {
      organization: ms().meta('organization', account.seed.organizationId),
      sourceStore: ms().meta('store', account.seed.stores.main),
      targetStore: ms().meta('store', account.seed.stores.betapro),
      positions: [{ quantity: 6, price: 0, assortment: ms().meta('product', productOf(account, 'MUG-300').id) }],
    });
    const id = String(doc.id);
    await api(sandbox.app.url, `/api/widget/documents/move/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    const sent = await waitFor('move sent', async () => {
      const v = await documentView(sandbox, account.adminSession, 'move', id);
      return v.state === 'sent' ? v : undefined;
    });
    await control(`/indocs/${sent.indocId}/receive`, {
      final: true,
      items: [{ good_id: 'MUG-300', useful_qnt: 4, defective_qnt: 0 }],
    });
    await waitFor('move posted', async () => {
      const v = await documentView(sandbox, account.adminSession, 'move', id);
      if (v.state === 'posted') return v;
      await api(sandbox.app.url, `/api/widget/documents/move/${id}/actions`, {
        token: account.adminSession,
        body: { action: 'check' },
      });
      await new Promise((r) => setTimeout(r, 300));
      return undefined;
    });
    const move = ms().getDocument(account.accountId, 'move', id) as MsDoc;
    expect(move.applicable).toBe(true);
    expect(move.state?.name).toBe('Проведён');
    expect(move.positions!.rows.map((r) => r.quantity)).toEqual([4]);
    expect(move.description).toMatch(/складе-отправителе/);
  });
});
