/**
 * A deliberate re-send creates a new warehouse task (docs/product.md §3, docs/resend-and-cancel.md): after the
 * warehouse closed the task (non-arrival, attribute 306) or after an error when a task existed, «Передать»
 * creates the next generation of the indoc id; a 1001 for a task with other contents is an error, never
 * «Передан». Real app (production build) against both simulators.
 */
import { describe, expect, it } from 'vitest';
import type { DocumentView } from '@/lib/api/contract';
import { BETAPRO_PARTNER, createSupply, waitFor, type ConfiguredAccount, supplyHelpers } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(['resend-shop'], (s, [a]) => {
  sandbox = s;
  account = a;
});

const { product, msDoc, view, action, setStatus } = supplyHelpers(() => ({ sandbox, account }));

async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${sandbox.betapro.controlUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

interface SimTask {
  indoc_id: string;
  state: string;
  items: Array<{ good_id: string; plan_qnt: number }>;
}
async function tasksOf(id: string): Promise<SimTask[]> {
  const state = (await (await fetch(`${sandbox.betapro.controlUrl}/state`)).json()) as {
    partners: Record<string, { indocs: Record<string, SimTask> }>;
  };
  const hex = id.replace(/-/g, '').toLowerCase();
  return Object.values(state.partners)
    .flatMap((p) => Object.values(p.indocs))
    .filter((t) => t.indoc_id.includes(hex));
}

/** A task under the document's number with other contents, as an earlier life of the document left it. */
async function preCreateTask(indocId: string, quantity: number): Promise<void> {
  const res = await fetch(`${sandbox.betapro.apiUrl}/indocs`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${BETAPRO_PARTNER.partnerId}:${BETAPRO_PARTNER.password}`).toString('base64')}`,
    },
    body: JSON.stringify({
      indoc_type: 'goods_supply_task',
      indoc_id: indocId,
      goods: [{ good_id: 'OLD-GOOD-1', good_name: 'Старый товар' }],
      items: [{ good_id: 'OLD-GOOD-1', plan_qnt: quantity }],
    }),
  });
  expect(((await res.json()) as { success: boolean }).success).toBe(true);
}

async function waitState(id: string, state: DocumentView['state'], poll = false): Promise<DocumentView> {
  return waitFor(
    `supply ${id} ${state}`,
    async () => {
      const v = await view(id);
      if (v.state === state) return v;
      if (poll && v.actions.check.enabled) await action(id, 'check');
      await new Promise((r) => setTimeout(r, 200));
      return undefined;
    },
    40_000,
  );
}

describe('re-send after the warehouse closed the task', () => {
  it('after a non-arrival (306), «Передать» creates task -2 and «Передан» names it', async () => {
    const id = createSupply(sandbox, account, {
      state: 'Новый',
      positions: [{ productId: product('NB-A5').id, quantity: 3 }],
    });
    setStatus(id, 'Передать');
    const first = await waitState(id, 'sent');
    const firstIndoc = first.indocId!;
    await control(`/indocs/${firstIndoc}/expire`);
    await waitState(id, 'expired', true);
    expect(msDoc(id).state?.name).toBe('Ошибка передачи');

    setStatus(id, 'Передать');
    const resent = await waitFor(
      'the second task',
      async () => {
        const v = await view(id);
        return v.state === 'sent' && v.indocId !== firstIndoc ? v : undefined;
      },
      40_000,
    );
    expect(resent.indocId).toBe(`${firstIndoc}-2`);
    expect(msDoc(id).state?.name).toBe('Передан');
    expect(msDoc(id).description).toContain(`Передан в БетаПРО: задание ${firstIndoc}-2`);
    const tasks = await tasksOf(id);
    expect(tasks.map((t) => [t.indoc_id, t.state]).sort()).toEqual([
      [firstIndoc, 'expired'],
      [`${firstIndoc}-2`, 'created'],
    ]);
    expect(resent.events.filter((e) => e.kind === 'task_created')).toHaveLength(2);
    expect(resent.events.some((e) => e.kind === 'resend' && e.message.includes(`${firstIndoc}-2`))).toBe(true);

    // The new task's receipt is the document's receipt: the closed task's non-arrival does not count.
    await control(`/indocs/${firstIndoc}-2/receive`, { final: true });
    const posted = await waitState(id, 'posted', true);
    expect(posted.receipt?.nonArrival).toBeFalsy();
    expect(msDoc(id).state?.name).toBe('Проведён');
  }, 120_000);

  it('an automatic retry never moves to a new generation', async () => {
    const id = createSupply(sandbox, account, { positions: [{ productId: product('MUG-300').id, quantity: 2 }] });
    // BetaPRO creates the task but the answer is lost: the job's automatic retry meets 1001 for the same
    // contents under the same number, which is this task, not a reason for a new one.
    await control('/faults', { mode: 'acceptThenDrop', rate: 1, count: 1, operations: ['POST /indocs'] });
    await action(id, 'send');
    const sent = await waitState(id, 'sent');
    expect(sent.indocId).toBe(`MSS${id.replace(/-/g, '').toLowerCase()}`);
    expect(await tasksOf(id)).toHaveLength(1);
    expect(sent.events.filter((e) => e.kind === 'task_created')).toHaveLength(1);
  }, 120_000);
});

