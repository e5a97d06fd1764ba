/**
 * Issue 16, «one name per user»: a status set in MoySklad reaches the app as a webhook naming the user by
 * login; the timeline shows the employee's short name, the same one a widget action by that employee
 * records. The name is looked up once per login (GET /entity/employee?filter=uid=…, checked against the
 * official spec) and remembered: a second webhook by the same user costs no lookup.
 */
import { describe, expect, it } from 'vitest';
import { api, documentView, waitFor, type ConfiguredAccount } from '../../support/sandbox';
import { sandboxSuite, type SuiteSandbox } from '../../support/suite';
import { expectResponseConforms } from '../../support/openapi';
import type { DocumentView, SessionResponse } from '@/lib/api/contract';

let sandbox: SuiteSandbox;
let account: ConfiguredAccount;

sandboxSuite(['actor-names-shop'], (s, [a]) => {
  sandbox = s;
  account = a;
});

const ms = () => sandbox.moysklad;

function newSupply(): string {
  const product = account.seed.products.find((p) => p.article === 'TS-WHITE')!;
  return String(
    ms().createDocument(account.accountId, 'supply', {
      organization: ms().meta('organization', account.seed.organizationId),
      agent: ms().meta('counterparty', account.seed.counterpartyId),
      store: ms().meta('store', account.seed.stores.betapro),
      positions: [{ quantity: 2, price: 100, assortment: ms().meta('product', product.id) }],
    }).id,
  );
}

/** The clerk sets «Передать» in MoySklad's form (webhook, audit as the clerk). */
function setTransferStatusAsClerk(id: string): void {
  ms().userUpdate(account.accountId, 'supply', id, { state: ms().stateMeta('supply', account.seed.states.supply['Передать']) }, 'clerk');
}

const employeeLookups = () => ms().stats().requests[account.accountId]?.['GET /entity/employee'] ?? 0;

async function requestedBy(id: string): Promise<{ actor: string; view: DocumentView }> {
  return waitFor(`the request of ${id} with its confirmed actor`, async () => {
    const view = await documentView(sandbox, account.adminSession, 'supply', id);
    const requested = view.events.find((e) => e.kind === 'requested');
    // Until the audit confirms it, the name is the webhook's, marked as such.
    if (!requested?.actor || requested.actor.includes('(по данным вебхука)')) return undefined;
    return { actor: requested.actor, view };
  });
}

describe('one name per user', () => {
  it('the simulator answers the employee query by login as the spec describes', async () => {
    const clerk = ms()
      .sim.accountSummary(account.accountId)
      .employees.find((e) => e.kind === 'clerk')!;
    const res = await fetch(`${ms().apiUrl}/entity/employee?filter=${encodeURIComponent(`uid=${clerk.uid}`)}&limit=1`, {
      headers: { authorization: `Bearer ${account.token}`, 'accept-encoding': 'gzip' },
    });
    const body = (await res.json()) as { rows: Array<{ uid: string; shortFio: string }> };
    expect(res.status).toBe(200);
    expectResponseConforms('moysklad', 'GET /entity/employee', 200, body);
    expect(body.rows.map((r) => r.uid)).toEqual([clerk.uid]);
    const none = await fetch(`${ms().apiUrl}/entity/employee?filter=uid=nobody%40nowhere`, {
      headers: { authorization: `Bearer ${account.token}`, 'accept-encoding': 'gzip' },
    });
    expect(((await none.json()) as { rows: unknown[] }).rows).toEqual([]);
  });

  it('a webhook-triggered transfer shows the same name as a widget-triggered one, looked up once', async () => {
    const clerk = ms()
      .sim.accountSummary(account.accountId)
      .employees.find((e) => e.kind === 'clerk')!;
    const before = employeeLookups();

    // The clerk has not opened the app yet: the login is looked up in MoySklad.
    const byStatus = newSupply();
    setTransferStatusAsClerk(byStatus);
    const fromWebhook = await requestedBy(byStatus);
    expect(fromWebhook.actor).not.toContain(clerk.uid);
    expect(fromWebhook.view.lastActor).toBe(fromWebhook.actor);
    expect(employeeLookups()).toBe(before + 1);

    // The same clerk presses «Передать на склад» in the widget.
    const session = await api<SessionResponse>(sandbox.app.url, '/api/session', {
      body: { contextKey: ms().contextKey(account.accountId, 'clerk'), userLocale: 'ru_RU' },
    });
    expect(session.status).toBe(200);
    expect(session.body.user.name).toBe(fromWebhook.actor);
    const byButton = newSupply();
    const pressed = await api(sandbox.app.url, `/api/widget/documents/supply/${byButton}/actions`, {
      token: session.body.token,
      body: { action: 'send' },
    });
    expect(pressed.status).toBe(202);
    const widgetView = await documentView(sandbox, account.adminSession, 'supply', byButton);
    expect(widgetView.events.find((e) => e.kind === 'requested')?.actor).toBe(fromWebhook.actor);
    expect(widgetView.lastActor).toBe(fromWebhook.actor);

    // A second status change by the same user: the name is remembered, no lookup.
    const again = newSupply();
    setTransferStatusAsClerk(again);
    expect((await requestedBy(again)).actor).toBe(fromWebhook.actor);
    expect(employeeLookups()).toBe(before + 1);

    // Both transfers went through; the comment log names nobody by login.
    for (const id of [byStatus, byButton, again]) {
      await waitFor(`${id} sent`, async () => (await documentView(sandbox, account.adminSession, 'supply', id)).state === 'sent');
      const doc = ms().getDocument(account.accountId, 'supply', id) as { description?: string };
      expect(doc.description ?? '').not.toContain(clerk.uid);
    }
  }, 120_000);

  it('the administrator, known from a session, is named without any lookup', async () => {
    // installAndConfigure opened the admin's session: the app knows the admin's login and name.
    const admin = await api<SessionResponse>(sandbox.app.url, '/api/session', {
      body: { contextKey: ms().contextKey(account.accountId, 'admin'), userLocale: 'ru_RU' },
    });
    const before = employeeLookups();
    const id = newSupply();
    ms().userUpdate(account.accountId, 'supply', id, { state: ms().stateMeta('supply', account.seed.states.supply['Передать']) }, 'admin');
    expect((await requestedBy(id)).actor).toBe(admin.body.user.name);
    expect(employeeLookups()).toBe(before);
  }, 60_000);
});
