/**
 * The FBox connector: the only code that talks to BetaPRO. Every call
 *  - goes through the rate gate under `betapro:<accountId>:<partnerId>` with one call in flight,
 *    because BetaPRO counts concurrency per partner and asks for single-threaded use; the account is
 *    part of the key because the partner id is typed by an (untrusted) account admin, and another
 *    account must not be able to pause or queue behind this one's traffic;
 *  - slows down before BetaPRO has to refuse: a response advising a wait (X-RateLimit-Reset > 0 or
 *    X-RateLimit-Remaining: 0) pauses the gate for every caller sharing the key, for at most
 *    MAX_ADVISED_PAUSE_MS; a pause longer than the retry policy's maxRateLimitWaitMs is not slept
 *    through but handed up as RATE_LIMITED so the job is rescheduled;
 *  - reaches only the address the admin saved, by https, and only public internet addresses checked
 *    when connecting (lib/core/remote-address.ts), unless the operator sets
 *    BETAPRO_ALLOW_PRIVATE_HOSTS=true; no redirects, no proxy from the environment;
 *  - reads at most `maxResponseBytes` of an answer within `deadlineMs` (lib/core/transport-errors.ts);
 *  - is retried only for transient causes (5xx, no answer, 429), see retry.ts;
 *  - ends in a typed result or an AppError (errors.ts) — never a raw axios error, whose config
 *    carries the Basic credentials.
 */
import axios, { type AxiosInstance, type Method } from 'axios';
import type { z } from 'zod';
import { AppError } from '@/lib/core/errors';
import type { TransferPlan, WarehouseGood } from '@/lib/core/domain';
import { logFor } from '@/lib/core/logger';
import type { RatePolicy } from '@/lib/core/rate-gate';
import { ADDRESS_REFUSED, addressRefused, assertRemoteBaseUrl, internalHostMessage, publicOnlyLookup } from '@/lib/core/remote-address';
import { limitedRequest, type ResponseLimits } from '@/lib/core/transport-errors';
import { remoteSetup, type RemoteClientOptions } from '@/lib/core/remote/options';
import { PauseMemory, withRetries } from '@/lib/core/remote/retry';
import { collectTokenPages } from '@/lib/core/remote/pager';
import { parseAnswer, sendOnce } from '@/lib/core/remote/errors';
import { toBetaproDateTime, parseMoscowDateTime } from '@/lib/core/time';
import { advisedPauseMs, BETAPRO_NAMES, isDuplicateIndocError, mapFailedResponse, unexpectedResponse } from '@/lib/betapro/errors';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '@/lib/betapro/retry';
import {
  fboxAnyOutdocSchema,
  fboxAttributeListSchema,
  fboxGoodListSchema,
  fboxIndocJsonSchema,
  fboxOkSchema,
  fboxOutdocCheckSchema,
  fboxOutdocGoodsSchema,
  fboxOutdocListSchema,
  fboxReceiptOutdocSchema,
  fboxRecognitionListSchema,
  fboxSettingsSchema,
  type FboxSupplyTask,
  type FboxShipmentTask,
  fboxGoodStockSchema,
  fboxShipmentOutdocSchema,
} from '@/lib/betapro/schemas';
import { toShipmentTask } from '@/lib/betapro/mappers/shipment-task';
import { toShipmentFact } from '@/lib/betapro/mappers/shipment';
import { toFboxGood } from '@/lib/betapro/mappers/goods';
import { plannedQuantities, toSupplyTask } from '@/lib/betapro/mappers/supply-task';
import { toReceipt } from '@/lib/betapro/mappers/receipt';
import { toAccountSettings } from '@/lib/betapro/mappers/settings';
import { toUnrecognizedGood } from '@/lib/betapro/mappers/recognition';
import type {
  AttributeInput,
  BetaproAccountSettings,
  BetaproOptionalOutdocType,
  CatalogueGood,
  DocumentAttribute,
  UnrecognizedGood,
  OutdocDetails,
  OutdocFilter,
  OutdocLockChange,
  OutdocSummary,
  StockMovement,
  StoredTask,
  SupplyTaskResult,
} from '@/lib/betapro/types';
import type { Receipt } from '@/lib/core/domain';

