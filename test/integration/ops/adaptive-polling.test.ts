/**
 * Adaptive warehouse polling: 15 s while a task of the account is being received or was sent in the
 * last hours, the configured interval otherwise, and never more often than BetaPRO's request quotas allow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, type Account } from '@/lib/sync/account/accounts';
import { ACTIVE_POLL_INTERVAL_SEC, nextPollIntervalSec, quotaFloorSec } from '@/lib/sync/receipt/poll-interval';
import type { BetaproQuota } from '@/lib/betapro/types';
import { openTestDatabase, type TestDatabase } from '../../support/db';

const HOUR = 3_600_000;
const generousQuota = async (): Promise<BetaproQuota> => ({
  kind: 'requests',
  label: 'Запросов',
  perDay: 1_000_000,
  perMinute: 1_000,
});

describe('quota floor', () => {
  it('keeps polls within a quarter of the per-minute and per-day request quotas', () => {
    expect(quotaFloorSec(undefined)).toBe(0);
    expect(quotaFloorSec({ perDay: 1_000_000, perMinute: 1_000 })).toBe(1);
    // 2 requests per poll, a quarter of 2,000 a day → one poll every 345.6 s at most.
    expect(quotaFloorSec({ perDay: 2_000, perMinute: 100 })).toBe(346);
    // a quarter of 20 a minute → one poll every 24 s.
    expect(quotaFloorSec({ perDay: 1_000_000, perMinute: 20 })).toBe(24);
  });
});

describe('next poll interval', () => {
  let db: TestDatabase;
  let n = 0;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await db?.close();
  });

  async function accountWith(documents: Array<{ state: string; sentAt?: Date }>, pollIntervalSec = 300): Promise<Account> {
    const accountId = `acc-poll-${++n}`;
    await db.prisma.installation.create({
      data: { accountId, appId: 'app', webhookSecretHash: `secret-${accountId}` },
    });
    for (const [i, doc] of documents.entries()) {
      await db.prisma.syncDocument.create({
        data: { accountId, entity: 'supply', msId: `doc-${i}`, state: doc.state, sentAt: doc.sentAt ?? null },
      });
    }
    return { accountId, settings: { ...defaultSettings(), pollIntervalSec } } as Account;
  }

  it('polls every 15 s while a task is being received', async () => {
    const account = await accountWith([{ state: 'posted' }, { state: 'receiving', sentAt: new Date(Date.now() - 48 * HOUR) }]);
    expect(await nextPollIntervalSec(db.prisma, account, generousQuota)).toBe(ACTIVE_POLL_INTERVAL_SEC);
  });

  it('polls every 15 s after a task was sent recently, at the configured interval once it is old', async () => {
    const recent = await accountWith([{ state: 'sent', sentAt: new Date(Date.now() - HOUR) }]);
    expect(await nextPollIntervalSec(db.prisma, recent, generousQuota)).toBe(ACTIVE_POLL_INTERVAL_SEC);
    const old = await accountWith([{ state: 'sent', sentAt: new Date(Date.now() - 7 * HOUR) }]);
    expect(await nextPollIntervalSec(db.prisma, old, generousQuota)).toBe(300);
  });

  it('keeps the configured interval with nothing in flight, or when it is already shorter', async () => {
    const idle = await accountWith([{ state: 'posted' }, { state: 'not_sent' }]);
    expect(await nextPollIntervalSec(db.prisma, idle, generousQuota)).toBe(300);
    const fast = await accountWith([{ state: 'receiving' }], 15);
    expect(await nextPollIntervalSec(db.prisma, fast, generousQuota)).toBe(15);
  });

  it('never polls beyond the quota, and keeps the configured interval when the quota is unknown', async () => {
    const busy = await accountWith([{ state: 'receiving' }], 600);
    const tight = async (): Promise<BetaproQuota> => ({
      kind: 'requests',
      label: 'Запросов',
      perDay: 2_000,
      perMinute: 100,
    });
    expect(await nextPollIntervalSec(db.prisma, busy, tight)).toBe(346);
    expect(await nextPollIntervalSec(db.prisma, busy, async () => undefined)).toBe(600);
  });
});
