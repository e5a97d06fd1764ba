import { withAppSession } from '@/lib/api/session';
import { parseBody } from '@/lib/api/handler';
import { documentParamsSchema } from '@/lib/api/document-params';
import { identifyRequestSchema } from '@/lib/api/contract';
import { buildDocumentView } from '@/lib/sync/widget/document-view';
import { identifyUnknownGood } from '@/lib/sync/receipt/recognition';

export const dynamic = 'force-dynamic';

/** An admin maps a good BetaPRO received under a temporary code to a MoySklad product. */
export const POST = withAppSession(
  async ({ request, params: { entity, id }, session, prisma }) => {
    const input = await parseBody(request, identifyRequestSchema);
    await identifyUnknownGood(prisma, session, entity, id, input);
    return Response.json(await buildDocumentView(prisma, session, entity, id));
  },
  { params: documentParamsSchema, right: 'admin' },
);
