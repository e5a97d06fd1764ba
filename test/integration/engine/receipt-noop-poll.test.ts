/**
 * A poll that finds nothing new changes nothing (docs/product.md §4): a receipt held for review, a receipt
 * blocked on goods MoySklad does not know, and a posted document each stay exactly as they are when the
 * app polls again or the user presses «Проверить приёмку» — no new event, no comment line, no MoySklad write.
 */
import { describe, expect, it } from 'vitest';
import { api, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import type { DocumentView } from '@/lib/api/contract';

let sandbox: SuiteSandbox;
let auto: ConfiguredAccount;
let review: ConfiguredAccount;

sandboxSuite(['noop-auto', ['noop-review', { postingMode: 'review' }]], (s, [a0, a1]) => {
  sandbox = s;
  auto = a0;
  review = a1;
});

const ms = () => sandbox.moysklad;
interface MsDoc {
  applicable?: boolean;
  description?: string;
  state?: { name?: string };
}
const msDoc = (acc: ConfiguredAccount, id: string) => ms().getDocument(acc.accountId, 'supply', id) as MsDoc;
const productId = (acc: ConfiguredAccount, article: string) => acc.seed.products.find((p) => p.article === article)!.id;

async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

async function sendSupply(
  acc: ConfiguredAccount,
  lines: Array<[productId: string, quantity: number]>,
): Promise<{ id: string; indocId: string }> {
  const doc = ms().createDocument(acc.accountId, 'supply', {
    organization: ms().meta('organization', acc.seed.organizationId),
    agent: ms().meta('counterparty', acc.seed.counterpartyId),
    store: ms().meta('store', acc.seed.stores.betapro),
    positions: lines.map(([pid, quantity]) => ({ quantity, price: 100, assortment: ms().meta('product', pid) })),
  });
  const id = String(doc.id);
  await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
    token: acc.adminSession,
    body: { action: 'send' },
  });
  const view = await waitFor('sent', async () => {
    const v = await documentView(sandbox, acc.adminSession, 'supply', id);
    if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
    return v.state === 'sent' ? v : undefined;
  });
  return { id, indocId: view.indocId! };
}

const check = (acc: ConfiguredAccount, id: string) =>
  api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
    token: acc.adminSession,
    body: { action: 'check' },
  });

async function checkUntil(acc: ConfiguredAccount, id: string, done: (v: DocumentView) => boolean): Promise<DocumentView> {
  return waitFor(
    'receipt handled',
    async () => {
      const v = await documentView(sandbox, acc.adminSession, 'supply', id);
      if (done(v)) return v;
      await check(acc, id);
      await new Promise((r) => setTimeout(r, 300));
      return undefined;
    },
    40_000,
  );
}

/** MoySklad writes (PUT/POST/DELETE) the app made for the account since the last stats reset. */
function moyskladWrites(acc: ConfiguredAccount): Record<string, number> {
  const routes = ms().stats().requests[acc.accountId] ?? {};
  return Object.fromEntries(Object.entries(routes).filter(([route]) => /^(PUT|POST|DELETE) /.test(route)));
}

/** Presses «Проверить приёмку» three times (each polls BetaPRO and re-applies) and lets the jobs finish. */
async function pollAgainThreeTimes(acc: ConfiguredAccount, id: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    expect((await check(acc, id)).status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 1500));
  }
}

async function snapshot(acc: ConfiguredAccount, id: string) {
  const view = await documentView(sandbox, acc.adminSession, 'supply', id);
  return { state: view.state, events: view.events.map((e) => e.id), description: msDoc(acc, id).description };
}

