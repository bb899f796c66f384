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

/** Seed 003's GET /me with a key whose account no longer exists (closed). */
export class UserNotFound extends DomainError {
  constructor() {
    super('user_not_found', 404, 'The account this API key belongs to no longer exists; ask the shop for a new account and key.');
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

export class OutOfStock extends DomainError {
  constructor(productCode: string, wanted: number, available?: number) {
    super('out_of_stock', 409, available === undefined ? `${productCode} is out of stock.` : `${productCode} has ${available} in stock; ${wanted} were asked for.`);
  }
}

export class InsufficientBalance extends DomainError {
  constructor(needed: string, available: string, currency: string) {
    super('insufficient_balance', 402, `The wallet has ${available} ${currency} available (balance plus credit); this order needs ${needed} ${currency}. Top up and retry.`);
  }
}

export class InvalidState extends DomainError {
  constructor(message: string) {
    super('invalid_state', 409, message);
  }
}

export class IdempotencyKeyReused extends DomainError {
  constructor(what: string) {
    super('idempotency_key_reused', 422, `${what} was already used for a different request; use a new one.`);
  }
}

export class RequestInProgress extends DomainError {
  constructor(what: string) {
    super('request_in_progress', 409, `${what} is being processed by an earlier request; retry in a moment to get its answer.`);
  }
}

export class ShuttingDown extends DomainError {
  constructor() {
    super('service_unavailable', 503, 'This server is shutting down; send the request again (to another instance, or once it is back).');
  }
}

export class WalletDisabled extends DomainError {
  constructor() {
    super('wallet_disabled', 503, 'Wallet checkout is switched off by the shop; try again later.');
  }
}

export class PaymentMethodUnavailable extends DomainError {
  constructor(method: string) {
    super('payment_method_unavailable', 400, `Payment by ${method} is not available right now; GET /api/payment-config lists what is, choose one of those.`);
  }
}

export class EmailTaken extends DomainError {
  constructor() {
    super('email_taken', 409, 'An account with this e-mail already exists; log in instead (POST /api/auth/login).', { fields: [{ field: 'email', message: 'is already registered' }] });
  }
}

export class PriceAboveLimit extends DomainError {
  constructor(unitPrice: string, limit: string, currency: string) {
    super('price_above_limit', 409, `The unit price is ${unitPrice} ${currency}, above your max_unit_price of ${limit}; check the product and retry.`);
  }
}

export class InvalidCoupon extends DomainError {
  constructor(message: string) {
    super('invalid_coupon', 400, message, { fields: [{ field: 'coupon', message }] });
  }
}

export class CouponExhausted extends DomainError {
  constructor(code: string, perCustomer: boolean) {
    super('coupon_exhausted', 409, perCustomer ? `You have already used coupon ${code} as many times as it allows.` : `Coupon ${code} has been used up.`);
  }
}

/**
 * An amount that would pass what Souk holds exactly (2^53 − 1 minor units): refused, never rounded,
 * so no order is charged a wrong amount and no stored amount becomes unreadable.
 */
export class AmountOutOfRange extends DomainError {
  constructor(message: string) {
    super('amount_out_of_range', 409, message);
  }
}

/** The shop's risk checks refused an order at placement (core/risk): nothing was written or charged. */
export class OrderRefused extends DomainError {
  constructor() {
    super('order_refused', 422, 'The shop does not accept this order (its risk checks refused it); nothing was charged. Contact the shop if you think this is wrong.');
  }
}
