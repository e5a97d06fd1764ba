/**
 * Discrepancy tasks (docs/discrepancy-tasks.md) through the real app and both simulators: a receipt held
 * for review opens one MoySklad task for the document's owner, linked to the document, and the decision's
 * posting closes it; a transfer error opens one for the employee chosen in settings, and a repeated error
 * adds none; a transfer that ends well makes no task call; with the switch off nothing is created.
 */
import { describe, expect, it } from 'vitest';
import { api, defaultSettings, documentView, supplyHelpers, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import { receiptSteps } from './receipt-support';

let sandbox: SuiteSandbox;
let review: ConfiguredAccount;
let errors: ConfiguredAccount;
let off: ConfiguredAccount;
const steps = receiptSteps(() => sandbox);

sandboxSuite(
  [['tasks-review', { postingMode: 'review' }], 'tasks-error', ['tasks-off', { discrepancyTasks: false }]],
  (s, [a0, a1, a2]) => {
    sandbox = s;
    review = a0;
    errors = a1;
    off = a2;
  },
);

const ms = () => sandbox.moysklad;
const tasksOf = (acc: ConfiguredAccount) => ms().tasks(acc.accountId);
const hrefOf = (ref: unknown) => (ref as { meta: { href: string } } | undefined)?.meta.href ?? '';
/** MoySklad task calls the app made for the account (any method). */
const taskCalls = (acc: ConfiguredAccount) =>
  Object.entries(ms().stats().requests[acc.accountId] ?? {})
    .filter(([route]) => route.includes('/entity/task'))
    .reduce((n, [, count]) => n + Number(count), 0);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A supply to the BetaPRO store owned by `owner`, sent through the widget; null positions: none. */
async function ownedSupply(acc: ConfiguredAccount, owner: 'admin' | 'clerk', lines: Array<[string, number]>): Promise<string> {
  const doc = ms().createDocument(acc.accountId, 'supply', {
    organization: ms().meta('organization', acc.seed.organizationId),
    agent: ms().meta('counterparty', acc.seed.counterpartyId),
    store: ms().meta('store', acc.seed.stores.betapro),
    positions: lines.map(([article, quantity]) => ({
      quantity,
      price: 15000,
      assortment: ms().meta('product', steps.productOf(acc, article).id),
    })),
  });
  const id = String(doc.id);
  ms().sim.account(acc.accountId).entities[id]!.ownerId = ms().employeeId(acc.accountId, owner);
  return id;
}

async function sendAndWait(acc: ConfiguredAccount, id: string): Promise<string> {
  await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, { token: acc.adminSession, body: { action: 'send' } });
  const view = await waitFor('sent', async () => {
    const v = await documentView(sandbox, acc.adminSession, 'supply', id);
    return v.state === 'sent' ? v : undefined;
  });
  return view.indocId!;
}

describe('a receipt held for review', () => {
  it('opens one task for the owner, linked to the document; the decision posts it and closes the task', async () => {
    const id = await ownedSupply(review, 'clerk', [['MUG-300', 5]]);
    const indocId = await sendAndWait(review, id);
    expect(taskCalls(review)).toBe(0);
    await steps.control(`/indocs/${indocId}/receive`, { final: true, items: [{ good_id: 'MUG-300', useful_qnt: 3, defective_qnt: 0 }] });
    await steps.checkUntil(review, id, 'held for review', (v) => v.state === 'review');

    const [task] = await waitFor('the task', async () => (tasksOf(review).length ? tasksOf(review) : undefined));
    expect(task.done).toBe(false);
    expect(hrefOf(task.assignee)).toMatch(new RegExp(`/entity/employee/${ms().employeeId(review.accountId, 'clerk')}$`));
    expect(hrefOf(task.operation)).toMatch(new RegExp(`/entity/supply/${id}$`));
    expect(task.description).toMatch(/^Приёмка .*расхождениями/);
    expect(task.description).toContain('Провести с расхождениями');
    expect(task.description).toContain('Расхождения:\n1. «');
    expect(task.description).toMatch(/\(MUG-300\): план 5, принято 3 \(−2\)\./);
    expect(task.description).toMatch(/\[BetaPRO Bridge [0-9a-f-]{36}\]$/);

    // Asking again (the widget's «Проверить приёмку») changes nothing: still one task.
    await steps.check(review, id);
    await steps.check(review, id);
    await pause(2500);
    expect(tasksOf(review)).toHaveLength(1);

    await api(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, { token: review.adminSession, body: { action: 'post' } });
    await waitFor('posted', async () => (await documentView(sandbox, review.adminSession, 'supply', id)).state === 'posted');
    await waitFor('the task closed', async () => tasksOf(review)[0]?.done === true);
    expect(tasksOf(review)).toHaveLength(1);
    const calls = ms().stats().requests[review.accountId] ?? {};
    expect(calls['POST /entity/task']).toBe(1);
    expect(calls['PUT /entity/task/{id}']).toBe(1);
    // The simulator's host page lists it, ticked.
    const page = await (await fetch(`${ms().uiUrl}/tasks?accountId=${review.accountId}`)).text();
    expect(page).toContain(`data-task="${task.id}" class="done"`);
    expect(page).toContain('Кладовщиков Иван');
  }, 180_000);
});

