import type { ActionReasonCode } from '@/lib/core/views';

/**
 * Why an action is not available, in Russian: the API's refusal message and the widget's Russian text
 * (lib/ui/i18n/ru.ts) both come from here, so they never drift apart.
 */
export const ACTION_REASONS_RU: Record<ActionReasonCode, string> = {
  no_rights: 'Нет прав на изменение документа в МойСклад',
  already_sent: 'Документ уже передан или передаётся',
  retry_after_error: 'Повтор нужен только после ошибки',
  no_task: 'Нет задания в БетаПРО',
  not_sent_yet: 'Документ ещё не передан на склад',
  cancel_only_sent: 'Отменить можно только переданное задание до начала приёмки',
  no_review: 'Нет приёмки, ожидающей решения',
};
