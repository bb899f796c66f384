// Where mail goes: an SMTP server (SOUK_SMTP_URL), or, with none configured (the embedded default),
// a mail drop of .eml files under `<data dir>/mail/`, so nothing is lost for want of a server.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';

export interface SentMail {
  messageId: string;
  /** Where the message was written (mail drop only). */
  file?: string;
}

export interface MailTransport {
  /** `name` is a stable, file-safe name for the message (the drop names its file after it). */
  send(message: SendMailOptions, name: string): Promise<SentMail>;
  close(): void;
}

/** Sends through SMTP; the URL may carry credentials (smtp://user:pass@host:port, smtps://…). */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send(message) {
      const info = await transporter.sendMail(message);
      return { messageId: info.messageId };
    },
    close: () => transporter.close(),
  };
}

/**
 * Writes each message as an RFC 5322 .eml file into `dir`. The file is written under a temporary
 * name and renamed, so a reader never sees half a message; sending the same mail again replaces it.
 */
export function dropTransport(dir: string): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message, name) {
      const info = await builder.sendMail(message);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `${name}.eml`);
      const partial = `${file}.partial`;
      await writeFile(partial, info.message as Buffer, { mode: 0o600 });
      await rename(partial, file);
      return { messageId: info.messageId, file };
    },
    close: () => builder.close(),
  };
}

export function mailTransportFor(config: { smtpUrl: string | undefined; dataDir: string }): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl) : dropTransport(path.join(config.dataDir, 'mail'));
}
