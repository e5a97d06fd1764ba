'use client';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useId, type ReactNode } from 'react';

/** A titled block of the widget; the heading labels the region for screen readers. */
export function Section({ title, testId, children, aside }: { title: string; testId?: string; children: ReactNode; aside?: ReactNode }) {
  const id = useId();
  return (
    <Box component="section" aria-labelledby={id} data-testid={testId} sx={{ mt: 1.5 }}>
      <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 1, mb: 0.5 }}>
        <Typography
          id={id}
          component="h2"
          sx={{
            fontSize: 11,
            fontWeight: 600,
            letterSpacing: 0.4,
            textTransform: 'uppercase',
            color: 'text.secondary',
            flex: 1,
          }}
        >
          {title}
        </Typography>
        {aside}
      </Box>
      {children}
    </Box>
  );
}
