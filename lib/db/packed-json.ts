/**
 * Large JSON values (a document's plan, a BetaPRO outdoc: up to thousands of lines, 1–2 MB as text)
 * are stored gzip-compressed in `bytea` columns instead of `jsonb`. Writing a 2 MB jsonb makes
 * PostgreSQL parse and copy it several times; in the embedded database that happens inside PGlite's
 * WebAssembly memory, which never shrinks, so one large document would raise the process's resident
 * memory for good. Compressed, the same value is ~15× smaller and the database only moves bytes.
 * Compression runs on libuv's thread pool, off the event loop.
 */
import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export async function packJson(value: unknown): Promise<Uint8Array<ArrayBuffer>> {
  const packed = await gzipAsync(JSON.stringify(value), { level: constants.Z_BEST_SPEED });
  // A fresh ArrayBuffer of the exact length: Buffers from zlib may share a larger pool.
  return new Uint8Array(packed);
}

export async function unpackJson(bytes: Uint8Array): Promise<unknown> {
  return JSON.parse((await gunzipAsync(bytes)).toString('utf8')) as unknown;
}
