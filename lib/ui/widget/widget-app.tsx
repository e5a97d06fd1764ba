'use client';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import { useEffect } from 'react';
import type { DocumentView } from '@/lib/api/contract';
import { localeFrom, type Messages } from '@/lib/ui/i18n';
import { I18nProvider, useI18n } from '@/lib/ui/i18n/context';
import { SessionGate } from '@/lib/ui/session-gate';
import { useAppSession } from '@/lib/ui/use-app-session';
import { DocumentPanel } from '@/lib/ui/widget/document-panel';
import { useHostBridge } from '@/lib/ui/widget/use-host-bridge';
import { WidgetSkeleton } from '@/lib/ui/widget/widget-skeleton';

export interface WidgetAppProps {
  entity: DocumentView['entity'];
  contextKey?: string;
  userLocale?: string;
  /** Host origins allowed to talk to the widget (FRAME_ANCESTORS). */
  allowedOrigins: string[];
}

function WidgetBody({ entity, contextKey, userLocale, allowedOrigins }: WidgetAppProps) {
  const { t } = useI18n();
  const { state, retry } = useAppSession(contextKey, userLocale);
  const { bridge, open, saves } = useHostBridge(allowedOrigins);
  const openId = open?.messageId;

  // open-feedback: the host hides its loader once the widget has reset for this Open (after render).
  useEffect(() => {
    if (bridge && openId !== undefined) bridge.openFeedback(openId);
  }, [bridge, openId]);

  return (
    <SessionGate
      state={state}
      onRetry={retry}
      expiredText={t.common.sessionExpired}
      loading={<WidgetSkeleton label={t.common.sessionStarting} />}
    >
      {state.status === 'ready' &&
        (!open ? (
          contextKey ? (
            <WidgetSkeleton label={t.widget.waitingForOpen} />
          ) : null
        ) : !open.objectId ? (
          <Box sx={{ p: 1.5 }}>
            <Alert severity="info">{t.widget.noDocument}</Alert>
          </Box>
        ) : (
          // keyed by the Open: every Open starts from a clean widget (the iframe is reused).
          <DocumentPanel
            key={open.messageId}
            entity={entity}
            objectId={open.objectId}
            openId={open.messageId}
            saves={saves}
            client={state.client}
            bridge={bridge}
            isAdmin={state.session.user.isAdmin}
          />
        ))}
    </SessionGate>
  );
}

const titleOf = (t: Messages) => t.widget.pageTitle;

export function WidgetApp(props: WidgetAppProps) {
  // The URL's userLocale decides at once; the session confirms it (same rule on the server).
  const locale = localeFrom(props.userLocale);
  return (
    <I18nProvider locale={locale} title={titleOf}>
      <Box lang={locale} sx={{ width: '100%', maxWidth: 400, minHeight: '100%', bgcolor: 'background.paper' }}>
        <WidgetBody {...props} />
      </Box>
    </I18nProvider>
  );
}
