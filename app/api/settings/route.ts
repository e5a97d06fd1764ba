import { withAppSession } from '@/lib/api/session';
import { parseBody } from '@/lib/api/handler';
import { settingsInputSchema } from '@/lib/api/contract';
import { readSettings, saveSettings } from '@/lib/sync/account/settings-service';

export const dynamic = 'force-dynamic';

/** Settings with options from MoySklad and health; everyone of the account may read. */
export const GET = withAppSession(async ({ session, prisma }) => Response.json(await readSettings(prisma, session)));

/** Save (admins only). Field errors come back as 422 { error: { details: { fieldErrors } } }. */
export const PUT = withAppSession(
  async ({ request, session, prisma }) => {
    const input = await parseBody(request, settingsInputSchema);
    await saveSettings(prisma, session, input);
    return Response.json(await readSettings(prisma, session));
  },
  { right: 'admin' },
);
