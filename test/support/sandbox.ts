/**
 * The whole product on loopback for integration and end-to-end tests: the real app (production
 * build, child process) wired to the MoySklad and BetaPRO simulators, plus helpers to install the
 * solution into an account and configure it through the app's own settings API.
 */
import { startMoyskladSimulator, type MoyskladSimulator, type EmployeeKind, type SeedResult } from '../sandbox/moysklad';
import { startBetaproSimulator, type BetaproSimulator } from '../sandbox/betapro';
import { startApp, TEST_APP_ID, TEST_APP_UID, TEST_SECRET_KEY, type AppServer } from './app-server';
import { freePort } from './ports';
import type { DocumentView, SessionResponse, SettingsInput } from '@/lib/api/contract';

export const BETAPRO_PARTNER = { partnerId: 'P-1001', password: 'secret-pass-1001' };

export interface Sandbox {
  app: AppServer;
  moysklad: MoyskladSimulator;
  betapro: BetaproSimulator;
  stop(): Promise<void>;
}

export interface StartSandboxOptions {
  databaseUrl?: string;
  appEnv?: Record<string, string>;
  /** Start the app later (e.g. several app processes); the URL is reserved now. */
  startApp?: boolean;
}

export async function startSandbox(
  options: StartSandboxOptions = {},
): Promise<Sandbox & { appPort: number; appBaseUrl: string; appEnv: Record<string, string> }> {
  const appPort = await freePort();
  const appBaseUrl = `http://127.0.0.1:${appPort}`;
  const moysklad = await startMoyskladSimulator({
    port: 0,
    solution: { appId: TEST_APP_ID, appUid: TEST_APP_UID, secretKey: TEST_SECRET_KEY, appBaseUrl },
  });
  const betapro = await startBetaproSimulator({ port: 0, partners: [BETAPRO_PARTNER] });
  const appEnv: Record<string, string> = {
    MOYSKLAD_API_URL: moysklad.apiUrl,
    MOYSKLAD_VENDOR_API_URL: moysklad.vendorApiUrl,
    FRAME_ANCESTORS: moysklad.origin,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.appEnv,
  };
  const app = options.startApp === false ? (undefined as unknown as AppServer) : await startApp({ port: appPort, env: appEnv });
  const sandbox = {
    app,
    moysklad,
    betapro,
    appPort,
    appBaseUrl,
    appEnv,
    // Stops whatever app is attached now: tests may replace `sandbox.app` (restarts, other env).
    async stop() {
      await sandbox.app?.stop();
      await moysklad.close();
      await betapro.close();
    },
  };
  return sandbox;
}

export async function api<T = unknown>(
  baseUrl: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as T };
}

export async function sessionFor(
  sandbox: Sandbox,
  accountId: string,
  employee: EmployeeKind = 'admin',
  userLocale = 'ru_RU',
): Promise<string> {
  const contextKey = sandbox.moysklad.contextKey(accountId, employee);
  const { status, body } = await api<SessionResponse>(sandbox.app.url, '/api/session', {
    body: { contextKey, userLocale },
  });
  if (status !== 200) throw new Error(`session failed: ${status} ${JSON.stringify(body)}`);
  return body.token;
}

export interface ConfiguredAccount {
  accountId: string;
  token: string;
  adminSession: string;
  seed: SeedResult;
}

/**
 * The settings installAndConfigure saves: the seeded BetaPRO store and statuses, the shared partner,
 * automatic posting, hourly polls (tests ask for a receipt with «Проверить приёмку»); `overrides` win.
 */
