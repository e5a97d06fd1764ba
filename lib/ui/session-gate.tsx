'use client';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import type { ReactNode } from 'react';
import { useI18n } from '@/lib/ui/i18n/context';
import { LoadFailed } from '@/lib/ui/load-failed';
import type { SessionState } from '@/lib/ui/use-app-session';

/**
 * What a page shows until its session is usable: outside MoySklad, connecting, expired (only a fresh
 * contextKey helps), or failed (retry). `children` renders once the session is ready.
 */
export function SessionGate({
  state,
  onRetry,
  expiredText,
  loading,
  children,
}: {
  state: SessionState;
  onRetry: () => void;
  expiredText: string;
  loading: ReactNode;
  children: ReactNode;
}) {
  const { t } = useI18n();
  switch (state.status) {
    case 'missing':
      return (
        <Box sx={{ p: 1.5 }}>
          <Alert severity="info">{t.common.openFromMoysklad}</Alert>
        </Box>
      );
    case 'loading':
      return <>{loading}</>;
    case 'expired':
      return (
        <Box sx={{ p: 1.5 }}>
          <Alert severity="warning" role="alert" data-testid="session-expired">
            <AlertTitle>{t.common.sessionExpiredTitle}</AlertTitle>
            {expiredText}
          </Alert>
        </Box>
      );
    case 'failed':
      return (
        <Box sx={{ p: 1.5 }}>
          <LoadFailed title={t.common.sessionFailed} message={state.network ? t.common.network : state.message} onRetry={onRetry} />
        </Box>
      );
    case 'ready':
      return <>{children}</>;
  }
}
