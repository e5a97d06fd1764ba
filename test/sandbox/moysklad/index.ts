/**
 * MoySklad simulator for tests, benchmarks and the demo: JSON API 1.2 subset, Vendor API, webhooks,
 * scenarios, lifecycle calls, a control API and a host web UI imitating MoySklad's page around the app.
 *
 *   const sim = await startMoyskladSimulator({ port: 0, solution: { appId, appUid, secretKey, appBaseUrl } });
 *   const { accountId } = sim.createAccount('shop');
 *   await sim.install(accountId);            // calls the app's PUT .../apps/{appId}/{accountId}
 *   const token = sim.token(accountId);      // JSON API bearer token
 */
import { serializeTask } from './tasks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PressResult } from './buttons';
import type { DeliveryRecord } from './dispatcher';
import type { LifecycleAction, LifecycleResult } from './lifecycle';
import { addState, type SeedOptions, type SeedResult } from './seed';
import { Simulator } from './simulator';
import type { DocType, EmployeeKind, EntityType, NotificationRec, ScenarioRec, SimConfig, SimulatorOptions, StateRec } from './types';
import { variantName } from './json-api';

export type { SimulatorOptions, SimConfig, DeliveryRecord, LifecycleResult, SeedResult, EmployeeKind, NotificationRec, PressResult };
export { Simulator };

export interface MoyskladSimulator {
  /** http://host:port/api/remap/1.2 */
  apiUrl: string;
  /** http://host:port/api/vendor/1.0 */
  vendorApiUrl: string;
  /** http://host:port/ui */
  uiUrl: string;
  /** http://host:port/_sim */
  controlUrl: string;
  /** http://host:port */
  origin: string;
  port: number;
  sim: Simulator;
  close(): Promise<void>;

  createAccount(accountName: string): { accountId: string; accountName: string };
  install(accountId: string): Promise<LifecycleResult>;
  lifecycle(accountId: string, action: LifecycleAction): Promise<LifecycleResult>;
  /** The account's current JSON API token (after install/resume). */
  token(accountId: string): string;
  /** Creates an account, installs the solution and returns its token (lifecycle call to the app included). */
  installedAccount(accountName: string): Promise<{ accountId: string; token: string; result: LifecycleResult }>;
  contextKey(accountId: string, employee?: EmployeeKind): string;
  seed(accountId: string, opts?: SeedOptions): SeedResult;
  createState(accountId: string, entityType: DocType, name: string, stateType?: StateRec['stateType'], color?: number): string;
  createEntity(accountId: string, type: Exclude<EntityType, DocType>, fields: Record<string, unknown>): string;
  createVariant(
    accountId: string,
    productId: string,
    characteristics: Array<{ name: string; value: string }>,
    fields?: Record<string, unknown>,
  ): string;
  /** `{meta}` reference with this simulator's hrefs. */
  meta(type: string, id: string): { meta: { href: string; type: string; mediaType: string } };
  stateMeta(entityType: DocType, stateId: string): { meta: { href: string; type: string; mediaType: string } };
  /** Creates a document as the account's admin user (fires webhooks like a UI create). */
  createDocument(accountId: string, type: DocType, body: Record<string, unknown>): Record<string, unknown>;
  /** Updates a document as a user of the web UI (webhooks, scenarios, audit as that user). */
  userUpdate(accountId: string, type: DocType, id: string, body: Record<string, unknown>, employee?: EmployeeKind): Record<string, unknown>;
  /** A document with positions, assortment and state expanded. */
  getDocument(accountId: string, type: DocType, id: string): Record<string, unknown>;
  addScenario(accountId: string, scenario: Omit<ScenarioRec, 'id'>): ScenarioRec;
  /** A user presses a descriptor button: on a `*.list` point `ids` are the selected rows (buttons.ts). */
  pressButton(
    accountId: string,
    employee: EmployeeKind,
    buttonName: string,
    extensionPoint: string,
    ids: string[],
    requestId?: string,
  ): Promise<PressResult>;
  /** Notifications the account's users saw (button answers and button/complete), oldest first. */
  notifications(accountId: string, employee?: EmployeeKind): NotificationRec[];
  deliveries(filter?: { accountId?: string; kind?: DeliveryRecord['kind'] }): DeliveryRecord[];
  /** Waits until all webhook/scenario calls started so far have finished (delivered or dropped). */
  idle(): Promise<void>;
  stats(): ReturnType<Simulator['statsSnapshot']>;
  resetStats(): void;
  setConfig(patch: Partial<SimConfig>): SimConfig;
  /** Turns stock control on with this table (store id → assortment id → quantity), or off with null. */
  setStock(accountId: string, stock: Record<string, Record<string, number>> | null): void;
  /** The account's tasks (`/entity/task`), oldest first, as the JSON API serialises them. */
  tasks(accountId: string): Array<Record<string, unknown> & { id: string; description: string; done: boolean }>;
  /** The id of one of the account's employees. */
  employeeId(accountId: string, employee: EmployeeKind): string;
  reset(): void;
}

