/**
 * Cross-process wake-up on PostgreSQL: one dedicated connection per process LISTENs on the channel the
 * Job table's trigger NOTIFYs at every commit that adds jobs (migration job_enqueued_notify), so a worker
 * in another process claims a new job within milliseconds instead of at its next poll. The poll stays
 * as the safety net: a lost connection is re-opened with backoff, and every (re)connection wakes the
 * workers once, since jobs may have been added while nobody was listening.
 */
import type { Logger } from '@/lib/core/logger';
import { listenReconnecting, type ChannelListener } from '@/lib/db/listen';

export const JOB_ENQUEUED_CHANNEL = 'bridge_job_enqueued';

export type WakeListener = ChannelListener;

export function listenForEnqueuedJobs(databaseUrl: string, onWake: () => void, log: Logger): WakeListener {
  return listenReconnecting({
    databaseUrl,
    channel: JOB_ENQUEUED_CHANNEL,
    applicationName: 'bridge-job-listener',
    onNotification: () => onWake(),
    onConnected: onWake,
    log,
    lostMessage: 'job wake-up connection lost; reconnecting (the poll covers the gap)',
  });
}
