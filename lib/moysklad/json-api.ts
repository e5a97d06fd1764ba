/**
 * The MoySklad JSON API 1.2 client: the only code that calls `api.moysklad.ru` with an account's
 * solution token. Every call
 *  - carries `Authorization: Bearer`, `Accept-Encoding: gzip` (MoySklad answers 415 without it) and
 *    JSON; writes also carry `X-Lognex-WebHook-DisableByPrefix` so the app's own changes do not fire
 *    its own webhooks;
 *  - goes through the rate gate under `moysklad:<accountId>` (5 in flight, 45 per 3 s: MoySklad's
 *    limits for a solution token); a 429 pauses the gate for the advised interval, so every caller
 *    of the account waits, not only the one that was refused;
 *  - is retried only for transient causes (retry.ts), never for another 4xx (MoySklad bans repeated
 *    failing requests);
 *  - ends in a parsed result (schemas.ts) or an AppError (errors.ts), never a raw axios error.
 */
import axios, { type AxiosInstance, type Method } from 'axios';
import { z } from 'zod';
import { AppError } from '@/lib/core/errors';
import type { DocumentEntity, ProductKey } from '@/lib/core/domain';
import { logFor } from '@/lib/core/logger';
import type { RatePolicy } from '@/lib/core/rate-gate';
import { limitedRequest, type ResponseLimits } from '@/lib/core/transport-errors';
import { remoteSetup, type RemoteClientOptions } from '@/lib/core/remote/options';
import { PauseMemory, withRetries } from '@/lib/core/remote/retry';
import { chunkByLength, collectOffsetPages, offsetPages } from '@/lib/core/remote/pager';
import { parseAnswer, sendOnce } from '@/lib/core/remote/errors';
import { advisedPauseMs, mapMoyskladError, MOYSKLAD_NAMES, unexpectedMsResponse } from '@/lib/moysklad/errors';
import { DEFAULT_MS_RETRY_POLICY, msRetryDelayMs, type MsRetryPolicy } from '@/lib/moysklad/retry';
import { readDocumentWithPositions } from '@/lib/moysklad/positions';
import {
  msAuditEventSchema,
  msDocumentSchema,
  msEmployeeSchema,
  msEmployeeSecuritySchema,
  msEntityMetadataSchema,
  msListSchema,
  msAssortmentSchema,
  msPositionSchema,
  msStateSchema,
  msStoreSchema,
  msWebhookSchema,
  type MsAssortment,
  type MsAuditEvent,
  type MsDocument,
  type MsEmployee,
  type MsEmployeeSecurity,
  type MsEntityMetadata,
  type MsList,
  type MsPosition,
  type MsState,
  type MsStateType,
  type MsStore,
  type MsWebhook,
} from '@/lib/moysklad/schemas';

/**
 * MoySklad's limits for one solution token (RDOC _restrictions.md, 2026): 45 requests / 3 s, 5 parallel.
 * The gate counts a call when it is sent, MoySklad when it arrives; arrival delays differ by a few ms,
 * so a window of exactly 3000 ms lets the 46th call land inside MoySklad's window now and then. A
 * 100 ms margin (3 % slower at full speed) turns those edge 429s into a short wait on our side.
 */
export const MOYSKLAD_WINDOW_MARGIN_MS = 100;
export const MOYSKLAD_RATE_POLICY: RatePolicy = {
  maxConcurrent: 5,
  maxPerWindow: 45,
  windowMs: 3000 + MOYSKLAD_WINDOW_MARGIN_MS,
};
/** Arrays in one request: at most 1000 items (413 beyond). */
export const MS_MAX_BATCH = 1000;
/** `expand` is honoured only on pages of at most 100 rows. */
export const MS_EXPAND_PAGE = 100;
/** Query-string budget for OR-ed filters; MoySklad refuses long request lines (414) and headers > 8 KB. */
export const MS_MAX_FILTER_CHARS = 3000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** A page of 1000 rows with expanded references stays in single megabytes; 16 MB is far beyond it. */
export const DEFAULT_MOYSKLAD_LIMITS: ResponseLimits = { maxResponseBytes: 16 * 1024 * 1024, deadlineMs: 90_000 };

export interface MoyskladClientOptions extends RemoteClientOptions<MsRetryPolicy> {
  /** e.g. https://api.moysklad.ru/api/remap/1.2 */
  baseUrl: string;
  /** The account's solution token (from activation). */
  token: string;
  accountId: string;
  /** APP_BASE_URL: webhooks under this prefix do not fire for our own writes. */
  webhookDisablePrefix?: string;
}

