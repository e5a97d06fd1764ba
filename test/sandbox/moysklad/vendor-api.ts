/**
 * Vendor API 1.0 (MoySklad side) under /api/vendor/1.0: context exchange, installation status and the
 * completion of async button processes (buttons.ts).
 * Requires `Accept-Encoding: gzip` (415 otherwise) and an HS256 JWT signed with the solution secret
 * (`sub` = appUid, `iat`, single-use `jti`, at most 300 s of life). Errors use the JSON API format plus
 * `X-Lognex-Auth` / `X-Lognex-Auth-Message` on auth failures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Buttons } from './buttons';
import { parseWith } from './engine';
import { acceptsGzip, apiError, HttpError, readJson, Router, sendError, sendJson, type Params } from './http';
import { verifyVendorJwt } from './jwt';
import type { Serializer } from './serialize';
import type { SimStore } from './store';
import { formatMsk } from './time';
import type { AccountRec, EmployeeRec, InstallStatus, SolutionConfig } from './types';

export const VENDOR_PREFIX = '/api/vendor/1.0';

type Handler = (req: IncomingMessage, params: Params) => Promise<{ status: number; body?: unknown }>;

/** Transitions the app may request with PUT .../status (only after answering Activating/SettingsRequired). */
const ALLOWED_FROM: InstallStatus[] = ['Activating', 'SettingsRequired'];
const ALLOWED_TO: InstallStatus[] = ['Activating', 'SettingsRequired', 'Activated'];

export function employeeBody(ser: Serializer, account: AccountRec, e: EmployeeRec): Record<string, unknown> {
  const fullName = `${e.lastName} ${e.firstName}`;
  return {
    meta: { ...ser.entityMeta('employee', e.id, false), uuidHref: `${ser.origin}/app/#employee/edit?id=${e.id}` },
    id: e.id,
    accountId: account.id,
    owner: { meta: ser.employeeMeta(account.employees.admin.id) },
    shared: true,
    updated: account.created,
    name: fullName,
    externalCode: e.id.replace(/-/g, '').slice(0, 22),
    archived: false,
    created: account.created,
    uid: e.uid,
    email: e.email,
    firstName: e.firstName,
    lastName: e.lastName,
    fullName,
    shortFio: `${e.lastName} ${e.firstName[0]}.`,
    cashiers: [],
    ...(e.groupId ? { group: { meta: ser.entityMeta('group', e.groupId, false) } } : {}),
    permissions: e.permissions,
  };
}

export class VendorApi {
  private router = new Router<Handler>();

