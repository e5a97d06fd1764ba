/**
 * Shared set-up for the lib/moysklad integration suites: a stub of our own app (answers MoySklad's
 * activation call after checking its JWT with verifyVendorJwt) and the MoySklad simulator, plus a
 * recorder that checks every request body the client sends against MoySklad's OpenAPI spec.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AxiosInstance } from 'axios';
import { startMoyskladSimulator, type MoyskladSimulator } from '@/test/sandbox/moysklad';
import { requestErrors, responseErrors, type SpecError } from '@/test/support/openapi';
import { InMemoryJtiStore, verifyVendorJwt } from '@/lib/moysklad/vendor-jwt';

export const SOLUTION = {
  appId: '5f3c5489-6a17-48b7-9fe5-b2000eb807fe',
  appUid: 'betapro-bridge.test',
  secretKey: 'integration-secret-key-0123456789abcdef',
};

export interface StubApp {
  url: string;
  calls: Array<{ method: string; path: string; body: unknown; verified: boolean }>;
  /** What the activation PUT answers. */
  activationStatus: 'Activated' | 'SettingsRequired';
  close(): Promise<void>;
}

export async function startStubApp(): Promise<StubApp> {
  const jtiStore = new InMemoryJtiStore();
  const stub: StubApp = { url: '', calls: [], activationStatus: 'Activated', close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString();
      let verified = false;
      try {
        await verifyVendorJwt(req.headers.authorization, { secret: SOLUTION.secretKey, jtiStore });
        verified = true;
      } catch {
        verified = false;
      }
      stub.calls.push({ method: req.method!, path: req.url!, body: text ? JSON.parse(text) : undefined, verified });
      if (!verified) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(req.method === 'PUT' ? JSON.stringify({ status: stub.activationStatus }) : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

export async function startSimulatorFor(stub: StubApp): Promise<MoyskladSimulator> {
  return startMoyskladSimulator({ port: 0, solution: { ...SOLUTION, appBaseUrl: stub.url } });
}

const operations = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../specs/moysklad.operations.json'), 'utf8')) as string[];

const matchers = operations.map((op) => {
  const [method, template] = op.split(' ');
  const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
  return { op, method, template, pattern };
});

/**
 * Operations MoySklad documents but the official OpenAPI spec lacks, checked against the same schema of
 * a sibling operation: `POST /entity/move/metadata/states` (RDOC dictionaries/_states.md: states of any
 * entity type are created by `POST /entity/{entityType}/metadata/states`; the spec has it for supply only).
 */
export const SPEC_ALIASES: Record<string, string> = {
  'POST /entity/move/metadata/states': 'POST /entity/supply/metadata/states',
};

/** The spec operation of a request, e.g. "PUT /entity/supply/{id}"; undefined when not extracted. */
export function operationOf(method: string, pathname: string): string | undefined {
  const alias = SPEC_ALIASES[`${method.toUpperCase()} ${pathname}`];
  if (alias) return alias;
  const candidates = matchers.filter((m) => m.method === method.toUpperCase() && m.pattern.test(pathname));
  // Prefer literal segments over placeholders ("/positions/delete" over "/positions/{positionId}").
  candidates.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  return candidates[0]?.op;
}

export interface SentRequest {
  method: string;
  pathname: string;
  op?: string;
  body?: unknown;
}

/** Records what an axios instance sends (path relative to the API root). */
export function recordRequests(http: AxiosInstance, apiRoot: string): SentRequest[] {
  const sent: SentRequest[] = [];
  const rootPath = new URL(apiRoot).pathname;
  http.interceptors.request.use((config) => {
    const url = new URL(config.url!, apiRoot);
    const pathname = url.pathname.startsWith(rootPath) ? url.pathname.slice(rootPath.length) : url.pathname;
    const method = (config.method ?? 'get').toUpperCase();
    const body = typeof config.data === 'string' ? JSON.parse(config.data) : config.data;
    sent.push({ method, pathname, op: operationOf(method, pathname), body });
    return config;
  });
  return sent;
}

/**
 * openapi-request-validator overflows its stack on MoySklad's recursive schemas (Supply → Organization
 * → … → Supply). Then the body is checked against the same component through the response validator:
 * the GET of the same object has that schema (each item for array bodies).
 */
function sameSchemaOp(op: string): string | undefined {
  let m = /^(?:POST|PUT) \/entity\/(supply|move)\/\{id\}\/positions(?:\/\{positionId\}|\/delete)?$/.exec(op);
  if (m) return `GET /entity/${m[1]}/{id}/positions/{positionId}`;
  m = /^PUT \/entity\/(supply|move)\/\{id\}$/.exec(op);
  if (m) return `GET /entity/${m[1]}/{id}`;
  // Task → Employee → … → Task: a created or updated task has the schema of a read one.
  if (op === 'POST /entity/task' || op === 'PUT /entity/task/{id}') return 'GET /entity/task/{id}';
  return undefined;
}

export function requestBodyErrors(op: string, body: unknown): SpecError[] {
  try {
    return requestErrors('moysklad', op, body);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  const sameAs = sameSchemaOp(op);
  if (!sameAs) return [{ path: '', message: `validator overflowed and no fallback schema is known for ${op}` }];
  // Items of one batch share their shape: the first 20 are representative (and the validator is slow).
  return (
    (Array.isArray(body) ? body.slice(0, 20) : [body])
      .flatMap((item) => responseErrors('moysklad', sameAs, 200, item))
      // Spec defect: `assortment` is a oneOf of Product/Variant/Service/…, and a bare {meta} reference
      // (what a request sends) matches all of them, so "exactly one" can never hold.
      .filter((e) => !(/(^|\.)assortment$/.test(e.path) && /exactly one schema in oneOf/.test(e.message)))
  );
}

/** Spec problems of every recorded request with a body: "[op] path: message" lines; missing ops listed apart. */
export function specProblems(sent: SentRequest[]): { problems: string[]; missingOps: string[] } {
  const problems: string[] = [];
  const missingOps = new Set<string>();
  for (const s of sent) {
    if (s.body === undefined) continue;
    if (!s.op) {
      missingOps.add(`${s.method} ${s.pathname}`);
      continue;
    }
    for (const e of requestBodyErrors(s.op, s.body)) problems.push(`[${s.op}] ${e.path}: ${e.message}`);
  }
  return { problems, missingOps: [...missingOps] };
}