export interface BetaproClientOptions extends RemoteClientOptions<RetryPolicy> {
  /** e.g. https://lpw.betta.ru:8084/grh/api */
  baseUrl: string;
  partnerId: string;
  password: string;
  /** The MoySklad account the connection belongs to: part of the rate-gate key. */
  accountId?: string;
  /**
   * Allow plain http and loopback / private / link-local hosts (BETAPRO_ALLOW_PRIVATE_HOSTS=true:
   * the demo, tests, a BetaPRO reached over a private network). Default: refused.
   */
  allowPrivateHosts?: boolean;
}

/**
 * FBox documents no batch limit for POST /goods. 1000 cards (about 200–300 KB of JSON) keep writes
 * growing with ⌈N/1000⌉ like MoySklad's own array limit, well under any sane request size.
 */
export const DEFAULT_GOODS_BATCH_SIZE = 1000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** A remote advising a longer pause (X-RateLimit-Reset, Retry-After) is believed only this far. */
export const MAX_ADVISED_PAUSE_MS = 60_000;
export const DEFAULT_BETAPRO_LIMITS: ResponseLimits = { maxResponseBytes: 8 * 1024 * 1024, deadlineMs: 60_000 };
/** `details.reason` of the CONFLICT raised when BetaPRO holds another task under our number. */
export const TASK_CONTENTS_DIFFER = 'BETAPRO_TASK_CONTENTS_DIFFER';

export function isTaskContentsConflict(error: unknown): error is AppError {
  return error instanceof AppError && (error.details as { reason?: string } | undefined)?.reason === TASK_CONTENTS_DIFFER;
}

export interface UpsertGoodsOptions {
  batchSize?: number;
  /** Called after BetaPRO confirmed each batch, before the next one is sent. */
  onBatchConfirmed?: (batch: WarehouseGood[]) => Promise<void> | void;
}

/** One good's stock at the warehouse by quality (docs/stock-reconciliation.md). */
export interface GoodStock {
  useful: number;
  defective: number;
  quarantine: number;
}

/** good_ids per `POST /goods/stock` of the reconciliation: the spec's default page size. */
export const STOCK_BATCH = 1000;

export interface BetaproClient {
  readonly partnerId: string;
  /** The underlying axios instance (tests attach interceptors to check requests against the spec). */
  readonly http: AxiosInstance;
  getSettings(): Promise<BetaproAccountSettings>;
  updateSettings(outdocTypes: Partial<Record<BetaproOptionalOutdocType, boolean>>): Promise<void>;
  upsertGoods(goods: WarehouseGood[], options?: UpsertGoodsOptions): Promise<void>;
  listGoods(filter?: { goodIds?: string[]; pageSize?: number }): Promise<CatalogueGood[]>;
  createIndoc(task: FboxSupplyTask | FboxShipmentTask): Promise<void>;
  getIndoc(indocId: string): Promise<StoredTask>;
  getIndocAttributes(indocId: string): Promise<DocumentAttribute[]>;
  setIndocAttributes(indocId: string, attributes: AttributeInput[]): Promise<void>;
  deleteIndoc(indocId: string): Promise<void>;
  listOutdocs(filter?: OutdocFilter): Promise<OutdocSummary[]>;
  getOutdoc(outdocId: number): Promise<OutdocDetails>;
  getOutdocGoods(outdocId: number): Promise<StockMovement[]>;
  lockOutdocs(changes: OutdocLockChange[]): Promise<void>;
  /** Ids among `outdocIds` that BetaPRO no longer has. */
  checkOutdocs(outdocIds: number[]): Promise<number[]>;
  createSupplyTask(plan: TransferPlan): Promise<SupplyTaskResult>;
  /** Outbound (docs/outbound.md): the goods_shipment_task of a plan, created once like a receipt task. */
  createShipmentTask(plan: TransferPlan): Promise<SupplyTaskResult>;
  /** Current stock of good quality (`POST /goods/stock`): good_id → units free to ship. */
  getStock(goodIds: string[]): Promise<Map<string, number>>;
  /**
   * Stock by quality (`POST /goods/stock`) for the stock reconciliation: good_id → useful, defective and
   * quarantine units, asked `batchSize` (1000) ids at a time. Goods BetaPRO does not list are absent.
   */
  getStockByQuality(goodIds: string[], options?: { batchSize?: number }): Promise<Map<string, GoodStock>>;
  /** Goods waiting for identification (`GET /goods/recognition`). */
  listUnrecognized(): Promise<UnrecognizedGood[]>;
  /** Maps each barcode to a registered good (`POST /goods/recognition`). */
  identifyGoods(pairs: Array<{ goodId: string; barcode: string }>): Promise<void>;
}

