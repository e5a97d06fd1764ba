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

/** Calls `onEvent` with the name and data of every complete SSE event in the stream until it ends. */
async function readEvents(response: Response, onEvent: (name: string, data: string) => void): Promise<void> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const name = lines
        .find((line) => line.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (name) onEvent(name, data);
    }
  }
}

/** A pushed view is shown as it is; a bare change (or a view that does not parse) costs a re-read. */
function dispatch<V>(name: string, data: string, onView: (view: V) => void, changed: () => void): void {
  if (name === 'change') changed();
  if (name !== 'view') return;
  try {
    onView(JSON.parse(data) as V);
  } catch {
    changed();
  }
}

/**
 * The document's live stream (GET …/events, Server-Sent Events read with fetch because EventSource
 * cannot send the app token) while the page is visible: `onView` gets the document's view the server
 * pushes after every change (and at every (re)connection); `onChange` runs when the server could only
 * say that it changed (the caller re-reads). Closed while the page is hidden (MoySklad hides
 * the frame with the tab) and reopened when it shows again. Returns whether the stream is open now:
 * the caller keeps its own polling only as a slow safety net while it is.
 */
export function useDocumentChanges<V>(client: ApiClient, path: string, onChange: () => void, onView: (view: V) => void): boolean {
  const [connected, setConnected] = useState(false);
  const [visible, setVisible] = useState(pageVisible);
  const latest = useRef(onChange);
  const latestView = useRef(onView);
  useEffect(() => {
    latest.current = onChange;
    latestView.current = onView;
  }, [onChange, onView]);

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
          await readEvents(response, (name, data) => dispatch(name, data, latestView.current, changed));
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
