/**
 * JSON API 1.2 subset under /api/remap/1.2: request pipeline (gzip → auth → rate limits → route) and
 * the handlers. Writes go through the Engine so that audit, webhooks and scenarios follow.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Engine, MAX_ITEMS, parseWith, positionInput, type WriteContext } from './engine';
import { acceptsGzip, apiError, HttpError, readJson, Router, sendError, sendJson, type Params } from './http';
import {
  matchesFilter,
  parseExpand,
  parseFilter,
  parseOrder,
  parsePaging,
  sortBy,
  validateFilter,
  type ExpandTree,
  type FieldGetter,
  type FieldValues,
} from './query';
import type { RateLimiter } from './rate-limit';
import { TaskApi } from './tasks';
import { isRef, MEDIA, type Serializer } from './serialize';
import type { SimStore } from './store';
import type { AccountRec, DocType, EmployeeRec, EntityRec, EntityType, SimConfig, SolutionConfig, StateRec, WebhookRec } from './types';
import { employeeBody } from './vendor-api';

export const API_PREFIX = '/api/remap/1.2';

export interface Ctx {
  req: IncomingMessage;
  account: AccountRec;
  params: Params;
  query: URLSearchParams;
  url: URL;
  write: WriteContext;
  body: () => Promise<unknown>;
}
type Result = { status: number; body?: unknown };
type Handler = (c: Ctx) => Promise<Result> | Result;

export interface Stats {
  /** accountId → "METHOD /template" → count (429s included). */
  requests: Record<string, Record<string, number>>;
  /** accountId → { 1049: n, 1073: n } */
  rejected: Record<string, Record<string, number>>;
}

const DOC_TYPES: DocType[] = ['supply', 'move', 'purchasereturn'];
const DICT_TYPES: EntityType[] = ['product', 'variant', 'bundle', 'service', 'store', 'organization', 'counterparty'];
const WEBHOOK_FORBIDDEN = ['webhook', 'discount', 'notes'];
const STRING_OPS = ['=', '!=', '~', '~=', '=~'] as const;
const EQ_OPS = ['=', '!='] as const;
const CMP_OPS = ['=', '!=', '<', '>', '<=', '>='] as const;

export class JsonApi {
  private router = new Router<Handler>();
  private readonly tasks: TaskApi;

  constructor(
    private readonly store: SimStore,
    private readonly engine: Engine,
    private readonly ser: () => Serializer,
    private readonly limiter: RateLimiter,
    private readonly config: () => SimConfig,
    private readonly solution: SolutionConfig,
    readonly stats: Stats,
  ) {
    this.tasks = new TaskApi(ser, () => store.changed());
    this.routes();
  }

  // ------------------------------------------------------------------ pipeline

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // MoySklad refuses uncompressed clients before anything else: 415 with an empty body.
    if (!acceptsGzip(req)) {
      res.statusCode = 415;
      res.end();
      return;
    }
    const auth = String(req.headers.authorization ?? '');
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    const account = token ? this.store.accountByToken(token) : undefined;
    if (!account) {
      const err = apiError(401, 1056, 'Ошибка аутентификации: Неправильный пароль или имя пользователя или ключ авторизации');
      // Header values must be ASCII on the wire; the Russian text is in the body.
      sendError(req, res, err, {
        'X-Lognex-Auth': '-1',
        'X-Lognex-Auth-Message': 'Invalid credentials or access token',
      });
      return;
    }
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const match = this.router.match(req.method ?? 'GET', path);
    const template = match && 'route' in match ? `${req.method} ${match.route.template}` : `${req.method} (unmatched)`;
    this.count(account.id, template);

