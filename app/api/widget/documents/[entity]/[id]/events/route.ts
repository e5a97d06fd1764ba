import { withAppSession } from '@/lib/api/session';
import { documentParamsSchema } from '@/lib/api/document-params';
import { requireScopedRight } from '@/lib/sync/widget/actions';
import { openDocumentStream } from '@/lib/sync/widget/document-stream';

export const dynamic = 'force-dynamic';

/** Server-Sent Events: `change` whenever the document changed (the widget re-reads its view). */
export const GET = withAppSession(
  async ({ request, params: { entity, id }, session, prisma }) => {
    await requireScopedRight(prisma, session, entity, id, 'view');
    return openDocumentStream({ accountId: session.accountId, entity, msId: id }, request.signal);
  },
  { params: documentParamsSchema, right: 'view' },
);
