import { withAppSession } from '@/lib/api/session';
import { parseBody } from '@/lib/api/handler';
import { documentParamsSchema } from '@/lib/api/document-params';
import { actionRequestSchema } from '@/lib/api/contract';
import { buildDocumentView } from '@/lib/sync/widget/document-view';
import { runWidgetAction } from '@/lib/sync/widget/actions';

export const dynamic = 'force-dynamic';

/** send | retry | check | cancel | post — checked against state and the user's rights, then queued. */
export const POST = withAppSession(
  async ({ request, params: { entity, id }, session, prisma }) => {
    const { action } = await parseBody(request, actionRequestSchema);
    await runWidgetAction(prisma, session, entity, id, action);
    return Response.json(await buildDocumentView(prisma, session, entity, id), { status: 202 });
  },
  { params: documentParamsSchema, right: 'update' },
);