    const admission = this.limiter.admit(account.id);
    if (!admission.ok) {
      this.stats.rejected[account.id] ??= {};
      this.stats.rejected[account.id][admission.code] = (this.stats.rejected[account.id][admission.code] ?? 0) + 1;
      const err =
        admission.code === 1049
          ? apiError(429, 1049, 'Превышено ограничение на количество запросов в единицу времени')
          : apiError(429, 1073, 'Превышено ограничение на одновременное количество запросов');
      sendError(req, res, err, admission.headers);
      return;
    }
    try {
      const delay = this.config().responseDelayMs;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (!match) throw apiError(404, 1002, `Неопознанный путь: ${url.pathname}`);
      if (!('route' in match)) throw apiError(405, 1039, `Операция ${req.method} не поддерживается для данного ресурса`);
      let cached: Promise<unknown> | undefined;
      const ctx: Ctx = {
        req,
        account,
        params: match.params,
        query: url.searchParams,
        url,
        write: this.writeContext(req, account),
        body: () => (cached ??= readJson(req)),
      };
      const result = await match.route.handler(ctx);
      sendJson(req, res, result.status, result.body, admission.headers);
    } catch (e) {
      if (e instanceof HttpError) sendError(req, res, e, admission.headers);
      else {
        console.error('[moysklad-sim] handler error', e);
        sendError(req, res, apiError(500, 1004, `Ошибка при формировании результата: ${(e as Error).message}`), admission.headers);
      }
    } finally {
      admission.release();
    }
  }

  private count(accountId: string, key: string): void {
    this.stats.requests[accountId] ??= {};
    this.stats.requests[accountId][key] = (this.stats.requests[accountId][key] ?? 0) + 1;
  }

  private writeContext(req: IncomingMessage, account: AccountRec): WriteContext {
    // The header may repeat; node joins repeated unknown headers with ", " — split them back, but a
    // single value containing a comma is not a list (MoySklad does not support comma-separated values).
    const raw = req.headersDistinct['x-lognex-webhook-disablebyprefix'] ?? [];
    const token = String(req.headers.authorization ?? '')
      .replace(/^Bearer\s+/i, '')
      .trim();
    const tok = this.store.state.tokens[token];
    return {
      uid: `${this.solution.appUid}@${account.name}`,
      source: 'jsonapi',
      disableByPrefix: raw.map((s) => s.trim()).filter(Boolean),
      appId: tok?.appId,
    };
  }

  // ------------------------------------------------------------------ routes

  private routes(): void {
    const r = this.router;
    r.add('GET', '/context/application', () => ({
      status: 200,
      body: {
        meta: this.ser().applicationMeta(this.solution.appId),
        id: this.solution.appId,
        name: this.solution.name ?? this.solution.appUid,
        appUid: this.solution.appUid,
      },
    }));
    r.add('GET', '/audit/{id}/events', (c) => this.auditContextEvents(c));
    r.add('GET', '/entity/employee', (c) => this.employees(c));
    r.add('GET', '/entity/employee/{id}/security', (c) => this.employeeSecurity(c));
    // Tasks and employees: ./tasks.ts.
    const envelope = (c: Ctx) => (type: string, total: number, paging: { limit: number; offset: number }, rows: unknown[]) =>
      this.listEnvelope(c, type, total, paging, rows);
    r.add('GET', '/entity/employee/{id}', (c) => this.tasks.employee(c.account, c.params.id));
    r.add('GET', '/entity/task', (c) => this.tasks.list(c.account, c.query, envelope(c)));
    r.add('POST', '/entity/task', async (c) => this.tasks.create(c.account, await c.body(), c.write.appId));
    r.add('GET', '/entity/task/{id}', (c) => this.tasks.get(c.account, c.params.id));
    r.add('PUT', '/entity/task/{id}', async (c) => this.tasks.update(c.account, c.params.id, await c.body()));

    for (const t of DOC_TYPES) {
      r.add('GET', `/entity/${t}/metadata`, (c) => this.metadata(c, t));
      r.add('POST', `/entity/${t}/metadata/states`, (c) => this.createStates(c, t, false));
      r.add('POST', `/entity/${t}/metadata/states/batch`, (c) => this.createStates(c, t, true));
      r.add('GET', `/entity/${t}/metadata/states/{id}`, (c) => ({
        status: 200,
        body: this.ser().state(c.account, this.findState(c.account, t, c.params.id)),
      }));
      r.add('PUT', `/entity/${t}/metadata/states/{id}`, (c) => this.updateState(c, t));
      r.add('DELETE', `/entity/${t}/metadata/states/{id}`, (c) => this.deleteState(c, t));
      r.add('GET', `/entity/${t}`, (c) => this.list(c, t, this.engine.documents(c.account, t)));
      r.add('POST', `/entity/${t}`, (c) => this.createDocuments(c, t));
      r.add('GET', `/entity/${t}/{id}`, (c) => this.getOne(c, this.engine.getDocument(c.account, t, c.params.id)));
      r.add('PUT', `/entity/${t}/{id}`, async (c) => {
        const rec = this.engine.updateDocument(c.account, t, c.params.id, await c.body(), c.write);
        return this.getOne(c, rec);
      });
      r.add('DELETE', `/entity/${t}/{id}`, (c) => {
        this.engine.deleteDocument(c.account, t, c.params.id, c.write);
        return { status: 200 };
      });
      r.add('GET', `/entity/${t}/{id}/audit`, (c) => this.entityAudit(c, t));
      r.add('GET', `/entity/${t}/{id}/positions`, (c) => this.listPositions(c, t));
      r.add('POST', `/entity/${t}/{id}/positions`, (c) => this.addPositions(c, t, false));
      r.add('POST', `/entity/${t}/{id}/positions/batch`, (c) => this.addPositions(c, t, true));
      r.add('POST', `/entity/${t}/{id}/positions/delete`, (c) => this.deletePositions(c, t));
      r.add('GET', `/entity/${t}/{id}/positions/{positionId}`, (c) => {
        const { pos } = this.engine.getPosition(c.account, t, c.params.id, c.params.positionId);
        return {
          status: 200,
          body: this.ser().position(c.account, t, c.params.id, pos, parseExpand(c.query.get('expand'))),
        };
      });
      r.add('PUT', `/entity/${t}/{id}/positions/{positionId}`, async (c) => {
        const pos = this.engine.updatePosition(c.account, t, c.params.id, c.params.positionId, await c.body(), c.write);
        return {
          status: 200,
          body: this.ser().position(c.account, t, c.params.id, pos, parseExpand(c.query.get('expand'))),
        };
      });
      r.add('DELETE', `/entity/${t}/{id}/positions/{positionId}`, (c) => {
        this.engine.getPosition(c.account, t, c.params.id, c.params.positionId);
        this.engine.deletePositions(c.account, t, c.params.id, [c.params.positionId], c.write);
        return { status: 200 };
      });
    }

    r.add('GET', '/entity/assortment', (c) => this.assortment(c));

    r.add('GET', '/entity/webhook', (c) => this.listWebhooks(c));
    r.add('POST', '/entity/webhook', (c) => this.createWebhook(c));
    r.add('GET', '/entity/webhook/{id}', (c) => ({
      status: 200,
      body: this.ser().webhook(c.account, this.findWebhook(c.account, c.params.id)),
    }));
    r.add('PUT', '/entity/webhook/{id}', (c) => this.updateWebhook(c));
    r.add('DELETE', '/entity/webhook/{id}', (c) => {
      const wh = this.findWebhook(c.account, c.params.id);
      c.account.webhooks = c.account.webhooks.filter((w) => w !== wh);
      this.store.changed();
      return { status: 200 };
    });

    for (const t of DICT_TYPES) {
      r.add('GET', `/entity/${t}`, (c) => this.list(c, t, this.store.list(c.account, t)));
      r.add('POST', `/entity/${t}`, (c) => this.createDictionary(c, t));
      r.add('GET', `/entity/${t}/{id}`, (c) => this.getOne(c, this.findEntity(c.account, t, c.params.id)));
      r.add('PUT', `/entity/${t}/{id}`, (c) => this.updateDictionary(c, t));
      r.add('DELETE', `/entity/${t}/{id}`, (c) => {
        const rec = this.findEntity(c.account, t, c.params.id);
        this.store.remove(c.account, rec.id);
        return { status: 200 };
      });
    }
  }

  // ------------------------------------------------------------------ generic list/get

  private findEntity(account: AccountRec, type: EntityType, id: string): EntityRec {
    const rec = this.store.get(account, type, id);
    if (!rec) throw apiError(404, 1021, `Объект с типом '${type}' и идентификатором '${id}' не найден`);
    return rec;
  }

  private getOne(c: Ctx, rec: EntityRec): Result {
    return { status: 200, body: this.ser().entity(c.account, rec, parseExpand(c.query.get('expand'))) };
  }

  private listEnvelope(
    c: Ctx,
    type: string,
    total: number,
    paging: { limit: number; offset: number },
    rows: unknown[],
    metadata = true,
  ): Record<string, unknown> {
    const ser = this.ser();
    const href = `${ser.origin}${c.url.pathname}${c.url.search}`;
    return {
      context: {
        employee: {
          meta: {
            href: `${ser.api}/context/employee`,
            metadataHref: `${ser.api}/entity/employee/metadata`,
            type: 'employee',
            mediaType: MEDIA,
          },
        },
      },
      meta: ser.listMeta(href, type, total, paging.limit, paging.offset, metadata ? `${ser.api}/entity/${type}/metadata` : undefined),
      rows,
    };
  }

  private list(c: Ctx, type: EntityType, all: EntityRec[]): Result {
    const paging = parsePaging(c.query);
    const conds = parseFilter(c.query.get('filter'));
    const getter = (rec: EntityRec) => this.getter(c.account, rec);
    validateFilter(
      conds,
      all.length ? getter(all[0]) : this.getter(c.account, { id: '', type, created: '', updated: '', fields: {}, positions: [] }),
    );
    let rows = all.filter((rec) => matchesFilter(conds, getter(rec)));
    const search = c.query.get('search');
    if (search) {
      const s = search.toLowerCase();
      rows = rows.filter((rec) =>
        ['name', 'code', 'article', 'description', 'externalCode'].some((f) =>
          String(rec.fields[f] ?? '')
            .toLowerCase()
            .includes(s),
        ),
      );
    }
    rows = sortBy(rows, parseOrder(c.query.get('order')), getter);
    // MoySklad silently ignores expand on lists unless limit ≤ 100.
    const expand: ExpandTree = paging.limit <= 100 ? parseExpand(c.query.get('expand')) : {};
    const page = rows.slice(paging.offset, paging.offset + paging.limit);
    return {
      status: 200,
      body: this.listEnvelope(
        c,
        type,
        rows.length,
        paging,
        page.map((rec) => this.ser().entity(c.account, rec, expand)),
      ),
    };
  }

  /** Filterable fields per entity type (names, operators and kinds as in MoySklad's docs). */
  getter(account: AccountRec, rec: EntityRec): FieldGetter {
    const f = rec.fields;
    const str = (v: unknown, ops: readonly string[] = STRING_OPS): FieldValues => ({
      kind: 'string',
      values: v === undefined || v === null ? [] : [String(v)],
      ops: [...ops] as FieldValues['ops'],
    });
    const ref = (v: unknown): FieldValues => ({ kind: 'ref', values: isRef(v) ? [v.id] : [], ops: [...EQ_OPS] });
    const date = (v: unknown): FieldValues => ({ kind: 'date', values: v ? [String(v)] : [], ops: [...CMP_OPS] });
    const bool = (v: unknown): FieldValues => ({ kind: 'bool', values: [v === true], ops: [...EQ_OPS] });
    const common: Record<string, () => FieldValues> = {
      id: () => ({ kind: 'string', values: [rec.id], ops: [...EQ_OPS] }),
      accountId: () => ({ kind: 'string', values: [account.id], ops: [...EQ_OPS] }),
      name: () => str(f.name),
      code: () => str(f.code),
      externalCode: () => str(f.externalCode),
      description: () => str(f.description),
      updated: () => date(rec.updated),
      created: () => date(rec.created),
    };
    const supplyLike: Record<string, () => FieldValues> = {
      moment: () => date(f.moment),
      applicable: () => bool(f.applicable),
      printed: () => bool(false),
      published: () => bool(false),
      isDeleted: () => bool(false),
      sum: () => ({
        kind: 'number',
        values: [Number((this.ser().entity(account, rec) as { sum: number }).sum)],
        ops: [...CMP_OPS],
      }),
      organization: () => ref(f.organization),
      agent: () => ref(f.agent),
      store: () => ref(f.store),
      state: () => ref(f.state),
      'state.name': () => str(account.states.find((s) => isRef(f.state) && s.id === f.state.id)?.name, EQ_OPS),
      assortment: () => ({ kind: 'ref', values: (rec.positions ?? []).map((p) => p.assortment.id), ops: [...EQ_OPS] }),
    };
    const byType: Record<string, Record<string, () => FieldValues>> = {
      // A purchase return has the supply's header (organization, agent, one store).
      supply: supplyLike,
      purchasereturn: supplyLike,
      move: {
        moment: () => date(f.moment),
        applicable: () => bool(f.applicable),
        printed: () => bool(false),
        published: () => bool(false),
        isDeleted: () => bool(false),
        organization: () => ref(f.organization),
        // MoySklad's trap: sourceStore is filtered as `store`, targetStore as `agentStore`.
        store: () => ref(f.sourceStore),
        agentStore: () => ref(f.targetStore),
        state: () => ref(f.state),
        'state.name': () => str(account.states.find((s) => isRef(f.state) && s.id === f.state.id)?.name, EQ_OPS),
        assortment: () => ({
          kind: 'ref',
          values: (rec.positions ?? []).map((p) => p.assortment.id),
          ops: [...EQ_OPS],
        }),
      },
      product: goodsFields(rec),
      variant: {
        ...goodsFields(rec),
        productid: () => ({ kind: 'ref', values: isRef(f.product) ? [f.product.id] : [], ops: ['='] }),
      },
      bundle: goodsFields(rec),
      service: goodsFields(rec),
      store: { archived: () => bool(false) },
      organization: { archived: () => bool(false) },
      counterparty: { archived: () => bool(false) },
    };
    const table = { ...common, ...(byType[rec.type] ?? {}) };
    return (field) => table[field]?.();
  }

  // ------------------------------------------------------------------ documents

  private async createDocuments(c: Ctx, t: DocType): Promise<Result> {
    const body = await c.body();
    if (Array.isArray(body)) {
      // POST with an array is MoySklad's batch create/update: each item is created or (with meta) updated.
      if (body.length > MAX_ITEMS) throw apiError(413, 2007, 'Ошибка формата: слишком большое число вложенных объектов');
      const out = body.map((item) => {
        const href = (item as { meta?: { href?: string } })?.meta?.href;
        const rec = href
          ? this.engine.updateDocument(c.account, t, href.split('/').pop()!, item, c.write)
          : this.engine.createDocument(c.account, t, item, c.write);
        return this.ser().entity(c.account, rec, parseExpand(c.query.get('expand')));
      });
      return { status: 200, body: out };
    }
    const rec = this.engine.createDocument(c.account, t, body, c.write);
    return this.getOne(c, rec);
  }

  private listPositions(c: Ctx, t: DocType): Result {
    const rec = this.engine.getDocument(c.account, t, c.params.id);
    const paging = parsePaging(c.query);
    const all = rec.positions ?? [];
    const expand = paging.limit <= 100 ? parseExpand(c.query.get('expand')) : {};
    const rows = all.slice(paging.offset, paging.offset + paging.limit).map((p) => this.ser().position(c.account, t, rec.id, p, expand));
    const env = this.listEnvelope(c, `${t}position`, all.length, paging, rows, false);
    return { status: 200, body: env };
  }

  private async addPositions(c: Ctx, t: DocType, batchPath: boolean): Promise<Result> {
    const body = await c.body();
    const items = Array.isArray(body) ? body : [body];
    if (Array.isArray(body) && body.length > MAX_ITEMS)
      throw apiError(413, 2007, 'Ошибка формата: слишком большое число вложенных объектов');
    const inputs = items.map((i) => parseWith(positionInput, i));
    const created = this.engine.addPositions(c.account, t, c.params.id, inputs, c.write);
    const expand = parseExpand(c.query.get('expand'));
    const rows = created.map((p) => this.ser().position(c.account, t, c.params.id, p, expand));
    return { status: 200, body: Array.isArray(body) || batchPath ? rows : rows[0] };
  }

  private async deletePositions(c: Ctx, t: DocType): Promise<Result> {
    const body = await c.body();
    const items = parseWith(z.array(z.looseObject({ meta: z.looseObject({ href: z.string() }) })), body);
    if (items.length > MAX_ITEMS) throw apiError(413, 2007, 'Ошибка формата: слишком большое число вложенных объектов');
    const ids = items.map((i) => i.meta.href.split('/').pop()!);
    this.engine.deletePositions(c.account, t, c.params.id, ids, c.write);
    return { status: 200, body: ids.map(() => ({ info: 'Сущность удалена' })) };
  }

  private entityAudit(c: Ctx, t: DocType): Result {
    const paging = parsePaging(c.query, 25, 100);
    const events = c.account.auditEvents.filter((e) => e.entityType === t && e.entityId === c.params.id);
    if (!events.length && !this.store.get(c.account, t, c.params.id)) {
      throw apiError(404, 1021, `Объект с типом '${t}' и идентификатором '${c.params.id}' не найден`);
    }
    const newestFirst = [...events].reverse();
    const rows = newestFirst.slice(paging.offset, paging.offset + paging.limit).map((e) => this.auditRow(c.account, e));
    return { status: 200, body: this.listEnvelope(c, 'auditevent', events.length, paging, rows, false) };
  }

  /** The account's employees, filtered by `uid`, `id`, `email` or `name` (who a login from an audit is). */
  private employees(c: Ctx): Result {
    const paging = parsePaging(c.query);
    const conds = parseFilter(c.query.get('filter'));
    const str = (v: string, ops: readonly string[] = STRING_OPS): FieldValues => ({
      kind: 'string',
      values: [v],
      ops: [...ops] as FieldValues['ops'],
    });
    const getter =
      (e: EmployeeRec): FieldGetter =>
      (field) =>
        ({
          id: str(e.id, EQ_OPS),
          uid: str(e.uid),
          email: str(e.email),
          name: str(`${e.lastName} ${e.firstName}`),
        })[field];
    const all = Object.values(c.account.employees);
    validateFilter(conds, getter(all[0]));
    const rows = all.filter((e) => matchesFilter(conds, getter(e)));
    const page = rows.slice(paging.offset, paging.offset + paging.limit).map((e) => {
      const { permissions: _permissions, ...body } = employeeBody(this.ser(), c.account, e);
      return body;
    });
    return { status: 200, body: this.listEnvelope(c, 'employee', rows.length, paging, page) };
  }

  /**
   * An employee's access and role: the administrator (permissions.admin.view = ALL) has the system role
   * `admin`; the others an individual role listing their permissions.
   */
  private employeeSecurity(c: Ctx): Result {
    const employee = Object.values(c.account.employees).find((e) => e.id === c.params.id);
    if (!employee) throw apiError(404, 1021, `Объект с типом 'employee' и идентификатором '${c.params.id}' не найден`);
    const isAdministrator = (employee.permissions.admin as { view?: string } | undefined)?.view === 'ALL';
    const roleHref = `${this.ser().api}/entity/role/${isAdministrator ? 'admin' : 'individual'}`;
    return {
      status: 200,
      body: {
        isActive: employee.active !== false,
        login: employee.uid,
        email: employee.email,
        ...(employee.groupId
          ? {
              group: {
                meta: { ...this.ser().entityMeta('group', employee.groupId, false) },
                id: employee.groupId,
                name: 'Группа',
              },
            }
          : {}),
        role: {
          meta: {
            href: roleHref,
            type: isAdministrator ? 'systemrole' : 'individualrole',
            mediaType: 'application/json',
          },
          ...(isAdministrator ? {} : { permissions: employee.permissions }),
        },
      },
    };
  }

  private auditContextEvents(c: Ctx): Result {
    const paging = parsePaging(c.query, 25, 100);
    const events = c.account.auditEvents.filter((e) => e.contextId === c.params.id);
    if (!events.length) throw apiError(404, 1021, `Объект с типом 'audit' и идентификатором '${c.params.id}' не найден`);
    const rows = events.slice(paging.offset, paging.offset + paging.limit).map((e) => this.auditRow(c.account, e));
    return { status: 200, body: this.listEnvelope(c, 'auditevent', events.length, paging, rows, false) };
  }

  private auditRow(account: AccountRec, e: AccountRec['auditEvents'][number]): Record<string, unknown> {
    const ser = this.ser();
    const row: Record<string, unknown> = {
      source: e.source,
      eventType: e.eventType,
      entityType: e.entityType,
      uid: e.uid,
      moment: e.moment.replace(/\.\d{3}$/, ''),
      name: e.name,
      objectCount: 1,
      audit: { meta: ser.auditMeta(e.contextId) },
      entity: { meta: ser.entityMeta(e.entityType, e.entityId) },
    };
    if (e.diff) {
      // Stored diffs hold Refs; render them as {meta} with today's base URL.
      row.diff = JSON.parse(JSON.stringify(e.diff), (_k, v) => (isRef(v) ? ser.ref(account, v, undefined) : v));
    }
    return row;
  }

  // ------------------------------------------------------------------ states

  private metadata(c: Ctx, t: DocType): Result {
    const ser = this.ser();
    return {
      status: 200,
      body: {
        meta: { href: `${ser.api}/entity/${t}/metadata`, mediaType: MEDIA },
        attributes: {
          meta: {
            href: `${ser.api}/entity/${t}/metadata/attributes`,
            type: 'attributemetadata',
            mediaType: MEDIA,
            size: 0,
            limit: 1000,
            offset: 0,
          },
        },
        states: c.account.states.filter((s) => s.entityType === t).map((s) => ser.state(c.account, s)),
        createShared: false,
      },
    };
  }

  private findState(account: AccountRec, t: DocType, id: string): StateRec {
    const st = account.states.find((s) => s.id === id && s.entityType === t);
    if (!st) throw apiError(404, 1021, `Объект с типом 'state' и идентификатором '${id}' не найден`);
    return st;
  }

  private static stateInput = z.looseObject({
    meta: z.looseObject({ href: z.string() }).optional(),
    name: z.string().max(255).optional(),
    color: z.number().int().optional(),
    stateType: z.enum(['Regular', 'Successful', 'Unsuccessful']).optional(),
  });

  private upsertState(account: AccountRec, t: DocType, raw: unknown): StateRec {
    const input = parseWith(JsonApi.stateInput, raw);
    if (input.meta?.href) {
      const st = this.findState(account, t, input.meta.href.split('/').pop()!);
      Object.assign(st, pick(input, ['name', 'color', 'stateType']));
      return st;
    }
    // Creating a state needs all three fields.
    for (const f of ['name', 'color', 'stateType'] as const) {
      if (input[f] === undefined)
        throw apiError(400, 3000, `Ошибка сохранения объекта: поле '${f}' не может быть пустым или отсутствовать`, f);
    }
    const st: StateRec = {
      id: randomUUID(),
      entityType: t,
      name: input.name!,
      color: input.color!,
      stateType: input.stateType!,
    };
    account.states.push(st);
    return st;
  }

  private async createStates(c: Ctx, t: DocType, batchPath: boolean): Promise<Result> {
    const body = await c.body();
    if (Array.isArray(body) || batchPath) {
      const items = Array.isArray(body) ? body : [body];
      if (items.length > MAX_ITEMS) throw apiError(413, 2007, 'Ошибка формата: слишком большое число вложенных объектов');
      const out = items.map((i) => this.ser().state(c.account, this.upsertState(c.account, t, i)));
      this.store.changed();
      return { status: 200, body: out };
    }
    const st = this.upsertState(c.account, t, body);
    this.store.changed();
    return { status: 200, body: this.ser().state(c.account, st) };
  }

  private async updateState(c: Ctx, t: DocType): Promise<Result> {
    const st = this.findState(c.account, t, c.params.id);
    const input = parseWith(JsonApi.stateInput, await c.body());
    Object.assign(st, pick(input, ['name', 'color', 'stateType']));
    this.store.changed();
    return { status: 200, body: this.ser().state(c.account, st) };
  }

  private deleteState(c: Ctx, t: DocType): Result {
    const st = this.findState(c.account, t, c.params.id);
    c.account.states = c.account.states.filter((s) => s !== st);
    this.store.changed();
    return { status: 200 };
  }

  // ------------------------------------------------------------------ assortment

  /**
   * Legacy `/entity/assortment` (stock fields included): products, variants, bundles, services.
   * Legacy quirk: `article` matches the parent product's article for variants, so all variants of a
   * matching product are returned whatever their own article. With the header
   * `X-Lognex-Remap-Beta-Feature: assortmentWithoutStock` the new endpoint's rules apply instead.
   */
  private assortment(c: Ctx): Result {
    const beta = String(c.req.headers['x-lognex-remap-beta-feature'] ?? '').includes('assortmentWithoutStock');
    const paging = parsePaging(c.query);
    const conds = parseFilter(c.query.get('filter'));
    const all = Object.values(c.account.entities).filter((e) => ['product', 'variant', 'bundle', 'service'].includes(e.type));
    const getter = (rec: EntityRec): FieldGetter => {
      const base = this.getter(c.account, rec);
      return (field) => {
        if (field === 'article') {
          if (beta) return undefined;
          const owner = rec.type === 'variant' && isRef(rec.fields.product) ? c.account.entities[rec.fields.product.id] : rec;
          return {
            kind: 'string',
            values: owner?.fields.article ? [String(owner.fields.article)] : [],
            ops: ['=', '!=', '~', '~=', '=~'],
          };
        }
        if (field === 'barcode') {
          const v = base(field) ?? { kind: 'string' as const, values: [] };
          return { ...v, ops: beta ? ['=', '~', '~=', '=~'] : ['='] };
        }
        if (field === 'type') return { kind: 'string', values: [rec.type], ops: ['=', '!='] };
        return (
          base(field) ??
          (['name', 'code', 'externalCode', 'id', 'updated', 'archived'].includes(field) ? { kind: 'string', values: [] } : undefined)
        );
      };
    };
    const probe: EntityRec = { id: '', type: 'product', created: '', updated: '', fields: {} };
    validateFilter(conds, getter(probe));
    const rows = all.filter((rec) => matchesFilter(conds, getter(rec)));
    const expand: ExpandTree = paging.limit <= 100 ? parseExpand(c.query.get('expand')) : {};
    const page = rows.slice(paging.offset, paging.offset + paging.limit).map((rec) => {
      const body = this.ser().entity(c.account, rec, expand);
      if (!beta && rec.type !== 'service') Object.assign(body, { stock: 0, reserve: 0, inTransit: 0, quantity: 0 });
      return body;
    });
    return { status: 200, body: this.listEnvelope(c, 'assortment', rows.length, paging, page, false) };
  }

  // ------------------------------------------------------------------ dictionaries

  private static dictInput = z.looseObject({
    name: z.string().max(255).optional(),
    code: z.string().max(255).nullable().optional(),
    externalCode: z.string().max(255).optional(),
    article: z.string().max(255).nullable().optional(),
    description: z.string().max(4096).nullable().optional(),
    barcodes: z.array(z.record(z.string(), z.string())).nullable().optional(),
    buyPrice: z.looseObject({ value: z.number() }).nullable().optional(),
    vat: z.number().int().optional(),
    product: z.looseObject({ meta: z.looseObject({ href: z.string() }) }).optional(),
    characteristics: z.array(z.looseObject({ name: z.string().optional(), value: z.string(), id: z.string().optional() })).optional(),
    address: z.string().nullable().optional(),
  });

  private dictFields(c: Ctx, t: EntityType, raw: unknown): Record<string, unknown> {
    const input = parseWith(JsonApi.dictInput, raw);
    const out: Record<string, unknown> = {};
    for (const k of ['name', 'code', 'externalCode', 'article', 'description', 'barcodes', 'buyPrice', 'vat', 'address'] as const) {
      if (k in input) out[k] = input[k] === null ? null : input[k];
    }
    if (t === 'variant') {
      if (input.product) out.product = this.engine.resolveRef(c.account, input.product, ['product'], 'product');
      if (input.characteristics)
        out.characteristics = input.characteristics.map((ch) => ({ name: ch.name ?? ch.id ?? '', value: ch.value }));
    }
    if (t !== 'variant' && t !== 'product' && t !== 'bundle') delete out.article;
    return out;
  }

  private async createDictionary(c: Ctx, t: EntityType): Promise<Result> {
    const fields = this.dictFields(c, t, await c.body());
    if (t === 'variant') {
      if (!fields.product)
        throw apiError(400, 3000, "Ошибка сохранения объекта: поле 'product' не может быть пустым или отсутствовать", 'product');
      if (!fields.name) fields.name = variantName(c.account, fields);
    }
    if (!fields.name) throw apiError(400, 3000, "Ошибка сохранения объекта: поле 'name' не может быть пустым или отсутствовать", 'name');
    const rec = this.engine.createEntity(c.account, t, stripNulls(fields), c.write);
    return this.getOne(c, rec);
  }

  private async updateDictionary(c: Ctx, t: EntityType): Promise<Result> {
    const rec = this.findEntity(c.account, t, c.params.id);
    const fields = this.dictFields(c, t, await c.body());
    this.engine.updateEntity(c.account, rec, fields, c.write);
    return this.getOne(c, rec);
  }

  // ------------------------------------------------------------------ webhooks

  private findWebhook(account: AccountRec, id: string): WebhookRec {
    const wh = account.webhooks.find((w) => w.id === id);
    if (!wh) throw apiError(404, 1021, `Объект с типом 'webhook' и идентификатором '${id}' не найден`);
    return wh;
  }

  private listWebhooks(c: Ctx): Result {
    const paging = parsePaging(c.query);
    const all = c.account.webhooks;
    const rows = all.slice(paging.offset, paging.offset + paging.limit).map((w) => this.ser().webhook(c.account, w));
    return { status: 200, body: this.listEnvelope(c, 'webhook', all.length, paging, rows) };
  }

  private static webhookInput = z.looseObject({
    url: z.string().optional(),
    action: z.string().optional(),
    entityType: z.string().optional(),
    method: z.string().optional(),
    enabled: z.boolean().optional(),
    diffType: z.string().nullable().optional(),
  });

  /** MoySklad's webhook rules, each with its documented error code (30000–30010). */
  private validateWebhook(account: AccountRec, wh: WebhookRec, self?: WebhookRec): void {
    if (WEBHOOK_FORBIDDEN.includes(wh.entityType))
      throw apiError(400, 30000, `Ошибка сохранения webhook: неподдерживаемый тип сущности '${wh.entityType}'`, 'entityType');
    if (wh.method !== 'POST')
      throw apiError(400, 30001, `Ошибка сохранения webhook: неизвестный HTTP-метод '${wh.method}'. Допустимый: POST`, 'method');
    if (!['CREATE', 'UPDATE', 'DELETE', 'PROCESSED'].includes(wh.action)) {
      throw apiError(
        400,
        30002,
        `Ошибка сохранения webhook: неизвестное действие '${wh.action}'. Допустимые: CREATE, UPDATE, DELETE`,
        'action',
      );
    }
    if (wh.url.length > 255) throw apiError(400, 30010, 'Ошибка сохранения webhook: длина url адреса больше 255 символов', 'url');
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(wh.url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw apiError(400, 30005, 'Ошибка сохранения webhook: значение поля url не является корректным адресом запроса', 'url');
    if (wh.diffType !== undefined && wh.action !== 'UPDATE') {
      throw apiError(
        400,
        30009,
        `Ошибка сохранения webhook: указание значения поля 'diffType' не поддерживается для действия '${wh.action}'. Допустимые: UPDATE`,
        'diffType',
      );
    }
    if (wh.diffType !== undefined && !['NONE', 'FIELDS'].includes(wh.diffType)) {
      throw apiError(400, 2016, "Ошибка формата: значение поля 'diffType' не соответствует типу Enum", 'diffType');
    }
    const others = account.webhooks.filter((w) => w !== self);
    if (others.some((w) => w.entityType === wh.entityType && w.action === wh.action && w.url === wh.url)) {
      throw apiError(400, 30003, 'Ошибка сохранения webhook: webhook с данным набором параметров уже существует');
    }
    // A solution may own one webhook per (entityType, action); users may have five.
    if (
      wh.authorAppId &&
      others.some((w) => w.authorAppId === wh.authorAppId && w.entityType === wh.entityType && w.action === wh.action)
    ) {
      throw apiError(400, 30007, "Нельзя создать больше '1' веб-хуков одинакового типа на одну сущность");
    }
  }

  private async createWebhook(c: Ctx): Promise<Result> {
    const input = parseWith(JsonApi.webhookInput, await c.body());
    for (const f of ['url', 'action', 'entityType'] as const) {
      if (!input[f]) throw apiError(400, 3000, `Ошибка сохранения объекта: поле '${f}' не может быть пустым или отсутствовать`, f);
    }
    const wh: WebhookRec = {
      id: randomUUID(),
      entityType: input.entityType!,
      action: input.action as WebhookRec['action'],
      url: input.url!,
      method: (input.method ?? 'POST') as 'POST',
      enabled: input.enabled ?? true,
      authorAppId: c.write.appId,
    };
    if (input.diffType !== undefined && input.diffType !== null) wh.diffType = input.diffType as WebhookRec['diffType'];
    this.validateWebhook(c.account, wh);
    if (wh.action === 'UPDATE' && !wh.diffType) wh.diffType = 'NONE';
    c.account.webhooks.push(wh);
    this.store.changed();
    return { status: 200, body: this.ser().webhook(c.account, wh) };
  }

  private async updateWebhook(c: Ctx): Promise<Result> {
    const wh = this.findWebhook(c.account, c.params.id);
    const input = parseWith(JsonApi.webhookInput, await c.body());
    const next: WebhookRec = { ...wh };
    if (input.url !== undefined) next.url = input.url;
    if (input.action !== undefined) next.action = input.action as WebhookRec['action'];
    if (input.method !== undefined) next.method = input.method as 'POST';
    if (input.enabled !== undefined) next.enabled = input.enabled;
    if (input.diffType !== undefined) {
      if (input.diffType === null) delete next.diffType;
      else next.diffType = input.diffType as WebhookRec['diffType'];
    }
    if (next.action !== 'UPDATE' && input.diffType === undefined) delete next.diffType;
    this.validateWebhook(c.account, next, wh);
    Object.assign(wh, next);
    if (wh.action !== 'UPDATE') delete wh.diffType;
    this.store.changed();
    return { status: 200, body: this.ser().webhook(c.account, wh) };
  }
}

function goodsFields(rec: EntityRec): Record<string, () => FieldValues> {
  const f = rec.fields;
  return {
    article: () => ({
      kind: 'string',
      values: f.article ? [String(f.article)] : [],
      ops: ['=', '!=', '~', '~=', '=~'],
    }),
    barcode: () => ({
      kind: 'string',
      values: ((f.barcodes as Array<Record<string, string>> | undefined) ?? []).flatMap((b) => Object.values(b)),
      ops: ['=', '~', '~=', '=~'],
    }),
    archived: () => ({ kind: 'bool', values: [false], ops: ['=', '!='] }),
  };
}

export function variantName(account: AccountRec, fields: Record<string, unknown>): string {
  const product = isRef(fields.product) ? account.entities[fields.product.id] : undefined;
  const chars = (fields.characteristics as Array<{ value: string }> | undefined) ?? [];
  return `${String(product?.fields.name ?? '')} (${chars.map((c) => c.value).join(', ')})`;
}

function pick<T extends object>(o: T, keys: Array<keyof T>): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function stripNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}