export type MsQueryValue = string | number | boolean | undefined;

export interface MsCall<S extends z.ZodType> {
  method: Method;
  /** Path under baseUrl (`/entity/supply/…`) or an absolute href MoySklad gave us (same origin only). */
  path: string;
  query?: Record<string, MsQueryValue>;
  body?: unknown;
  schema: S;
  /** For logs and messages; defaults to "METHOD path". */
  operation?: string;
  /** Whether repeating the call cannot apply it twice (default: every method but POST). */
  idempotent?: boolean;
  notFoundMessage?: string;
  headers?: Record<string, string>;
}

/** One condition of a `filter` (field, operator, value); conditions are joined with `;`. */
export type MsFilterCondition = [field: string, operator: '=' | '!=' | '>' | '<' | '>=' | '<=' | '~' | '~=' | '=~', value: string];

/** Escapes a filter value: a literal `;` separates conditions, so it is written `\;` (and `\` as `\\`). */
export function escapeFilterValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;');
}

export function buildFilter(conditions: MsFilterCondition[]): string {
  return conditions.map(([field, op, value]) => `${field}${op}${escapeFilterValue(value)}`).join(';');
}

/** Query string with every value percent-encoded (`;` and `=` inside `filter` included). */
export function buildQuery(query: Record<string, MsQueryValue> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface ListOptions {
  filter?: string | MsFilterCondition[];
  limit?: number;
  offset?: number;
  expand?: string;
  order?: string;
  search?: string;
}

export interface DocumentWithPositions {
  document: MsDocument;
  /** All positions, in document order, each with its assortment expanded. */
  positions: MsPosition[];
  /** HTTP calls it took (1 when the document embeds all positions expanded). */
  calls: number;
}

export interface NewState {
  name: string;
  color: number;
  stateType: MsStateType;
}

export interface NewWebhook {
  url: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  entityType: string;
  diffType?: 'NONE' | 'FIELDS';
  enabled?: boolean;
}

/** A product or variant found by its key (article / code / externalCode). */
export interface AssortmentMatch {
  /** The key value that matched (exactly). */
  value: string;
  type: 'product' | 'variant';
  id: string;
  href: string;
  name: string;
  /** Buy price in kopecks: the row's own, else (variant) its product's; undefined when none is set. */
  buyPrice?: number;
  archived: boolean;
  row: MsAssortment;
}

export interface MoyskladClient {
  readonly accountId: string;
  readonly baseUrl: string;
  /** The underlying axios instance (tests attach interceptors to check requests against the spec). */
  readonly http: AxiosInstance;
  /** Any call, through the same gate, retries and error mapping. */
  request<S extends z.ZodType>(call: MsCall<S>): Promise<z.infer<S>>;
  getDocument(entity: DocumentEntity, id: string, options?: { expand?: string }): Promise<MsDocument>;
  getDocumentWithPositions(entity: DocumentEntity, id: string): Promise<DocumentWithPositions>;
  listDocuments(entity: DocumentEntity, options?: ListOptions): Promise<MsList<MsDocument>>;
  /** Every document matching, page after page (pageSize ≤ 1000; ≤ 100 when expanding). */
  iterateDocuments(
    entity: DocumentEntity,
    options?: Omit<ListOptions, 'limit' | 'offset'> & { pageSize?: number },
  ): AsyncGenerator<MsDocument[]>;
  updateDocument(entity: DocumentEntity, id: string, body: Record<string, unknown>, options?: { expand?: string }): Promise<MsDocument>;
  listPositions(
    entity: DocumentEntity,
    id: string,
    options?: { limit?: number; offset?: number; expand?: string },
  ): Promise<MsList<MsPosition>>;
  addPositions(entity: DocumentEntity, id: string, rows: Record<string, unknown>[]): Promise<MsPosition[]>;
  deletePositions(entity: DocumentEntity, id: string, positionIds: string[]): Promise<void>;
  updatePosition(entity: DocumentEntity, id: string, positionId: string, body: Record<string, unknown>): Promise<MsPosition>;
  getEntityMetadata(entity: DocumentEntity): Promise<MsEntityMetadata>;
  createState(entity: DocumentEntity, state: NewState): Promise<MsState>;
  createStates(entity: DocumentEntity, states: NewState[]): Promise<MsState[]>;
  listStores(options?: { includeArchived?: boolean }): Promise<MsStore[]>;
  getStore(id: string): Promise<MsStore>;
  findAssortmentByKey(key: ProductKey, values: string[]): Promise<AssortmentMatch[]>;
  listWebhooks(): Promise<MsWebhook[]>;
  createWebhook(webhook: NewWebhook): Promise<MsWebhook>;
  updateWebhook(id: string, patch: Partial<NewWebhook>): Promise<MsWebhook>;
  deleteWebhook(id: string): Promise<void>;
  getAudit(entity: DocumentEntity, id: string, options?: { limit?: number; offset?: number }): Promise<MsList<MsAuditEvent>>;
  /** The employee's current access and role (re-checking the rights of an app session). */
  getEmployeeSecurity(employeeId: string): Promise<MsEmployeeSecurity>;
  /** The employee with this login (`uid`, as audits and webhooks name users), or null when none. */
  findEmployeeByUid(uid: string): Promise<MsEmployee | null>;
  /** href of an entity under this client's base URL (for references in bodies). */
  href(path: string): string;
  /**
   * The comment of a document as this client last read or wrote it, when that request was sent at most
   * `maxAgeMs` ago; undefined otherwise. Lets an answer reuse the read its own job made a moment earlier
   * instead of reading again (lib/sync/document/answer.ts, docs/comment-log.md).
   */
  recentDocument?(entity: DocumentEntity, id: string, maxAgeMs: number): { description?: string | null } | undefined;
}

function moyskladHttp(options: MoyskladClientOptions, timeoutMs: number): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    headers: {
      Authorization: `Bearer ${options.token}`,
      Accept: 'application/json;charset=utf-8',
      // Exactly gzip: MoySklad answers 415 to a request without it (axios' default lists several).
      'Accept-Encoding': 'gzip',
    },
    decompress: true,
    // Statuses are classified by mapMoyskladError; axios must not throw for them.
    validateStatus: () => true,
    // MoySklad answers 308 for some ids (e.g. product UI ids); follow within its own host.
    maxRedirects: 5,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
  });
}

