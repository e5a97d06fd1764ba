/**
 * The user's comment is never lost (issue 14, item 8):
 *  - a comment edit made while a transfer runs (seconds of BetaPRO calls between the app's read of
 *    the document and its answer) survives the answer: the comment is read again before writing;
 *  - a save of a stale form that removed the app's log block (the form was opened before the app
 *    wrote it) is repaired by the app's next write, from the log stored with the document.
 */
import { describe, expect, it } from 'vitest';
import { api, createSupply, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import { COMMENT_MARKER } from '@/lib/sync/document/comment-log';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(['comment-shop'], (s, [a]) => {
  sandbox = s;
  account = a;
});

const ms = () => sandbox.moysklad;
const description = (id: string) => (ms().getDocument(account.accountId, 'supply', id) as { description?: string }).description ?? '';
const count = (text: string, part: string) => text.split(part).length - 1;

async function betaproConfig(body: unknown) {
  const res = await fetch(`${sandbox.betapro.controlUrl}/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`config: ${res.status} ${await res.text()}`);
}
async function press(id: string, action: 'send' | 'check') {
  await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
    token: account.adminSession,
    body: { action },
  });
}
function newSupply(comment: string): string {
  const product = account.seed.products.find((p) => p.article === 'TS-WHITE')!;
  const id = createSupply(sandbox, account, { positions: [{ productId: product.id, quantity: 5 }] });
  ms().userUpdate(account.accountId, 'supply', id, { description: comment });
  return id;
}
async function waitState(id: string, state: string) {
  return waitFor(
    state,
    async () => {
      const v = await documentView(sandbox, account.adminSession, 'supply', id);
      if (v.state === 'error') throw new Error(JSON.stringify(v.errors));
      return v.state === state ? v : undefined;
    },
    60_000,
  );
}

describe('the user comment is never lost', () => {
  it("an edit made while the transfer runs survives the app's answer", async () => {
    const id = newSupply('Старый комментарий');
    // Every BetaPRO call now takes 1.5 s: the transfer reads the document, then spends seconds there.
    await betaproConfig({ response_delay_ms: 1_500 });
    try {
      ms().resetStats();
      await press(id, 'send');
      await waitState(id, 'sending');
      await waitFor('the transfer read the document', async () => {
        const requests = ms().stats().requests[account.accountId] ?? {};
        return Object.entries(requests).some(([route, n]) => route.startsWith('GET /entity/') && route.includes('{id}') && n > 0);
      });
      ms().userUpdate(account.accountId, 'supply', id, {
        description: 'Новый комментарий, исправленный во время передачи',
      });
      const view = await waitState(id, 'sent');
      const text = description(id);
      expect(text.startsWith('Новый комментарий, исправленный во время передачи\n\n' + COMMENT_MARKER)).toBe(true);
      expect(text).not.toContain('Старый комментарий');
      expect(count(text, `Передан в БетаПРО: задание ${view.indocId}`)).toBe(1);
    } finally {
      await betaproConfig({ response_delay_ms: 0 });
    }
  }, 90_000);

  it("a stale form saved without the app's block: the next write restores it from the stored log", async () => {
    const id = newSupply('Комментарий');
    await press(id, 'send');
    const sent = await waitState(id, 'sent');
    expect(description(id)).toContain(`Передан в БетаПРО: задание ${sent.indocId}`);
    // The clerk had the form open since before the transfer and saves it now: the block is gone.
    ms().userUpdate(account.accountId, 'supply', id, { description: 'Комментарий из старой формы' });
    expect(description(id)).not.toContain(COMMENT_MARKER);

    const res = await fetch(`${sandbox.betapro.controlUrl}/indocs/${sent.indocId}/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ final: true }),
    });
    expect(res.status).toBeLessThan(300);
    await waitFor(
      'posted',
      async () => {
        const v = await documentView(sandbox, account.adminSession, 'supply', id);
        if (v.state === 'posted') return v;
        if (v.actions.check.enabled) await press(id, 'check');
        await new Promise((r) => setTimeout(r, 300));
        return undefined;
      },
      60_000,
    );
    const text = description(id);
    expect(text.startsWith(`Комментарий из старой формы\n\n${COMMENT_MARKER}\n`)).toBe(true);
    expect(count(text, COMMENT_MARKER)).toBe(1);
    expect(count(text, `Передан в БетаПРО: задание ${sent.indocId}`)).toBe(1);
    expect(count(text, 'Проведён по факту приёмки БетаПРО')).toBe(1);
    expect(text.indexOf('Передан в БетаПРО')).toBeLessThan(text.indexOf('Проведён по факту'));
  }, 90_000);
});
