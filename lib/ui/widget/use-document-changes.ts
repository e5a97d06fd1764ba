'use client';
import { useEffect, useRef, useState } from 'react';
import { SessionExpiredError, type ApiClient } from '@/lib/ui/api-client';

/** Reconnection delays after a stream failed or was refused (the server's own end reconnects at once). */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** Changes arriving this close together cost one re-read (a transfer commits several in a row). */
const COALESCE_MS = 30;

function pageVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState !== 'hidden';
}

/** Calls `onEvent` with the name of every complete SSE event in the stream until it ends. */
async function readEvents(response: Response, onEvent: (name: string) => void): Promise<void> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = block
        .split('\n')
        .find((line) => line.startsWith('event:'))
        ?.slice(6)
        .trim();
      if (name) onEvent(name);
    }
  }
}

/**
 * The document's live stream (GET …/events, Server-Sent Events read with fetch because EventSource
 * cannot send the app token) while the page is visible: `onChange` runs whenever the server says the
 * document changed, and once at every (re)connection. Closed while the page is hidden (MoySklad hides
 * the frame with the tab) and reopened when it shows again. Returns whether the stream is open now:
 * the caller keeps its own polling only as a slow safety net while it is.
 */
export function useDocumentChanges(client: ApiClient, path: string, onChange: () => void): boolean {
  const [connected, setConnected] = useState(false);
  const [visible, setVisible] = useState(pageVisible);
  const latest = useRef(onChange);
  useEffect(() => {
    latest.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const update = () => setVisible(pageVisible());
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);

  useEffect(() => {
    if (!visible) return;
    const abort = new AbortController();
    let coalesce: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      coalesce ??= setTimeout(() => {
        coalesce = undefined;
        latest.current();
      }, COALESCE_MS);
    };
    void (async () => {
      let retryMs = RETRY_MIN_MS;
      while (!abort.signal.aborted) {
        try {
          const response = await client.stream(path, abort.signal);
          const openedAt = Date.now();
          setConnected(true);
          await readEvents(response, (name) => {
            if (name === 'change') changed();
          });
          // The server ends streams after a while: reconnect at once (fresh session and rights check),
          // unless streams keep ending as soon as they open (a proxy cutting them): then back off.
          if (Date.now() - openedAt > RETRY_MIN_MS) {
            retryMs = RETRY_MIN_MS;
            continue;
          }
        } catch (error) {
          // An expired session ends everything; the page shows it (api-client's onUnauthorized).
          if (error instanceof SessionExpiredError || abort.signal.aborted) return;
        } finally {
          setConnected(false);
        }
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      }
    })();
    return () => {
      clearTimeout(coalesce);
      abort.abort();
    };
  }, [client, path, visible]);

  return connected;
}
