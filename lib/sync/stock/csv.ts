/**
 * The last reconciliation as CSV (docs/stock-reconciliation.md): UTF-8 with a byte-order mark so that
 * Excel reads Cyrillic, `;` between fields (Excel's separator in Russian locales), fields quoted when
 * they need it. Column titles and status words come from the caller in the user's language.
 */
import type { Db } from '@/lib/db';
import { AppError } from '@/lib/core/errors';
import type { StockRow } from '@/lib/core/views';
import { lastResult } from '@/lib/sync/stock/runs';

export const CSV_COLUMNS = [
  'goodId',
  'name',
  'status',
  'moysklad',
  'useful',
  'defective',
  'quarantine',
  'expected',
  'difference',
  'inFlight',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export interface CsvTexts {
  columns: Record<CsvColumn, string>;
  status: Record<StockRow['status'], string>;
  /** One document in flight, e.g. «Приёмка 00012: 5». */
  document: (entity: string, name: string, quantity: number) => string;
  entity: Record<string, string>;
}

const BOM = '\uFEFF';

function field(value: string | number): string {
  const text = String(value);
  return /[";\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Formula-looking text is prefixed so a spreadsheet shows it instead of evaluating it. */
function safeText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function stockCsv(rows: StockRow[], texts: CsvTexts): string {
  const lines = [CSV_COLUMNS.map((c) => field(texts.columns[c])).join(';')];
  for (const row of rows) {
    const documents = row.inFlight.map((d) => texts.document(texts.entity[d.entity] ?? d.entity, d.name ?? d.msId, d.quantity)).join(', ');
    const values: Record<CsvColumn, string | number> = {
      goodId: safeText(row.goodId ?? ''),
      name: safeText(row.name),
      status: texts.status[row.status],
      moysklad: row.moysklad,
      useful: row.betapro.useful,
      defective: row.betapro.defective,
      quarantine: row.betapro.quarantine,
      expected: row.expected,
      difference: row.difference,
      inFlight: safeText(documents),
    };
    lines.push(CSV_COLUMNS.map((c) => field(values[c])).join(';'));
  }
  return BOM + lines.join('\r\n') + '\r\n';
}

/** `stock-reconciliation-2026-12-01.csv`, the date of the run. */
export function csvFileName(finishedAt: string | null): string {
  return `stock-reconciliation-${(finishedAt ?? new Date().toISOString()).slice(0, 10)}.csv`;
}

/** The download of the account's last result; NOT_FOUND before the first reconciliation. */
export async function stockCsvResponse(prisma: Db, accountId: string, texts: CsvTexts): Promise<Response> {
  const result = await lastResult(prisma, accountId);
  if (!result) {
    throw new AppError('NOT_FOUND', `account ${accountId} has no stock reconciliation yet`, {
      userMessage: 'Сверки остатков ещё не было: нажмите «Сверить сейчас».',
    });
  }
  const name = csvFileName(result.run.finishedAt);
  return new Response(stockCsv(result.rows, texts), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'no-store',
    },
  });
}
