'use client';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import { useI18n } from '@/lib/ui/i18n/context';

/** The first load failed (the settings page, the widget): the reason and a retry, never an empty screen. */
export function LoadFailed({ message, onRetry, title }: { message: string; onRetry: () => void; title?: string }) {
  const { t } = useI18n();
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        <Button color="inherit" onClick={onRetry}>
          {t.common.retryLoad}
        </Button>
      }
    >
      <AlertTitle>{title ?? t.common.loadFailed}</AlertTitle>
      {message}
    </Alert>
  );
}
