'use client';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { DocumentView } from '@/lib/api/contract';
import { formatDateTime, labelOf } from '@/lib/ui/i18n';
import { useI18n } from '@/lib/ui/i18n/context';
import { Section } from './section';

const ERROR_KINDS = new Set(['failed', 'cancel_failed', 'non_arrival', 'receipt_blocked']);
const GOOD_KINDS = new Set(['sent', 'posted', 'task_created']);

/**
 * Events newest first: in a 420 px frame the latest step is what the clerk looks for, and older ones
 * scroll away below it.
 */
export function Timeline({ events }: { events: DocumentView['events'] }) {
  const { t, locale } = useI18n();
  return (
    <Section title={t.widget.timelineTitle} testId="timeline">
      {events.length === 0 ? (
        <Typography variant="body2" color="text.secondary">{t.widget.timelineEmpty}</Typography>
      ) : (
        <Box component="ol" sx={{ listStyle: 'none', m: 0, p: 0 }}>
          {events.map((e) => {
            const dot = ERROR_KINDS.has(e.kind) ? 'error.main' : GOOD_KINDS.has(e.kind) ? 'success.main' : 'primary.light';
            const who = [labelOf(t.triggers, e.trigger), e.actor].filter(Boolean).join(', ');
            return (
              <Box
                component="li"
                key={e.id}
                data-testid="event"
                data-kind={e.kind}
                sx={{ position: 'relative', pl: 2, pb: 0.75, borderLeft: 1, borderColor: 'divider', ml: 0.5 }}
              >
                <Box sx={{ position: 'absolute', left: -4.5, top: 4, width: 8, height: 8, borderRadius: '50%', bgcolor: dot }} />
                <Box sx={{ display: 'flex', gap: 1, alignItems: 'baseline' }}>
                  <Typography component="span" sx={{ fontSize: 12, fontWeight: 600 }}>
                    {labelOf(t.eventKinds, e.kind)}
                  </Typography>
                  <Typography component="time" dateTime={e.at} sx={{ fontSize: 11, color: 'text.secondary', ml: 'auto', whiteSpace: 'nowrap' }}>
                    {formatDateTime(e.at, locale)}
                  </Typography>
                </Box>
                {e.message && (
                  <Typography sx={{ fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{e.message}</Typography>
                )}
                {who && <Typography sx={{ fontSize: 11, color: 'text.secondary' }}>{who}</Typography>}
              </Box>
            );
          })}
        </Box>
      )}
    </Section>
  );
}