interface Call<S extends z.ZodType> {
  method: Method;
  path: string;
  /** "POST /indocs" — spec operation, for messages and logs. */
  operation: string;
  body?: unknown;
  schema: S;
  notFoundMessage?: string;
}

/**
 * Reads a paged FBox list to the end (`page_token` → `page_next_token`; no token means last page).
 * A token seen twice would loop forever, so it is reported as a broken response instead.
 */
export function collectPages<T>(
  fetchPage: (pageToken: string | undefined) => Promise<{ items?: T[]; page_next_token?: string }>,
  operation = 'list',
): Promise<T[]> {
  return collectTokenPages(fetchPage, (problem) => unexpectedResponse(operation, 200, problem));
}

function compareQuantities(stored: Map<string, number>, wanted: Map<string, number>): string[] {
  const differences: string[] = [];
  for (const goodId of new Set([...wanted.keys(), ...stored.keys()])) {
    const inBetapro = stored.get(goodId) ?? 0;
    const inPlan = wanted.get(goodId) ?? 0;
    if (inBetapro !== inPlan) differences.push(`${goodId}: в БетаПРО ${inBetapro}, в документе ${inPlan}`);
  }
  return differences;
}

function betaproHttp(options: BetaproClientOptions, allowPrivateHosts: boolean, timeoutMs: number): AxiosInstance {
  return axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    auth: { username: options.partnerId, password: options.password },
    timeout: timeoutMs,
    headers: { Accept: 'application/json' },
    // Statuses are classified by mapFailedResponse; axios must not throw its own errors for them.
    validateStatus: () => true,
    maxRedirects: 0,
    // HTTP(S)_PROXY from the environment would connect to the proxy instead of the checked address.
    proxy: false,
    ...(allowPrivateHosts ? {} : { lookup: publicOnlyLookup }),
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
  });
}

/** A connection refused by the public-address policy (lib/core/remote-address.ts) is the admin's to fix. */
function refusedAddress(operation: string) {
  return (e: { code?: string; message?: string; cause?: { code?: string } }) =>
    e.code === ADDRESS_REFUSED || e.cause?.code === ADDRESS_REFUSED
      ? addressRefused(`BetaPRO ${operation}: ${e.message ?? 'address refused'}`, internalHostMessage())
      : undefined;
}

/**
 * Longer than 60 lines on purpose: after the transport (one attempt and its retry loop, ~50 lines on
 * lib/core/remote) it is the list of the client's methods, each a few lines naming one BetaPRO operation,
 * closed over the same transport. Logic longer than that lives outside (e.g. positions.ts, mappers/).
 */
