import { withAppSession } from '@/lib/api/session';
import { documentParamsSchema } from '@/lib/api/document-params';
import { requireScopedRight } from '@/lib/sync/widget/actions';
import { openDocumentStream } from '@/lib/sync/widget/document-stream';
import { buildDocumentView } from '@/lib/sync/widget/document-view';

export const dynamic = 'force-dynamic';

/** Server-Sent Events: the document's view whenever the document changed (lib/sync/widget/document-stream.ts). */
export const GET = withAppSession(
  async ({ request, params: { entity, id }, session, prisma }) => {
    await requireScopedRight(prisma, session, entity, id, 'view');
    const render = () => buildDocumentView(prisma, session, entity, id);
    return openDocumentStream({ accountId: session.accountId, entity, msId: id, render }, request.signal);
  },
  { params: documentParamsSchema, right: 'view' },
);
