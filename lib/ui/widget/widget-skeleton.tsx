'use client';
import Box from '@mui/material/Box';
import Skeleton from '@mui/material/Skeleton';

/** Placeholder with the shape of the widget while the session or the document loads. */
export function WidgetSkeleton({ label }: { label: string }) {
  return (
    <Box sx={{ p: 1.5 }} role="status" aria-busy="true" aria-label={label} data-testid="widget-loading">
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
        <Skeleton variant="rounded" width={110} height={22} />
        <Skeleton width={60} />
      </Box>
      <Skeleton width="80%" sx={{ mt: 0.5 }} />
      <Skeleton width="55%" />
      <Box sx={{ display: 'flex', gap: 0.75, mt: 1 }}>
        <Skeleton variant="rounded" width={130} height={28} />
        <Skeleton variant="rounded" width={120} height={28} />
      </Box>
      <Skeleton variant="rounded" height={60} sx={{ mt: 1.5 }} />
      <Skeleton width="40%" sx={{ mt: 1.5 }} />
      <Skeleton />
      <Skeleton />
    </Box>
  );
}
