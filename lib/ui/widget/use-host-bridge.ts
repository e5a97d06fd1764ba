'use client';
import { useEffect, useState } from 'react';
import { getBrowserBridge, type HostBridge, type OpenMessage } from '@/lib/ui/moysklad-bridge';

/**
 * The widget's link to MoySklad: the current `Open` (a new one resets the widget: the iframe is
 * reused across documents) and a counter bumped on every `Save` (the form was saved: refresh).
 */
export function useHostBridge(allowedOrigins: readonly string[]) {
  const [bridge, setBridge] = useState<HostBridge | null>(null);
  const [open, setOpen] = useState<OpenMessage | null>(null);
  const [saves, setSaves] = useState(0);

  useEffect(() => {
    const b = getBrowserBridge(allowedOrigins);
    const offOpen = b.onOpen((message) => setOpen(message));
    const offSave = b.onSave(() => setSaves((n) => n + 1));
    // Subscribing happens after the first render; an Open caught earlier is replayed from here.
    // eslint-disable-next-line react-hooks/set-state-in-effect -- one-off sync with an external store
    setBridge(b);
    if (b.lastOpen) setOpen(b.lastOpen);
    return () => {
      offOpen();
      offSave();
    };
    // allowedOrigins comes from the server once per page; the bridge is a page-wide singleton.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return { bridge, open, saves };
}
