import { withVendorAuth } from '@/lib/api/vendor';
import { parseBody } from '@/lib/api/handler';
import { msButtonBodySchema } from '@/lib/moysklad/schemas';
import { handleButtonPress } from '@/lib/sync/bulk/press';

export const dynamic = 'force-dynamic';

/** A custom button pressed in MoySklad: «Передать на склад БетаПРО» on the supply or move list. */
export const POST = withVendorAuth(async ({ request, params, prisma, requestId }) => {
  const body = await parseBody(request, msButtonBodySchema);
  const answer = await handleButtonPress(prisma, params.accountId, body, requestId);
  // 400 with error.errorMessage: MoySklad shows the message to the user who pressed.
  if (!answer.ok) return Response.json({ error: { errorMessage: answer.message } }, { status: 400 });
  return Response.json(answer.body);
});
