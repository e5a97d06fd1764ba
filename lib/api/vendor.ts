/**
 * Wrapper for the endpoints MoySklad calls (Vendor API): checks the HS256 JWT (secret, exp/iat,
 * jti replay) and the appId before the handler runs; answers JSON as MoySklad expects.
 */
import { z } from 'zod';
import { getConfig } from '@/lib/core/config';
import { getPrisma, type PrismaClient } from '@/lib/db';
import { PrismaJtiStore } from '@/lib/moysklad/jti-store';
import { verifyVendorJwt } from '@/lib/moysklad/vendor-jwt';
import { assertOurApp } from '@/lib/sync/account/lifecycle';
import { parseParams, withErrors, type RouteContext } from '@/lib/api/handler';

// MoySklad's appId and accountId are UUIDs: anything else is not a call from MoySklad.
const paramsSchema = z.object({ appId: z.guid(), accountId: z.guid() });
export type VendorParams = z.infer<typeof paramsSchema>;

export function withVendorAuth(
  handler: (args: { request: Request; params: VendorParams; prisma: PrismaClient; requestId: string | null }) => Promise<Response>,
) {
  return withErrors<VendorParams>(async (request: Request, context: RouteContext<VendorParams>) => {
    const params = parseParams(await context.params, paramsSchema);
    const prisma = await getPrisma();
    await verifyVendorJwt(request.headers.get('authorization'), {
      secret: getConfig().MOYSKLAD_SECRET_KEY,
      jtiStore: new PrismaJtiStore(prisma),
    });
    assertOurApp(params.appId);
    return handler({
      request,
      params,
      prisma,
      requestId: request.headers.get('x_lognex_requestid') ?? request.headers.get('x-lognex-requestid'),
    });
  });
}
