/**
 * The product's one error type. Every failure a user or operator can meet is an AppError with:
 *  - `code`: stable machine-readable identifier (also drives HTTP status mapping);
 *  - `message`: internal detail for logs (may mention hosts, ids; never secrets);
 *  - `userMessage`: what a MoySklad user reads, in Russian (widget, settings page, comment log);
 *  - `retryable`: whether trying the same thing later may succeed (transient) or a person must act.
 */
export const ERROR_HTTP_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  NOT_CONFIGURED: 409,
  DOCUMENT_INVALID: 422,
  REMOTE_REJECTED: 502,
  REMOTE_UNAVAILABLE: 503,
  REMOTE_TIMEOUT: 504,
  REMOTE_AUTH: 502,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export interface AppErrorOptions {
  userMessage?: string;
  retryable?: boolean;
  /** Milliseconds the remote asked us to wait before trying again (Retry-After and friends). */
  retryAfterMs?: number;
  details?: unknown;
  cause?: unknown;
}

const DEFAULT_USER_MESSAGES: Record<ErrorCode, string> = {
  BAD_REQUEST: 'Некорректный запрос.',
  VALIDATION: 'Проверьте введённые данные.',
  UNAUTHORIZED: 'Сессия истекла. Откройте страницу заново.',
  FORBIDDEN: 'Недостаточно прав для этого действия.',
  NOT_FOUND: 'Не найдено.',
  CONFLICT: 'Действие сейчас невозможно: состояние изменилось. Обновите страницу.',
  PAYLOAD_TOO_LARGE: 'Слишком большой запрос.',
  RATE_LIMITED: 'Слишком много запросов. Повторите чуть позже.',
  NOT_CONFIGURED: 'Решение не настроено: заполните настройки интеграции с БетаПРО.',
  DOCUMENT_INVALID: 'Документ нельзя передать на склад: исправьте ошибки.',
  REMOTE_REJECTED: 'Внешний сервис отклонил запрос.',
  REMOTE_UNAVAILABLE: 'Внешний сервис временно недоступен. Повторим автоматически.',
  REMOTE_TIMEOUT: 'Внешний сервис не ответил вовремя. Повторим автоматически.',
  REMOTE_AUTH: 'Внешний сервис отказал в доступе: проверьте учётные данные в настройках.',
  INTERNAL: 'Внутренняя ошибка приложения. Мы уже знаем о ней; повторите позже.',
};

const DEFAULT_RETRYABLE: Partial<Record<ErrorCode, boolean>> = {
  RATE_LIMITED: true,
  REMOTE_UNAVAILABLE: true,
  REMOTE_TIMEOUT: true,
  INTERNAL: true,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = options.userMessage ?? DEFAULT_USER_MESSAGES[code];
    this.retryable = options.retryable ?? DEFAULT_RETRYABLE[code] ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }

  /** The body an API route answers with: user-facing text only, never the internal message. */
  toResponseBody(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.userMessage,
        ...(this.details !== undefined ? { details: this.details } : {}),
      },
    };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Wraps anything thrown into an AppError; unknown errors become INTERNAL (retryable). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('INTERNAL', message, { cause: error });
}