// eslint-disable-next-line max-lines-per-function -- the list of BetaPRO operations over one transport, see above
export function createBetaproClient(options: BetaproClientOptions): BetaproClient {
  const { partnerId } = options;
  const allowPrivateHosts = options.allowPrivateHosts ?? false;
  const { gate, log, sleep, random, policy, limits, timeoutMs } = remoteSetup(options, {
    policy: DEFAULT_RETRY_POLICY,
    limits: DEFAULT_BETAPRO_LIMITS,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    log: () => logFor({ component: 'betapro', partnerId }),
  });
  const gateKey = `betapro:${options.accountId ?? '-'}:${partnerId}`;
  const ratePolicy: RatePolicy = { maxConcurrent: 1, maxPauseWaitMs: policy.maxRateLimitWaitMs };
  /** Local memory of the latest advised pause, to fail fast instead of queueing behind a long one. */
  const paused = new PauseMemory(gate, gateKey, MAX_ADVISED_PAUSE_MS);
  const http = betaproHttp(options, allowPrivateHosts, timeoutMs);

  let baseUrlChecked = false;
  function checkBaseUrl(): void {
    if (baseUrlChecked) return;
    assertRemoteBaseUrl(options.baseUrl, { allowPrivateHosts });
    baseUrlChecked = true;
  }

  /** A 429 with an advised wait pauses every caller of the partner; the error carries the capped wait. */
  async function rateLimited(failure: AppError): Promise<AppError> {
    if (failure.code !== 'RATE_LIMITED' || !failure.retryAfterMs) return failure;
    await paused.pause(failure.retryAfterMs);
    return new AppError(failure.code, failure.message, {
      userMessage: failure.userMessage,
      details: failure.details,
      retryAfterMs: Math.min(failure.retryAfterMs, MAX_ADVISED_PAUSE_MS),
    });
  }

  async function attempt<S extends z.ZodType>(call: Call<S>): Promise<{ parsed: z.infer<S>; raw: unknown }> {
    const started = Date.now();
    checkBaseUrl();
    const response = await sendOnce(
      http,
      { method: call.method, url: call.path, data: call.body, ...limitedRequest(limits) },
      {
        remote: BETAPRO_NAMES,
        metric: 'betapro',
        operation: call.operation,
        refine: refusedAddress(call.operation),
      },
    );
    const headers = response.headers as Record<string, unknown>;
    const advised = advisedPauseMs(headers);
    if (advised) await paused.pause(advised);
    log.debug({ operation: call.operation, status: response.status, ms: Date.now() - started }, 'betapro call');

    const body = response.data as { success?: unknown } | undefined;
    if (response.status >= 200 && response.status < 300 && body && typeof body === 'object' && body.success === true) {
      const parsed = parseAnswer(call.schema, body, (problem) => unexpectedResponse(call.operation, response.status, problem));
      return { parsed, raw: body };
    }
    throw await rateLimited(
      mapFailedResponse({
        status: response.status,
        body,
        headers,
        operation: call.operation,
        notFoundMessage: call.notFoundMessage,
      }),
    );
  }

  function requestWithRaw<S extends z.ZodType>(call: Call<S>): Promise<{ parsed: z.infer<S>; raw: unknown }> {
    return withRetries({
      remote: 'BetaPRO',
      operation: call.operation,
      log,
      sleep,
      attempt: () => gate.run(gateKey, ratePolicy, () => attempt(call)),
      delayMs: (failure, counts) => retryDelayMs(failure, counts.transientFailures + counts.rateLimitFailures, policy, random),
      paused: {
        memory: paused,
        maxWaitMs: policy.maxRateLimitWaitMs,
        scope: 'partner',
        userMessage: 'БетаПРО временно ограничил частоту запросов. Повторим автоматически.',
      },
    });
  }

  async function request<S extends z.ZodType>(call: Call<S>): Promise<z.infer<S>> {
    return (await requestWithRaw(call)).parsed;
  }

  const indocPath = (indocId: string, tail = '') => `/indocs/${encodeURIComponent(indocId)}${tail}`;
  const outdocPath = (outdocId: number, tail = '') => {
    if (!Number.isInteger(outdocId)) throw new AppError('INTERNAL', `outdoc id must be an integer, got ${outdocId}`);
    return `/outdocs/${outdocId}${tail}`;
  };

  const client: BetaproClient = {
    partnerId,
    http,

    async getSettings() {
      const settings = await request({
        method: 'GET',
        path: '/settings',
        operation: 'GET /settings',
        schema: fboxSettingsSchema,
      });
      return toAccountSettings(settings);
    },

    async updateSettings(outdocTypes) {
      await request({
        method: 'POST',
        path: '/settings',
        operation: 'POST /settings',
        body: { outdoc_types: outdocTypes },
        schema: fboxOkSchema,
      });
    },

    async upsertGoods(goods, { batchSize = DEFAULT_GOODS_BATCH_SIZE, onBatchConfirmed } = {}) {
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new AppError('INTERNAL', `bad batchSize ${batchSize}`);
      for (let start = 0; start < goods.length; start += batchSize) {
        const batch = goods.slice(start, start + batchSize);
        await request({
          method: 'POST',
          path: '/goods',
          operation: 'POST /goods',
          body: { goods: batch.map(toFboxGood) },
          schema: fboxOkSchema,
        });
        await onBatchConfirmed?.(batch);
      }
    },

    async listGoods({ goodIds, pageSize } = {}) {
      const items = await collectPages(
        (pageToken) =>
          request({
            method: 'POST',
            path: '/goods/list',
            operation: 'POST /goods/list',
            body: {
              ...(pageSize ? { page_size: pageSize } : {}),
              ...(pageToken ? { page_token: pageToken } : {}),
              ...(goodIds ? { good_ids: goodIds } : {}),
            },
            schema: fboxGoodListSchema,
          }),
        'POST /goods/list',
      );
      return items.map((item) => {
        const good: CatalogueGood = { goodId: item.good_id, goodType: item.good_type, name: item.good_name };
        if (item.length !== undefined && item.width !== undefined && item.height !== undefined) {
          good.dimensionsMm = { length: item.length, width: item.width, height: item.height };
        }
        if (item.weight !== undefined) good.weightG = item.weight;
        return good;
      });
    },

    async createIndoc(task) {
      await request({ method: 'POST', path: '/indocs', operation: 'POST /indocs', body: task, schema: fboxOkSchema });
    },

    async getIndoc(indocId) {
      const { indoc } = await request({
        method: 'GET',
        path: indocPath(indocId, '/json'),
        operation: 'GET /indocs/{indoc_id}/json',
        schema: fboxIndocJsonSchema,
        notFoundMessage: `Задание ${indocId} не найдено в БетаПРО.`,
      });
      return {
        indocId: indoc.indoc_id ?? indocId,
        indocType: indoc.indoc_type,
        note: indoc.indoc_txt,
        items: plannedQuantities((indoc.items ?? []).map((i) => ({ goodId: i.good_id, quantity: i.plan_qnt }))),
        raw: indoc as Record<string, unknown>,
      };
    },

    async getIndocAttributes(indocId) {
      const { items } = await request({
        method: 'GET',
        path: indocPath(indocId, '/attributes'),
        operation: 'GET /indocs/{indoc_id}/attributes',
        schema: fboxAttributeListSchema,
        notFoundMessage: `Задание ${indocId} не найдено в БетаПРО.`,
      });
      return (items ?? []).map((a) => ({
        attributeId: a.attribute_id,
        name: a.attribute_name,
        type: a.attribute_type,
        value: a.value ?? undefined,
      }));
    },

    async setIndocAttributes(indocId, attributes) {
      await request({
        method: 'POST',
        path: indocPath(indocId, '/attributes'),
        operation: 'POST /indocs/{indoc_id}/attributes',
        body: { attributes: attributes.map((a) => ({ attribute_id: a.attributeId, value: a.value })) },
        schema: fboxOkSchema,
        notFoundMessage: `Задание ${indocId} не найдено в БетаПРО.`,
      });
    },

    async deleteIndoc(indocId) {
      await request({
        method: 'DELETE',
        path: indocPath(indocId),
        operation: 'DELETE /indocs/{indoc_id}',
        schema: fboxOkSchema,
        notFoundMessage: `Задание ${indocId} не найдено в БетаПРО: возможно, оно уже отменено.`,
      });
    },

    async listOutdocs(filter = {}) {
      const body: Record<string, unknown> = {};
      if (filter.type !== undefined) body.outdoc_type = filter.type;
      if (filter.locked !== undefined) body.locked = filter.locked;
      if (filter.unlockRequest !== undefined) body.unlock_request = filter.unlockRequest;
      if (filter.indocId !== undefined) body.indoc_id = filter.indocId;
      // Sent as Moscow wall-clock time, the format BetaPRO itself uses in responses.
      if (filter.createdFrom) body.from_date = toBetaproDateTime(filter.createdFrom);
      if (filter.createdTo) body.to_date = toBetaproDateTime(filter.createdTo);
      if (filter.pageSize) body.page_size = filter.pageSize;
      const items = await collectPages(
        (pageToken) =>
          request({
            method: 'POST',
            path: '/outdocs/list',
            operation: 'POST /outdocs/list',
            body: pageToken ? { ...body, page_token: pageToken } : body,
            schema: fboxOutdocListSchema,
          }),
        'POST /outdocs/list',
      );
      return items.map((item): OutdocSummary => {
        const createdAt = parseMoscowDateTime(item.created_at);
        if (!createdAt) throw unexpectedResponse('POST /outdocs/list', 200, `created_at "${item.created_at}"`);
        return {
          outdocId: item.outdoc_id,
          type: item.outdoc_type,
          typeDescription: item.outdoc_type_descrip,
          indocId: item.indoc_id,
          outdocDate: item.outdoc_date,
          createdAt,
          locked: item.locked,
          unlockRequest: item.unlock_request,
          partNumber: item.part_num,
          note: item.outdoc_txt,
        };
      });
    },

    async getOutdoc(outdocId) {
      const path = outdocPath(outdocId);
      const notFoundMessage = `Документ БетаПРО №${outdocId} не найден: возможно, БетаПРО удалил его для исправления.`;
      // The raw body is what lib/sync stores; parsing validates it and yields the receipt if it is one.
      const { parsed, raw } = await requestWithRaw({
        method: 'GET',
        path,
        operation: 'GET /outdocs/{outdoc_id}',
        notFoundMessage,
        schema: fboxAnyOutdocSchema,
      });
      let receipt: Receipt | undefined;
      if (parsed.outdoc_type === 'goods_supply' || parsed.outdoc_type === 'goods_supply_start') {
        const asReceipt = fboxReceiptOutdocSchema.safeParse(raw);
        if (!asReceipt.success) throw unexpectedResponse('GET /outdocs/{outdoc_id}', 200, asReceipt.error.message);
        receipt = toReceipt(asReceipt.data);
      } else if (parsed.outdoc_type.startsWith('goods_shipment')) {
        const asShipment = fboxShipmentOutdocSchema.safeParse(raw);
        if (!asShipment.success) throw unexpectedResponse('GET /outdocs/{outdoc_id}', 200, asShipment.error.message);
        receipt = toShipmentFact(asShipment.data);
      }
      return {
        outdocId: parsed.common.outdoc_id,
        type: parsed.outdoc_type,
        indocId: parsed.common.indoc_id,
        raw,
        receipt,
      };
    },

    async getOutdocGoods(outdocId) {
      const { goods } = await request({
        method: 'GET',
        path: outdocPath(outdocId, '/goods'),
        operation: 'GET /outdocs/{outdoc_id}/goods',
        schema: fboxOutdocGoodsSchema,
        notFoundMessage: `Документ БетаПРО №${outdocId} не найден.`,
      });
      return (goods ?? []).map((g) => ({
        goodId: g.good_id,
        goodState: g.good_state,
        quality: g.qual_type,
        quantity: g.qnt,
      }));
    },

    async lockOutdocs(changes) {
      if (!changes.length) return;
      await request({
        method: 'POST',
        path: '/outdocs/lock',
        operation: 'POST /outdocs/lock',
        body: { outdocs: changes.map((c) => ({ outdoc_id: c.outdocId, lock: c.lock })) },
        schema: fboxOkSchema,
      });
    },

    async listUnrecognized() {
      const { items } = await request({
        method: 'GET',
        path: '/goods/recognition',
        operation: 'GET /goods/recognition',
        schema: fboxRecognitionListSchema,
      });
      return (items ?? []).map(toUnrecognizedGood);
    },

    async identifyGoods(pairs) {
      if (!pairs.length) return;
      await request({
        method: 'POST',
        path: '/goods/recognition',
        operation: 'POST /goods/recognition',
        body: { goods: pairs.map((p) => ({ good_id: p.goodId, barcode: p.barcode })) },
        schema: fboxOkSchema,
      });
    },

    async checkOutdocs(outdocIds) {
      if (!outdocIds.length) return [];
      const { missing_outdoc_ids } = await request({
        method: 'POST',
        path: '/outdocs/check',
        operation: 'POST /outdocs/check',
        body: { outdoc_ids: outdocIds },
        schema: fboxOutdocCheckSchema,
      });
      return missing_outdoc_ids ?? [];
    },

    /**
     * Creates the receipt task once, whatever happened to earlier attempts. A 1001 ("already
     * registered") means either BetaPRO accepted an earlier attempt whose answer we lost (same
     * contents: success) or the number is taken by a different task (a conflict a person resolves).
     */
    async createSupplyTask(plan) {
      return createTaskOnce(toSupplyTask(plan));
    },

    // ---- outbound (docs/outbound.md)
    async createShipmentTask(plan) {
      return createTaskOnce(toShipmentTask(plan));
    },

    async getStock(goodIds) {
      const free = new Map<string, number>();
      if (!goodIds.length) return free;
      const items = await collectPages(
        (pageToken) =>
          request({
            method: 'POST',
            path: '/goods/stock',
            operation: 'POST /goods/stock',
            body: pageToken ? { good_ids: goodIds, page_token: pageToken } : { good_ids: goodIds },
            schema: fboxGoodStockSchema,
          }),
        'POST /goods/stock',
      );
      // Free to ship = stock less what is already reserved by orders and other shipments (docs/outbound.md).
      for (const i of items) {
        if (i.qual_type !== 'useful') continue;
        const reserved = (i.orders_inwork ?? 0) + (i.orders_wait ?? 0) + (i.shipment_picking ?? 0) + (i.shipment_ready ?? 0);
        free.set(i.good_id, (free.get(i.good_id) ?? 0) + Math.max(0, i.stock - reserved));
      }
      return free;
    },

    async getStockByQuality(goodIds, { batchSize = STOCK_BATCH } = {}) {
      const stock = new Map<string, GoodStock>();
      const unique = [...new Set(goodIds)];
      for (let i = 0; i < unique.length; i += batchSize) {
        const good_ids = unique.slice(i, i + batchSize);
        const items = await collectPages(
          (pageToken) =>
            request({
              method: 'POST',
              path: '/goods/stock',
              operation: 'POST /goods/stock',
              body: pageToken ? { good_ids, page_token: pageToken } : { good_ids },
              schema: fboxGoodStockSchema,
            }),
          'POST /goods/stock',
        );
        for (const item of items) {
          const row = stock.get(item.good_id) ?? { useful: 0, defective: 0, quarantine: 0 };
          if (item.qual_type === 'useful') row.useful += item.stock;
          else row.defective += item.stock;
          row.quarantine += item.quarantine ?? 0;
          stock.set(item.good_id, row);
        }
      }
      return stock;
    },
  };

  /**
   * Creates a task once, whatever happened to earlier attempts. A 1001 ("already
   * registered") means either BetaPRO accepted an earlier attempt whose answer we lost (same
   * contents: success) or the number is taken by a different task (a conflict a person resolves).
   */
  async function createTaskOnce(task: FboxSupplyTask | FboxShipmentTask): Promise<SupplyTaskResult> {
    const indocId = task.indoc_id;
    try {
      await client.createIndoc(task);
      return { indocId, created: true, alreadyExisted: false };
    } catch (error) {
      if (!isDuplicateIndocError(error)) throw error;
    }
    const stored = await client.getIndoc(indocId);
    const differences = compareQuantities(
      stored.items,
      plannedQuantities(task.items.map((i) => ({ goodId: i.good_id, quantity: i.plan_qnt }))),
    );
    const sameType = stored.indocType === undefined || stored.indocType === task.indoc_type;
    if (sameType && differences.length === 0) {
      log.info({ indocId }, 'betapro task already existed with the same contents; treated as created');
      return { indocId, created: false, alreadyExisted: true };
    }
    const shown = differences.slice(0, 5).join('; ') + (differences.length > 5 ? `; и ещё ${differences.length - 5}` : '');
    throw new AppError('CONFLICT', `BetaPRO already has indoc ${indocId} with different contents`, {
      userMessage:
        `В БетаПРО уже есть задание ${indocId} с другим составом` +
        (sameType ? `: ${shown}.` : ` (тип ${stored.indocType}).`) +
        ' Отмените задание в БетаПРО или отправьте документ заново как новое задание.',
      details: { reason: TASK_CONTENTS_DIFFER, indocId, differences },
    });
  }
  return client;
}
