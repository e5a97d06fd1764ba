'use client';
/**
 * The stock reconciliation tab of the app's main page (docs/stock-reconciliation.md): the last result
 * with its time, «Сверить сейчас», the CSV download, and the rows, differences first.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import FormControlLabel from '@mui/material/FormControlLabel';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import useSWR from 'swr';
import type { StockResponse, StockRun } from '@/lib/api/contract';
import { ApiError, NetworkError, SessionExpiredError, type ApiClient } from '@/lib/ui/api-client';
import { formatDateTime } from '@/lib/ui/i18n';
import { useI18n } from '@/lib/ui/i18n/context';
import { LoadFailed } from '@/lib/ui/load-failed';
import { SettingsSection } from '@/lib/ui/settings/section';
import { StockTable } from '@/lib/ui/stock/stock-table';

function messageOf(error: unknown, network: string): string {
  if (error instanceof NetworkError) return network;
  return error instanceof Error ? error.message : String(error);
}

function useStock(client: ApiClient) {
  const stock = useSWR<StockResponse>('stock', () => client.get<StockResponse>('/api/stock'), {
    // Quick while a run is waiting or going on, so its result appears as soon as it is stored.
    refreshInterval: (data) => (data?.pending ? 1_500 : 60_000),
    revalidateOnFocus: false,
    shouldRetryOnError: (e) => !(e instanceof ApiError && e.status < 500),
  });
  const [asking, setAsking] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const { t } = useI18n();

  async function runNow() {
    setAsking(true);
    setFailure(null);
    try {
      const { pending } = await client.post<{ pending: StockRun }>('/api/stock/run');
      await stock.mutate((current) => (current ? { ...current, pending } : current), { revalidate: false });
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) setFailure(messageOf(error, t.common.network));
    } finally {
      setAsking(false);
    }
  }

  async function download() {
    setFailure(null);
    try {
      const { blob, fileName } = await client.download('/api/stock/csv');
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName ?? 'stock-reconciliation.csv';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) setFailure(`${t.stock.downloadFailed}: ${messageOf(error, t.common.network)}`);
    }
  }
  return { stock, asking, failure, runNow, download };
}

export function StockPage({ client }: { client: ApiClient }) {
  const { t } = useI18n();
  const { stock, asking, failure, runNow, download } = useStock(client);
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const data = stock.data;
  if (!data) {
    if (stock.error && !(stock.error instanceof SessionExpiredError)) {
      return <LoadFailed message={messageOf(stock.error, t.common.network)} onRetry={() => void stock.mutate()} />;
    }
    return <Skeleton variant="rounded" height={240} data-testid="stock-loading" />;
  }
  const rows = data.last?.rows ?? [];
  const shown = onlyDifferences ? rows.filter((r) => r.status === 'difference') : rows;
  return (
    <Stack spacing={2} data-testid="stock-page">
      <SettingsSection title={t.stock.title} help={t.stock.intro} testId="stock-summary">
        <StockSummary data={data} />
        <Box sx={{ display: 'flex', gap: 1, mt: 2, alignItems: 'center', flexWrap: 'wrap' }}>
          <Button
            variant="contained"
            onClick={() => void runNow()}
            disabled={asking || Boolean(data.pending)}
            startIcon={asking || data.pending ? <CircularProgress size={14} color="inherit" /> : undefined}
            data-testid="stock-run"
          >
            {data.pending ? (data.pending.state === 'running' ? t.stock.running : t.stock.queued) : t.stock.runNow}
          </Button>
          <Button
            variant="outlined"
            onClick={() => void download()}
            disabled={!data.last || data.last.state !== 'done'}
            data-testid="stock-csv"
          >
            {t.stock.download}
          </Button>
          <FormControlLabel
            sx={{ ml: 'auto' }}
            control={<Switch size="small" checked={onlyDifferences} onChange={(e) => setOnlyDifferences(e.target.checked)} />}
            label={<Typography sx={{ fontSize: 13 }}>{t.stock.onlyDifferences}</Typography>}
          />
        </Box>
        {failure && (
          <Alert severity="error" sx={{ mt: 1 }} role="alert">
            {failure}
          </Alert>
        )}
      </SettingsSection>
      {data.last && (
        <StockTable
          rows={shown}
          hidden={data.last.rowsTotal - rows.length}
          stores={data.stores}
          empty={onlyDifferences ? t.stock.noDifferences : t.stock.noRows}
        />
      )}
    </Stack>
  );
}

function StockSummary({ data }: { data: StockResponse }) {
  const { t, locale } = useI18n();
  const last = data.last;
  const line = { fontSize: 13 } as const;
  return (
    <Stack spacing={0.5}>
      {data.stores.length > 0 && (
        <Typography sx={{ ...line, color: 'text.secondary' }}>{t.stock.stores(data.stores.map((s) => s.name).join(', '))}</Typography>
      )}
      {!last && (
        <Typography sx={line} data-testid="stock-never">
          {t.stock.never}
        </Typography>
      )}
      {last && (
        <Typography sx={line} data-testid="stock-last-run">
          {t.stock.lastRun(formatDateTime(last.finishedAt ?? last.createdAt, locale))} ·{' '}
          {last.trigger === 'daily' ? t.stock.daily : t.stock.manual}
        </Typography>
      )}
      {last?.state === 'failed' && (
        <Alert severity="error" data-testid="stock-failed">
          {t.stock.failed}
          {/* The stored reason is Russian: English shows the title only. */}
          {locale === 'ru' && last.error ? `: ${last.error}` : ''}
        </Alert>
      )}
      {last?.state === 'done' && (
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Chip
            size="small"
            color={last.differences ? 'warning' : 'success'}
            variant="outlined"
            label={t.stock.summary(last.goods, last.differences, last.explained)}
            data-testid="stock-counts"
          />
          <Typography sx={{ fontSize: 12, color: 'text.secondary' }}>{t.stock.calls(last.moyskladCalls, last.betaproCalls)}</Typography>
        </Box>
      )}
    </Stack>
  );
}
