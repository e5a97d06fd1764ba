'use client';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { DocumentView } from '@/lib/api/contract';
import { formatNumber } from '@/lib/ui/i18n';
import { useI18n } from '@/lib/ui/i18n/context';
import { Section } from '@/lib/ui/widget/section';

const cell = { px: 0.75, py: 0.4, fontSize: 12 } as const;
const num = { ...cell, textAlign: 'right', whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' } as const;

function Tag({ text, color }: { text: string; color: 'warning.dark' | 'error.main' }) {
  return (
    <Box
      component="span"
      sx={{
        ml: 0.5,
        px: 0.5,
        borderRadius: 0.5,
        border: 1,
        borderColor: color,
        color,
        fontSize: 10,
        whiteSpace: 'nowrap',
        verticalAlign: 'middle',
      }}
    >
      {text}
    </Box>
  );
}

type ReceiptView = NonNullable<DocumentView['receipt']>;
type ReceiptLine = ReceiptView['lines'][number];

/** One good: its name (with the code and a tag when outside the plan), plan, «Принято» (or «Отгружено»), defects, difference. */
function ReceiptRow({ line, defects }: { line: ReceiptLine; defects: boolean }) {
  const { t, locale } = useI18n();
  const w = t.widget;
  return (
    <TableRow
      data-testid="receipt-line"
      data-unexpected={line.unexpected || undefined}
      data-unknown={line.unknown || undefined}
      sx={{ bgcolor: line.unknown ? 'rgba(198,40,40,0.06)' : line.unexpected ? 'rgba(237,108,2,0.06)' : undefined }}
    >
      <TableCell sx={{ ...cell, wordBreak: 'break-word' }}>
        {line.name}
        {/* Goods outside the plan are named with their code: the clerk finds the product by it. */}
        {line.unexpected && line.name !== line.goodId && (
          <Box component="span" data-testid="good-code" sx={{ color: 'text.secondary', fontSize: 11 }}>
            {' '}
            ({w.goodCode(line.goodId)})
          </Box>
        )}
        {line.unexpected && <Tag text={w.unexpected} color="warning.dark" />}
        {line.unknown && <Tag text={w.unknown} color="error.main" />}
      </TableCell>
      <TableCell sx={num}>{formatNumber(line.planned, locale)}</TableCell>
      {/* lines[].accepted: the number the comment says «принято» (defects policy applied on the server). */}
      <TableCell sx={num}>{formatNumber(line.accepted, locale)}</TableCell>
      {defects && (
        <TableCell sx={{ ...num, color: line.defective ? 'warning.dark' : 'text.disabled' }}>
          {formatNumber(line.defective, locale)}
        </TableCell>
      )}
      <TableCell
        sx={{
          ...num,
          fontWeight: line.difference ? 600 : 400,
          color: line.difference < 0 ? 'error.main' : line.difference > 0 ? 'warning.dark' : 'text.disabled',
        }}
      >
        {formatNumber(line.difference, locale, true)}
      </TableCell>
    </TableRow>
  );
}

function LinesTable({ lines, defects }: { lines: ReceiptLine[]; defects: boolean }) {
  const { t } = useI18n();
  const w = t.widget;
  return (
    <Table size="small" aria-label={w.tableCaption} sx={{ tableLayout: 'fixed', '& th': { color: 'text.secondary', fontWeight: 500 } }}>
      <TableHead>
        <TableRow>
          <TableCell sx={cell}>{w.colName}</TableCell>
          <TableCell sx={{ ...num, width: 44 }}>{w.colPlanned}</TableCell>
          {/* «Отгружено» (a shipment, no defects column) needs more room than «Принято». */}
          <TableCell sx={{ ...num, width: defects ? 58 : 72 }}>{w.colAccepted}</TableCell>
          {defects && <TableCell sx={{ ...num, width: 44 }}>{w.colDefective}</TableCell>}
          <TableCell sx={{ ...num, width: 48 }}>{w.colDifference}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {lines.map((line) => (
          <ReceiptRow key={line.goodId} line={line} defects={defects} />
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * Plan vs fact per good; unexpected goods and goods unknown to MoySklad are marked in the row. A shipment
 * (outbound) has no defects column: what left is good stock (docs/outbound.md), so the column would only
 * ever show zeros.
 */
export function ReceiptTable({ receipt, outbound = false }: { receipt: ReceiptView; outbound?: boolean }) {
  const { t } = useI18n();
  const w = t.widget;
  const hasUnknown = receipt.lines.some((l) => l.unknown);
  const defects = !outbound || receipt.lines.some((l) => l.defective);
  return (
    <Section title={w.receiptTitle} testId="receipt">
      {receipt.nonArrival && (
        <Alert severity="error" sx={{ mb: 1, py: 0 }}>
          {w.receiptNonArrival}
        </Alert>
      )}
      {receipt.partial && !receipt.nonArrival && (
        <Alert severity="info" sx={{ mb: 1, py: 0 }}>
          {w.receiptPartial(receipt.parts)}
        </Alert>
      )}
      {hasUnknown && (
        <Alert severity="error" sx={{ mb: 1, py: 0 }}>
          {w.unknownHint}
        </Alert>
      )}
      {receipt.lines.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          {w.receiptEmpty}
        </Typography>
      ) : (
        <LinesTable lines={receipt.lines} defects={defects} />
      )}
    </Section>
  );
}
