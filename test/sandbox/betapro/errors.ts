/**
 * FBox errors: `{"success":false,"error_code":N,"error_message":"..."}`. Codes below 1000 are HTTP
 * statuses and travel with that status; codes from 1000 up are business errors whose HTTP status is
 * a simulator setting (BetaPRO's own portal code observes 200).
 */
export class FboxError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'FboxError';
  }

  get isBusiness(): boolean {
    return this.code >= 1000;
  }
}

export const badRequest = (message: string) => new FboxError(400, message);
export const notFound = (message = 'Запрашиваемый ресурс не найден, проверьте адрес запроса') => new FboxError(404, message);
export const business = (message: string) => new FboxError(1000, message);
export const duplicateIndoc = (indocId: string) => new FboxError(1001, `Входящий документ с номером ${indocId} уже зарегистрирован`);

/** Errors of the control API (not BetaPRO): plain `{error}` with an HTTP status. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export function errorBody(code: number, message: string) {
  return { success: false as const, error_code: code, error_message: message };
}
