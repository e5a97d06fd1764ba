/**
 * The widget's live stream (GET /api/widget/documents/{entity}/{id}/events, Server-Sent Events) over
 * HTTP against the real app: refused without a valid session, the document's view pushed when its
 * state changes (the transfer job commits «Передан»), and a bounded number of open streams per account.
 * On PGlite (one process, the embedded listener) and on PostgreSQL (LISTEN on its own connection) when
 * TEST_DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { DocumentView } from '@/lib/api/contract';
import { STREAM_LIMITS } from '@/lib/sync/widget/document-stream';
import { api, createSupply, documentView, installAndConfigure, startSandbox, type ConfiguredAccount } from '../../support/sandbox';
import { createMigratedPostgresDatabase, TEST_DATABASE_KINDS } from '../../support/db';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/** An open stream: its events as they come (name and arrival time), and how to close it. */
async function openStream(baseUrl: string, path: string, token?: string) {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}${path}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), accept: 'text/event-stream' },
    signal: abort.signal,
  });
  const events: Array<{ name: string; at: number; data: string }> = [];
  let ended = false;
  if (res.ok && res.body) {
    void (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const lines = buffer.slice(0, end).split('\n');
            buffer = buffer.slice(end + 2);
            const name = lines
              .find((l) => l.startsWith('event:'))
              ?.slice(6)
              .trim();
            const data = lines
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).trim())
              .join('\n');
            if (name) events.push({ name, at: Date.now(), data });
          }
        }
      } catch {
        // aborted by the test
      }
      ended = true;
    })();
  }
  return { res, events, ended: () => ended, close: () => abort.abort() };
}

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(TEST_DATABASE_KINDS)('widget live stream on %s', (kind) => {
  let sandbox: Sandbox;
  let account: ConfiguredAccount;
  let database: Awaited<ReturnType<typeof createMigratedPostgresDatabase>> | undefined;

  beforeAll(async () => {
    database = kind === 'postgres' ? await createMigratedPostgresDatabase('bridge_widget_events') : undefined;
    sandbox = await startSandbox({ databaseUrl: database?.url });
    account = await installAndConfigure(sandbox, `events-shop-${kind}`);
  });
  afterAll(async () => {
    await sandbox?.stop();
    await database?.drop();
  });

  const supply = () =>
    createSupply(sandbox, account, {
      positions: [{ productId: account.seed.products.find((p) => p.article === 'NB-A5')!.id, quantity: 2 }],
    });
  const eventsPath = (id: string) => `/api/widget/documents/supply/${id}/events`;

  it('refuses a request without a session, with a forged token and for an unknown entity', async () => {
    const id = supply();
    const none = await openStream(sandbox.app.url, eventsPath(id));
    expect(none.res.status).toBe(401);
    const forged = await openStream(sandbox.app.url, eventsPath(id), 'eyJhbGciOiJIUzI1NiJ9.e30.forged');
    expect(forged.res.status).toBe(401);
    const wrongEntity = await openStream(sandbox.app.url, `/api/widget/documents/invoice/${id}/events`, account.adminSession);
    expect(wrongEntity.res.status).toBe(404);
  });

  it('pushes the view when the transfer job commits the new state, before any poll would', async () => {
    const id = supply();
    const stream = await openStream(sandbox.app.url, eventsPath(id), account.adminSession);
    onTestFinished(() => stream.close());
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
    // The first view comes at once: whatever changed before the subscription is shown.
    await until('the initial view', () => stream.events.length >= 1, 5_000);
    const first = stream.events[0];
    expect(first.name).toBe('view');
    // The pushed view is the one the widget's GET returns for this session.
    const read = await documentView(sandbox, account.adminSession, 'supply', id);
    expect(JSON.parse(first.data)).toEqual(read);

    const sentAt = Date.now();
    const action = await api<DocumentView>(sandbox.app.url, `/api/widget/documents/supply/${id}/actions`, {
      token: account.adminSession,
      body: { action: 'send' },
    });
    expect(action.status).toBe(202);
    // The views pushed after it end with «Передан», without the client reading anything.
    const stateOf = (e: { data: string }) => (JSON.parse(e.data) as DocumentView).state;
    await until('a pushed view showing sent', () => stream.events.some((e) => e.name === 'view' && stateOf(e) === 'sent'));
    const last = stream.events[stream.events.length - 1];
    expect(last.name).toBe('view');
    expect(stateOf(last)).toBe('sent');
    expect(last.at - sentAt).toBeLessThan(5_000);
  });

  it('refuses more open streams per account than the limit, and frees a slot when one closes', async () => {
    const id = supply();
    const streams: Array<Awaited<ReturnType<typeof openStream>>> = [];
    onTestFinished(() => streams.forEach((s) => s.close()));
    for (let i = 0; i < STREAM_LIMITS.perAccount; i++) {
      const s = await openStream(sandbox.app.url, eventsPath(id), account.adminSession);
      expect(s.res.status).toBe(200);
      streams.push(s);
    }
    const refused = await openStream(sandbox.app.url, eventsPath(id), account.adminSession);
    expect(refused.res.status).toBe(429);
    expect(((await refused.res.json()) as { error: { message: string } }).error.message).toMatch(/Слишком много открытых виджетов/);

    streams.pop()!.close();
    await until(
      'a freed slot',
      async () => {
        const again = await openStream(sandbox.app.url, eventsPath(id), account.adminSession);
        if (again.res.status !== 200) return false;
        streams.push(again);
        return true;
      },
      5_000,
    );
  });
});
