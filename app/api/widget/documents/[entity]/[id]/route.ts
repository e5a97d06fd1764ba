import { withAppSession } from '@/lib/api/session';
import { documentParamsSchema } from '@/lib/api/document-params';
import { requireScopedRight } from '@/lib/sync/widget/actions';
import { buildDocumentView } from '@/lib/sync/widget/document-view';

export const dynamic = 'force-dynamic';

/** The widget's view of one document of the user's own account. */
export const GET = withAppSession(
  async ({ params: { entity, id }, session, prisma }) => {
    await requireScopedRight(prisma, session, entity, id, 'view');
    return Response.json(await buildDocumentView(prisma, session, entity, id));
  },
  { params: documentParamsSchema, right: 'view' },
);
