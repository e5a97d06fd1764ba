'use client';
import Box from '@mui/material/Box';
import type { Problem } from '@/lib/api/contract';
import { problemLines } from '@/lib/ui/i18n/codes';
import { useI18n } from '@/lib/ui/i18n/context';
import { mentionsPosition } from '@/lib/ui/widget/rules';

/**
 * Reasons as short lines in the user's language, one per cause (the sizes of one product that lack
 * the same field share a line). A reason without a code text keeps the server's words and its position.
 */
export function ProblemList({ problems, testId }: { problems: Problem[]; testId?: string }) {
  const { t, locale } = useI18n();
  const lines = problemLines(problems, locale);
  return (
    <Box component="ul" data-testid={testId} sx={{ m: 0, pl: 2.25, '& li': { fontSize: 12, mb: 0.25, wordBreak: 'break-word' } }}>
      {lines.map((line) => {
        const single = line.positions.length === 1 ? line.positions[0] : undefined;
        const prefix = line.key.startsWith('raw:') && single && !mentionsPosition(line.text, single);
        return (
          <li key={line.key} data-code={line.codes.join(' ')} data-positions={line.positions.join(',') || undefined}>
            {prefix ? <b>{t.widget.position(single)}: </b> : null}
            {line.text}
          </li>
        );
      })}
    </Box>
  );
}
