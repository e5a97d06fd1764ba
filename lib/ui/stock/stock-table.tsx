'use client';
/** The reconciliation's rows: one per good, differences first (docs/stock-reconciliation.md). */
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { StockRow } from '@/lib/api/contract';
import { formatNumber } from '@/lib/ui/i18n';
import { useI18n } from '@/lib/ui/i18n/context';

const STATUS_COLOR = { difference: 'error', explained: 'warning', match: 'success' } as const;

export function StockTable({
  rows,
  hidden,
  stores,
  empty,
}: {
  rows: StockRow[];
  /** Rows of the result the server did not send (the CSV has them). */
  hidden: number;
  stores: Array<{ id: string; name: string }>;
  empty: string;
}) {
  const { t } = useI18n();
  const c = t.stock.columns;
  if (!rows.length) {
    return (
      <Typography sx={{ fontSize: 13, color: 'text.secondary' }} data-testid="stock-empty">
        {empty}
      </Typography>
    );
  }
  return (
    <Box>
      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label={t.stock.title} data-testid="stock-table" sx={{ '& td, & th': { fontSize: 12, px: 1 } }}>
          <TableHead>
            <TableRow>
              <TableCell>{c.good}</TableCell>
              <TableCell align="right">{c.moysklad}</TableCell>
              <TableCell align="right">{c.useful}</TableCell>
              <TableCell align="right">{c.defective}</TableCell>
              <TableCell align="right">{c.quarantine}</TableCell>
              <TableCell align="right">{c.difference}</TableCell>
              <TableCell>{c.reason}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((row, i) => (
              <StockTableRow key={`${row.goodId ?? ''}-${i}`} row={row} stores={stores} />
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      {hidden > 0 && (
        <Typography sx={{ fontSize: 12, color: 'text.secondary', mt: 1 }} data-testid="stock-more">
          {t.stock.more(hidden)}
        </Typography>
      )}
    </Box>
  );
}

function StockTableRow({ row, stores }: { row: StockRow; stores: Array<{ id: string; name: string }> }) {
  const { t, locale } = useI18n();
  const n = (v: number) => formatNumber(v, locale);
  const perStore = stores.length > 1 ? stores.map((s) => `${s.name}: ${n(row.byStore[s.id] ?? 0)}`).join(', ') : null;
  return (
    <TableRow data-testid="stock-row" data-good={row.goodId ?? ''} data-status={row.status}>
      <TableCell>
        <Typography sx={{ fontSize: 12, fontWeight: 500 }}>{row.name}</Typography>
        {row.goodId && <Typography sx={{ fontSize: 11, color: 'text.secondary' }}>{row.goodId}</Typography>}
      </TableCell>
      <TableCell align="right" title={perStore ?? undefined}>
        {n(row.moysklad)}
      </TableCell>
      <TableCell align="right">{n(row.betapro.useful)}</TableCell>
      <TableCell align="right">{n(row.betapro.defective)}</TableCell>
      <TableCell align="right">{n(row.betapro.quarantine)}</TableCell>
      <TableCell
        align="right"
        sx={{ fontWeight: row.difference ? 600 : 400, color: row.status === 'difference' ? 'error.main' : undefined }}
        data-testid="stock-difference"
      >
        {formatNumber(row.difference, locale, true)}
      </TableCell>
      <TableCell>
        <Chip size="small" variant="outlined" color={STATUS_COLOR[row.status]} label={t.stock.status[row.status]} />
        {row.note && <Typography sx={{ fontSize: 11, color: 'text.secondary' }}>{t.stock.notes[row.note]}</Typography>}
        {row.inFlight.map((d) => (
          <Typography key={`${d.entity}-${d.msId}`} sx={{ fontSize: 11 }} data-testid="stock-in-flight">
            {t.stock.inFlight(`${t.stock.entity[d.entity]} ${d.name ?? d.msId}`, d.quantity)}
          </Typography>
        ))}
      </TableCell>
    </TableRow>
  );
}
