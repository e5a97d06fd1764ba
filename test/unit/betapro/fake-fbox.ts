/**
 * A scriptable HTTP server standing in for FBox in unit tests: each request is answered by the test's
 * handler, so a test can play exact status codes, envelopes, headers, hangs and dropped connections.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  startedAt: number;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Sent as is (not JSON-encoded) when a string is wanted, e.g. an HTML error page. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Never answer (the client must time out). */
  hang?: boolean;
  /** Close the socket without an answer. */
  drop?: boolean;
  delayMs?: number;
}

export interface FakeFbox {
  url: string;
  requests: SeenRequest[];
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startFakeFbox(handler: (request: SeenRequest, index: number) => Reply | Promise<Reply>): Promise<FakeFbox> {
  const requests: SeenRequest[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
        startedAt: Date.now(),
      };
      requests.push(seen);
      const reply = await handler(seen, requests.length - 1);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.hang) {
        res.on('close', () => {
          inFlight -= 1;
        });
        return;
      }
      inFlight -= 1;
      if (reply.drop) {
        req.socket.destroy();
        return;
      }
      const payload = reply.rawBody ?? JSON.stringify(reply.body ?? { success: true });
      res.writeHead(reply.status ?? 200, {
        'content-type': reply.rawBody ? 'text/html' : 'application/json',
        'x-ratelimit-reset': '0',
        'x-ratelimit-remaining': '1',
        ...reply.headers,
      });
      res.end(payload);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/grh/api`,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