describe('a transfer that ends in error', () => {
  const h = supplyHelpers(() => ({ sandbox, account: errors }));

  it('a transfer that ends well makes no task call', async () => {
    const id = await ownedSupply(errors, 'admin', [['MUG-300', 2]]);
    const indocId = await sendAndWait(errors, id);
    await steps.control(`/indocs/${indocId}/receive`, { final: true, items: [{ good_id: 'MUG-300', useful_qnt: 2, defective_qnt: 0 }] });
    await steps.checkUntil(errors, id, 'posted', (v) => v.state === 'posted');
    await pause(1500);
    expect(taskCalls(errors)).toBe(0);
    expect(tasksOf(errors)).toEqual([]);
  }, 120_000);

  it('opens one task for the employee chosen in settings; the same error again adds none', async () => {
    const chosen = ms().employeeId(errors.accountId, 'clerk-readonly');
    const saved = await api(sandbox.app.url, '/api/settings', {
      method: 'PUT',
      token: errors.adminSession,
      body: defaultSettings(sandbox, errors.seed, { taskAssigneeId: chosen }),
    });
    expect(saved.status).toBe(200);
    const settings = (
      await api<{ settings: { taskAssigneeId?: string | null }; employees: Array<{ id: string }> }>(sandbox.app.url, '/api/settings', {
        token: errors.adminSession,
      })
    ).body;
    expect(settings.settings.taskAssigneeId).toBe(chosen);
    expect(settings.employees.map((e) => e.id)).toContain(chosen);

    const id = await ownedSupply(errors, 'clerk', []);
    h.setStatus(id, 'Передать');
    await waitFor('error', async () => (await h.view(id)).state === 'error');
    const [task] = await waitFor('the task', async () => (tasksOf(errors).length ? tasksOf(errors) : undefined));
    expect(hrefOf(task.assignee)).toMatch(new RegExp(`/entity/employee/${chosen}$`));
    expect(hrefOf(task.operation)).toMatch(new RegExp(`/entity/supply/${id}$`));
    expect(task.description).toContain('не передан на склад БетаПРО');
    expect(task.description).toContain('Причины:');

    const failedBefore = (await h.view(id)).events.filter((e) => e.kind === 'failed').length;
    h.setStatus(id, 'Передать');
    await waitFor('failed again', async () => (await h.view(id)).events.filter((e) => e.kind === 'failed').length > failedBefore);
    await pause(2500);
    expect(tasksOf(errors)).toHaveLength(1);
    expect(ms().stats().requests[errors.accountId]?.['POST /entity/task']).toBe(1);
  }, 120_000);
});

describe('switched off in settings', () => {
  const h = supplyHelpers(() => ({ sandbox, account: off }));

  it('no task and no task call', async () => {
    const settings = (
      await api<{ settings: { discrepancyTasks?: boolean } }>(sandbox.app.url, '/api/settings', { token: off.adminSession })
    ).body;
    expect(settings.settings.discrepancyTasks).toBe(false);
    const id = await ownedSupply(off, 'admin', []);
    h.setStatus(id, 'Передать');
    await waitFor('error', async () => (await h.view(id)).state === 'error');
    await pause(3000);
    expect(tasksOf(off)).toEqual([]);
    expect(taskCalls(off)).toBe(0);
  }, 120_000);
});
