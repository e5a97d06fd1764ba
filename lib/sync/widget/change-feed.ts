/**
 * Live updates of open widgets: which document changed, as soon as the change is committed, in any
 * process. The migration document_changed_notify makes every change of a sync row and every new event
 * NOTIFY `bridge_document_changed` with "<accountId> <entity> <msId>"; this module keeps one listener
 * per process (a dedicated reconnecting connection on PostgreSQL, the embedded database's own
 * listener on PGlite) and calls the subscribers of that document. A lost connection may have missed
 * changes: every (re)connection calls every subscriber once, and the widget re-reads on each call.
 */
import { getConfig } from '@/lib/core/config';
import { logger } from '@/lib/core/logger';
import type { DocumentEntity } from '@/lib/core/domain';
import { getDatabase } from '@/lib/db';
import { listenReconnecting } from '@/lib/db/listen';

export const DOCUMENT_CHANGED_CHANNEL = 'bridge_document_changed';

type Listener = () => void;

interface Feed {
  subscribers: Map<string, Set<Listener>>;
  started?: Promise<void>;
}

// One feed per process, shared by the bundles of a production build (as the database is).
const feedKey = Symbol.for('betapro-bridge.document-change-feed');
function feed(): Feed {
  const g = globalThis as Record<symbol, Feed | undefined>;
  return (g[feedKey] ??= { subscribers: new Map() });
}

export function documentChangeKey(accountId: string, entity: DocumentEntity, msId: string): string {
  return `${accountId} ${entity} ${msId}`;
}

function deliver(key: string): void {
  for (const listener of feed().subscribers.get(key) ?? []) listener();
}

function deliverAll(): void {
  for (const listeners of feed().subscribers.values()) for (const listener of listeners) listener();
}

/** LISTEN on PostgreSQL over one connection that is re-opened with backoff when lost. */
function listenOnServer(databaseUrl: string): Promise<void> {
  return listenReconnecting({
    databaseUrl,
    channel: DOCUMENT_CHANGED_CHANNEL,
    applicationName: 'bridge-change-feed',
    onNotification: (payload) => {
      if (payload) deliver(payload);
    },
    onConnected: deliverAll,
    log: logger,
    lostMessage: 'document change feed lost its connection; reconnecting (widgets poll meanwhile)',
  }).ready();
}

async function startListening(): Promise<void> {
  const database = await getDatabase();
  if (database.listen) {
    await database.listen(DOCUMENT_CHANGED_CHANNEL, deliver);
    return;
  }
  const url = getConfig().DATABASE_URL;
  if (!url) throw new Error('no DATABASE_URL for the document change feed');
  // The first subscriber waits at most this long: until then the widget's safety-net poll covers it.
  await Promise.race([listenOnServer(url), new Promise((resolve) => setTimeout(resolve, 2_000).unref?.())]);
}

/**
 * Calls `onChange` after every committed change of the document (and once per reconnection of the
 * feed) until the returned function is called. The listener is started by the first subscriber.
 */
export async function subscribeDocumentChanges(key: string, onChange: Listener): Promise<() => void> {
  const state = feed();
  if (!state.started) {
    state.started = startListening();
    state.started.catch((error: unknown) => {
      logger.error({ err: error }, 'document change feed could not start; widgets poll instead');
      state.started = undefined;
    });
  }
  await state.started;
  let listeners = state.subscribers.get(key);
  if (!listeners) state.subscribers.set(key, (listeners = new Set()));
  listeners.add(onChange);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0 && state.subscribers.get(key) === listeners) state.subscribers.delete(key);
  };
}
