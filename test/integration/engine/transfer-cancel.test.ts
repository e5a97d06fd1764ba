/**
 * Cancel leaves MoySklad telling the truth (docs/product.md §3, docs/resend-and-cancel.md): «Отменить задание»
 * deletes the task before arrival and gives the document back the status it had before «Передать», with
 * a comment line; after arrival it explains why not. A «Передать» on a document already sent is answered:
 * status back to «Передан» and a comment line naming the existing task. Real app against both simulators.
 */
import { describe, expect, it } from 'vitest';
import type { DocumentView } from '@/lib/api/contract';
import { createSupply, waitFor, type ConfiguredAccount, supplyHelpers } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(
  ['cancel-shop'],
  (s, [a]) => {
    sandbox = s;
    account = a;
  },
  { appEnv: { SWEEP_INTERVAL_SEC: '2' } },
);

const ms = () => sandbox.moysklad;
const { product, msDoc, view, action, setStatus } = supplyHelpers(() => ({ sandbox, account }));
const lines = (id: string, text: string) => (msDoc(id).description ?? '').split('\n').filter((l) => l.includes(text));

async function tasksOf(id: string): Promise<Array<{ indoc_id: string; state: string }>> {
  const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
    partners: Record<string, { indocs: Record<string, { indoc_id: string; state: string }> }>;
  };
  const hex = id.replace(/-/g, '').toLowerCase();
  return Object.values(state.partners)
    .flatMap((p) => Object.values(p.indocs))
    .filter((t) => t.indoc_id.includes(hex));
}
async function waitState(id: string, state: DocumentView['state']): Promise<DocumentView> {
  return waitFor(
    `supply ${id} ${state}`,
    async () => {
      const v = await view(id);
      return v.state === state ? v : undefined;
    },
    40_000,
  );
}
async function sendByStatus(from: string): Promise<{ id: string; sent: DocumentView }> {
  const id = createSupply(sandbox, account, {
    state: from,
    positions: [{ productId: product('TS-WHITE').id, quantity: 6 }],
  });
  setStatus(id, 'Передать');
  const sent = await waitState(id, 'sent');
  expect(msDoc(id).state?.name).toBe('Передан');
  return { id, sent };
}

describe('«Отменить задание»', () => {
  it('deletes the task before arrival and gives back the status the document had before «Передать», with a comment line', async () => {
    const { id, sent } = await sendByStatus('Новый');
    expect((await action(id, 'cancel')).status).toBe(202);
    await waitState(id, 'cancelled');
    await waitFor('status given back', async () => msDoc(id).state?.name === 'Новый');
    expect(await tasksOf(id)).toHaveLength(0);
    expect(lines(id, `Задание ${sent.indocId} на оприходование отменено в БетаПРО`)).toHaveLength(1);
    expect(msDoc(id).description).toContain('Статус возвращён тот, что был до «Передать»');

    // Sent again after the cancel: a new task (the next generation), and cancelled again → «Новый» again.
    setStatus(id, 'Передать');
    const again = await waitFor(
      'sent again',
      async () => {
        const v = await view(id);
        return v.state === 'sent' && v.indocId !== sent.indocId ? v : undefined;
      },
      40_000,
    );
    expect(again.indocId).toBe(`${sent.indocId}-2`);
    await action(id, 'cancel');
    await waitState(id, 'cancelled');
    await waitFor('status given back again', async () => msDoc(id).state?.name === 'Новый');
  }, 120_000);

  it("after an error and a second «Передать», a cancel still gives back the user's status, not «Ошибка передачи»", async () => {
    const id = createSupply(sandbox, account, {
      state: 'Новый',
      positions: [{ productId: product('MUG-300').id, quantity: 1 }],
    });
    ms().userUpdate(account.accountId, 'supply', id, { store: ms().meta('store', account.seed.stores.shop) });
    setStatus(id, 'Передать');
    await waitState(id, 'error');
    expect(msDoc(id).state?.name).toBe('Ошибка передачи');
    ms().userUpdate(account.accountId, 'supply', id, { store: ms().meta('store', account.seed.stores.betapro) });
    setStatus(id, 'Передать');
    await waitState(id, 'sent');
    await action(id, 'cancel');
    await waitState(id, 'cancelled');
    await waitFor('status given back', async () => msDoc(id).state?.name === 'Новый');
  }, 120_000);

  it('after arrival: the task stays, «Передан» stays, and the widget says why', async () => {
    const { id, sent } = await sendByStatus('Новый');
    await fetch(`${sandbox.betapro.controlUrl}/indocs/${sent.indocId}/arrive`, { method: 'POST' });
    await action(id, 'cancel');
    const refused = await waitFor(
      'cancel refused',
      async () => {
        const v = await view(id);
        return v.events.find((e) => e.kind === 'cancel_failed') ? v : undefined;
      },
      40_000,
    );
    const why = refused.events.find((e) => e.kind === 'cancel_failed')!.message;
    expect(why).toContain(`Задание ${sent.indocId} не отменено: поставка уже прибыла на склад БетаПРО`);
    expect(refused.state).toBe('sent');
    expect(msDoc(id).state?.name).toBe('Передан');
    expect(await tasksOf(id)).toHaveLength(1);
  }, 120_000);
});

describe('«Передать» on a document already sent', () => {
  it('sets «Передан» back and names the existing task in the comment, once', async () => {
    const { id, sent } = await sendByStatus('Новый');
    setStatus(id, 'Передать');
    await waitFor('answered', async () => msDoc(id).state?.name === 'Передан' && lines(id, 'Документ уже передан в БетаПРО').length > 0);
    expect(lines(id, `Документ уже передан в БетаПРО: задание ${sent.indocId}.`)).toHaveLength(1);
    expect(await tasksOf(id)).toHaveLength(1);
    const after = await view(id);
    expect(after.state).toBe('sent');
    expect(after.events.filter((e) => e.kind === 'task_created')).toHaveLength(1);
  }, 120_000);

  it('is answered by the sweep when the webhook of the new «Передать» was lost', async () => {
    const { id, sent } = await sendByStatus('Новый');
    ms().setConfig({ webhooksEnabled: false } as never);
    setStatus(id, 'Передать');
    ms().setConfig({ webhooksEnabled: true } as never);
    expect(msDoc(id).state?.name).toBe('Передать');
    await waitFor('answered by the sweep', async () => msDoc(id).state?.name === 'Передан', 40_000);
    expect(lines(id, `Документ уже передан в БетаПРО: задание ${sent.indocId}.`)).toHaveLength(1);
    expect(await tasksOf(id)).toHaveLength(1);
  }, 120_000);
});
