/**
 * The pages' side of the widget/settings API (lib/api/contract.ts). The app token lives only in this
 * object's memory: third-party cookies in MoySklad's iframes are unreliable and localStorage would keep
 * a bearer token around longer than the page. Plain TS with an injectable fetch, for unit tests.
 */
import type { SessionResponse } from '@/lib/api/contract';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `details.fieldErrors` of a 422, as `{ field: [messages] }`. */
  get fieldErrors(): Record<string, string[]> {
    const d = this.details as { fieldErrors?: unknown } | undefined;
    const fe = d && typeof d === 'object' ? d.fieldErrors : undefined;
    if (!fe || typeof fe !== 'object') return {};
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(fe as Record<string, unknown>)) {
      if (Array.isArray(v)) out[k] = v.filter((m): m is string => typeof m === 'string');
    }
    return out;
  }
}

/** The app token expired or was refused: only a fresh contextKey (reopening in MoySklad) helps. */
export class SessionExpiredError extends ApiError {
  constructor(message: string) {
    super(message, 401, 'UNAUTHORIZED');
    this.name = 'SessionExpiredError';
  }
}

/** fetch failed before any answer (offline, server down). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(`network error: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NetworkError';
  }
}

async function send(fetchImpl: FetchLike, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (error) {
    throw new NetworkError(error);
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const message = typeof err?.message === 'string' ? err.message : `HTTP ${status}`;
  const code = typeof err?.code === 'string' ? err.code : `HTTP_${status}`;
  if (status === 401) return new SessionExpiredError(message);
  return new ApiError(message, status, code, err?.details);
}

/** Exchanges MoySklad's one-off contextKey for the app token (POST /api/session). */
export async function startSession(
  contextKey: string,
  userLocale: string | undefined,
  fetchImpl: FetchLike = fetch,
  baseUrl = '',
): Promise<SessionResponse> {
  const response = await send(fetchImpl, `${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(userLocale ? { contextKey, userLocale } : { contextKey }),
    cache: 'no-store',
  });
  const body = await readBody(response);
  // A refused contextKey (used, older than 5 minutes) also means "reopen in MoySklad".
  if (!response.ok) throw toApiError(response.status, body);
  return body as SessionResponse;
}

export interface ApiClientOptions {
  token: string;
  fetch?: FetchLike;
  baseUrl?: string;
  /** Called once per refused token, so the page can switch to its "session expired" state. */
  onUnauthorized?: (error: SessionExpiredError) => void;
}

export class ApiClient {
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await send(this.fetchImpl, `${this.options.baseUrl ?? ''}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    const parsed = await readBody(response);
    if (!response.ok) {
      const error = toApiError(response.status, parsed);
      if (error instanceof SessionExpiredError) this.options.onUnauthorized?.(error);
      throw error;
    }
    return parsed as T;
  }

  /** A streaming GET (Server-Sent Events): the open response, or the same errors as `request`. */
  async stream(path: string, signal: AbortSignal): Promise<Response> {
    const response = await send(this.fetchImpl, `${this.options.baseUrl ?? ''}${path}`, {
      headers: { authorization: `Bearer ${this.options.token}`, accept: 'text/event-stream' },
      cache: 'no-store',
      signal,
    });
    if (response.ok && response.body) return response;
    const error = toApiError(response.status, await readBody(response));
    if (error instanceof SessionExpiredError) this.options.onUnauthorized?.(error);
    throw error;
  }

  /** A file download (GET): its bytes and the file name the server gave (Content-Disposition). */
  async download(path: string): Promise<{ blob: Blob; fileName: string | null }> {
    const response = await send(this.fetchImpl, `${this.options.baseUrl ?? ''}${path}`, {
      headers: { authorization: `Bearer ${this.options.token}` },
      cache: 'no-store',
    });
    if (!response.ok) {
      const error = toApiError(response.status, await readBody(response));
      if (error instanceof SessionExpiredError) this.options.onUnauthorized?.(error);
      throw error;
    }
    const disposition = response.headers.get('content-disposition') ?? '';
    return { blob: await response.blob(), fileName: /filename="([^"]+)"/.exec(disposition)?.[1] ?? null };
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
}
