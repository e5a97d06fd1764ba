/**
 * Moves with surplus or substitutes (docs/product.md §4): MoySklad moves what the warehouse received, so the
 * comment says the source store gave more (or other) goods than planned. With stock control on, MoySklad
 * refuses to post when the source store lacks those goods: the document shows «Ошибка» with MoySklad's
 * reason, the facts stay applied, and «Повторить» posts it once the stock is fixed — without a new task.
 */
import { describe, expect, it } from 'vitest';
import { api, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import type { DocumentView } from '@/lib/api/contract';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(['move-shop'], (s, [a]) => {
  sandbox = s;
  account = a;
});

const ms = () => sandbox.moysklad;
const productId = (article: string) => account.seed.products.find((p) => p.article === article)!.id;
interface MsMove {
  applicable?: boolean;
  description?: string;
  state?: { name?: string };
  positions?: { rows: Array<{ quantity: number; assortment: { article?: string } }> };
}
const msMove = (id: string) => ms().getDocument(account.accountId, 'move', id) as MsMove;
const quantities = (id: string) => Object.fromEntries((msMove(id).positions?.rows ?? []).map((r) => [r.assortment.article, r.quantity]));

async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

const action = (id: string, name: string) =>
  api(sandbox.app.url, `/api/widget/documents/move/${id}/actions`, {
    token: account.adminSession,
    body: { action: name },
  });
const view = (id: string) => documentView(sandbox, account.adminSession, 'move', id);

async function sendMove(lines: Array<[article: string, quantity: number]>): Promise<{ id: string; indocId: string }> {
  const doc = ms().createDocument(account.accountId, 'move', {
    organization: ms().meta('organization', account.seed.organizationId),
    sourceStore: ms().meta('store', account.seed.stores.main),
    targetStore: ms().meta('store', account.seed.stores.betapro),
    positions: lines.map(([article, quantity]) => ({
      quantity,
      price: 0,
      assortment: ms().meta('product', productId(article)),
    })),
  });
  const id = String(doc.id);
  await action(id, 'send');
  const sent = await waitFor('move sent', async () => {
    const v = await view(id);
    if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
    return v.state === 'sent' ? v : undefined;
  });
  return { id, indocId: sent.indocId! };
}

async function checkUntil(id: string, done: (v: DocumentView) => boolean): Promise<DocumentView> {
  return waitFor(
    'receipt handled',
    async () => {
      const v = await view(id);
      if (done(v)) return v;
      await action(id, 'check');
      await new Promise((r) => setTimeout(r, 300));
      return undefined;
    },
    40_000,
  );
}

describe('a move received with surplus and a substitute', () => {
  it('MoySklad refuses to post without stock at the source → «Ошибка» with the reason, facts kept; «Повторить» posts once stock is fixed', async () => {
    await sendMove([['PEN-BLUE', 1]]); // the substitute's card is known to the warehouse
    const { id, indocId } = await sendMove([['MUG-300', 4]]);
    // The source store holds exactly the planned 4 mugs and no pens («запретить отгрузку отсутствующих товаров»).
    const main = account.seed.stores.main;
    ms().setStock(account.accountId, { [main]: { [productId('MUG-300')]: 4, [productId('PEN-BLUE')]: 0 } });
    await control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [
        { good_id: 'MUG-300', useful_qnt: 6, defective_qnt: 0 }, // 2 more than planned
        { good_id: 'PEN-BLUE', useful_qnt: 1, defective_qnt: 0 }, // not in the plan at all
      ],
    });

    const refused = await checkUntil(id, (v) => v.state === 'error');
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0].code).toBe('posting_refused');
    expect(refused.errors[0].message).toMatch(/недостаточно товара/);
    expect(refused.receipt?.lines.map((l) => [l.goodId, l.accepted]).sort()).toEqual([
      ['MUG-300', 6],
      ['PEN-BLUE', 1],
    ]);
    const move = msMove(id);
    expect(move.applicable).not.toBe(true);
    expect(move.state?.name).toBe('Ошибка передачи');
    expect(quantities(id)).toEqual({ 'MUG-300': 6, 'PEN-BLUE': 1 });
    expect(move.description).toMatch(/МойСклад не провёл документ/);
    expect(move.description).toMatch(/недостаточно товара/);
    expect(move.description).toMatch(/Склад-отправитель отдал больше товара, чем по плану/);
    expect(move.description).toMatch(/Склад-отправитель отдал товары не из плана/);

    // The same refusal again says nothing new.
    const description = move.description;
    await action(id, 'retry');
    await new Promise((r) => setTimeout(r, 2000));
    expect(msMove(id).description).toBe(description);
    expect((await view(id)).events.filter((e) => e.kind === 'posting_refused')).toHaveLength(1);

    ms().setStock(account.accountId, { [main]: { [productId('MUG-300')]: 10, [productId('PEN-BLUE')]: 5 } });
    expect((await action(id, 'retry')).status).toBeLessThan(300);
    const posted = await waitFor('posted after the stock was fixed', async () => {
      const v = await view(id);
      return v.state === 'posted' ? v : undefined;
    });
    const after = msMove(id);
    expect(after.applicable).toBe(true);
    expect(after.state?.name).toBe('Проведён');
    expect(quantities(id)).toEqual({ 'MUG-300': 6, 'PEN-BLUE': 1 });
    expect(after.description!.split('Проведён по факту').length - 1).toBe(1);
    // «Повторить» posted the applied receipt: no second task was created in BetaPRO.
    expect(posted.indocId).toBe(indocId);
    expect(posted.events.filter((e) => e.kind === 'task_created')).toHaveLength(1);
  }, 120_000);
});
