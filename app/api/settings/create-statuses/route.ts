import { withAppSession } from '@/lib/api/session';
import { parseBody } from '@/lib/api/handler';
import { createStatusesRequestSchema } from '@/lib/api/contract';
import { createStatuses } from '@/lib/sync/account/settings-service';

export const dynamic = 'force-dynamic';

/** Creates the four statuses for a document type (needs the admin scope). */
export const POST = withAppSession(
  async ({ request, session, prisma }) => {
    const { entity } = await parseBody(request, createStatusesRequestSchema);
    return Response.json(await createStatuses(prisma, session, entity));
  },
  { right: 'admin' },
);
