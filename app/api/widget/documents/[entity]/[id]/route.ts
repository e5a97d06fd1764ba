import { z } from 'zod';
import { withAppSession } from '@/lib/api/session';
import { requireScopedRight } from '@/lib/sync/widget/actions';
import { parseParams } from '@/lib/api/handler';
import { buildDocumentView } from '@/lib/sync/widget/document-view';

export const dynamic = 'force-dynamic';

const documentParamsSchema = z.object({ entity: z.enum(['supply', 'move']), id: z.guid() });

/** The widget's view of one document of the user's own account. */
export const GET = withAppSession(async ({ params, session, prisma }) => {
  const { entity, id } = parseParams(params, documentParamsSchema);
  await requireScopedRight(prisma, session, entity, id, 'view');
  return Response.json(await buildDocumentView(prisma, session, entity, id));
});