describe('a poll that finds nothing new changes nothing', () => {
  it('a posted document: «Проверить приёмку» again adds no event, no «Проведён по факту» line, no MoySklad write', async () => {
    const { id, indocId } = await sendSupply(auto, [[productId(auto, 'TS-WHITE'), 10]]);
    await control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [{ good_id: 'TS-WHITE', useful_qnt: 9, defective_qnt: 0 }],
    });
    await checkUntil(auto, id, (v) => v.state === 'posted');
    await new Promise((r) => setTimeout(r, 1000));
    const before = await snapshot(auto, id);
    expect(before.description!.split('Проведён по факту').length - 1).toBe(1);
    ms().resetStats();

    await pollAgainThreeTimes(auto, id);

    const after = await snapshot(auto, id);
    expect(after).toEqual(before);
    expect(moyskladWrites(auto)).toEqual({});
    expect(msDoc(auto, id).applicable).toBe(true);
  }, 120_000);

  it('review mode: a receipt waiting for a decision records its «Нужно решение» once, however often it is polled', async () => {
    const { id, indocId } = await sendSupply(review, [[productId(review, 'MUG-300'), 5]]);
    await control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [{ good_id: 'MUG-300', useful_qnt: 3, defective_qnt: 0 }],
    });
    await checkUntil(review, id, (v) => v.state === 'review');
    await new Promise((r) => setTimeout(r, 1000));
    const before = await snapshot(review, id);
    ms().resetStats();

    await pollAgainThreeTimes(review, id);

    const after = await snapshot(review, id);
    expect(after).toEqual(before);
    const view = await documentView(sandbox, review.adminSession, 'supply', id);
    expect(view.events.filter((e) => e.kind === 'review')).toHaveLength(1);
    expect(moyskladWrites(review)).toEqual({});

    // The decision still works: posting with the differences goes through once.
    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: review.adminSession,
      body: { action: 'post' },
    });
    await waitFor(
      'posted after the decision',
      async () => (await documentView(sandbox, review.adminSession, 'supply', id)).state === 'posted',
    );
    expect(msDoc(review, id).applicable).toBe(true);
  }, 120_000);

  it('a receipt blocked on goods unknown to MoySklad says so once; it completes once the product exists', async () => {
    // The warehouse knows GHOST-1 (its card was sent with another task); MoySklad then loses the article.
    const ghost = ms().createEntity(auto.accountId, 'product', {
      name: 'Призрак',
      article: 'GHOST-1',
      code: 'G1',
      buyPrice: { value: 500 },
    });
    await sendSupply(auto, [[ghost, 1]]);
    await setArticle(auto, ghost, 'GHOST-RENAMED');
    const { id, indocId } = await sendSupply(auto, [[productId(auto, 'NB-A5'), 4]]);
    await control(`/indocs/${indocId}/receive`, {
      final: true,
      items: [
        { good_id: 'NB-A5', useful_qnt: 4, defective_qnt: 0 },
        { good_id: 'GHOST-1', useful_qnt: 2, defective_qnt: 0 },
      ],
    });
    const blocked = await checkUntil(auto, id, (v) => v.state === 'error');
    expect(blocked.errors[0].message).toContain('GHOST-1');
    await new Promise((r) => setTimeout(r, 1000));
    const before = await snapshot(auto, id);
    expect(before.description).toContain('GHOST-1');
    ms().resetStats();

    await pollAgainThreeTimes(auto, id);

    const after = await snapshot(auto, id);
    expect(after).toEqual(before);
    const view = await documentView(sandbox, auto.adminSession, 'supply', id);
    expect(view.events.filter((e) => e.kind === 'receipt_blocked')).toHaveLength(1);
    expect(moyskladWrites(auto)).toEqual({});

    await setArticle(auto, ghost, 'GHOST-1');
    await checkUntil(auto, id, (v) => v.state === 'posted');
    expect(msDoc(auto, id).applicable).toBe(true);
  }, 120_000);
});

async function setArticle(acc: ConfiguredAccount, productId: string, article: string): Promise<void> {
  const res = await fetch(`${ms().apiUrl}/entity/product/${productId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${acc.token}`, 'accept-encoding': 'gzip', 'content-type': 'application/json' },
    body: JSON.stringify({ article }),
  });
  expect(res.status).toBe(200);
}
