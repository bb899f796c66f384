// How a call to an upstream went wrong, classified once, where it is seen (the HTTP client for the
// transport, a dialect for what the upstream said), so that forwarding decides from the class alone:
// - refused: the upstream answered and said no (out of stock, unknown product, bad field, its
//   balance): nothing was bought; the order is rejected and the buyer's money released;
// - retryable: nothing was bought and trying again may work (the request never left, 429, the
//   upstream said so): the same request, with the same reference, later;
// - unknown: the request may have been taken (a timeout or a reset after sending, a 5xx, an answer
//   that cannot be read): before anything else, look the order up by our reference.
export type FailureClass = 'refused' | 'retryable' | 'unknown';

export class UpstreamFailure extends Error {
  constructor(
    readonly failure: FailureClass,
    message: string,
    readonly detail: {
      /** The HTTP status the upstream answered, if it answered. */
      status?: number | null;
      /** A short machine code: `out_of_stock`, `timeout`, `bad_json`, the upstream's own error code … */
      code?: string;
      /** What the upstream answered, cut short (redacted before it is stored). */
      excerpt?: string;
      /** From a 429's Retry-After, in milliseconds. */
      retryAfterMs?: number;
    } = {},
  ) {
    super(message);
    this.name = 'UpstreamFailure';
  }

  get code(): string {
    return this.detail.code ?? this.failure;
  }
}

/** True when `error` is an UpstreamFailure of one of `classes`. */
export function isFailure(error: unknown, ...classes: FailureClass[]): error is UpstreamFailure {
  return error instanceof UpstreamFailure && (classes.length === 0 || classes.includes(error.failure));
}
