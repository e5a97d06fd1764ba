import { withAppSession } from '@/lib/api/session';
import { messagesFor } from '@/lib/ui/i18n';
import { stockCsvResponse } from '@/lib/sync/stock/csv';

export const dynamic = 'force-dynamic';

/** The last reconciliation as CSV (UTF-8 with BOM), titled in the user's language. */
export const GET = withAppSession(
  async ({ session, prisma }) => stockCsvResponse(prisma, session.accountId, messagesFor(session.locale).stock.csv),
  { right: 'stock' },
);
