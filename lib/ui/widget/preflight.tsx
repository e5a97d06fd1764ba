'use client';
import Alert from '@mui/material/Alert';
import Skeleton from '@mui/material/Skeleton';
import type { PreflightResponse, Problem } from '@/lib/api/contract';
import { formatNumber } from '@/lib/ui/i18n';
import { problemLines } from '@/lib/ui/i18n/codes';
import { useI18n } from '@/lib/ui/i18n/context';
import { ProblemList } from '@/lib/ui/widget/problems';
import { errorMessage } from '@/lib/ui/widget/error-text';
import { newProblems } from '@/lib/ui/widget/rules';
import { Section } from '@/lib/ui/widget/section';

/**
 * What would block sending now. After a data error the same reasons are already listed above, so
 * only new ones are listed here; when nothing is new the check just says the reasons still stand.
 */
// eslint-disable-next-line max-lines-per-function -- one panel of layout; its parts (problem list, warnings) are components already
export function Preflight({
  data,
  error,
  loading,
  known,
}: {
  data?: PreflightResponse;
  error?: Error;
  loading: boolean;
  known: Problem[];
}) {
  const { t, locale } = useI18n();
  const w = t.widget;
  // Counted as the clerk sees them: one per cause.
  const count = (problems: Problem[]) => problemLines(problems, locale).length;
  let body;
  if (loading && !data) body = <Skeleton variant="rounded" height={32} />;
  else if (error && !data)
    body = (
      <Alert severity="warning" sx={{ py: 0 }}>
        {w.preflightFailed}: {errorMessage(error, locale)}
      </Alert>
    );
  else if (data?.ok)
    body = (
      <Alert severity="success" sx={{ py: 0 }} data-testid="preflight-ok">
        {w.preflightOk}
      </Alert>
    );
  else if (data) {
    const fresh = newProblems(data.problems, known);
    body =
      fresh.length === 0 ? (
        <Alert severity="warning" sx={{ py: 0 }} data-testid="preflight-same">
          {w.preflightSame(count(data.problems))}
        </Alert>
      ) : (
        <Alert severity="warning" icon={false} sx={{ py: 0.5 }}>
          <div>{w.preflightProblems(count(data.problems))}</div>
          <ProblemList problems={fresh} testId="preflight-problems" />
        </Alert>
      );
  }
  // Outbound: which way, and the goods BetaPRO has too few of (a warning: it ships what it has).
  const direction = data?.direction ? (
    <Alert severity="info" icon={false} sx={{ py: 0, mb: 0.5 }} data-testid="preflight-direction">
      {w.directions[data.direction]}
    </Alert>
  ) : null;
  const warnings = data?.shortages?.length ? (
    <Alert severity="warning" icon={false} sx={{ py: 0.5, mt: 0.5 }} data-testid="preflight-stock">
      <div>{w.stockShort}</div>
      <ul style={{ margin: 0, paddingLeft: 16 }}>
        {data.shortages.map((s) => (
          <li key={s.goodId}>{w.stockShortLine(s.name, s.goodId, formatNumber(s.needed, locale), formatNumber(s.have, locale))}</li>
        ))}
      </ul>
    </Alert>
  ) : null;
  return (
    <Section title={w.preflightTitle} testId="preflight">
      {direction}
      {body}
      {warnings}
    </Section>
  );
}
