/**
 * Wrapper for the widget and settings API: the short-lived app token (issued by POST /api/session
 * after exchanging MoySklad's contextKey) is sent as `Authorization: Bearer` — no third-party cookies.
 * Every query is then scoped to the token's account. The route declares the right it needs (the way
 * dub's withWorkspace takes permissions): `admin`, or `view` / `update` on the route's document
 * entity, checked before the handler runs; per-document scopes are checked in lib/sync/rights.
 */
import type { z } from 'zod';
import { getPrisma, type PrismaClient } from '@/lib/db';
import { verifyAppSession } from '@/lib/moysklad/app-session';
import type { DocumentEntity } from '@/lib/core/domain';
import { liveSession } from '@/lib/sync/widget/session-guard';
import { requireAdmin, requireRight, requireStockView, type EntityRight, type Session } from '@/lib/sync/rights';
import { parseParams, withErrors, type RouteContext, type RouteParams } from '@/lib/api/handler';

export type { Session } from '@/lib/sync/rights';

interface SessionRouteArgs<P> {
  request: Request;
  params: P;
  session: Session;
  prisma: PrismaClient;
}

type ParamsOf<S> = S extends z.ZodType ? z.infer<S> : RouteParams;

export interface AppSessionOptions<S extends z.ZodType<{ entity: DocumentEntity }> | undefined> {
  /** Route params schema: parsed (unknown params → 404) before the right is checked. */
  params?: S;
  /**
   * `admin`: account admins only; `stock`: admins and «Просмотр остатков» (the stock reconciliation);
   * `view` / `update`: that right on the `entity` route param.
   */
  right?: 'admin' | 'stock' | EntityRight;
}

export function withAppSession<S extends z.ZodType<{ entity: DocumentEntity }> | undefined = undefined>(
  handler: (args: SessionRouteArgs<ParamsOf<S>>) => Promise<Response>,
  options: AppSessionOptions<S> = {},
) {
  return withErrors<RouteParams>(async (request: Request, context: RouteContext<RouteParams>) => {
    const claims = await verifyAppSession(request.headers.get('authorization'));
    const prisma = await getPrisma();
    // Uninstalled or suspended accounts and rights MoySklad has since withdrawn end the session here.
    const session = await liveSession(prisma, claims);
    const raw = await context.params;
    const params = (options.params ? parseParams(raw, options.params) : raw) as ParamsOf<S>;
    if (options.right === 'admin') requireAdmin(session);
    else if (options.right === 'stock') requireStockView(session);
    else if (options.right) requireRight(session, (params as { entity: DocumentEntity }).entity, options.right);
    return handler({ request, params, session, prisma });
  });
}
