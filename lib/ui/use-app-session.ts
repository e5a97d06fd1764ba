'use client';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SessionResponse } from '@/lib/api/contract';
import { ApiClient, ApiError, NetworkError, SessionExpiredError, startSession } from '@/lib/ui/api-client';

export type SessionState =
  | { status: 'missing' }
  | { status: 'loading' }
  | { status: 'ready'; session: SessionResponse; client: ApiClient }
  | { status: 'expired' }
  | { status: 'failed'; message: string; network: boolean };

/**
 * One exchange per contextKey for the life of the page: the key is single-use, and React's strict
 * mode (and remounts) would otherwise spend it twice. The promise, not the token, is shared.
 */
const exchanges = new Map<string, Promise<SessionResponse>>();

function exchange(contextKey: string, userLocale: string | undefined): Promise<SessionResponse> {
  let pending = exchanges.get(contextKey);
  if (!pending) {
    pending = startSession(contextKey, userLocale);
    exchanges.set(contextKey, pending);
    // A network failure may be retried with the same key (it was probably never used).
    pending.catch((error) => {
      if (error instanceof NetworkError) exchanges.delete(contextKey);
    });
  }
  return pending;
}

export function useAppSession(contextKey: string | undefined, userLocale: string | undefined) {
  const [state, setState] = useState<SessionState>(contextKey ? { status: 'loading' } : { status: 'missing' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!contextKey) return;
    let live = true;
    exchange(contextKey, userLocale).then(
      (session) => {
        if (!live) return;
        const client = new ApiClient({
          token: session.token,
          onUnauthorized: () => setState({ status: 'expired' }),
        });
        setState({ status: 'ready', session, client });
      },
      (error: unknown) => {
        if (!live) return;
        if (error instanceof SessionExpiredError) setState({ status: 'expired' });
        else if (error instanceof NetworkError) setState({ status: 'failed', message: error.message, network: true });
        else
          setState({
            status: 'failed',
            message: error instanceof ApiError ? error.message : String(error),
            network: false,
          });
      },
    );
    return () => {
      live = false;
    };
  }, [contextKey, userLocale, attempt]);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const markExpired = useCallback(() => setState({ status: 'expired' }), []);

  return useMemo(() => ({ state, retry, markExpired }), [state, retry, markExpired]);
}
