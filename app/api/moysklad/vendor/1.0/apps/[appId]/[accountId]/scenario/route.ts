import { withVendorAuth } from '@/lib/api/vendor';
import { parseBody } from '@/lib/api/handler';
import { msScenarioBodySchema } from '@/lib/moysklad/schemas';
import { handleScenarioCall } from '@/lib/sync/triggers/scenario';

export const dynamic = 'force-dynamic';

/** A MoySklad scenario action ("Передать в БетаПРО"): request transfer of the document. */
export const POST = withVendorAuth(async ({ request, params, prisma, requestId }) => {
  const body = await parseBody(request, msScenarioBodySchema);
  const result = await handleScenarioCall(prisma, params.accountId, body, requestId);
  if (!result.ok) {
    // 400 with errorMessage: MoySklad shows it in the scenario's run history and does not retry.
    return Response.json({ errorMessage: result.message }, { status: 400 });
  }
  return Response.json({ status: result.state });
});
