/**
 * Wires the simulator's parts together and routes requests by prefix:
 *   /api/remap/1.2 → JSON API, /api/vendor/1.0 → Vendor API, /_sim → control API, /ui and /app → host UI.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Buttons } from './buttons';
import { ControlApi } from './control-api';
import { Dispatcher } from './dispatcher';
import { Engine, type WriteContext } from './engine';
import { apiError } from './http';
import { HostUi } from './host-ui';
import { API_PREFIX, JsonApi, type Stats } from './json-api';
import { Lifecycle, type LifecycleAction, type LifecycleResult } from './lifecycle';
import { RateLimiter } from './rate-limit';
import { seedAccount, type SeedOptions, type SeedResult } from './seed';
import { Serializer } from './serialize';
import { SimStore } from './store';
import type { AccountRec, DocType, EmployeeKind, ScenarioRec, SimConfig, SimulatorOptions } from './types';
import { VENDOR_PREFIX, VendorApi } from './vendor-api';

export const DEFAULT_CONFIG: SimConfig = {
  rateLimit: { requests: 45, windowMs: 3000, parallel: 5 },
  webhookTimeoutMs: 1500,
  webhookRetries: 3,
  webhooksEnabled: true,
  scenarioRetry: { retries: 3, delayMs: 200 },
  appCallTimeoutMs: 10_000,
  responseDelayMs: 0,
  contextKeyTtlMs: 5 * 60_000,
};

export class Simulator {
  readonly store: SimStore;
  readonly engine: Engine;
  readonly dispatcher: Dispatcher;
  readonly limiter: RateLimiter;
  readonly jsonApi: JsonApi;
  readonly vendorApi: VendorApi;
  readonly lifecycleManager: Lifecycle;
  readonly control: ControlApi;
  readonly ui: HostUi;
  readonly buttons: Buttons;
  config: SimConfig;
  stats: Stats = { requests: {}, rejected: {} };
  private serializer: Serializer | undefined;

  constructor(readonly options: SimulatorOptions) {
    this.config = {
      ...DEFAULT_CONFIG,
      ...(options.config ?? {}),
      rateLimit: { ...DEFAULT_CONFIG.rateLimit, ...(options.rateLimit ?? {}) },
      scenarioRetry: { ...DEFAULT_CONFIG.scenarioRetry, ...(options.config?.scenarioRetry ?? {}) },
      ...(options.webhookTimeoutMs !== undefined ? { webhookTimeoutMs: options.webhookTimeoutMs } : {}),
    };
    this.store = new SimStore(options.stateFile);
    this.limiter = new RateLimiter(this.config.rateLimit);
    const ser = () => this.ser;
    const cfg = () => this.config;
    this.dispatcher = new Dispatcher(ser, cfg, options.solution);
    this.engine = new Engine(this.store, (ev) => this.dispatcher.handle(ev));
    this.jsonApi = new JsonApi(this.store, this.engine, ser, this.limiter, cfg, options.solution, this.stats);
    this.buttons = new Buttons(this.store, this.dispatcher, options.solution, cfg);
    this.vendorApi = new VendorApi(this.store, ser, options.solution, () => this.ser.api, this.buttons);
    this.lifecycleManager = new Lifecycle(this.store, this.dispatcher, options.solution, cfg, () => this.ser.api);
    this.control = new ControlApi(this);
    this.ui = new HostUi(this);
  }

  /** Set once the server listens (hrefs carry the real port). */
  setOrigin(origin: string): void {
    this.serializer = new Serializer(`${origin}${API_PREFIX}`, origin);
  }

  get ser(): Serializer {
    if (!this.serializer) throw new Error('simulator is not listening yet');
    return this.serializer;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.ser.origin);
    const p = url.pathname;
    if (this.options.verbose) console.error(`[moysklad-sim] ${req.method} ${p}${url.search}`);
    if (p === API_PREFIX || p.startsWith(`${API_PREFIX}/`)) return this.jsonApi.handle(req, res, url);
    if (p.startsWith(`${VENDOR_PREFIX}/`)) return this.vendorApi.handle(req, res, url);
    if (p.startsWith('/_sim/') || p === '/_sim') return this.control.handle(req, res, url);
    return this.ui.handle(req, res, url);
  }

  // ------------------------------------------------------------------ operations used by control API, UI and tests

  account(accountId: string): AccountRec {
    const acc = this.store.account(accountId);
    if (!acc) throw apiError(404, 1021, `Аккаунт '${accountId}' не найден`);
    return acc;
  }

  createAccount(accountName: string): { accountId: string; accountName: string } {
    const acc = this.store.createAccount(accountName);
    return { accountId: acc.id, accountName: acc.name };
  }

  accountSummary(accountId: string) {
    const acc = this.account(accountId);
    return {
      accountId: acc.id,
      accountName: acc.name,
      token: acc.installation.token ?? null,
      installation: {
        status: acc.installation.status,
        cause: acc.installation.cause ?? null,
        tariff: acc.installation.tariff,
        history: acc.installation.history,
      },
      webhooks: acc.webhooks.map((w) => this.ser.webhook(acc, w)),
      scenarios: acc.scenarios,
      employees: Object.values(acc.employees).map((e) => ({
        kind: e.kind,
        id: e.id,
        uid: e.uid,
        name: `${e.lastName} ${e.firstName}`,
      })),
      states: acc.states,
    };
  }

  lifecycle(accountId: string, action: LifecycleAction): Promise<LifecycleResult> {
    return this.lifecycleManager.run(this.account(accountId), action);
  }

  seed(accountId: string, opts: SeedOptions = {}): SeedResult {
    return seedAccount(this.store, this.engine, this.ser, this.account(accountId), opts);
  }

  issueContextKey(accountId: string, employee: EmployeeKind = 'admin'): { contextKey: string; expiresAt: number } {
    this.account(accountId);
    const now = Date.now();
    for (const [k, v] of Object.entries(this.store.state.contextKeys)) if (v.expiresAt < now) delete this.store.state.contextKeys[k];
    const contextKey = randomBytes(20).toString('hex');
    const expiresAt = now + this.config.contextKeyTtlMs;
    this.store.state.contextKeys[contextKey] = { accountId, employee, expiresAt };
    this.store.changed();
    return { contextKey, expiresAt };
  }

  addScenario(accountId: string, s: Omit<ScenarioRec, 'id'>): ScenarioRec {
    const acc = this.account(accountId);
    const rec: ScenarioRec = { id: randomUUID(), ...s };
    acc.scenarios.push(rec);
    this.store.changed();
    return rec;
  }

  userContext(acc: AccountRec, employee: EmployeeKind): WriteContext {
    return { uid: acc.employees[employee].uid, source: 'app', disableByPrefix: [] };
  }

  /** A user's save in MoySklad's web UI; refused like MoySklad would when the employee lacks the right. */
  userUpdate(accountId: string, type: DocType, id: string, body: unknown, employee: EmployeeKind = 'admin'): Record<string, unknown> {
    const acc = this.account(accountId);
    const rights = acc.employees[employee].permissions[type] as { update?: string } | undefined;
    if (!rights?.update) throw apiError(403, 1017, 'Доступ запрещен: у вас нет прав на редактирование данного объекта');
    const rec = this.engine.updateDocument(acc, type, id, body, this.userContext(acc, employee));
    return this.ser.entity(acc, rec, { positions: { assortment: {} }, state: {} });
  }

  /** A user presses one of the descriptor's buttons (list points: the selected ids; edit points: the open one). */
  pressButton(accountId: string, employee: EmployeeKind, buttonName: string, extensionPoint: string, ids: string[], requestId?: string) {
    return this.buttons.press(this.account(accountId), employee, buttonName, extensionPoint, ids, { requestId });
  }

  statsSnapshot() {
    const totals: Record<string, number> = {};
    for (const [acc, routes] of Object.entries(this.stats.requests)) totals[acc] = Object.values(routes).reduce((a, b) => a + b, 0);
    return { requests: this.stats.requests, rejected: this.stats.rejected, totals };
  }

  resetStats(): void {
    this.stats.requests = {};
    this.stats.rejected = {};
    this.jsonApi.stats.requests = this.stats.requests;
    this.jsonApi.stats.rejected = this.stats.rejected;
  }

  setConfig(patch: Record<string, unknown>): SimConfig {
    const p = patch as Partial<SimConfig>;
    this.config = {
      ...this.config,
      ...p,
      rateLimit: { ...this.config.rateLimit, ...(p.rateLimit ?? {}) },
      scenarioRetry: { ...this.config.scenarioRetry, ...(p.scenarioRetry ?? {}) },
    };
    this.limiter.config = this.config.rateLimit;
    return this.config;
  }

  reset(): void {
    this.store.reset();
    this.limiter.reset();
    this.resetStats();
    this.dispatcher.log.length = 0;
  }
}
