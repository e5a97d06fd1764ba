'use client';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type ChangeEvent } from 'react';
import type { TestConnectionResponse } from '@/lib/api/contract';
import { NetworkError, type ApiClient } from '@/lib/ui/api-client';
import { formatNumber } from '@/lib/ui/i18n';
import { useI18n } from '@/lib/ui/i18n/context';
import { errorOf, type SettingsForm } from '@/lib/ui/settings/form';
import { SettingsSection, type SectionFieldProps } from '@/lib/ui/settings/section';

type ConnectionResult = TestConnectionResponse | { ok: false; message: string };

type Texts = ReturnType<typeof useI18n>['t']['settings']['connection'];

interface ConnectionProps extends SectionFieldProps {
  hasPassword: boolean;
  client: ApiClient;
}

export function ConnectionSection({ form, onChange, errors, hasPassword, disabled, client }: ConnectionProps) {
  const { t } = useI18n();
  const c = t.settings.connection;
  const { testing, result, test } = useConnectionTest(form, client);

  return (
    <SettingsSection title={c.title} testId="settings-connection">
      <Stack spacing={1.5} sx={{ maxWidth: 520 }}>
        <ConnectionFields form={form} onChange={onChange} errors={errors} hasPassword={hasPassword} disabled={disabled} />
        <Box>
          <Button
            variant="outlined"
            onClick={() => void test()}
            disabled={disabled || testing || !form.betaproBaseUrl.trim() || !form.betaproPartnerId.trim()}
            startIcon={testing ? <CircularProgress size={12} color="inherit" /> : undefined}
            data-testid="test-connection"
          >
            {testing ? c.testing : c.test}
          </Button>
        </Box>
        {result && <ConnectionResultView result={result} />}
      </Stack>
    </SettingsSection>
  );
}

/** The «test connection» call with the form as typed (the password only when a new one is entered). */
function useConnectionTest(form: SettingsForm, client: ApiClient) {
  const { t } = useI18n();
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<ConnectionResult | null>(null);

  async function test() {
    setTesting(true);
    setResult(null);
    try {
      const body: Record<string, string> = {
        betaproBaseUrl: form.betaproBaseUrl.trim(),
        betaproPartnerId: form.betaproPartnerId.trim(),
      };
      if (form.betaproPassword) body.betaproPassword = form.betaproPassword;
      setResult(await client.post<TestConnectionResponse>('/api/settings/test-connection', body));
    } catch (error) {
      setResult({ ok: false, message: error instanceof NetworkError ? t.common.network : (error as Error).message });
    } finally {
      setTesting(false);
    }
  }

  return { testing, result, test };
}

function ConnectionFields({ form, onChange, errors, hasPassword, disabled }: Omit<ConnectionProps, 'client'>) {
  const c = useI18n().t.settings.connection;
  // The props every connection field shares: its value, its change, its error in place of the help.
  const field = (name: 'betaproBaseUrl' | 'betaproPartnerId' | 'betaproPassword', help?: string) => {
    const error = errorOf(errors, name);
    return {
      name,
      value: form[name],
      error: Boolean(error),
      helperText: error ?? help,
      disabled,
      fullWidth: true,
      onChange: (e: ChangeEvent<HTMLInputElement>) => onChange({ [name]: e.target.value }),
    };
  };
  return (
    <>
      <TextField
        {...field('betaproBaseUrl', c.baseUrlHelp)}
        label={c.baseUrl}
        required
        slotProps={{ htmlInput: { inputMode: 'url', spellCheck: false } }}
      />
      <TextField {...field('betaproPartnerId')} label={c.partnerId} required />
      <TextField
        {...field('betaproPassword', hasPassword ? c.passwordStored : c.passwordNew)}
        label={c.password}
        type="password"
        autoComplete="new-password"
        placeholder={hasPassword ? '••••••••' : undefined}
        required={!hasPassword}
      />
    </>
  );
}

function ConnectionResultView({ result }: { result: ConnectionResult }) {
  const c = useI18n().t.settings.connection;
  return (
    <Alert severity={result.ok ? 'success' : 'error'} data-testid="test-connection-result" role="status">
      {result.ok ? (
        <>
          <div>{c.testOk}</div>
          <RateLimitsView rateLimits={result.rateLimits} c={c} />
        </>
      ) : (
        <>
          {c.testFailed}: {result.message}
        </>
      )}
    </Alert>
  );
}

function RateLimitsView({ rateLimits, c }: { rateLimits: Extract<TestConnectionResponse, { ok: true }>['rateLimits']; c: Texts }) {
  const { locale } = useI18n();
  const limit = (n: number | null) => (n === null ? c.unlimited : formatNumber(n, locale));
  return (
    <>
      {rateLimits.concurrentRequests !== null && <div>{c.concurrent(formatNumber(rateLimits.concurrentRequests, locale))}</div>}
      {rateLimits.quotas.length > 0 && (
        <Box
          component="table"
          sx={{
            mt: 0.5,
            borderCollapse: 'collapse',
            fontSize: 12,
            '& td, & th': { pr: 2, py: 0.25, textAlign: 'left' },
            '& th': { fontWeight: 500 },
          }}
        >
          <thead>
            <tr>
              <th>{c.quotaKind}</th>
              <th>{c.perMinute}</th>
              <th>{c.perDay}</th>
            </tr>
          </thead>
          <tbody>
            {rateLimits.quotas.map((q) => (
              <tr key={q.kind}>
                <td>{(c.quotaKinds as Record<string, string>)[q.kind] ?? q.label}</td>
                <td>{limit(q.perMinute)}</td>
                <td>{limit(q.perDay)}</td>
              </tr>
            ))}
          </tbody>
        </Box>
      )}
    </>
  );
}
