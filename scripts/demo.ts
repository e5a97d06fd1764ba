/**
 * npm run demo — the whole product on this machine, nothing to install: the app on the embedded
 * PGlite database (worker inside), the MoySklad simulator (with its host page that embeds the
 * widget and the settings page) and the BetaPRO simulator. On the first run it installs the
 * solution into a demo account through the real activation endpoint, configures it through the
 * app's own settings API and seeds products, stores and documents in several states.
 * A restart keeps the data (./data/demo). Ctrl-C stops everything.
 *
 * Ports: DEMO_APP_PORT (3000), DEMO_MOYSKLAD_PORT (3001), DEMO_BETAPRO_PORT (3002).
 */
import './load-env';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startMoyskladSimulator } from '../test/sandbox/moysklad';
import { startBetaproSimulator } from '../test/sandbox/betapro';
import { productNodeFlags, productProcessEnv } from './node-flags';

const ROOT = path.resolve(import.meta.dirname, '..');
const DATA = path.join(ROOT, 'data', 'demo');
mkdirSync(DATA, { recursive: true });
const appPort = Number(process.env.DEMO_APP_PORT ?? 3000);
const msPort = Number(process.env.DEMO_MOYSKLAD_PORT ?? 3001);
const bpPort = Number(process.env.DEMO_BETAPRO_PORT ?? 3002);
const appUrl = `http://127.0.0.1:${appPort}`;

// Demo credentials live in the data folder: stable across restarts, never committed.
const secretsFile = path.join(DATA, 'secrets.json');
const secrets = existsSync(secretsFile)
  ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>)
  : {
      appId: '7f3d2c1b-0a9e-4d8c-b7a6-5e4f3d2c1b0a',
      appUid: 'betapro-bridge.demo',
      secretKey: randomBytes(24).toString('hex'),
      encryptionKey: randomBytes(32).toString('hex'),
      partnerId: 'DEMO-1001',
      partnerPassword: randomBytes(9).toString('base64url'),
    };
writeFileSync(secretsFile, JSON.stringify(secrets, null, 2));

const appEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production' as const,
  NEXT_TELEMETRY_DISABLED: '1',
  APP_BASE_URL: appUrl,
  MOYSKLAD_APP_ID: secrets.appId,
  MOYSKLAD_APP_UID: secrets.appUid,
  MOYSKLAD_SECRET_KEY: secrets.secretKey,
  APP_ENCRYPTION_KEY: secrets.encryptionKey,
  MOYSKLAD_API_URL: `http://127.0.0.1:${msPort}/api/remap/1.2`,
  MOYSKLAD_VENDOR_API_URL: `http://127.0.0.1:${msPort}/api/vendor/1.0`,
  FRAME_ANCESTORS: `http://127.0.0.1:${msPort} http://localhost:${msPort}`,
  PGLITE_DIR: path.join(DATA, 'pglite'),
  SWEEP_INTERVAL_SEC: process.env.SWEEP_INTERVAL_SEC ?? '30',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  // The BetaPRO simulator listens on loopback over plain http: allowed here, refused in production.
  BETAPRO_ALLOW_PRIVATE_HOSTS: 'true',
};
delete appEnv.DATABASE_URL;

