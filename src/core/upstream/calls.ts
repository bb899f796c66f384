// Every call to an upstream goes through callUpstream: it times the call, and when it fails it
// writes one api_failures row (provider, dialect, operation, status, a redacted excerpt, our order
// id) and one log line, then lets the failure go on to the caller, classified. An error that is
// not an UpstreamFailure (a bug in a dialect, a TypeError on a strange answer) is classified
// 'unknown' here: it never escapes as a crash, and never reads as "nothing was bought".
import { recordUpstreamCallFailure } from '../orders/index.js';
import { UpstreamFailure } from './failure.js';
import type { ProviderRow, UpstreamDeps } from './providers.js';

export type UpstreamOperation = 'list-products' | 'get-product' | 'create-order' | 'find-order' | 'cancel-order' | 'balance' | 'callback';

/** A thrown value as an UpstreamFailure: itself, or 'unknown' with a message that names no secret. */
export function asFailure(error: unknown): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  const name = error instanceof Error ? error.name : typeof error;
  return new UpstreamFailure('unknown', `the answer could not be understood (${name})`, { code: 'unreadable' });
}

/** The provider's credential values worth hiding (every one of them, however it is used). */
function credentialsOf(deps: UpstreamDeps, provider: Pick<ProviderRow, 'credentials'>): string[] {
  try {
    const opened = JSON.parse(deps.box.open(provider.credentials)) as Record<string, unknown>;
    // Longest first, so that a credential holding another is hidden whole.
    return Object.values(opened)
      .filter((value): value is string => typeof value === 'string' && value.length >= 4)
      .sort((x, y) => y.length - x.length);
  } catch {
    return [];
  }
}

/** The failure with every credential of the provider taken out of its message and excerpt: an upstream may echo what it was sent. */
function withoutCredentials(failure: UpstreamFailure, credentials: string[]): UpstreamFailure {
  const scrub = (text: string) => credentials.reduce((clean, secret) => clean.split(secret).join('[redacted]'), text);
  const message = scrub(failure.message);
  const excerpt = failure.detail.excerpt === undefined ? undefined : scrub(failure.detail.excerpt);
  const code = failure.detail.code === undefined ? undefined : scrub(failure.detail.code);
  if (message === failure.message && excerpt === failure.detail.excerpt && code === failure.detail.code) return failure;
  return new UpstreamFailure(failure.failure, message, { ...failure.detail, ...(excerpt === undefined ? {} : { excerpt }), ...(code === undefined ? {} : { code }) });
}

/** Runs one call to `provider`, logging and recording it if it fails; the failure is rethrown as an UpstreamFailure, with no credential of the provider in it. */
export async function callUpstream<T>(deps: UpstreamDeps, provider: Pick<ProviderRow, 'id' | 'dialect' | 'credentials'>, operation: UpstreamOperation, orderId: string | null, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const failure = withoutCredentials(asFailure(error), credentialsOf(deps, provider));
    deps.log?.('upstream call failed', {
      provider: provider.id,
      dialect: provider.dialect,
      operation,
      order: orderId,
      class: failure.failure,
      code: failure.code,
      status: failure.detail.status ?? null,
      message: failure.message,
    });
    await recordUpstreamCallFailure(deps.db, {
      providerId: provider.id,
      dialect: provider.dialect,
      operation,
      status: failure.detail.status ?? null,
      errorCode: failure.code,
      message: `${failure.failure}: ${failure.message}`,
      excerpt: failure.detail.excerpt ?? null,
      orderId,
    }).catch(() => undefined);
    throw failure;
  }
}
