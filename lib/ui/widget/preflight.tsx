'use client';
import Alert from '@mui/material/Alert';
import Skeleton from '@mui/material/Skeleton';
import type { PreflightResponse } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { ProblemList } from './problems';
import { Section } from './section';

export function Preflight({ data, error, loading }: { data?: PreflightResponse; error?: Error; loading: boolean }) {
  const { t } = useI18n();
  const w = t.widget;
  let body;
  if (loading && !data) body = <Skeleton variant="rounded" height={32} />;
  else if (error && !data) body = <Alert severity="warning" sx={{ py: 0 }}>{w.preflightFailed}: {error.message}</Alert>;
  else if (data?.ok) body = <Alert severity="success" sx={{ py: 0 }} data-testid="preflight-ok">{w.preflightOk}</Alert>;
  else if (data) {
    body = (
      <Alert severity="warning" icon={false} sx={{ py: 0.5 }}>
        <div>{w.preflightProblems(data.problems.length)}</div>
        <ProblemList problems={data.problems} testId="preflight-problems" />
      </Alert>
    );
  }
  return <Section title={w.preflightTitle} testId="preflight">{body}</Section>;
}
