'use client';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { DocumentView } from '@/lib/api/contract';
import { formatDateTime, labelOf } from '@/lib/ui/i18n';
import { eventDetail } from '@/lib/ui/i18n/codes';
import { useI18n } from '@/lib/ui/i18n/context';
import { ProblemList } from '@/lib/ui/widget/problems';
import { Section } from '@/lib/ui/widget/section';

const ERROR_KINDS = new Set(['failed', 'cancel_failed', 'non_arrival', 'receipt_blocked', 'posting_refused']);
const GOOD_KINDS = new Set(['sent', 'posted', 'task_created']);

type TimelineEvent = DocumentView['events'][number];

/** The reasons or the detail line of an event, behind «Подробнее»: the history stays one line per step. */
function EventDetails({ event }: { event: TimelineEvent }) {
  const { t, locale } = useI18n();
  const [open, setOpen] = useState(false);
  const problems = event.problems ?? [];
  const detail = problems.length ? null : eventDetail(event, locale);
  if (!problems.length && !detail) return null;
  return (
    <>
      <Button
        size="small"
        variant="text"
        onClick={() => setOpen((v) => !v)}
        aria-expanded={open}
        data-testid="event-details-toggle"
        sx={{ minWidth: 0, p: 0, fontSize: 11, textTransform: 'none' }}
      >
        {open ? t.widget.hideDetails : t.widget.showDetails}
      </Button>
      {open && (
        <Box data-testid="event-details" sx={{ fontSize: 12 }}>
          {problems.length ? (
            <ProblemList problems={problems} />
          ) : (
            <Typography sx={{ fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{detail}</Typography>
          )}
        </Box>
      )}
    </>
  );
}

/**
 * Events newest first: in a 420 px frame the latest step is what the clerk looks for, and older ones
 * scroll away below it.
 */
// eslint-disable-next-line max-lines-per-function -- one list of layout with its expand state; the row texts come from lib/ui/i18n/codes.ts
export function Timeline({ events }: { events: DocumentView['events'] }) {
  const { t, locale } = useI18n();
  return (
    <Section title={t.widget.timelineTitle} testId="timeline">
      {events.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          {t.widget.timelineEmpty}
        </Typography>
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
                <Box
                  sx={{
                    position: 'absolute',
                    left: -4.5,
                    top: 4,
                    width: 8,
                    height: 8,
                    borderRadius: '50%',
                    bgcolor: dot,
                  }}
                />
                <Box sx={{ display: 'flex', gap: 1, alignItems: 'baseline' }}>
                  <Typography component="span" sx={{ fontSize: 12, fontWeight: 600, whiteSpace: 'nowrap' }}>
                    {labelOf(t.eventKinds, e.kind)}
                  </Typography>
                  {who && (
                    <Typography
                      component="span"
                      data-testid="event-who"
                      sx={{
                        fontSize: 11,
                        color: 'text.secondary',
                        minWidth: 0,
                        overflow: 'hidden',
                        textOverflow: 'ellipsis',
                        whiteSpace: 'nowrap',
                      }}
                      title={who}
                    >
                      {who}
                    </Typography>
                  )}
                  <Typography
                    component="time"
                    dateTime={e.at}
                    sx={{ fontSize: 11, color: 'text.secondary', ml: 'auto', whiteSpace: 'nowrap' }}
                  >
                    {formatDateTime(e.at, locale)}
                  </Typography>
                </Box>
                <EventDetails event={e} />
              </Box>
            );
          })}
        </Box>
      )}
    </Section>
  );
}
