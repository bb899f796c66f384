// The mail worker: codes of e-mail orders, to the buyer. Runs in `souk worker`, and inside
// `souk serve` wherever the webhook worker runs (it reads the feed the dispatcher publishes).
import type { Souk } from '../app.js';
import { Mailer, mailTransportFor } from '../core/mail/index.js';

export interface MailWorker {
  mailer: Mailer;
  stop(): Promise<void>;
}

export function startMailWorker(souk: Souk, options: { onError: (error: unknown) => void; log: (message: string, fields: Record<string, string>) => void }): MailWorker {
  const mailer = new Mailer({
    db: souk.db,
    dialect: souk.dialect,
    vault: souk.vault,
    transport: mailTransportFor(souk.config),
    from: souk.config.mailFrom,
    // The path or message id only: the codes are in the mail, never in a log line.
    onSent: (sent) => options.log(sent.file ? 'order mail written to the mail drop' : 'order mail sent', { order: sent.orderNumber, ...(sent.file ? { file: sent.file } : { message_id: sent.messageId }) }),
    onError: options.onError,
  });
  mailer.start();
  return { mailer, stop: () => mailer.stop() };
}
