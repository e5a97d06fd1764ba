import { z } from 'zod';
import { parseParams, withErrors } from '@/lib/api/handler';
import { getDatabase } from '@/lib/db';
import { acceptWebhookDelivery } from '@/lib/sync/triggers/webhook-intake';

export const dynamic = 'force-dynamic';

/**
 * MoySklad webhook delivery. Unsigned: the secret in the path identifies the account; the payload is
 * only a hint (the job re-reads the document). Answers at once; the work is queued.
 */
export const POST = withErrors<{ secret: string }>(async (request, context) => {
  const { secret } = parseParams(await context.params, z.object({ secret: z.string().regex(/^[A-Za-z0-9_-]{10,100}$/) }));
  const db = await getDatabase();
  const requestId = new URL(request.url).searchParams.get('requestId');
  await acceptWebhookDelivery(db.prisma, secret, requestId, request, { singleConnection: db.kind === 'pglite' });
  return new Response(null, { status: 204 });
});
