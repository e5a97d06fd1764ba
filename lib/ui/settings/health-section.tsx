'use client';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { SettingsResponse, SyncState } from '@/lib/api/contract';
import { NetworkError, type ApiClient } from '@/lib/ui/api-client';
import { formatDateTime, labelOf } from '@/lib/ui/i18n';
import { useI18n } from '@/lib/ui/i18n/context';
import { eventDetail } from '@/lib/ui/i18n/codes';
import { ProblemList } from '@/lib/ui/widget/problems';
import { STATE_COLOR } from '@/lib/ui/widget/state-chip';
import { SettingsSection } from '@/lib/ui/settings/section';

type Health = SettingsResponse['health'];

export function HealthSection({
  health,
  canEdit,
  client,
  onRefresh,
}: {
  health: Health;
  canEdit: boolean;
  client: ApiClient;
  onRefresh: () => void;
}) {
  const { t } = useI18n();
  const h = t.settings.health;
  const { busy, result, reinstall } = useReinstallWebhooks(client, onRefresh);

  return (
    <SettingsSection title={h.title} testId="settings-health">
      <HealthFacts health={health} />

      <Typography component="h3" sx={{ fontSize: 13, fontWeight: 600, mt: 2, mb: 0.5 }}>
        {h.recentErrors}
      </Typography>
      {health.recentErrors.length === 0 ? (
        <Typography sx={{ fontSize: 13, color: 'text.secondary' }}>{h.noErrors}</Typography>
      ) : (
        <Box component="ul" sx={{ m: 0, pl: 2.5, '& li': { fontSize: 12, mb: 0.5 } }} data-testid="health-errors">
          {health.recentErrors.map((e, i) => (
            <RecentError key={`${e.at}-${i}`} error={e} />
          ))}
        </Box>
      )}

      <Box sx={{ display: 'flex', gap: 1, mt: 2, alignItems: 'center' }}>
        {canEdit && (
          <Button
            variant="outlined"
            onClick={() => void reinstall()}
            disabled={busy}
            startIcon={busy ? <CircularProgress size={12} color="inherit" /> : undefined}
            data-testid="reinstall-webhooks"
          >
            {busy ? h.reinstalling : h.reinstall}
          </Button>
        )}
        <Button onClick={onRefresh}>{h.refresh}</Button>
      </Box>
      {result && (
        <Alert severity={result.ok ? 'success' : 'error'} sx={{ mt: 1 }} role="status">
          {result.text}
        </Alert>
      )}
    </SettingsSection>
  );
}

/** Reinstalls the webhooks, then reloads the page's data so the health rows show the new state. */
function useReinstallWebhooks(client: ApiClient, onRefresh: () => void) {
  const { t } = useI18n();
  const h = t.settings.health;
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  async function reinstall() {
    setBusy(true);
    setResult(null);
    try {
      await client.post('/api/settings/reinstall-webhooks', {});
      setResult({ ok: true, text: h.reinstalled });
      onRefresh();
    } catch (error) {
      setResult({
        ok: false,
        text: `${h.reinstallFailed}: ${error instanceof NetworkError ? t.common.network : (error as Error).message}`,
      });
    } finally {
      setBusy(false);
    }
  }

  return { busy, result, reinstall };
}

