// Domain errors: each has a stable code that clients branch on and the HTTP status it maps to.
// One plugin (http/plugins/errors.ts) turns them into the envelope; nothing else formats errors.

export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: string, status: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export class ValidationFailed extends DomainError {
  constructor(
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super('validation_error', 400, message, fields.length ? { fields } : undefined);
  }
}

export class Unauthorized extends DomainError {
  constructor(message = 'Missing or invalid credentials.') {
    super('unauthorized', 401, message);
  }
}

export class Forbidden extends DomainError {
  constructor(message = 'This key may not do that.') {
    super('forbidden', 403, message);
  }
}

export class NotFound extends DomainError {
  constructor(message = 'Not found.') {
    super('not_found', 404, message);
  }
}

export class ItemNotFound extends DomainError {
  constructor(reference: string | number) {
    super('item_not_found', 404, `No product matches "${reference}".`);
  }
}

export class Conflict extends DomainError {
  constructor(message: string, field?: string) {
    super('conflict', 409, message, field ? { fields: [{ field, message }] } : undefined);
  }
}

export class RateLimited extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 429, `Too many requests; retry after ${retryAfterSeconds} s.`, {
      retry_after_seconds: retryAfterSeconds,
    });
  }
}
