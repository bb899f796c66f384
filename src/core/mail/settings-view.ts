// How mail leaves this Souk, as the console shows it: the SMTP server's host and port and the From,
// never the user or password SOUK_SMTP_URL may carry.

export interface MailSettingsView {
  /** smtp (STARTTLS when offered), smtps (TLS from the start), or files (.eml under <data dir>/mail/, no SMTP set). */
  transport: 'smtp' | 'smtps' | 'files';
  host: string | null;
  port: number | null;
  from: string;
}

/** The mail settings without credentials: host, port and From only. */
export function mailSettingsView(config: { smtpUrl: string | undefined; mailFrom: string }): MailSettingsView {
  if (!config.smtpUrl) return { transport: 'files', host: null, port: null, from: config.mailFrom };
  const url = new URL(config.smtpUrl);
  const secure = url.protocol === 'smtps:';
  return { transport: secure ? 'smtps' : 'smtp', host: url.hostname, port: url.port ? Number(url.port) : secure ? 465 : 587, from: config.mailFrom };
}
