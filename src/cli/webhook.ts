// `souk webhook`: endpoints, their secrets, deliveries, re-sends and test events.
import { Command, Option } from 'commander';
import { EVENT_TYPES } from '../core/events/index.js';
import {
  createWebhookEndpoint,
  DELIVERY_STATUSES,
  listDeliveries,
  listWebhookEndpoints,
  resendDelivery,
  resendFailedDeliveries,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhookEndpoint,
  type DeliveryStatus,
} from '../core/webhooks/index.js';
import { cliTools, print, webhookDeps, wholeNumber } from './tools.js';

/** Adds `souk webhook` to the program. */
export function registerWebhookCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const webhook = program.command('webhook').description('webhook endpoints');
  webhook
    .command('create')
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .requiredOption('--url <url>', 'where to POST events (http or https, a public address unless SOUK_WEBHOOK_ALLOW_PRIVATE=1)')
    .option('--events <list>', `comma-separated event types (default: all): ${EVENT_TYPES.join(', ')}`)
    .option('--no-include-items', 'order events leave out the delivered codes (the receiver fetches the order)')
    .option('--json', 'print JSON')
    .action(async (options: { account: number; url: string; events?: string; includeItems: boolean; json?: boolean }) => {
      const events = options.events?.split(',').map((e) => e.trim()).filter(Boolean);
      const created = await withSouk((souk) =>
        createWebhookEndpoint(webhookDeps(souk), options.account, { url: options.url, events, includeItems: options.includeItems }),
      );
      print(options.json, { endpoint_id: created.endpoint.id, secret: created.secret }, `Endpoint ${created.endpoint.id} → ${created.endpoint.url}\nSecret (shown once): ${created.secret}`);
    });
  webhook
    .command('list')
    .option('--account <id>', 'only this account', wholeNumber('--account'))
    .option('--json', 'print JSON')
    .action(async (options: { account?: number; json?: boolean }) => {
      const endpoints = await withSouk((souk) => listWebhookEndpoints(souk.db, options.account));
      const lines = endpoints.map((e) => `${e.id}  account ${e.account_id}  ${e.url}  ${e.events.join(',') || 'all events'}${e.enabled ? '' : '  DISABLED'}`);
      print(options.json, { endpoints }, lines.join('\n') || 'No webhook endpoints.');
    });
  webhook
    .command('rotate-secret')
    .argument('<endpoint-id>', 'the endpoint id (we_…)')
    .option('--json', 'print JSON')
    .action(async (endpointId: string, options: { json?: boolean }) => {
      const secret = await withSouk((souk) => rotateWebhookSecret(webhookDeps(souk), endpointId));
      print(options.json, { endpoint_id: endpointId, secret }, `New secret (shown once; the old one stays valid for 24 hours): ${secret}`);
    });
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    webhook
      .command(name)
      .description(enabled ? 'send to this endpoint again (deliveries waiting for it go out)' : 'stop sending to this endpoint: new events skip it, queued deliveries wait until it is enabled')
      .argument('<endpoint-id>', 'the endpoint id (we_…)')
      .option('--json', 'print JSON')
      .action(async (endpointId: string, options: { json?: boolean }) => {
        const endpoint = await withSouk((souk) => updateWebhookEndpoint(webhookDeps(souk), endpointId, { enabled }));
        print(options.json, { endpoint_id: endpoint.id, enabled: endpoint.enabled }, `Endpoint ${endpoint.id} is ${endpoint.enabled ? 'enabled' : 'disabled'}.`);
      });
  }
  webhook
    .command('deliveries')
    .description('recent deliveries, newest first, with their attempts')
    .option('--endpoint <id>', 'only this endpoint')
    .option('--account <id>', 'only this account', wholeNumber('--account'))
    .addOption(new Option('--status <status>', 'only deliveries in this state').choices([...DELIVERY_STATUSES]))
    .option('--limit <n>', 'how many (default 50, at most 500)', wholeNumber('--limit'))
    .option('--json', 'print JSON')
    .action(async (options: { endpoint?: string; account?: number; status?: DeliveryStatus; limit?: number; json?: boolean }) => {
      const deliveries = await withSouk((souk) =>
        listDeliveries(souk.db, { endpointId: options.endpoint, accountId: options.account, status: options.status, limit: Math.min(options.limit ?? 50, 500) }),
      );
      const lines = deliveries.map(
        (d) => `${d.id}  ${d.status.padEnd(9)}  ${d.type}  ${d.event_id}  ${d.endpoint_id ?? d.callback_url}  tries ${d.attempts}${d.last_status_code ? `  last ${d.last_status_code}` : ''}${d.last_error ? `  ${d.last_error}` : ''}`,
      );
      print(options.json, { deliveries }, lines.join('\n') || 'No deliveries.');
    });
  webhook
    .command('resend')
    .description("send again: one delivery (--delivery), or every failed one of an endpoint (--endpoint)")
    .option('--delivery <id>', 'a delivery id (delivered, acked or dead)', wholeNumber('--delivery'))
    .option('--endpoint <id>', "every dead or still-failing delivery of this endpoint")
    .option('--json', 'print JSON')
    .action(async (options: { delivery?: number; endpoint?: string; json?: boolean }) => {
      if ((options.delivery === undefined) === (options.endpoint === undefined)) throw new Error('give either --delivery ID or --endpoint ID');
      if (options.delivery !== undefined) {
        const deliveryId = options.delivery;
        await withSouk((souk) => resendDelivery(souk.db, deliveryId));
        print(options.json, { resent: 1 }, `Delivery ${deliveryId} will be sent again.`);
        return;
      }
      const endpointId = options.endpoint!;
      const resent = await withSouk((souk) => resendFailedDeliveries(souk.db, endpointId));
      print(options.json, { resent }, `${resent} failed deliveries of ${endpointId} will be sent again.`);
    });
  webhook
    .command('test')
    .description('send a webhook.test event to this endpoint')
    .argument('<endpoint-id>', 'the endpoint id (we_…)')
    .option('--json', 'print JSON')
    .action(async (endpointId: string, options: { json?: boolean }) => {
      const eventId = await withSouk((souk) => sendTestEvent(souk.db, endpointId));
      print(options.json, { event_id: eventId }, `Test event ${eventId} queued for ${endpointId}.`);
    });
}
