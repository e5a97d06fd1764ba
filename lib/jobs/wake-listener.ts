/**
 * Cross-process wake-up on PostgreSQL: one dedicated connection per process LISTENs on the channel the
 * Job table's trigger NOTIFYs at every commit that adds jobs (migration job_enqueued_notify), so a worker
 * in another process claims a new job within milliseconds instead of at its next poll. The poll stays
 * as the safety net: a lost connection is re-opened with backoff, and every (re)connection wakes the
 * workers once, since jobs may have been added while nobody was listening.
 */
import pg from 'pg';
import type { Logger } from '@/lib/core/logger';

export const JOB_ENQUEUED_CHANNEL = 'bridge_job_enqueued';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface WakeListener {
  /** Resolves once the LISTEN is in place (tests; the worker does not wait for it). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export function listenForEnqueuedJobs(databaseUrl: string, onWake: () => void, log: Logger): WakeListener {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryMs = RECONNECT_MIN_MS;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let markReady: () => void = () => undefined;
  const readyOnce = new Promise<void>((resolve) => (markReady = resolve));

  function scheduleReconnect(reason: unknown): void {
    if (stopped || retryTimer) return;
    log.warn({ err: reason, retryMs }, 'job wake-up connection lost; reconnecting (the poll covers the gap)');
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
    const next = new pg.Client({
      connectionString: databaseUrl,
      keepAlive: true,
      application_name: 'bridge-job-listener',
    });
    client = next;
    next.on('notification', (message) => {
      if (message.channel === JOB_ENQUEUED_CHANNEL) onWake();
    });
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('connection ended')));
    try {
      await next.connect();
      await next.query(`LISTEN ${JOB_ENQUEUED_CHANNEL}`);
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
    onWake();
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
