/**
 * The widget's live stream of one document (Server-Sent Events): whenever the document changed,
 * `event: view` with the document view itself (so the widget shows it without a second request), or
 * `event: change` when the view could not be built (the widget then re-reads it), a comment line as heartbeat so proxies keep the
 * connection, and an end after a bounded time so that the client reconnects with its current token
 * (rights and session are checked again at every connection). Open streams are bounded per account
 * and per process: each holds a socket and a subscription, and a tenant must not exhaust them.
 */
import { AppError } from '@/lib/core/errors';
import { logger } from '@/lib/core/logger';
import type { DocumentEntity } from '@/lib/core/domain';
import { documentChangeKey, subscribeDocumentChanges } from '@/lib/sync/widget/change-feed';

export const STREAM_LIMITS = {
  /** One widget holds one stream; 20 is many clerks of one account with the same document type open. */
  perAccount: 20,
  perProcess: 1_000,
  heartbeatMs: 15_000,
  /** The client reconnects after this (a fresh check of its session and rights). */
  maxAgeMs: 5 * 60_000,
  /** The browser's EventSource-style reconnection delay, sent as `retry:`. */
  retryMs: 2_000,
};

interface Counters {
  total: number;
  byAccount: Map<string, number>;
}
const countersKey = Symbol.for('betapro-bridge.document-streams');
function counters(): Counters {
  const g = globalThis as Record<symbol, Counters | undefined>;
  return (g[countersKey] ??= { total: 0, byAccount: new Map() });
}

/** Open streams of this process (metrics, tests). */
export function openStreamCount(accountId?: string): number {
  const c = counters();
  return accountId ? (c.byAccount.get(accountId) ?? 0) : c.total;
}

function takeSlot(accountId: string): () => void {
  const c = counters();
  const mine = c.byAccount.get(accountId) ?? 0;
  if (mine >= STREAM_LIMITS.perAccount || c.total >= STREAM_LIMITS.perProcess) {
    throw new AppError('RATE_LIMITED', `live stream refused: ${mine} open for the account, ${c.total} in the process`, {
      userMessage: 'Слишком много открытых виджетов: обновления придут с задержкой.',
      retryAfterMs: 30_000,
    });
  }
  c.byAccount.set(accountId, mine + 1);
  c.total += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    c.total -= 1;
    const left = (c.byAccount.get(accountId) ?? 1) - 1;
    if (left > 0) c.byAccount.set(accountId, left);
    else c.byAccount.delete(accountId);
  };
}

export interface DocumentStreamTarget {
  accountId: string;
  entity: DocumentEntity;
  msId: string;
  /** The view as this session sees it now (the same the widget's GET returns). */
  render?: () => Promise<unknown>;
}

/**
 * Sends the view after a change: one build at a time, and changes during a build cost one more build
 * after it (a transfer commits several changes in a row; the last view is always sent).
 */
function viewSender(render: (() => Promise<unknown>) | undefined, send: (text: string) => void, log: () => void): () => void {
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    running = true;
    do {
      again = false;
      let text = 'event: change\ndata: {}\n\n';
      if (render) {
        try {
          text = `event: view\ndata: ${JSON.stringify(await render())}\n\n`;
        } catch {
          log();
        }
      }
      send(text);
    } while (again);
    running = false;
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}

/**
 * Opens the stream (the caller has checked the session and the view right). The first view is sent
 * at once: whatever changed between the client's last read and this subscription is not lost.
 * One function of about 60 lines: every way the stream ends (client gone, max age, failed write) goes
 * through one `finish` closure that owns the slot, the subscription and the timers.
 */
export async function openDocumentStream(target: DocumentStreamTarget, signal: AbortSignal, limits = STREAM_LIMITS): Promise<Response> {
  const release = takeSlot(target.accountId);
  const encoder = new TextEncoder();
  let unsubscribe: () => void = () => undefined;
  const timers: { heartbeat?: ReturnType<typeof setInterval>; maxAge?: ReturnType<typeof setTimeout> } = {};
  let closed = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(timers.heartbeat);
    clearTimeout(timers.maxAge);
    unsubscribe();
    release();
    try {
      controller.close();
    } catch {
      // already closed by the client
    }
  };
  const send = (text: string) => {
    if (closed) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      finish();
    }
  };

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      finish();
    },
  });
  const changed = viewSender(target.render, send, () =>
    logger.info({ accountId: target.accountId, documentId: target.msId }, 'live view not built; the widget re-reads it'),
  );
  try {
    unsubscribe = await subscribeDocumentChanges(documentChangeKey(target.accountId, target.entity, target.msId), changed);
  } catch (error) {
    finish();
    throw error;
  }
  send(`retry: ${limits.retryMs}\n\n`);
  changed();
  timers.heartbeat = setInterval(() => send(': ping\n\n'), limits.heartbeatMs);
  timers.maxAge = setTimeout(finish, limits.maxAgeMs);
  if (signal.aborted) finish();
  else signal.addEventListener('abort', finish, { once: true });
  logger.debug({ accountId: target.accountId, entity: target.entity, documentId: target.msId }, 'widget live stream opened');

  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      // Not compressed and not buffered by proxies: each event must leave at once.
      'content-encoding': 'none',
      'x-accel-buffering': 'no',
    },
  });
}
