// Mail: codes of orders delivered by e-mail reach the buyer through SMTP or the .eml mail drop,
// driven from the transactional outbox so that no mail is lost when a process dies.
export { Mailer, type MailerOptions } from './mailer.js';
export { mailTransportFor, dropTransport, smtpTransport, type MailTransport, type SentMail } from './transport.js';
export { claimNextMail, markMailFailed, markMailSent, queueOrderMails, MAIL_LEASE_MS, MAIL_QUEUE, MAIL_RETRY_SCHEDULE, type ClaimedMail } from './order-mails.js';
export { codesMail } from './compose.js';
export { listOrderMails, resendOrderMail, MAIL_STATUSES, type MailStatus, type OrderMailView } from './mail-admin.js';
export { mailSettingsView, type MailSettingsView } from './settings-view.js';
