/**
 * Control API under /_sim (no auth; loopback only): what MoySklad's own UI and back office would do —
 * create accounts, drive the solution's lifecycle, issue context keys, configure scenarios, read the
 * outbound-call log and request statistics, tweak limits, reset; and a user's hand edits (create a
 * document, edit a product card and its variants) exactly as the host page's forms make them. JSON in and out, never gzipped.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseWith } from './engine';
import { apiError, HttpError, readJson, Router, type Params } from './http';
import { LifecycleError, type LifecycleAction } from './lifecycle';
import type { Simulator } from './simulator';
import type { EmployeeKind } from './types';
import { createDocumentAsUser, DOC_TYPES, editProductAsUser, productCard } from './user-edits';

type Handler = (req: IncomingMessage, params: Params, url: URL) => Promise<{ status: number; body?: unknown }>;

const employeeKind = z.enum(['admin', 'clerk', 'clerk-readonly', 'clerk-nosupply']);

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

export class ControlApi {
  private router = new Router<Handler>();

  constructor(private readonly sim: Simulator) {
    const r = this.router;
    r.add('GET', '/_sim/accounts', async () => ({
      status: 200,
      body: this.sim.store.accounts().map((a) => this.sim.accountSummary(a.id)),
    }));
    r.add('POST', '/_sim/accounts', async (req) => {
      const { accountName } = parseWith(
        z.object({
          accountName: z
            .string()
            .min(1)
            .regex(/^[a-z0-9_.-]+$/i),
        }),
        await readJson(req),
      );
      const acc = this.sim.createAccount(accountName);
      return { status: 200, body: { accountId: acc.accountId, accountName: acc.accountName } };
    });
    r.add('GET', '/_sim/accounts/{accountId}', async (_req, p) => ({
      status: 200,
      body: this.sim.accountSummary(p.accountId),
    }));
    for (const action of ['install', 'tariff', 'suspend', 'resume', 'uninstall'] as const) {
      r.add('POST', `/_sim/accounts/{accountId}/${action}`, async (_req, p) => ({
        status: 200,
        body: await this.lifecycle(p.accountId, action),
      }));
    }
    r.add('POST', '/_sim/accounts/{accountId}/seed', async (req, p) => {
      const opts = parseWith(z.object({ states: z.boolean().optional(), documents: z.boolean().optional() }), (await readJson(req)) ?? {});
      return { status: 200, body: this.sim.seed(p.accountId, opts) };
    });
    r.add('POST', '/_sim/accounts/{accountId}/button', async (req, p) => {
      const b = parseWith(
        z.object({
          employee: z.enum(['admin', 'clerk', 'clerk-readonly', 'clerk-nosupply']).default('admin'),
          buttonName: z.string().min(1),
          extensionPoint: z.string().min(1),
          selected: z.array(z.string()).default([]),
        }),
        (await readJson(req)) ?? {},
      );
      return { status: 200, body: await this.sim.pressButton(p.accountId, b.employee, b.buttonName, b.extensionPoint, b.selected) };
    });
    r.add('GET', '/_sim/accounts/{accountId}/notifications', async (_req, p, url) => ({
      status: 200,
      body: this.sim.buttons.notifications(p.accountId, (url.searchParams.get('employee') as EmployeeKind | null) ?? undefined),
    }));
    r.add('GET', '/_sim/accounts/{accountId}/scenarios', async (_req, p) => ({
      status: 200,
      body: this.sim.account(p.accountId).scenarios,
    }));
    r.add('POST', '/_sim/accounts/{accountId}/scenarios', async (req, p) => {
      const one = z
        .object({
          entityType: z.enum(['supply', 'move']),
          stateId: z.string().optional(),
          stateName: z.string().optional(),
          actionName: z.string().min(1),
        })
        .refine((s) => s.stateId || s.stateName, 'stateId or stateName is required');
      const body = await readJson(req);
      const items = parseWith(z.array(one), Array.isArray(body) ? body : [body]);
      return { status: 200, body: items.map((s) => this.sim.addScenario(p.accountId, s)) };
    });
    r.add('DELETE', '/_sim/accounts/{accountId}/scenarios', async (_req, p) => {
      this.sim.account(p.accountId).scenarios = [];
      this.sim.store.changed();
      return { status: 200, body: [] };
    });
    // A user's edit (as in the web UI): same internal logic as an API write, audited as the employee.
    const asEmployee = (url: URL) => parseWith(employeeKind, url.searchParams.get('employee') ?? 'admin') as EmployeeKind;
    for (const t of DOC_TYPES) {
      r.add('PUT', `/_sim/accounts/{accountId}/${t}/{id}`, async (req, p, url) => {
        return { status: 200, body: this.sim.userUpdate(p.accountId, t, p.id, await readJson(req), asEmployee(url)) };
      });
      // The host page's "new document" form: {refs:{store|agent|sourceStore…: id}, positions:[{id, quantity, price?}], stateId?, applicable?}.
      r.add('POST', `/_sim/accounts/{accountId}/${t}`, async (req, p, url) => {
        const rec = createDocumentAsUser(this.sim, p.accountId, t, await readJson(req), asEmployee(url));
        return {
          status: 200,
          body: this.sim.ser.entity(this.sim.account(p.accountId), rec, { positions: { assortment: {} }, state: {} }),
        };
      });
    }
    r.add('GET', '/_sim/accounts/{accountId}/product/{id}', async (_req, p) => ({
      status: 200,
      body: productCard(this.sim.account(p.accountId), p.id),
    }));
    // The product card: {article?, code?, barcode?, variants:[{id?, characteristic?, article?, code?, barcode?}]}.
    r.add('PUT', '/_sim/accounts/{accountId}/product/{id}', async (req, p, url) => ({
      status: 200,
      body: editProductAsUser(this.sim, p.accountId, p.id, await readJson(req), asEmployee(url)),
    }));
    r.add('POST', '/_sim/context', async (req) => {
      const { accountId, employee } = parseWith(
        z.object({ accountId: z.string(), employee: employeeKind.default('admin') }),
        await readJson(req),
      );
      return { status: 200, body: this.sim.issueContextKey(accountId, employee) };
    });
    r.add('GET', '/_sim/webhook-deliveries', async (_req, _p, url) => {
      const accountId = url.searchParams.get('accountId');
      const kind = url.searchParams.get('kind');
      return {
        status: 200,
        body: this.sim.dispatcher.log.filter((d) => (!accountId || d.accountId === accountId) && (!kind || d.kind === kind)),
      };
    });
    r.add('POST', '/_sim/webhook-deliveries/wait', async () => {
      await this.sim.dispatcher.idle();
      return { status: 200, body: { idle: true } };
    });
    r.add('GET', '/_sim/stats', async () => ({ status: 200, body: this.sim.statsSnapshot() }));
    r.add('POST', '/_sim/stats/reset', async () => {
      this.sim.resetStats();
      return { status: 200, body: this.sim.statsSnapshot() };
    });
    r.add('GET', '/_sim/config', async () => ({ status: 200, body: this.sim.config }));
    r.add('POST', '/_sim/config', async (req) => ({
      status: 200,
      body: this.sim.setConfig(((await readJson(req)) ?? {}) as Record<string, unknown>),
    }));
    r.add('POST', '/_sim/reset', async () => {
      this.sim.reset();
      return { status: 200, body: { ok: true } };
    });
  }

  private async lifecycle(accountId: string, action: LifecycleAction) {
    try {
      return await this.sim.lifecycle(accountId, action);
    } catch (e) {
      if (e instanceof LifecycleError) throw apiError(409, 0, e.message);
      throw e;
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const m = this.router.match(req.method ?? 'GET', url.pathname);
      if (!m) return send(res, 404, { errors: [{ error: `unknown control route ${req.method} ${url.pathname}` }] });
      if (!('route' in m)) return send(res, 405, { errors: [{ error: 'method not allowed' }] });
      const r = await m.route.handler(req, m.params, url);
      send(res, r.status, r.body);
    } catch (e) {
      if (e instanceof HttpError) send(res, e.status, { errors: e.errors });
      else send(res, 500, { errors: [{ error: (e as Error).message }] });
    }
  }
}
