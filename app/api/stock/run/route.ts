import { withAppSession } from '@/lib/api/session';
import { reconcileNow } from '@/lib/sync/stock/service';

export const dynamic = 'force-dynamic';

/** «Сверить сейчас»: queues a reconciliation (one waits at most); 202 with the waiting run. */
export const POST = withAppSession(
  async ({ session, prisma }) => Response.json({ pending: await reconcileNow(prisma, session) }, { status: 202 }),
  { right: 'stock' },
);
