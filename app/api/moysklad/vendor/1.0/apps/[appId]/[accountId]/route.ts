import { withVendorAuth } from '@/lib/api/vendor';
import { parseBody } from '@/lib/api/handler';
import { msActivationBodySchema, msDeactivationBodySchema } from '@/lib/moysklad/schemas';
import { activate, deactivate } from '@/lib/sync/account/lifecycle';

export const dynamic = 'force-dynamic';

/** Activation: install, resume, tariff change, auto-renewal. Idempotent. */
export const PUT = withVendorAuth(async ({ request, params, prisma }) => {
  const body = await parseBody(request, msActivationBodySchema);
  const status = await activate(prisma, params.accountId, body);
  return Response.json({ status });
});

/** Deactivation: uninstall or suspend. 204 when the account was never installed. */
export const DELETE = withVendorAuth(async ({ request, params, prisma }) => {
  const body = await parseBody(request, msDeactivationBodySchema);
  const result = await deactivate(prisma, params.accountId, body);
  return result === 'absent' ? new Response(null, { status: 204 }) : Response.json({});
});

/** Legacy status check ("currently not used" by MoySklad, still documented). */
export const GET = withVendorAuth(async ({ params, prisma }) => {
  const installation = await prisma.installation.findUnique({ where: { accountId: params.accountId } });
  if (!installation || installation.status === 'uninstalled') {
    return Response.json({ error: { code: 'NOT_FOUND', message: 'Решение не установлено.' } }, { status: 404 });
  }
  return Response.json({ status: installation.status === 'suspended' ? 'Suspended' : installation.reportedStatus });
});
