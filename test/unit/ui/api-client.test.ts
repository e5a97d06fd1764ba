import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, NetworkError, SessionExpiredError, startSession, type FetchLike } from '@/lib/ui/api-client';

function respond(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

describe('session bootstrap', () => {
  it('posts contextKey and userLocale to /api/session', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const fetchImpl: FetchLike = async (url, init) => {
      calls.push([url, init]);
      return respond(200, { token: 't-1', expiresAt: '', accountId: 'a', locale: 'en', user: {} });
    };
    const session = await startSession('ctx-1', 'en_US', fetchImpl);
    expect(session.token).toBe('t-1');
    expect(calls[0][0]).toBe('/api/session');
    expect(calls[0][1]?.method).toBe('POST');
    expect(JSON.parse(String(calls[0][1]?.body))).toEqual({ contextKey: 'ctx-1', userLocale: 'en_US' });
  });

  it('a refused contextKey is an expired session', async () => {
    const fetchImpl: FetchLike = async () => respond(401, { error: { code: 'UNAUTHORIZED', message: 'Ключ контекста истёк' } });
    await expect(startSession('used', undefined, fetchImpl)).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('a failed connection is a network error', async () => {
    const fetchImpl: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(startSession('k', undefined, fetchImpl)).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('ApiClient', () => {
  it('sends the token as a Bearer header and never as a cookie', async () => {
    let seen: RequestInit | undefined;
    const client = new ApiClient({
      token: 'tok',
      fetch: async (_u, init) => ((seen = init), respond(200, { ok: true })),
    });
    await expect(client.get('/api/settings')).resolves.toEqual({ ok: true });
    const headers = seen?.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer tok');
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('cookie');
    expect(seen?.credentials).toBeUndefined();
  });

  it('401 calls onUnauthorized and throws SessionExpiredError', async () => {
    const onUnauthorized = vi.fn();
    const client = new ApiClient({
      token: 'old',
      onUnauthorized,
      fetch: async () => respond(401, { error: { code: 'UNAUTHORIZED', message: 'Сессия истекла' } }),
    });
    await expect(client.post('/api/widget/documents/supply/x/actions', { action: 'send' })).rejects.toBeInstanceOf(SessionExpiredError);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('422 carries the field errors', async () => {
    const client = new ApiClient({
      token: 't',
      fetch: async () =>
        respond(422, {
          error: {
            code: 'VALIDATION',
            message: 'Проверьте',
            details: { fieldErrors: { betaproBaseUrl: ['Неверный адрес'], junk: 'x' } },
          },
        }),
    });
    const error = await client.put('/api/settings', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toBe('Проверьте');
    expect((error as ApiError).fieldErrors).toEqual({ betaproBaseUrl: ['Неверный адрес'] });
  });

  it('a non-JSON error body still gives a readable error', async () => {
    const client = new ApiClient({ token: 't', fetch: async () => new Response('Bad Gateway', { status: 502 }) });
    await expect(client.get('/x')).rejects.toMatchObject({ status: 502, code: 'HTTP_502', message: 'HTTP 502' });
  });

  it('opens a live stream with the token and the abort signal; a refused token ends the session', async () => {
    let seen: RequestInit | undefined;
    const stream = new ApiClient({
      token: 'tok',
      fetch: async (_u, init) => (
        (seen = init),
        new Response('event: change\ndata: {}\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } })
      ),
    });
    const abort = new AbortController();
    const response = await stream.stream('/api/widget/documents/supply/x/events', abort.signal);
    expect(await response.text()).toContain('event: change');
    expect((seen?.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect(seen?.signal).toBe(abort.signal);

    const onUnauthorized = vi.fn();
    const refused = new ApiClient({
      token: 'old',
      onUnauthorized,
      fetch: async () => respond(401, { error: { code: 'UNAUTHORIZED', message: 'Сессия истекла' } }),
    });
    await expect(refused.stream('/e', abort.signal)).rejects.toBeInstanceOf(SessionExpiredError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    const limited = new ApiClient({
      token: 't',
      fetch: async () => respond(429, { error: { code: 'RATE_LIMITED', message: 'Слишком много открытых виджетов' } }),
    });
    await expect(limited.stream('/e', abort.signal)).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });
});