/** The URL of a call: a path under baseUrl, or an href MoySklad gave us (its own origin only). */
function urlFor(baseUrl: string, path: string, query?: Record<string, MsQueryValue>): string {
  if (/^https?:\/\//.test(path)) {
    // An href from a response: never send the token to another host.
    if (new URL(path).origin !== new URL(baseUrl).origin)
      throw new AppError('INTERNAL', `refusing to call ${new URL(path).origin} with the MoySklad token`);
    if (!query) return path;
    const u = new URL(path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }
  return `${baseUrl}${path.startsWith('/') ? path : `/${path}`}${buildQuery(query)}`;
}

/**
 * Longer than 60 lines on purpose: after the transport (one attempt and its retry loop, ~50 lines on
 * lib/core/remote) it is the list of the client's methods, each a few lines naming one MoySklad operation,
 * closed over the same transport. Logic longer than that lives outside (e.g. positions.ts, mappers/).
 */
// eslint-disable-next-line max-lines-per-function -- the list of MoySklad operations over one transport, see above
export function createMoyskladClient(options: MoyskladClientOptions): MoyskladClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const { gate, log, sleep, random, policy, limits, timeoutMs } = remoteSetup(options, {
    policy: DEFAULT_MS_RETRY_POLICY,
    limits: DEFAULT_MOYSKLAD_LIMITS,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    log: () => logFor({ component: 'moysklad', accountId: options.accountId }),
  });
  const gateKey = `moysklad:${options.accountId}`;
  const paused = new PauseMemory(gate, gateKey);
  const http = moyskladHttp(options, timeoutMs);

  async function attempt<S extends z.ZodType>(call: MsCall<S>, operation: string): Promise<z.infer<S>> {
    const started = Date.now();
    const headers: Record<string, string> = { ...call.headers };
    if (call.method.toUpperCase() !== 'GET' && options.webhookDisablePrefix)
      headers['X-Lognex-WebHook-DisableByPrefix'] = options.webhookDisablePrefix;
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await sendOnce(
      http,
      {
        method: call.method,
        url: urlFor(baseUrl, call.path, call.query),
        data: call.body === undefined ? undefined : JSON.stringify(call.body),
        headers,
        ...limitedRequest(limits),
      },
      { remote: MOYSKLAD_NAMES, metric: 'moysklad', operation },
    );
    const responseHeaders = response.headers as Record<string, unknown>;
    log.debug({ operation, status: response.status, ms: Date.now() - started }, 'moysklad call');
    if (response.status >= 200 && response.status < 300) {
      const advised = advisedPauseMs(responseHeaders);
      if (advised) await paused.pause(advised);
      return parseAnswer(call.schema, response.data === '' ? undefined : response.data, (problem) =>
        unexpectedMsResponse(operation, response.status, problem.slice(0, 2000)),
      );
    }
    const failure = mapMoyskladError({
      status: response.status,
      body: response.data,
      headers: responseHeaders,
      operation,
      notFoundMessage: call.notFoundMessage,
    });
    if (failure.code === 'RATE_LIMITED') await paused.pause(failure.retryAfterMs ?? policy.baseDelayMs);
    throw failure;
  }

  function request<S extends z.ZodType>(call: MsCall<S>): Promise<z.infer<S>> {
    const operation = call.operation ?? `${call.method.toUpperCase()} ${call.path.replace(baseUrl, '')}`;
    const idempotent = call.idempotent ?? call.method.toUpperCase() !== 'POST';
    return withRetries({
      remote: 'MoySklad',
      operation,
      log,
      sleep,
      attempt: () => gate.run(gateKey, MOYSKLAD_RATE_POLICY, () => attempt(call, operation)),
      delayMs: (failure, counts) => msRetryDelayMs(failure, counts, policy, { idempotent, random }),
      paused: {
        memory: paused,
        maxWaitMs: policy.maxRateLimitWaitMs,
        scope: 'account',
        userMessage: 'МойСклад временно ограничил частоту запросов. Повторим автоматически.',
      },
    });
  }

  const docPath = (entity: DocumentEntity, id: string, tail = '') => `/entity/${entity}/${encodeURIComponent(id)}${tail}`;
  const filterText = (filter: ListOptions['filter']) =>
    filter === undefined ? undefined : typeof filter === 'string' ? filter : buildFilter(filter);
  const documentList = msListSchema(msDocumentSchema);
  const positionList = msListSchema(msPositionSchema);
  const storeList = msListSchema(msStoreSchema);
  const webhookList = msListSchema(msWebhookSchema);
  const assortmentList = msListSchema(msAssortmentSchema);
  const auditList = msListSchema(msAuditEventSchema);
  const employeeList = msListSchema(msEmployeeSchema);

  /** Reads every page of a list, following offset until `meta.size` is reached. */
  function collect<T>(fetchPage: (offset: number) => Promise<MsList<T>>): Promise<T[]> {
    return collectOffsetPages(
      async (offset) => {
        const { meta, rows } = await fetchPage(offset);
        return { rows, size: meta.size };
      },
      () => unexpectedMsResponse('list', 200, 'more than 10000 pages'),
    );
  }

  /** Per client (one job): the comment only, never the positions, so a large document is not kept. */
  const recent = new Map<string, { description?: string | null; sentAt: number }>();
  async function remembered(entity: DocumentEntity, id: string, send: () => Promise<MsDocument>): Promise<MsDocument> {
    const sentAt = Date.now();
    const document = await send();
    recent.set(`${entity}/${id}`, { description: document.description ?? null, sentAt });
    return document;
  }

  const client: MoyskladClient = {
    accountId: options.accountId,
    baseUrl,
    http,
    request,
    href: (path: string) => `${baseUrl}${path.startsWith('/') ? path : `/${path}`}`,

    getDocument(entity, id, { expand } = {}) {
      return remembered(entity, id, () =>
        request({
          method: 'GET',
          path: docPath(entity, id),
          query: { expand },
          schema: msDocumentSchema,
          operation: `GET /entity/${entity}/{id}`,
          notFoundMessage: `Документ не найден в МоемСкладе: возможно, он удалён.`,
        }),
      );
    },

    recentDocument(entity, id, maxAgeMs) {
      const seen = recent.get(`${entity}/${id}`);
      return seen && Date.now() - seen.sentAt <= maxAgeMs ? { description: seen.description } : undefined;
    },

    /** The document, every position and the goods they reference: positions.ts (docs/large-documents.md). */
    getDocumentWithPositions(entity, id) {
      return readDocumentWithPositions(client, entity, id);
    },

    listDocuments(entity, { filter, limit, offset, expand, order, search } = {}) {
      return request({
        method: 'GET',
        path: `/entity/${entity}`,
        schema: documentList,
        operation: `GET /entity/${entity}`,
        query: { filter: filterText(filter), limit, offset, expand, order, search },
      });
    },

    async *iterateDocuments(entity, { pageSize, ...rest } = {}) {
      const limit = pageSize ?? (rest.expand ? MS_EXPAND_PAGE : MS_MAX_BATCH);
      yield* offsetPages(async (offset) => {
        const { meta, rows } = await client.listDocuments(entity, { ...rest, limit, offset });
        return { rows, size: meta.size };
      });
    },

    updateDocument(entity, id, body, { expand } = {}) {
      return remembered(entity, id, () =>
        request({
          method: 'PUT',
          path: docPath(entity, id),
          query: { expand },
          body,
          schema: msDocumentSchema,
          operation: `PUT /entity/${entity}/{id}`,
          notFoundMessage: 'Документ не найден в МоемСкладе: возможно, он удалён.',
        }),
      );
    },

    listPositions(entity, id, { limit, offset, expand } = {}) {
      return request({
        method: 'GET',
        path: docPath(entity, id, '/positions'),
        schema: positionList,
        operation: `GET /entity/${entity}/{id}/positions`,
        query: { expand, limit, offset },
        notFoundMessage: 'Документ не найден в МоемСкладе: возможно, он удалён.',
      });
    },

    async addPositions(entity, id, rows) {
      const created: MsPosition[] = [];
      for (let start = 0; start < rows.length; start += MS_MAX_BATCH) {
        const batch = rows.slice(start, start + MS_MAX_BATCH);
        const answer = await request({
          method: 'POST',
          path: docPath(entity, id, '/positions'),
          body: batch,
          schema: z.union([z.array(msPositionSchema), msPositionSchema]),
          operation: `POST /entity/${entity}/{id}/positions`,
          notFoundMessage: 'Документ не найден в МоемСкладе: возможно, он удалён.',
        });
        created.push(...(Array.isArray(answer) ? answer : [answer]));
      }
      return created;
    },

    async deletePositions(entity, id, positionIds) {
      for (let start = 0; start < positionIds.length; start += MS_MAX_BATCH) {
        const batch = positionIds.slice(start, start + MS_MAX_BATCH).map((pid) => ({
          meta: {
            href: client.href(docPath(entity, id, `/positions/${encodeURIComponent(pid)}`)),
            type: `${entity}position`,
            mediaType: 'application/json',
          },
        }));
        await request({
          method: 'POST',
          path: docPath(entity, id, '/positions/delete'),
          body: batch,
          schema: z.unknown(),
          operation: `POST /entity/${entity}/{id}/positions/delete`,
        });
      }
    },

    updatePosition(entity, id, positionId, body) {
      return request({
        method: 'PUT',
        path: docPath(entity, id, `/positions/${encodeURIComponent(positionId)}`),
        body,
        schema: msPositionSchema,
        operation: `PUT /entity/${entity}/{id}/positions/{positionId}`,
        notFoundMessage: 'Позиция документа не найдена в МоемСкладе: возможно, её удалили.',
      });
    },

    getEntityMetadata(entity) {
      return request({
        method: 'GET',
        path: `/entity/${entity}/metadata`,
        schema: msEntityMetadataSchema,
        operation: `GET /entity/${entity}/metadata`,
      });
    },

    createState(entity, state) {
      return request({
        method: 'POST',
        path: `/entity/${entity}/metadata/states`,
        schema: msStateSchema,
        body: { name: state.name, color: state.color, stateType: state.stateType },
        operation: `POST /entity/${entity}/metadata/states`,
      });
    },

    /**
     * One POST per state rather than MoySklad's array form: statuses are created once per install, and
     * a per-state answer tells exactly which one failed (e.g. a name already taken).
     */
    async createStates(entity, states) {
      const created: MsState[] = [];
      for (const state of states) created.push(await client.createState(entity, state));
      return created;
    },

    async listStores({ includeArchived = false } = {}) {
      const stores = await collect((offset) =>
        request({
          method: 'GET',
          path: '/entity/store',
          schema: storeList,
          operation: 'GET /entity/store',
          query: { limit: MS_MAX_BATCH, offset },
        }),
      );
      return includeArchived ? stores : stores.filter((s) => !s.archived);
    },

    getStore(id) {
      return request({
        method: 'GET',
        path: `/entity/store/${encodeURIComponent(id)}`,
        schema: msStoreSchema,
        operation: 'GET /entity/store/{id}',
        notFoundMessage: 'Склад не найден в МоемСкладе: возможно, он удалён.',
      });
    },

    /**
     * Products and variants whose `key` equals one of `values`, in 2 × ⌈chunks⌉ calls: values are OR-ed
     * by repeating `key=v` in one filter, as many per request as fit the URL budget (MS_MAX_FILTER_CHARS).
     * `/entity/product` and `/entity/variant` rather than `/entity/assortment`: the assortment endpoint
     * matches `article` against the *parent* product for variants (legacy) or does not filter by
     * article at all (new one), while the per-type endpoints match each row's own field — the same
     * rule the transfer mapper uses to build the key. Services and bundles are not storable goods.
     * Matching is exact on our side too (MoySklad's `=` on strings is not documented as case-sensitive).
     */
    async findAssortmentByKey(key, values) {
      const wanted = [...new Set(values.map((v) => v.trim()).filter(Boolean))];
      if (!wanted.length) return [];
      const wantedSet = new Set(wanted);
      const matches: AssortmentMatch[] = [];
      const chunks = chunkByLength(wanted, (v) => `${key}=${escapeFilterValue(v)}`, MS_MAX_FILTER_CHARS);
      for (const chunk of chunks) {
        const filter = buildFilter(chunk.map((v) => [key, '=', v] as MsFilterCondition));
        for (const type of ['product', 'variant'] as const) {
          const rows = await collect((offset) =>
            request({
              method: 'GET',
              path: `/entity/${type}`,
              schema: assortmentList,
              operation: `GET /entity/${type}`,
              query: { filter, limit: MS_EXPAND_PAGE, offset, expand: type === 'variant' ? 'product' : undefined },
            }),
          );
          for (const row of rows) {
            const value = row[key];
            if (value === undefined || !wantedSet.has(value)) continue;
            const parent = row.product && 'id' in row.product ? row.product : undefined;
            const buyPrice = row.buyPrice?.value || parent?.buyPrice?.value || undefined;
            matches.push({
              value,
              type,
              id: row.id,
              href: row.meta.href,
              name: row.name,
              ...(buyPrice !== undefined ? { buyPrice } : {}),
              archived: row.archived ?? false,
              row,
            });
          }
        }
      }
      return matches;
    },

    listWebhooks() {
      return collect((offset) =>
        request({
          method: 'GET',
          path: '/entity/webhook',
          schema: webhookList,
          operation: 'GET /entity/webhook',
          query: { limit: MS_MAX_BATCH, offset },
        }),
      );
    },

    createWebhook(webhook) {
      return request({
        method: 'POST',
        path: '/entity/webhook',
        schema: msWebhookSchema,
        operation: 'POST /entity/webhook',
        body: {
          url: webhook.url,
          action: webhook.action,
          entityType: webhook.entityType,
          ...(webhook.diffType ? { diffType: webhook.diffType } : {}),
          ...(webhook.enabled !== undefined ? { enabled: webhook.enabled } : {}),
        },
      });
    },

    updateWebhook(id, patch) {
      return request({
        method: 'PUT',
        path: `/entity/webhook/${encodeURIComponent(id)}`,
        schema: msWebhookSchema,
        operation: 'PUT /entity/webhook/{id}',
        body: patch,
      });
    },

    async deleteWebhook(id) {
      await request({
        method: 'DELETE',
        path: `/entity/webhook/${encodeURIComponent(id)}`,
        schema: z.unknown(),
        operation: 'DELETE /entity/webhook/{id}',
      });
    },

    getEmployeeSecurity(employeeId) {
      return request({
        method: 'GET',
        path: `/entity/employee/${encodeURIComponent(employeeId)}/security`,
        schema: msEmployeeSecuritySchema,
        operation: 'GET /entity/employee/{id}/security',
      });
    },

    async findEmployeeByUid(uid) {
      const list = await request({
        method: 'GET',
        path: '/entity/employee',
        schema: employeeList,
        operation: 'GET /entity/employee',
        query: { filter: buildFilter([['uid', '=', uid]]), limit: 1 },
      });
      return list.rows[0] ?? null;
    },

    getAudit(entity, id, { limit = 100, offset = 0 } = {}) {
      return request({
        method: 'GET',
        path: docPath(entity, id, '/audit'),
        schema: auditList,
        operation: `GET /entity/${entity}/{id}/audit`,
        query: { limit, offset },
      });
    },
  };
  return client;
}
