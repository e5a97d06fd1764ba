/**
 * Adaptive warehouse polling (docs/product.md §8): while any task of an account is being received (document
 * in `receiving`, i.e. goods_supply_start or a part arrived) or was sent within the last hours (the
 * warehouse may start on it any moment), the account is polled every ACTIVE_POLL_INTERVAL_SEC; otherwise
 * at its configured interval. Never more often than BetaPRO's request quotas (GET /settings → rate_limits)
 * allow the poll's share; the quotas are read at most once an hour per account.
 */
import type { Db } from '@/lib/db';
import { logFor } from '@/lib/core/logger';
import type { BetaproQuota } from '@/lib/betapro/types';
import type { Account } from '@/lib/sync/account/accounts';
import { betaproClientFor } from '@/lib/sync/account/clients';

export const ACTIVE_POLL_INTERVAL_SEC = 15;
/** A task sent this recently counts as active: the warehouse usually starts receiving within hours. */
export const RECENTLY_SENT_MS = 6 * 3_600_000;
/** Share of each BetaPRO request quota the poll may use; the rest stays for transfers and corrections. */
export const POLL_QUOTA_SHARE = 0.25;
/** Requests one quiet poll makes (new outdocs, correction requests). */
export const REQUESTS_PER_POLL = 2;
const QUOTA_TTL_MS = 3_600_000;

/** Shortest interval (s) at which polls alone stay within POLL_QUOTA_SHARE of the request quotas. */
export function quotaFloorSec(requests: Pick<BetaproQuota, 'perDay' | 'perMinute'> | undefined): number {
  if (!requests) return 0;
  const perMinute = requests.perMinute > 0 ? (60 * REQUESTS_PER_POLL) / (requests.perMinute * POLL_QUOTA_SHARE) : 0;
  const perDay = requests.perDay > 0 ? (86_400 * REQUESTS_PER_POLL) / (requests.perDay * POLL_QUOTA_SHARE) : 0;
  return Math.ceil(Math.max(perMinute, perDay));
}

export async function hasActiveTasks(prisma: Db, accountId: string, now = new Date()): Promise<boolean> {
  const active = await prisma.syncDocument.findFirst({
    where: {
      accountId,
      OR: [{ state: 'receiving' }, { state: 'sent', sentAt: { gte: new Date(now.getTime() - RECENTLY_SENT_MS) } }],
    },
    select: { id: true },
  });
  return active !== null;
}

type QuotaCache = Map<string, { requests?: BetaproQuota; readAt: number }>;
const cacheKey = Symbol.for('betapro-bridge.poll-quota');
const quotaCache: QuotaCache = ((globalThis as Record<symbol, QuotaCache | undefined>)[cacheKey] ??= new Map());

/** The account's BetaPRO request quota, read from GET /settings at most hourly; undefined when unknown. */
async function requestQuota(account: Account): Promise<BetaproQuota | undefined> {
  const cached = quotaCache.get(account.accountId);
  if (cached && Date.now() - cached.readAt < QUOTA_TTL_MS) return cached.requests;
  let requests: BetaproQuota | undefined;
  try {
    const settings = await (await betaproClientFor(account)).getSettings();
    requests = settings.rateLimits.quotas.find((q) => q.kind === 'requests');
  } catch (error) {
    logFor({ accountId: account.accountId }).warn({ err: error }, 'BetaPRO quotas unknown; polling at the configured interval');
    return undefined;
  }
  quotaCache.set(account.accountId, { requests, readAt: Date.now() });
  return requests;
}

/**
 * Seconds until the account's next poll. `quota` is for tests; the job reads it from BetaPRO. Quotas
 * unknown (BetaPRO unreachable): the configured interval, the safe choice.
 */
export async function nextPollIntervalSec(prisma: Db, account: Account, quota?: () => Promise<BetaproQuota | undefined>): Promise<number> {
  const configured = account.settings.pollIntervalSec;
  if (configured <= ACTIVE_POLL_INTERVAL_SEC || !(await hasActiveTasks(prisma, account.accountId))) return configured;
  const requests = await (quota ?? (() => requestQuota(account)))();
  if (!requests) return configured;
  return Math.min(configured, Math.max(ACTIVE_POLL_INTERVAL_SEC, quotaFloorSec(requests)));
}
