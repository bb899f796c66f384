// Disposable e-mail domains: the maintained list of the `disposable-email-domains` package (pinned
// in package.json; updating the package updates the list), read once, on first use.
import { createRequire } from 'node:module';

let domains: Set<string> | undefined;

/** Whether the e-mail's domain (or a parent of it) is a disposable-address domain. */
export function isDisposableEmail(email: string): boolean {
  domains ??= new Set(createRequire(import.meta.url)('disposable-email-domains') as string[]);
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const parts = email.slice(at + 1).trim().toLowerCase().split('.');
  // mail.mailinator.com is mailinator.com's: check the domain and each parent with a dot in it.
  for (let i = 0; i < parts.length - 1; i++) if (domains.has(parts.slice(i).join('.'))) return true;
  return false;
}
