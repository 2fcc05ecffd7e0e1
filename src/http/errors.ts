// Errors the user can be told about carry an i18n key and an HTTP status.
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly key: string,
    public readonly params: Record<string, unknown> = {},
  ) {
    super(key);
  }
}

export class NotFoundError extends AppError {
  constructor(key = 'http.notFound.text', params: Record<string, unknown> = {}) {
    super(404, key, params);
  }
}

export class ForbiddenError extends AppError {
  constructor(key = 'http.forbidden.text') {
    super(403, key);
  }
}

export class ConflictError extends AppError {
  constructor(key: string, params: Record<string, unknown> = {}) {
    super(409, key, params);
  }
}

export interface FieldError {
  field: string;
  key: string;
  params?: Record<string, unknown>;
}

/** Bad input: re-render the form with these field messages (or answer 400/422 JSON on /api). */
export class ValidationError extends AppError {
  constructor(
    public readonly fields: FieldError[],
    key = 'http.validation.text',
    status = 400,
  ) {
    super(status, key);
  }
}

/** Validates with a zod schema; the schema's issue messages are i18n keys. */
export function fieldErrorsFromZod(issues: { path: PropertyKey[]; message: string; code?: string }[]): FieldError[] {
  return issues.map((i) => ({
    field: i.path.map(String).join('.') || '_',
    key: i.message.includes('.') && !i.message.includes(' ') ? i.message : 'http.validation.invalid',
  }));
}
