import { withAppSession } from '@/lib/api/session';
import { parseBody } from '@/lib/api/handler';
import { testConnectionRequestSchema } from '@/lib/api/contract';
import { testConnection } from '@/lib/sync/account/settings-service';

export const dynamic = 'force-dynamic';

/** Checks BetaPRO credentials and shows the account's rate limits. */
export const POST = withAppSession(
  async ({ request, session, prisma }) => {
    const input = await parseBody(request, testConnectionRequestSchema);
    return Response.json(await testConnection(prisma, session, input));
  },
  { right: 'admin' },
);