export function defaultSettings(sandbox: Sandbox, seed: SeedResult, overrides: Partial<SettingsInput> = {}): SettingsInput {
  const statuses = (entity: 'supply' | 'move' | 'purchasereturn') => ({
    transfer: seed.states[entity]['Передать'],
    sent: seed.states[entity]['Передан'],
    error: seed.states[entity]['Ошибка передачи'],
    posted: seed.states[entity]['Проведён'],
  });
  return {
    betaproBaseUrl: sandbox.betapro.apiUrl,
    betaproPartnerId: BETAPRO_PARTNER.partnerId,
    betaproPassword: BETAPRO_PARTNER.password,
    storeIds: [seed.stores.betapro],
    enabledEntities: ['supply', 'move'],
    statuses: { supply: statuses('supply'), move: statuses('move') },
    productKey: 'article',
    partialPolicy: 'final',
    defectivePolicy: 'received',
    postingMode: 'auto',
    pollIntervalSec: 3600,
    ...overrides,
  };
}

/** Installs the solution into a new seeded account and configures it through the settings API. */
export async function installAndConfigure(
  sandbox: Sandbox,
  accountName: string,
  overrides: Partial<SettingsInput> = {},
): Promise<ConfiguredAccount> {
  const { accountId } = sandbox.moysklad.createAccount(accountName);
  const seed = sandbox.moysklad.seed(accountId, { documents: false });
  const installed = await sandbox.moysklad.install(accountId);
  if (installed.httpStatus !== 200) throw new Error(`install failed: ${JSON.stringify(installed)}`);
  const adminSession = await sessionFor(sandbox, accountId, 'admin');
  const settings = defaultSettings(sandbox, seed, overrides);
  const saved = await api(sandbox.app.url, '/api/settings', { method: 'PUT', token: adminSession, body: settings });
  if (saved.status !== 200) throw new Error(`settings failed: ${saved.status} ${JSON.stringify(saved.body)}`);
  return { accountId, token: sandbox.moysklad.token(accountId), adminSession, seed };
}

export async function documentView(
  sandbox: Sandbox,
  session: string,
  entity: 'supply' | 'move' | 'purchasereturn',
  id: string,
): Promise<DocumentView> {
  const { status, body } = await api<DocumentView>(sandbox.app.url, `/api/widget/documents/${entity}/${id}`, {
    token: session,
  });
  if (status !== 200) throw new Error(`view failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A supply to the account's BetaPRO store, created as a MoySklad user would (fires webhooks). */
export function createSupply(
  sandbox: Sandbox,
  account: ConfiguredAccount,
  options: { state?: string; positions: Array<{ productId: string; quantity: number; price?: number }> },
): string {
  const ms = sandbox.moysklad;
  return String(
    ms.createDocument(account.accountId, 'supply', {
      organization: ms.meta('organization', account.seed.organizationId),
      agent: ms.meta('counterparty', account.seed.counterpartyId),
      store: ms.meta('store', account.seed.stores.betapro),
      ...(options.state ? { state: ms.stateMeta('supply', account.seed.states.supply[options.state]) } : {}),
      positions: options.positions.map((p) => ({
        quantity: p.quantity,
        price: p.price ?? 100,
        assortment: ms.meta('product', p.productId),
      })),
    }).id,
  );
}

/**
 * The supply helpers most engine tests use, bound to a test file's sandbox and account (read lazily:
 * both are assigned in the file's beforeAll).
 */
export function supplyHelpers(current: () => { sandbox: Sandbox; account: ConfiguredAccount }) {
  const ms = () => current().sandbox.moysklad;
  return {
    product: (article: string) => current().account.seed.products.find((p) => p.article === article)!,
    msDoc: (id: string) =>
      ms().getDocument(current().account.accountId, 'supply', id) as {
        state?: { name?: string };
        description?: string;
      },
    view: (id: string) => documentView(current().sandbox, current().account.adminSession, 'supply', id),
    action: (id: string, name: string) =>
      api(current().sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
        token: current().account.adminSession,
        body: { action: name },
      }),
    setStatus: (id: string, name: string) =>
      ms().userUpdate(current().account.accountId, 'supply', id, {
        state: ms().stateMeta('supply', current().account.seed.states.supply[name]),
      }),
  };
}