export async function startMoyskladSimulator(options: SimulatorOptions): Promise<MoyskladSimulator> {
  const sim = new Simulator(options);
  const server: Server = createServer((req, res) => {
    sim.handle(req, res).catch((e) => {
      console.error('[moysklad-sim] unhandled', e);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    });
  });
  // Idle keep-alive sockets stay open long: with Node's 5 s default a client reusing a socket just as the
  // server closes it gets ECONNRESET, which a loaded machine (a stalled event loop) turns into failed tests.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  sim.setOrigin(origin);

  const handle: MoyskladSimulator = {
    apiUrl: `${origin}/api/remap/1.2`,
    vendorApiUrl: `${origin}/api/vendor/1.0`,
    uiUrl: `${origin}/ui`,
    controlUrl: `${origin}/_sim`,
    origin,
    port,
    sim,
    async close() {
      await sim.dispatcher.stop().catch(() => undefined);
      sim.store.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    createAccount: (name) => sim.createAccount(name),
    install: (id) => sim.lifecycle(id, 'install'),
    lifecycle: (id, action) => sim.lifecycle(id, action),
    token(id) {
      const t = sim.account(id).installation.token;
      if (!t) throw new Error(`account ${id} has no token (status ${sim.account(id).installation.status})`);
      return t;
    },
    async installedAccount(name) {
      const { accountId } = sim.createAccount(name);
      const result = await sim.lifecycle(accountId, 'install');
      return { accountId, token: handle.token(accountId), result };
    },
    contextKey: (id, employee = 'admin') => sim.issueContextKey(id, employee).contextKey,
    seed: (id, opts) => sim.seed(id, opts),
    createState: (id, type, name, stateType = 'Regular', color = 10667543) =>
      addState(sim.store, sim.account(id), type, name, stateType, color).id,
    createEntity: (id, type, fields) => sim.engine.createEntity(sim.account(id), type, fields).id,
    createVariant(id, productId, characteristics, fields = {}) {
      const acc = sim.account(id);
      const f: Record<string, unknown> = { product: { $ref: 'product', id: productId }, characteristics, ...fields };
      if (!f.name) f.name = variantName(acc, f);
      return sim.engine.createEntity(acc, 'variant', f).id;
    },
    meta: (type, id) => ({
      meta: { href: `${sim.ser.api}/entity/${type}/${id}`, type, mediaType: 'application/json' },
    }),
    stateMeta: (type, id) => ({
      meta: {
        href: `${sim.ser.api}/entity/${type}/metadata/states/${id}`,
        type: 'state',
        mediaType: 'application/json',
      },
    }),
    createDocument(id, type, body) {
      const acc = sim.account(id);
      const rec = sim.engine.createDocument(acc, type, body, sim.userContext(acc, 'admin'));
      return sim.ser.entity(acc, rec, {});
    },
    userUpdate: (id, type, docId, body, employee = 'admin') => sim.userUpdate(id, type, docId, body, employee),
    getDocument(id, type, docId) {
      const acc = sim.account(id);
      return sim.ser.entity(acc, sim.engine.getDocument(acc, type, docId), {
        positions: { assortment: {} },
        state: {},
      });
    },
    addScenario: (id, s) => sim.addScenario(id, s),
    pressButton: (id, employee, name, point, ids, requestId) => sim.pressButton(id, employee, name, point, ids, requestId),
    notifications: (id, employee) => sim.buttons.notifications(id, employee),
    deliveries: (filter = {}) =>
      sim.dispatcher.log.filter((d) => (!filter.accountId || d.accountId === filter.accountId) && (!filter.kind || d.kind === filter.kind)),
    idle: () => sim.dispatcher.idle(),
    stats: () => sim.statsSnapshot(),
    resetStats: () => sim.resetStats(),
    setConfig: (patch) => sim.setConfig(patch as Record<string, unknown>),
    setStock(id, stock) {
      const acc = sim.account(id);
      if (stock) acc.stock = structuredClone(stock);
      else delete acc.stock;
    },
    tasks(id) {
      const acc = sim.account(id);
      return (acc.tasks ?? []).map((t) => serializeTask(sim.ser, acc, t) as ReturnType<MoyskladSimulator['tasks']>[number]);
    },
    employeeId: (id, employee) => sim.account(id).employees[employee].id,
    reset: () => sim.reset(),
  };
  return handle;
}
