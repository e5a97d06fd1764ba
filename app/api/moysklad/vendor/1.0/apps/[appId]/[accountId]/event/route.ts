import { withVendorAuth } from '@/lib/api/vendor';
import { parseBody } from '@/lib/api/handler';
import { msEventBodySchema } from '@/lib/moysklad/schemas';
import { permissionsChanged } from '@/lib/sync/account/lifecycle';

export const dynamic = 'force-dynamic';

/** Additional events (declared updatePermissions): the account accepted a new set of permissions. */
export const PUT = withVendorAuth(async ({ request, params, prisma }) => {
  const body = await parseBody(request, msEventBodySchema);
  await permissionsChanged(prisma, params.accountId, body);
  return Response.json({});
});
