'use client';
import Box from '@mui/material/Box';
import type { Problem } from '@/lib/api/contract';
import { useI18n } from '@/lib/ui/i18n/context';
import { mentionsPosition } from './rules';

/** Reasons as a list, each with its position number when there is one. */
export function ProblemList({ problems, testId }: { problems: Problem[]; testId?: string }) {
  const { t } = useI18n();
  return (
    <Box component="ul" data-testid={testId} sx={{ m: 0, pl: 2.25, '& li': { fontSize: 12, mb: 0.25, wordBreak: 'break-word' } }}>
      {problems.map((p, i) => (
        <li key={`${p.code}-${p.position ?? ''}-${i}`} data-code={p.code}>
          {p.position && !mentionsPosition(p.message, p.position) ? <b>{t.widget.position(p.position)}: </b> : null}
          {p.message}
        </li>
      ))}
    </Box>
  );
}
