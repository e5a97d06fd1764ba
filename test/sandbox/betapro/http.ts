/**
 * The HTTP side of the simulator: one node:http server carrying the FBox API under /grh/api (Basic auth,
 * rate limits, injected faults) and the control API and console under /_sim.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleControl } from './control';
import { readBody, sendJson } from './io';
import { errorBody, FboxError } from './errors';
import * as fbox from './fbox';
import type { Faults, Stats } from './faults';
import { QUOTA_TEXT } from './model';
import { limitMessage, type RateLimiter } from './rate-limit';
import type { BetaproStore } from './store';

export const API_PREFIX = '/grh/api';
export const CONTROL_PREFIX = '/_sim';

export interface SimDeps {
  store: BetaproStore;
  limiter: RateLimiter;
  faults: Faults;
  stats: Stats;
}

interface Route {
  method: string;
  /** The spec's path template; `${method} ${path}` names the operation in stats and faults. */
  path: string;
  handler: (ctx: fbox.FboxContext) => Record<string, unknown>;
  mutates?: boolean;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/settings', handler: fbox.getSettings },
  { method: 'POST', path: '/settings', handler: fbox.setSettings, mutates: true },
  { method: 'POST', path: '/goods', handler: fbox.setGoods, mutates: true },
  { method: 'POST', path: '/goods/list', handler: fbox.listGoods },
  { method: 'POST', path: '/goods/eans', handler: fbox.setEans, mutates: true },
  { method: 'POST', path: '/goods/eans/list', handler: fbox.listEans },
  { method: 'POST', path: '/goods/stock', handler: fbox.goodsStock },
  { method: 'GET', path: '/goods/recognition', handler: fbox.listRecognition },
  { method: 'POST', path: '/goods/recognition', handler: fbox.setRecognition, mutates: true },
  { method: 'POST', path: '/indocs', handler: fbox.createIndoc, mutates: true },
  { method: 'POST', path: '/indocs/list', handler: fbox.listIndocs },
  { method: 'DELETE', path: '/indocs/{indoc_id}', handler: fbox.deleteIndoc, mutates: true },
  { method: 'GET', path: '/indocs/{indoc_id}/attributes', handler: fbox.getIndocAttributes },
  { method: 'POST', path: '/indocs/{indoc_id}/attributes', handler: fbox.setIndocAttributes, mutates: true },
  { method: 'GET', path: '/indocs/{indoc_id}/json', handler: fbox.getIndocJson },
  { method: 'POST', path: '/outdocs/list', handler: fbox.listOutdocs },
  { method: 'POST', path: '/outdocs/lock', handler: fbox.lockOutdocs, mutates: true },
  { method: 'POST', path: '/outdocs/check', handler: fbox.checkOutdocs },
  { method: 'GET', path: '/outdocs/{outdoc_id}', handler: fbox.getOutdoc },
  { method: 'GET', path: '/outdocs/{outdoc_id}/goods', handler: fbox.getOutdocGoods },
];

export const IMPLEMENTED_OPERATIONS = ROUTES.map((r) => `${r.method} ${r.path}`);

