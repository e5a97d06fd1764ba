/**
 * The cause of a discrepancy task and its text in MoySklad (Russian, like the comment log): the document,
 * what happened, the reasons the app recorded, what to do, and the marker that finds the task again.
 */
import type { DocumentEntity } from '@/lib/core/domain';
import type { ReceiptLineView as ReceiptLine } from '@/lib/core/views';
import { TASK_DESCRIPTION_MAX } from '@/lib/moysklad/tasks';

export const TASK_CAUSES = ['review', 'transfer_error', 'posting_refused', 'receipt_blocked', 'non_arrival'] as const;
export type TaskCause = (typeof TASK_CAUSES)[number];

interface StatedDocument {
  state: string;
  errors: unknown;
}

function problemsOf(doc: StatedDocument): Array<{ code?: string; message?: string }> {
  return Array.isArray(doc.errors) ? (doc.errors as Array<{ code?: string; message?: string }>) : [];
}

/** Why the document needs a person, from its state and the problems recorded with it. */
export function taskCause(doc: StatedDocument): TaskCause {
  if (doc.state === 'review') return 'review';
  if (doc.state === 'expired') return 'non_arrival';
  const codes = problemsOf(doc).map((p) => p.code);
  if (codes.includes('posting_refused')) return 'posting_refused';
  if (codes.includes('unknown_goods')) return 'receipt_blocked';
  return 'transfer_error';
}

const ENTITY_LABELS: Record<DocumentEntity, string> = {
  supply: 'Приёмка',
  move: 'Перемещение',
  purchasereturn: 'Возврат поставщику',
};

const HEADLINES: Record<TaskCause, { what: string; todo: string }> = {
  review: {
    what: 'склад БетаПРО принял товар с расхождениями, документ ждёт решения.',
    todo: 'Проверьте расхождения в виджете BetaPRO Bridge в документе и нажмите «Провести с расхождениями».',
  },
  transfer_error: {
    what: 'документ не передан на склад БетаПРО (статус «Ошибка передачи»).',
    todo: 'Исправьте документ по причинам выше и поставьте статус «Передать» снова (или нажмите «Повторить» в виджете).',
  },
  posting_refused: {
    what: 'МойСклад не провёл документ по факту приёмки БетаПРО.',
    todo: 'Устраните причину и нажмите «Повторить» в виджете документа.',
  },
  receipt_blocked: {
    what: 'приёмка БетаПРО не применена: склад принял товары, которых нет в МойСклад.',
    todo: 'Создайте эти товары в МойСклад (или исправьте ключ товара) и нажмите «Проверить приёмку» в виджете.',
  },
  non_arrival: {
    what: 'поставка не прибыла на склад БетаПРО, документ не проведён.',
    todo: 'Выясните судьбу поставки; при необходимости передайте документ заново.',
  },
};

/** A shipment (goods leaving BetaPRO, docs/outbound.md) speaks of what was shipped, not received. */
const OUTBOUND_HEADLINES: Partial<Record<TaskCause, { what: string; todo: string }>> = {
  review: {
    what: 'склад БетаПРО отгрузил товар с расхождениями, документ ждёт решения.',
    todo: HEADLINES.review.todo,
  },
  posting_refused: {
    what: 'МойСклад не провёл документ по факту отгрузки БетаПРО.',
    todo: HEADLINES.posting_refused.todo,
  },
};

/** «Кружка» (MUG-300): план 5, принято 3 (−2), брак 1 — or «отгружено» for a shipment. */
function differenceText(line: ReceiptLine, outbound: boolean): string {
  const name = line.name ? `«${line.name}» (${line.goodId})` : line.goodId;
  const diff = line.difference > 0 ? `+${line.difference}` : line.difference < 0 ? `−${-line.difference}` : '';
  const defective = line.defective > 0 ? `, брак ${line.defective}` : '';
  return `${name}: план ${line.planned}, ${outbound ? 'отгружено' : 'принято'} ${line.accepted}${diff ? ` (${diff})` : ''}${defective}.`;
}

const CLOSING = 'Задача закроется автоматически, когда документ получит статус «Проведён».';

/** The task's text, at most MoySklad's 4,096 characters with the marker always kept at its end. */
export function describeCause(input: {
  entity: DocumentEntity;
  name: string;
  doc: StatedDocument;
  marker: string;
  /** A review's plan-vs-fact lines (the review event's `lines`): those that differ are listed. */
  lines?: readonly ReceiptLine[];
  /** The document's goods leave BetaPRO (its stored plan's direction). */
  outbound?: boolean;
}): string {
  const cause = taskCause(input.doc);
  const outbound = input.outbound ?? false;
  const { what, todo } = (outbound && OUTBOUND_HEADLINES[cause]) || HEADLINES[cause];
  const reasons = [
    ...problemsOf(input.doc).map((p) => p.message?.trim()),
    ...(input.lines ?? []).filter((l) => l.difference !== 0 || l.defective > 0).map((l) => differenceText(l, outbound)),
  ].filter((m): m is string => Boolean(m));
  const lines = [
    `${ENTITY_LABELS[input.entity]} ${input.name}: ${what}`,
    ...(reasons.length ? [cause === 'review' ? 'Расхождения:' : 'Причины:', ...reasons.map((m, i) => `${i + 1}. ${m}`)] : []),
    todo,
    CLOSING,
  ];
  const tail = `\n${input.marker}`;
  const body = lines.join('\n');
  const room = TASK_DESCRIPTION_MAX - tail.length;
  return (body.length > room ? `${body.slice(0, room - 1)}…` : body) + tail;
}