describe('a 1001 for other contents', () => {
  it('is an error with a clear message; a deliberate re-send deletes that task and creates the next generation', async () => {
    const id = createSupply(sandbox, account, { positions: [{ productId: product('TS-WHITE').id, quantity: 5 }] });
    const indocId = `MSS${id.replace(/-/g, '').toLowerCase()}`;
    // BetaPRO already holds a task under the document's number with other contents (an earlier life of it).
    await preCreateTask(indocId, 9);
    await action(id, 'send');
    const failed = await waitState(id, 'error');
    expect(failed.errors[0].message).toContain(`В БетаПРО уже есть задание ${indocId} с другим составом`);
    expect(msDoc(id).state?.name).toBe('Ошибка передачи');
    expect(msDoc(id).description).toContain('с другим составом');
    expect(failed.events.some((e) => e.kind === 'sent')).toBe(false);
    expect((await tasksOf(id)).map((t) => t.items)).toEqual([[{ good_id: 'OLD-GOOD-1', plan_qnt: 9 }]]);

    await action(id, 'retry');
    const resent = await waitState(id, 'sent');
    expect(resent.indocId).toBe(`${indocId}-2`);
    const tasks = await tasksOf(id);
    expect(tasks.map((t) => t.indoc_id)).toEqual([`${indocId}-2`]);
    expect(tasks[0].items).toEqual([{ good_id: 'TS-WHITE', plan_qnt: 5 }]);
    expect(resent.events.some((e) => e.kind === 'task_deleted' && e.message.includes(indocId))).toBe(true);
    expect(msDoc(id).state?.name).toBe('Передан');
  }, 120_000);

  it('a job retried after it deleted the previous task creates the next generation, never the freed old number', async () => {
    const id = createSupply(sandbox, account, { positions: [{ productId: product('NB-A5').id, quantity: 2 }] });
    const indocId = `MSS${id.replace(/-/g, '').toLowerCase()}`;
    await preCreateTask(indocId, 3);
    await action(id, 'send');
    await waitState(id, 'error');
    // The first attempt of the re-send deletes the previous task, then every try of its creation fails:
    // the job is retried automatically, after the old number was freed.
    await control('/faults', { mode: 'error500', rate: 1, count: 4, operations: ['POST /indocs'] });
    await action(id, 'retry');
    const resent = await waitState(id, 'sent');
    expect(resent.indocId).toBe(`${indocId}-2`);
    expect((await tasksOf(id)).map((t) => t.indoc_id)).toEqual([`${indocId}-2`]);
    expect(resent.events.filter((e) => e.kind === 'task_deleted')).toHaveLength(1);
    expect(resent.events.some((e) => e.kind === 'retry_scheduled')).toBe(true);
  }, 120_000);

  it('when the goods already arrived under the previous task, no second task is created and the error says why', async () => {
    const id = createSupply(sandbox, account, { positions: [{ productId: product('PEN-BLUE').id, quantity: 4 }] });
    const indocId = `MSS${id.replace(/-/g, '').toLowerCase()}`;
    await preCreateTask(indocId, 1);
    await control(`/indocs/${indocId}/arrive`);
    await action(id, 'send');
    await waitState(id, 'error');
    await action(id, 'retry');
    const refused = await waitFor(
      're-send refused',
      async () => {
        const v = await view(id);
        return v.state === 'error' && v.errors.some((e) => e.message.includes('Новое задание не создано')) ? v : undefined;
      },
      40_000,
    );
    expect(refused.indocId).toBe(indocId);
    expect(refused.errors[0].message).toContain('уже прибыла на склад');
    expect((await tasksOf(id)).map((t) => t.indoc_id)).toEqual([indocId]);
  }, 120_000);
});
