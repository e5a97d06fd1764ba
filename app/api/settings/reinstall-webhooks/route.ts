import { withAppSession } from '@/lib/api/session';
import { reinstallWebhooks } from '@/lib/sync/account/settings-service';

export const dynamic = 'force-dynamic';

export const POST = withAppSession(
  async ({ session, prisma }) => {
    await reinstallWebhooks(prisma, session);
    return Response.json({ ok: true });
  },
  { right: 'admin' },
);
