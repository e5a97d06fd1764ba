/**
 * Reading a request body with a size cap, shared by the route wrappers (lib/api/handler) and the
 * webhook intake (lib/sync/triggers/webhook-intake), which reads its body before any route logic.
 */
import { AppError } from '@/lib/core/errors';

/** Bodies larger than this are refused before parsing (MoySklad's webhook bodies are small). */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Reads the body as a stream and stops at `maxBytes`: nothing beyond the cap is ever buffered, whatever
 * Content-Length says (or does not say, for a chunked body). The rest of the upload is cancelled.
 */
export async function readBodyText(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    throw new AppError('PAYLOAD_TOO_LARGE', `body of ${declared} bytes declared`);
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AppError('PAYLOAD_TOO_LARGE', `streamed body over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Reads a JSON body with a size cap; malformed JSON or too large → 400/413, never 500. */
export async function readJson(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  if (!text.trim()) return {};
  if (text.includes('\u0000') || text.includes('\\u0000')) {
    throw new AppError('BAD_REQUEST', 'NUL character in the body', {
      userMessage: 'Тело запроса содержит недопустимый символ (NUL).',
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'malformed JSON body', { userMessage: 'Тело запроса — не JSON.' });
  }
}
