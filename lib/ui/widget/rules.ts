/** The widget's display rules as plain functions (unit-tested without a browser). */
import type { ActionName, Problem, SyncState } from '@/lib/api/contract';
import { TRANSFER_CHECK_PROBLEM_CODES } from '@/lib/core/problem-codes';

/** Poll fast while the app works on the document, slowly otherwise (someone else may act on it). */
export const LIVE_REFRESH_MS = 1500;
export const IDLE_REFRESH_MS = 15_000;
/** While the live stream is open it brings every change; polling stays only as a safety net. */
export const STREAMING_REFRESH_MS = 60_000;
/** After a button press the server queues the work; keep polling fast this long even if not `live`. */
export const AFTER_ACTION_FAST_MS = 20_000;

/** States in which "what would block sending" is worth showing. */
export const PREFLIGHT_STATES: readonly SyncState[] = ['not_sent', 'cancelled', 'expired', 'error'];

/**
 * Which buttons a state shows, main one first. A button that cannot be used now stays visible when it
 * tells the clerk something (no rights, "cancel only before receiving starts"); buttons that never
 * apply to the state are left out to keep the 400 px frame calm.
 */
export function actionsFor(state: SyncState): ActionName[] {
  switch (state) {
    case 'not_sent':
    case 'cancelled':
    case 'queued':
    case 'sending':
      return ['send'];
    case 'error':
      return ['retry', 'check'];
    case 'sent':
    case 'receiving':
      return ['check', 'cancel'];
    case 'review':
      return ['post', 'check'];
    case 'posted':
      return ['check'];
    case 'expired':
      return ['send', 'check'];
  }
}

/** Actions that send the document again: pointless while pre-flight lists blockers. */
export const SENDING_ACTIONS: readonly ActionName[] = ['send', 'retry'];

/** Codes of the transfer check (pre-flight): errors made only of these are gone once it passes. */
export const TRANSFER_CHECK_CODES: readonly string[] = TRANSFER_CHECK_PROBLEM_CODES;

/**
 * The last error's reasons are stale once pre-flight passes, if they were all reasons pre-flight
 * checks (a refused posting or unknown goods are not, and stay).
 */
export function errorsResolved(errors: readonly Problem[], preflightOk: boolean | undefined): boolean {
  return Boolean(preflightOk) && errors.length > 0 && errors.every((e) => TRANSFER_CHECK_CODES.includes(e.code));
}

/** Actions that need a yes from the user first (they cannot be undone from the widget). */
export const CONFIRMED_ACTIONS: readonly ActionName[] = ['cancel', 'post'];

/** True when the app changed the document after the baseline seen at Open (server clock on both). */
export function documentChangedSince(changedAt: string | null, baseline: string | null): boolean {
  if (!changedAt) return false;
  if (!baseline) return true;
  return Date.parse(changedAt) > Date.parse(baseline);
}

/** The engine's messages usually begin with "Позиция N …" already: no second prefix then. */
export function mentionsPosition(message: string, position: number): boolean {
  return new RegExp(`^(позиция|position|строка|row)\\s*№?\\s*${position}(?!\\d)`, 'i').test(message.trim());
}

const sameProblem = (a: Problem, b: Problem) => a.code === b.code && a.message === b.message && a.position === b.position;

/** Pre-flight problems not already listed among the last error's reasons. */
export function newProblems(problems: readonly Problem[], known: readonly Problem[]): Problem[] {
  return problems.filter((p) => !known.some((k) => sameProblem(k, p)));
}
