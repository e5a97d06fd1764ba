import { z } from 'zod';
import { withAppSession } from '@/lib/api/session';
import { parseBody, parseParams } from '@/lib/api/handler';
import { identifyRequestSchema } from '@/lib/api/contract';
import { buildDocumentView } from '@/lib/sync/widget/document-view';
import { identifyUnknownGood } from '@/lib/sync/receipt/recognition';

export const dynamic = 'force-dynamic';

/** An admin maps a good BetaPRO received under a temporary code to a MoySklad product. */
export const POST = withAppSession(async ({ request, params, session, prisma }) => {
  const { entity, id } = parseParams(params, z.object({ entity: z.enum(['supply', 'move']), id: z.guid() }));
  const input = await parseBody(request, identifyRequestSchema);
  await identifyUnknownGood(prisma, session, entity, id, input);
  return Response.json(await buildDocumentView(prisma, session, entity, id));
});
