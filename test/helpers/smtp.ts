// A real SMTP server on 127.0.0.1 (smtp-server): accepts every message, no TLS and no login, and
// keeps what it received for the test to read.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { WAIT_CEILING_MS } from './wait-ceiling.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw RFC 5322 message. */
  raw: string;
}

export interface MailCatcher {
  url: string;
  mails: ReceivedMail[];
  /** Waits until `predicate` holds for the mails so far, failing after `timeoutMs`. */
  waitFor(predicate: (mails: ReceivedMail[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(predicate, what, timeoutMs = WAIT_CEILING_MS) {
      for (const started = Date.now(); !predicate(mails); ) {
        if (Date.now() - started > timeoutMs) throw new Error(`${what}: not received within ${timeoutMs} ms (${mails.length} mails so far)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
