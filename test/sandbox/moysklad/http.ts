/**
 * Small node:http helpers shared by the simulator's servers: body reading, JSON replies (gzip when the
 * client accepts it, as MoySklad's API servers do), MoySklad-style error bodies and a tiny router whose
 * templates double as the route names counted in `/_sim/stats`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((e) => e.error).join('; '));
  }
}

export interface ApiErrorItem {
  error: string;
  code?: number;
  parameter?: string;
  moreInfo?: string;
  error_message?: string;
}

const ERROR_DOC = 'https://dev.moysklad.ru/doc/api/remap/1.2/#error_';

/** Builds a JSON API error item with the `moreInfo` link MoySklad adds to every coded error. */
export function apiError(status: number, code: number, error: string, parameter?: string): HttpError {
  const item: ApiErrorItem = { error, code, moreInfo: `${ERROR_DOC}${code}` };
  if (parameter !== undefined) item.parameter = parameter;
  return new HttpError(status, [item]);
}

export function notFound(type: string, id: string): HttpError {
  return apiError(404, 1021, `Объект с типом '${type}' и идентификатором '${id}' не найден`);
}

export function acceptsGzip(req: IncomingMessage): boolean {
  const raw = req.headers['accept-encoding'];
  if (!raw) return false;
  return String(raw)
    .split(',')
    .map((s) => s.trim().split(';')[0].toLowerCase())
    .includes('gzip');
}

export async function readBody(req: IncomingMessage, maxBytes = 20 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw apiError(413, 1044, 'Превышен максимальный размер запроса');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; MoySklad answers malformed JSON with a 400 and a parse error. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const buf = await readBody(req);
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw apiError(400, 2002, `Ошибка формата: ${(e as Error).message}`);
  }
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, String(v));
  if (body === undefined) {
    res.statusCode = status;
    res.end();
    return;
  }
  const raw = Buffer.from(JSON.stringify(body), 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json;charset=utf-8');
  if (acceptsGzip(req)) {
    // Level 1: the compression is the simulated server's work, which shares the bench's cores with the app.
    const zipped = gzipSync(raw, { level: 1 });
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', zipped.length);
    res.end(zipped);
  } else {
    res.setHeader('Content-Length', raw.length);
    res.end(raw);
  }
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: HttpError, extra: Record<string, string | number> = {}): void {
  sendJson(req, res, err.status, { errors: err.errors }, { ...extra, ...err.headers });
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(html);
}

export type Params = Record<string, string>;

export interface Route<H> {
  method: string;
  template: string;
  parts: string[];
  handler: H;
}

/** Matches `/a/{x}/b` templates segment by segment; the first registered match wins (literals first). */
export class Router<H> {
  private routes: Route<H>[] = [];

  add(method: string, template: string, handler: H): void {
    this.routes.push({ method, template, parts: template.split('/').filter(Boolean), handler });
  }

  match(method: string, path: string): { route: Route<H>; params: Params } | { methodMismatch: true } | undefined {
    const segs = path
      .split('/')
      .filter(Boolean)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.parts.length !== segs.length) continue;
      const params: Params = {};
      let ok = true;
      for (let i = 0; i < segs.length; i++) {
        const part = route.parts[i];
        if (part.startsWith('{')) params[part.slice(1, -1)] = segs[i];
        else if (part !== segs[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { route, params };
    }
    return pathMatched ? { methodMismatch: true } : undefined;
  }
}
