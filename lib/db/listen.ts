/**
 * One dedicated PostgreSQL connection that LISTENs on a channel and is re-opened with backoff when
 * lost. Used by the job wake-up (lib/jobs/wake-listener.ts) and the widgets' change feed
 * (lib/sync/widget/change-feed.ts). A lost connection may have missed notifications: `onConnected`
 * runs after every (re)connection so the caller can catch up (docs/architecture.md).
 */
import pg from 'pg';
import type { Logger } from '@/lib/core/logger';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface ChannelListener {
  /** Resolves once the first LISTEN is in place. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export interface ListenOptions {
  databaseUrl: string;
  channel: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  onNotification: (payload: string | undefined) => void;
  onConnected: () => void;
  log: Logger;
  /** What a lost connection means for the product (logged with the reconnect). */
  lostMessage: string;
}

export function listenReconnecting(options: ListenOptions): ChannelListener {
  const { databaseUrl, channel, applicationName, onNotification, onConnected, log, lostMessage } = options;
  let client: pg.Client | undefined;
  let stopped = false;
  let retryMs = RECONNECT_MIN_MS;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let markReady: () => void = () => undefined;
  const readyOnce = new Promise<void>((resolve) => (markReady = resolve));

  function scheduleReconnect(reason: unknown): void {
    if (stopped || retryTimer) return;
    log.warn({ err: reason, retryMs }, lostMessage);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryTimer.unref?.();
    retryMs = Math.min(RECONNECT_MAX_MS, retryMs * 2);
  }

  /** Only the current connection's loss counts: a replaced connection's late events are ignored. */
  function lost(connection: pg.Client, reason: unknown): void {
    if (client !== connection) return;
    client = undefined;
    connection.end().catch(() => undefined);
    scheduleReconnect(reason);
  }

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: databaseUrl, keepAlive: true, application_name: applicationName });
    client = next;
    next.on('notification', (message) => {
      if (message.channel === channel) onNotification(message.payload);
    });
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('connection ended')));
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      lost(next, error);
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    retryMs = RECONNECT_MIN_MS;
    markReady();
    onConnected();
  }

  void connect();
  return {
    ready: () => readyOnce,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
    },
  };
}
