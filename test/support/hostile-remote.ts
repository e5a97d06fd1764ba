/**
 * A remote that misbehaves on purpose, on loopback: what an untrusted account admin can point the app
 * at as its "BetaPRO address", or what a broken remote may send. It counts every TCP connection, so a
 * test can prove the app never connected at all.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';

export type HostileMode =
  /** Chunked body that never ends, as fast as the client reads. */
  | 'endless'
  /** Content-Length of 400 MB, then zeros. */
  | 'huge'
  /** Headers at once, then one byte every 200 ms forever (idle timers never fire). */
  | 'trickle'
  /** 128 MB of JSON-looking zeros compressed to a few hundred KB. */
  | 'gzip-bomb'
  /** 302 to another loopback address. */
  | 'redirect'
  /** Errors whose text the app must not repeat to the user. */
  | 'echo-text'
  /** 429 asking for a pause of ten days. */
  | 'pause-days'
  /** 200 with a body that is not JSON. */
  | 'garbage'
  /** Any handler the test supplies. */
  | 'custom';

/** Text a hostile remote puts in its answers: it must never reach the user. */
export const HOSTILE_MARKER = 'HOSTILE-REMOTE-TEXT-7f3a';

export interface HostileRemote {
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** Requests whose headers arrived so far. */
  requests: number;
  close(): Promise<void>;
}

let bombCache: Buffer | undefined;
function gzipBomb(): Buffer {
  bombCache ??= zlib.gzipSync(Buffer.alloc(128 * 1024 * 1024, 0x30), { level: 1 });
  return bombCache;
}

/** Writes `chunk` for as long as the client reads (waiting for drain), until the socket is gone. */
function pumpForever(res: http.ServerResponse, chunk: Buffer): void {
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

function answer(mode: HostileMode, res: http.ServerResponse, redirectTo: string, timers: Set<NodeJS.Timeout>): void {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  switch (mode) {
    case 'endless': {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"success":true,"pad":"');
      pumpForever(res, chunk);
      return;
    }
    case 'huge': {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(400 * 1024 * 1024) });
      pumpForever(res, chunk);
      return;
    }
    case 'trickle': {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"success":true,"pad":"');
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('a')), 200);
      timers.add(timer);
      return;
    }
    case 'gzip-bomb':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipBomb());
      return;
    case 'redirect':
      res.writeHead(302, { location: redirectTo });
      res.end();
      return;
    case 'echo-text':
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: false, error_code: 1000, error_message: HOSTILE_MARKER }));
      return;
    case 'pause-days':
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': '864000',
        'x-ratelimit-reset': '864000',
        'x-ratelimit-remaining': '0',
      });
      res.end(JSON.stringify({ success: false, error_code: 429, error_message: `${HOSTILE_MARKER}: wait ten days` }));
      return;
    case 'garbage':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html>${HOSTILE_MARKER}</html>`);
      return;
    case 'custom':
      return;
  }
}

export async function startHostileRemote(
  mode: HostileMode,
  options: { redirectTo?: string; handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void } = {},
): Promise<HostileRemote> {
  // The bomb is built before the client asks: compressing 128 MB blocks this (shared) event loop for
  // seconds on a loaded machine, which would spend the client's deadline and turn the test into a timeout.
  if (mode === 'gzip-bomb') gzipBomb();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    remote.requests += 1;
    req.resume();
    if (mode === 'custom') options.handler?.(req, res);
    else answer(mode, res, options.redirectTo ?? 'http://127.0.0.1:9/', timers);
  });
  server.on('connection', (socket) => {
    remote.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const remote: HostileRemote = {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: 0,
    requests: 0,
    async close() {
      timers.forEach((t) => clearInterval(t));
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return remote;
}