  constructor(
    private readonly store: SimStore,
    private readonly ser: () => Serializer,
    private readonly solution: SolutionConfig,
    private readonly apiUrl: () => string,
    private readonly buttons?: Buttons,
  ) {
    this.router.add('POST', '/context/{contextKey}', (_req, p) => this.context(p.contextKey));
    this.router.add('POST', '/apps/{appId}/button/complete', async (req, p) => {
      if (!this.buttons) throw apiError(404, 1002, 'button/complete is not simulated here');
      return this.buttons.complete(p.appId, await readJson(req));
    });
    this.router.add('GET', '/apps/{appId}/{accountId}/status', (_req, p) => this.getStatus(p));
    this.router.add('PUT', '/apps/{appId}/{accountId}/status', (req, p) => this.putStatus(req, p));
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!acceptsGzip(req)) {
      res.statusCode = 415;
      res.end();
      return;
    }
    try {
      await this.authenticate(req);
      const m = this.router.match(req.method ?? 'GET', url.pathname.slice(VENDOR_PREFIX.length));
      if (!m) throw apiError(404, 1002, `Неопознанный путь: ${url.pathname}`);
      if (!('route' in m)) throw apiError(405, 1039, `Операция ${req.method} не поддерживается для данного ресурса`);
      const r = await m.route.handler(req, m.params);
      sendJson(req, res, r.status, r.body);
    } catch (e) {
      if (e instanceof HttpError) sendError(req, res, e);
      else sendError(req, res, apiError(500, 1004, (e as Error).message));
    }
  }

  private async authenticate(req: IncomingMessage): Promise<void> {
    const token = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]?.trim();
    const fail = (msg: string) => {
      const err = apiError(401, 1056, `Ошибка аутентификации: ${msg}`);
      // Header values must be ASCII on the wire.
      return new HttpError(401, err.errors, {
        'X-Lognex-Auth': '-1',
        'X-Lognex-Auth-Message': msg.replace(/[^\x20-\x7e]/g, '?'),
      });
    };
    if (!token) throw fail('no bearer token');
    const now = Math.floor(Date.now() / 1000);
    // Forget expired jtis so the table does not grow forever.
    for (const [jti, exp] of Object.entries(this.store.state.usedJtis)) if (exp + 60 < now) delete this.store.state.usedJtis[jti];
    const check = await verifyVendorJwt(token, this.solution.secretKey, this.solution.appUid, (jti) => jti in this.store.state.usedJtis);
    if (!check.ok) throw fail(check.reason ?? 'invalid token');
    this.store.state.usedJtis[check.jti!] = check.exp!;
    this.store.changed();
  }

  private async context(contextKey: string): Promise<{ status: number; body: unknown }> {
    const entry = this.store.state.contextKeys[contextKey];
    if (!entry || entry.expiresAt < Date.now()) {
      throw new HttpError(404, [{ error: 'contextKey не найден или истекло время его жизни' }]);
    }
    const account = this.store.account(entry.accountId);
    if (!account) throw new HttpError(404, [{ error: 'contextKey не найден или истекло время его жизни' }]);
    if (!['Activated', 'SettingsRequired', 'Activating'].includes(account.installation.status)) {
      throw new HttpError(403, [{ error: 'Решение не авторизовано на доступ по данному contextKey' }]);
    }
    return { status: 200, body: employeeBody(this.ser(), account, account.employees[entry.employee]) };
  }

  private installed(p: Params): AccountRec {
    const account = this.store.account(p.accountId);
    if (p.appId !== this.solution.appId || !account || ['NotInstalled', 'Uninstalled'].includes(account.installation.status)) {
      throw apiError(404, 2004, 'Решение не подключено на данном аккаунте');
    }
    return account;
  }

  private async getStatus(p: Params): Promise<{ status: number; body: unknown }> {
    const account = this.installed(p);
    const inst = account.installation;
    const body: Record<string, unknown> = { status: inst.status };
    if (inst.cause) body.cause = inst.cause;
    const t = inst.tariff;
    body.subscription = {
      tariffId: t.tariffId,
      trial: t.trial,
      tariffName: t.tariffName,
      expiryMoment: t.expiryMoment,
      notForResale: false,
      partner: false,
    };
    if (inst.status === 'Activated' || inst.status === 'SettingsRequired') body.access = [{ resource: this.apiUrl(), scope: ['admin'] }];
    return { status: 200, body };
  }

  private async putStatus(req: IncomingMessage, p: Params): Promise<{ status: number; body?: unknown }> {
    const account = this.installed(p);
    const { status } = parseWith(z.object({ status: z.enum(['Activating', 'SettingsRequired', 'Activated']) }), await readJson(req));
    const cur = account.installation.status;
    if (cur === status) return { status: 200 };
    if (!ALLOWED_FROM.includes(cur) || !ALLOWED_TO.includes(status)) {
      throw new HttpError(409, [{ error: `Нет перехода из статуса ${cur} в статус ${status}` }]);
    }
    account.installation.status = status;
    if (status === 'Activated' || status === 'SettingsRequired') account.installation.cause = undefined;
    account.installation.history.push({
      at: formatMsk(Date.now()),
      action: `status:${status}`,
      httpStatus: 200,
      body: { status },
      status,
    });
    this.store.changed();
    return { status: 200 };
  }
}
