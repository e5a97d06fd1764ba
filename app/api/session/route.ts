import { parseBody, withErrors } from '@/lib/api/handler';
import { sessionRequestSchema, type SessionResponse } from '@/lib/api/contract';
import { limitSessionByAddress, limitSessionByContextKey } from '@/lib/api/request-limits';
import { startAppSession } from '@/lib/sync/widget/start-session';

export const dynamic = 'force-dynamic';

/** Exchanges MoySklad's one-off contextKey for the app token the page sends on every call. */
export const POST = withErrors(async (request) => {
  limitSessionByAddress(request);
  const input = await parseBody(request, sessionRequestSchema);
  limitSessionByContextKey(input.contextKey);
  const response: SessionResponse = await startAppSession(input.contextKey, input.userLocale);
  return Response.json(response);
});
