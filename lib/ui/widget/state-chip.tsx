'use client';
import Chip from '@mui/material/Chip';
import type { SyncState } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';

type ChipColor = 'default' | 'primary' | 'info' | 'success' | 'warning' | 'error';

/** Colours by meaning: grey = nothing happening, blue = in progress, green = done, orange = needs a
 * person, red = failed. */
export const STATE_COLOR: Record<SyncState, { color: ChipColor; variant: 'filled' | 'outlined' }> = {
  not_sent: { color: 'default', variant: 'outlined' },
  queued: { color: 'info', variant: 'outlined' },
  sending: { color: 'info', variant: 'filled' },
  sent: { color: 'primary', variant: 'filled' },
  error: { color: 'error', variant: 'filled' },
  receiving: { color: 'info', variant: 'filled' },
  review: { color: 'warning', variant: 'filled' },
  posted: { color: 'success', variant: 'filled' },
  cancelled: { color: 'default', variant: 'filled' },
  expired: { color: 'error', variant: 'outlined' },
};

export function StateChip({ state }: { state: SyncState }) {
  const { t } = useI18n();
  const style = STATE_COLOR[state];
  return (
    <Chip
      data-testid="sync-state"
      data-state={state}
      label={t.states[state]}
      title={t.stateHints[state]}
      color={style.color}
      variant={style.variant}
      sx={{ fontWeight: 600, height: 22 }}
    />
  );
}