if (!existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID')) || process.env.DEMO_REBUILD === '1') {
  console.log('Building the app (first run only; DEMO_REBUILD=1 forces it)...');
  const build = spawnSync('npx', ['next', 'build'], { cwd: ROOT, stdio: 'inherit', env: appEnv });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const moysklad = await startMoyskladSimulator({
  port: msPort,
  stateFile: path.join(DATA, 'moysklad.json'),
  solution: { appId: secrets.appId, appUid: secrets.appUid, secretKey: secrets.secretKey, appBaseUrl: appUrl },
});
const betapro = await startBetaproSimulator({
  port: bpPort,
  stateFile: path.join(DATA, 'betapro.json'),
  partners: [{ partnerId: secrets.partnerId, password: secrets.partnerPassword }],
});

// Started as `npm start` starts it (same Node memory flags), on this port.
const app: ChildProcess = spawn(
  process.execPath,
  [
    ...productNodeFlags('start'),
    path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'),
    'start',
    '-H',
    '127.0.0.1',
    '-p',
    String(appPort),
  ],
  {
    cwd: ROOT,
    env: { ...productProcessEnv('start'), ...appEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
let stopping = false;
async function stopAll(code = 0): Promise<never> {
  stopping = true;
  app.kill('SIGTERM');
  await Promise.allSettled([moysklad.close(), betapro.close()]);
  process.exit(code);
}
app.once('exit', (code) => {
  if (!stopping) {
    console.error(`The app exited (${code}); stopping the simulators.`);
    void stopAll(1);
  }
});
process.once('SIGINT', () => void stopAll());
process.once('SIGTERM', () => void stopAll());

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${appUrl}/api/health`)).ok) break;
  } catch {
    // not up yet
  }
  if (i > 300) {
    console.error('The app did not become healthy in 60 s.');
    await stopAll(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}

async function call<T>(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${appUrl}${pathname}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

const demoFile = path.join(ROOT, '.demo.json');
const previous = existsSync(demoFile) ? (JSON.parse(readFileSync(demoFile, 'utf8')) as { moysklad?: { accountId?: string } }) : {};
let accountId = previous.moysklad?.accountId;
if (!accountId || !moysklad.sim.store.accounts().some((a) => a.id === accountId)) {
  console.log('First run: installing the solution into the demo account and seeding data...');
  accountId = moysklad.createAccount('demo-shop').accountId;
  const seed = moysklad.seed(accountId);
  const installed = await moysklad.install(accountId);
  if (installed.httpStatus !== 200) throw new Error(`activation failed: ${JSON.stringify(installed)}`);
  const session = await call<{ token: string }>('/api/session', {
    body: { contextKey: moysklad.contextKey(accountId, 'admin') },
  });
  const statuses = (entity: 'supply' | 'move' | 'purchasereturn') => ({
    transfer: seed.states[entity]['Передать'],
    sent: seed.states[entity]['Передан'],
    error: seed.states[entity]['Ошибка передачи'],
    posted: seed.states[entity]['Проведён'],
  });
  await call('/api/settings', {
    method: 'PUT',
    token: session.token,
    body: {
      betaproBaseUrl: betapro.apiUrl,
      betaproPartnerId: secrets.partnerId,
      betaproPassword: secrets.partnerPassword,
      storeIds: [seed.stores.betapro],
      enabledEntities: ['supply', 'move', 'purchasereturn'],
      statuses: { supply: statuses('supply'), move: statuses('move'), purchasereturn: statuses('purchasereturn') },
      productKey: 'article',
      partialPolicy: 'final',
      defectivePolicy: 'received',
      postingMode: 'auto',
      pollIntervalSec: 60,
    },
  });
  // One supply goes all the way: sent, received by the warehouse with a shortage, posted.
  const first = seed.supplies[0];
  await call(`/api/widget/documents/supply/${first}/actions`, { token: session.token, body: { action: 'send' } });
  for (let i = 0; i < 100; i++) {
    const view = await call<{ state: string; indocId: string | null }>(`/api/widget/documents/supply/${first}`, {
      token: session.token,
    });
    if (view.state === 'sent' && view.indocId) {
      await fetch(`${betapro.controlUrl}/indocs/${view.indocId}/receive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          final: true,
          items: [
            { good_id: 'TS-WHITE', useful_qnt: 9, defective_qnt: 1 },
            { good_id: 'MUG-300', useful_qnt: 22, defective_qnt: 0 },
            { good_id: 'NB-A5', useful_qnt: 50, defective_qnt: 0 },
          ],
        }),
      });
      await call(`/api/widget/documents/supply/${first}/actions`, { token: session.token, body: { action: 'check' } });
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // The second supply has problems (a service, variants without articles) and shows the pre-flight check.
  await call(`/api/widget/documents/supply/${seed.supplies[1]}/actions`, {
    token: session.token,
    body: { action: 'send' },
  });
  // Goods leaving BetaPRO (docs/outbound.md): the received supply gave the warehouse stock of these goods.
  // The move out of BetaPRO is sent (a shipment task to ship from the console); the return is left new.
  const product = (article: string) => moysklad.meta('product', seed.products.find((p) => p.article === article)!.id);
  const outbound = moysklad.createDocument(accountId, 'move', {
    organization: moysklad.meta('organization', seed.organizationId),
    sourceStore: moysklad.meta('store', seed.stores.betapro),
    targetStore: moysklad.meta('store', seed.stores.main),
    state: moysklad.stateMeta('move', seed.states.move['Новый']),
    positions: [
      { quantity: 5, price: 0, assortment: product('MUG-300') },
      { quantity: 10, price: 0, assortment: product('NB-A5') },
    ],
  });
  await call(`/api/widget/documents/move/${String(outbound.id)}/actions`, {
    token: session.token,
    body: { action: 'send' },
  });
  moysklad.createDocument(accountId, 'purchasereturn', {
    organization: moysklad.meta('organization', seed.organizationId),
    agent: moysklad.meta('counterparty', seed.counterpartyId),
    store: moysklad.meta('store', seed.stores.betapro),
    state: moysklad.stateMeta('purchasereturn', seed.states.purchasereturn['Новый']),
    positions: [
      { quantity: 2, price: 45000, assortment: product('MUG-300') },
      { quantity: 60, price: 9000, assortment: product('NB-A5') },
    ],
  });
}

const token = moysklad.token(accountId);
const demo = {
  appUrl,
  moysklad: { apiUrl: moysklad.apiUrl, token, accountId, uiUrl: moysklad.uiUrl },
  betapro: {
    apiUrl: betapro.apiUrl,
    partnerId: secrets.partnerId,
    password: secrets.partnerPassword,
    consoleUrl: betapro.consoleUrl,
    controlUrl: betapro.controlUrl,
  },
};
writeFileSync(demoFile, JSON.stringify(demo, null, 2) + '\n');
console.log(`
BetaPRO Bridge demo is running (data in ./data/demo; Ctrl-C stops everything):
  MoySklad (simulated), documents and the widget:  ${moysklad.uiUrl}
  Settings page inside MoySklad:                   ${moysklad.uiUrl}/settings
  BetaPRO operator console (receive goods here):   ${betapro.consoleUrl}
  The app:                                         ${appUrl}   (health: ${appUrl}/api/health)
Connection details for scripts: .demo.json
`);