function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const template = route.path.split('/').filter(Boolean);
    if (template.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < template.length && ok; i++) {
      const t = template[i];
      if (t.startsWith('{')) {
        try {
          params[t.slice(1, -1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
      } else ok = t === parts[i];
    }
    if (ok) return { route, params };
  }
  return undefined;
}

type Auth = { ok: true; partnerId: string; password: string } | { ok: false };

function parseAuth(header: string | undefined): Auth {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return { ok: false };
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return { ok: false };
  return { ok: true, partnerId: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createSimulatorServer(deps: SimDeps): http.Server {
  const server = http.createServer((req, res) => {
    dispatch(deps, req, res).catch((error: unknown) => {
      console.error('[betapro-sim] unexpected error', error);
      if (!res.headersSent) sendJson(res, 500, errorBody(500, 'Внутренняя ошибка симулятора'));
      else res.destroy();
    });
  });
  // Long idle keep-alive, as in the MoySklad simulator (test/sandbox/moysklad/index.ts): no ECONNRESET races.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  return server;
}

async function dispatch(deps: SimDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname;
  if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return handleApi(deps, req, res, path.slice(API_PREFIX.length) || '/');
  if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) return handleControl(deps, req, res, url);
  if (path === '/') {
    res.writeHead(302, { Location: `${CONTROL_PREFIX}/console` });
    res.end();
    return;
  }
  sendJson(res, 404, errorBody(404, 'Запрашиваемый ресурс не найден, проверьте адрес запроса'));
}

async function handleApi(deps: SimDeps, req: IncomingMessage, res: ServerResponse, subPath: string): Promise<void> {
  const { store, limiter, faults, stats } = deps;
  const started = performance.now();
  const method = req.method ?? 'GET';
  const match = matchRoute(method, subPath);
  const operation = match ? `${method} ${match.route.path}` : `${method} ${subPath}`;
  const auth = parseAuth(req.headers.authorization);
  const outcome = stats.record(auth.ok ? auth.partnerId : '(no auth)', operation);
  const config = store.data.config;

  const fault = faults.pick(operation, auth.ok ? auth.partnerId : undefined);
  if (fault === 'timeout') {
    // Never answer; give the socket up after a while so that nothing leaks when nobody aborts.
    outcome('timeout');
    const timer = setTimeout(() => req.socket.destroy(), config.timeout_hold_ms);
    timer.unref();
    req.socket.once('close', () => clearTimeout(timer));
    req.resume();
    return;
  }
  if (fault === 'error500') {
    req.resume();
    outcome(500);
    return sendJson(res, 500, errorBody(500, 'Внутренняя ошибка сервера'));
  }
  if (fault === 'rate429') {
    req.resume();
    outcome(429);
    const seconds = 2;
    return sendJson(res, 429, errorBody(429, limitMessage('req_qnt', QUOTA_TEXT.req_qnt, seconds)), rateHeaders(seconds));
  }

  const raw = await readBody(req);
  const finish = (status: number, body: unknown, headers: Record<string, string | number> = {}) => {
    outcome(status);
    sendJson(res, status, body, headers);
  };
  if (!auth.ok) return finish(401, errorBody(401, 'Неверный формат или отсутствует заголовок запроса Authorization'));
  const known = store.partner(auth.partnerId);
  if (!known || known.password !== auth.password) {
    return finish(403, errorBody(403, 'Неверный логин или пароль в заголовке запроса Authorization'));
  }
  if (!match) return finish(404, errorBody(404, 'Запрашиваемый ресурс не найден, проверьте адрес запроса'));

  const partnerId = known.partnerId;
  const admission = limiter.admit(partnerId, known.settings.rate_limits);
  if (!admission.ok) {
    const message = limitMessage(admission.limit, QUOTA_TEXT[admission.limit], admission.seconds);
    return finish(429, errorBody(429, message), rateHeaders(admission.seconds));
  }
  res.once('close', admission.release);

  if (config.response_delay_ms > 0) await sleep(config.response_delay_ms);

  let status = 200;
  let payload: unknown;
  try {
    let body: unknown = {};
    if (method !== 'GET' && method !== 'DELETE' && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new FboxError(400, 'Тело запроса не является корректным JSON');
      }
    }
    const run = () => match.route.handler({ store, partner: store.partner(partnerId)!, body, params: match.params });
    payload = match.route.mutates ? store.transaction(run, partnerId) : run();
  } catch (error) {
    if (!(error instanceof FboxError)) throw error;
    status = error.isBusiness ? store.data.config.business_error_http_status : error.code;
    payload = errorBody(error.code, error.message);
  }

  const text = JSON.stringify(payload);
  // The partner object may have been swapped by a rolled-back transaction: look it up again.
  const limits = store.partner(partnerId)?.settings.rate_limits ?? known.settings.rate_limits;
  const reset = limiter.charge(partnerId, limits, {
    requestBytes: raw.length,
    responseBytes: Buffer.byteLength(text),
    status,
    durationMs: performance.now() - started,
  });
  if (fault === 'acceptThenDrop') {
    // The effect is committed; the client never learns it.
    outcome('dropped');
    admission.release();
    req.socket.destroy();
    return;
  }
  outcome(status);
  sendJson(res, status, payload, { 'X-RateLimit-Reset': reset, 'X-RateLimit-Remaining': reset > 0 ? 0 : 1 });
}

function rateHeaders(seconds: number): Record<string, string | number> {
  return { 'X-RateLimit-Reset': seconds, 'X-RateLimit-Remaining': 0, 'Retry-After': seconds };
}
