import { withAppSession } from '@/lib/api/session';
import { readStock } from '@/lib/sync/stock/service';

export const dynamic = 'force-dynamic';

/** The last stock reconciliation (admins and «Просмотр остатков»; docs/stock-reconciliation.md). */
export const GET = withAppSession(async ({ session, prisma }) => Response.json(await readStock(prisma, session)), { right: 'stock' });
