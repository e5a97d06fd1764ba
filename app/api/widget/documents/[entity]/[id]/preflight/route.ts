import { withAppSession } from '@/lib/api/session';
import { documentParamsSchema } from '@/lib/api/document-params';
import { preflight } from '@/lib/sync/widget/actions';

export const dynamic = 'force-dynamic';

/** What would block sending this document now. */
export const GET = withAppSession(
  async ({ params: { entity, id }, session, prisma }) => {
    return Response.json(await preflight(prisma, session, entity, id));
  },
  { params: documentParamsSchema, right: 'view' },
);
