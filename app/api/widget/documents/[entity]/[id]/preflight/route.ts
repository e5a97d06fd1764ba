import { z } from 'zod';
import { withAppSession } from '@/lib/api/session';
import { parseParams } from '@/lib/api/handler';
import { preflight } from '@/lib/sync/widget/actions';

export const dynamic = 'force-dynamic';

/** What would block sending this document now. */
export const GET = withAppSession(async ({ params, session, prisma }) => {
  const { entity, id } = parseParams(params, z.object({ entity: z.enum(['supply', 'move']), id: z.guid() }));
  return Response.json(await preflight(prisma, session, entity, id));
});