// eslint-disable-next-line max-lines-per-function -- a list of labelled facts of one panel; each row is one line of layout
function HealthFacts({ health }: { health: Health }) {
  const { t, locale } = useI18n();
  const h = t.settings.health;
  return (
    <Box
      component="dl"
      sx={{
        display: 'grid',
        gridTemplateColumns: 'max-content 1fr',
        columnGap: 2,
        rowGap: 0.75,
        m: 0,
        fontSize: 13,
        '& dt': { color: 'text.secondary' },
        '& dd': { m: 0 },
      }}
    >
      <dt>{h.installation}</dt>
      <dd data-testid="health-installation">{labelOf(h.installationStates, health.installationStatus)}</dd>
      <dt>{h.reported}</dt>
      <dd data-testid="health-reported">{health.reportedStatus}</dd>
      <dt>{h.webhooks}</dt>
      <dd>
        <Chip
          data-testid="health-webhooks"
          label={health.webhooksInstalled ? h.webhooksOk : h.webhooksMissing}
          color={health.webhooksInstalled ? 'success' : 'error'}
          variant="outlined"
        />
      </dd>
      <dt>{h.lastPoll}</dt>
      <dd>{health.lastPollAt ? formatDateTime(health.lastPollAt, locale) : t.common.never}</dd>
      {health.pollError && (
        <>
          <dt>{h.pollError}</dt>
          <dd data-testid="health-poll-error">
            {/* The stored reason is Russian: English shows the row's own label and the hint only. */}
            {locale === 'ru' && (
              <Typography component="span" sx={{ fontSize: 13, color: 'error.main' }}>
                {health.pollError.message}
              </Typography>
            )}
            <Typography component="span" sx={{ fontSize: 12, color: 'text.secondary', ml: 1 }}>
              {formatDateTime(health.pollError.at, locale)} · {h.pollErrorHint(health.pollError.failures)}
            </Typography>
          </dd>
        </>
      )}
      <dt>{h.byState}</dt>
      <dd>
        <DocumentsByState documentsByState={health.documentsByState} />
      </dd>
      <StockCheckFact check={health.stockCheck ?? null} />
      <dt>{h.deadJobs}</dt>
      <dd>
        <Typography
          component="span"
          sx={{
            fontSize: 13,
            color: health.deadJobs ? 'error.main' : undefined,
            fontWeight: health.deadJobs ? 600 : 400,
          }}
        >
          {health.deadJobs}
        </Typography>
        {health.deadJobs > 0 && (
          <Typography component="span" sx={{ fontSize: 12, color: 'text.secondary', ml: 1 }}>
            {h.deadJobsHint}
          </Typography>
        )}
      </dd>
    </Box>
  );
}

function DocumentsByState({ documentsByState }: { documentsByState: Health['documentsByState'] }) {
  const { t } = useI18n();
  const byState = Object.entries(documentsByState).filter(([, n]) => n > 0);
  const stateLabel = (s: string) => (s in t.states ? t.states[s as SyncState] : s);
  if (byState.length === 0) {
    return (
      <Typography component="span" sx={{ fontSize: 13, color: 'text.secondary' }}>
        {t.settings.health.noDocuments}
      </Typography>
    );
  }
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }}>
      {byState.map(([state, n]) => {
        const style = STATE_COLOR[state as SyncState] ?? STATE_COLOR.not_sent;
        return <Chip key={state} label={`${stateLabel(state)}: ${n}`} color={style.color} variant="outlined" />;
      })}
    </Box>
  );
}

type RecentErrorRow = SettingsResponse['health']['recentErrors'][number];

/** One line per error (time, document, what happened); the reasons on demand, as in the widget's history. */
function RecentError({ error }: { error: RecentErrorRow }) {
  const { t, locale } = useI18n();
  const h = t.settings.health;
  const [open, setOpen] = useState(false);
  const hidden = error.params?.hidden === true;
  const problems = error.problems ?? [];
  const detail = hidden
    ? null
    : problems.length
      ? null
      : eventDetail({ kind: error.kind ?? '', message: error.message, params: error.params }, locale);
  const label = hidden ? h.hiddenError : error.kind ? labelOf(t.eventKinds, error.kind) : error.message;
  return (
    <li data-testid="health-error" data-kind={error.kind}>
      <Typography component="span" sx={{ fontSize: 12, color: 'text.secondary', mr: 1 }}>
        {formatDateTime(error.at, locale)}
      </Typography>
      {error.documentName && <b>{error.documentName}: </b>}
      {label}
      {(problems.length > 0 || detail) && (
        <Button
          size="small"
          variant="text"
          onClick={() => setOpen((v) => !v)}
          aria-expanded={open}
          data-testid="health-error-toggle"
          sx={{ minWidth: 0, p: 0, ml: 1, fontSize: 11, textTransform: 'none', verticalAlign: 'baseline' }}
        >
          {open ? t.widget.hideDetails : t.widget.showDetails}
        </Button>
      )}
      {open && (problems.length ? <ProblemList problems={problems} /> : <Typography sx={{ fontSize: 12 }}>{detail}</Typography>)}
    </li>
  );
}

/** The last stock reconciliation's summary (docs/stock-reconciliation.md). */
function StockCheckFact({ check }: { check: Health['stockCheck'] }) {
  const { t, locale } = useI18n();
  const s = t.stock.health;
  let text = s.none;
  if (check)
    text =
      check.state === 'failed'
        ? s.failed(formatDateTime(check.at, locale))
        : s.differences(check.differences, formatDateTime(check.at, locale));
  return (
    <>
      <dt>{s.title}</dt>
      <dd data-testid="health-stock">
        <Typography
          component="span"
          sx={{ fontSize: 13, color: check && (check.state === 'failed' || check.differences > 0) ? 'warning.dark' : undefined }}
        >
          {text}
        </Typography>
      </dd>
    </>
  );
}
