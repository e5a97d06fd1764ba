'use client';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Tooltip from '@mui/material/Tooltip';
import { useId } from 'react';
import type { ActionName, DocumentView } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { actionsFor, SENDING_ACTIONS } from '@/lib/ui/widget/rules';

// Visually hidden reason (for aria-describedby). Sizes in px: in sx a bare 1 means 100 %, which made the
// hidden text as wide as the widget and scroll it sideways at 400 px.
const HIDDEN = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  margin: '-1px',
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

function ActionButton({
  name,
  availability,
  primary,
  busy,
  anyBusy,
  onRun,
}: {
  name: ActionName;
  availability: { enabled: boolean; reason?: string; reasonCode?: string } | undefined;
  primary: boolean;
  busy: boolean;
  anyBusy: boolean;
  onRun: (name: ActionName) => void;
}) {
  const { t } = useI18n();
  const reasonId = useId();
  const enabled = Boolean(availability?.enabled);
  const code = enabled ? undefined : availability?.reasonCode;
  const reasons = t.widget.actionReasons as Record<string, string>;
  const reason = enabled ? undefined : (code && reasons[code]) || availability?.reason;
  const button = (
    <Button
      variant={primary ? 'contained' : 'outlined'}
      color={name === 'cancel' ? 'error' : 'primary'}
      disabled={!enabled || anyBusy}
      onClick={() => onRun(name)}
      data-testid={`action-${name}`}
      aria-describedby={reason ? reasonId : undefined}
      startIcon={busy ? <CircularProgress size={12} color="inherit" /> : undefined}
      sx={{ whiteSpace: 'nowrap' }}
    >
      {t.widget.actions[name]}
    </Button>
  );
  if (!reason) return button;
  // A disabled button gets no pointer events: the tooltip hangs on a focusable wrapper instead.
  return (
    <Tooltip title={reason} arrow enterDelay={200}>
      <span
        tabIndex={0}
        data-testid={`action-${name}-reason`}
        data-reason={reason}
        data-reason-code={code}
        style={{ display: 'inline-flex' }}
      >
        {button}
        <Box component="span" id={reasonId} sx={HIDDEN}>
          {reason}
        </Box>
      </span>
    </Tooltip>
  );
}

export function ActionBar({
  view,
  busy,
  onRun,
  blocked = false,
}: {
  view: DocumentView;
  busy: ActionName | null;
  onRun: (name: ActionName) => void;
  /** Pre-flight lists blockers: sending (or retrying the transfer) would only fail again. */
  blocked?: boolean;
}) {
  const { t } = useI18n();
  const names = actionsFor(view.state);
  const availabilityOf = (name: ActionName) => {
    const a = view.actions[name];
    return blocked && a?.enabled && SENDING_ACTIONS.includes(name) ? { enabled: false, reasonCode: 'preflight_blocked' } : a;
  };
  return (
    <Box role="group" aria-label={t.widget.actionsLabel} sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.75, mt: 1 }}>
      {names.map((name, i) => (
        <ActionButton
          key={name}
          name={name}
          availability={availabilityOf(name)}
          primary={i === 0}
          busy={busy === name}
          anyBusy={busy !== null}
          onRun={onRun}
        />
      ))}
    </Box>
  );
}
