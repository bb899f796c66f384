// Zid calling the webhooks an app registered. The document shows no payload, so a test chooses how
// the object comes: as is, or wrapped in `data`, `order` or `payload`. Zid signs nothing.
import type { ZidData } from './data.js';
import type { WebhookDelivery, ZidWebhook, ZidWebhookEvent } from './types.js';
import { orderDetail, productDetail } from './views.js';

export type WebhookWrap = 'bare' | 'data' | 'order' | 'payload';

export interface FireOptions {
  wrap?: WebhookWrap;
  /** Sends this body instead (a forged or malformed call): an object as JSON, text as is. */
  body?: string | object;
}

/** The object a call about `objectId` carries: the order or product as the API shows it, or only its id once gone. */
function objectOf(data: ZidData, event: ZidWebhookEvent, objectId: number): Record<string, unknown> {
  if (event.startsWith('order.')) {
    const order = data.orders.get(objectId);
    return order ? orderDetail(order) : { id: objectId };
  }
  const product = data.products.get(objectId);
  return product ? productDetail(product) : { id: objectId };
}

/** POSTs the call to every URL registered for `event`; resolves with each receiver's status (0: unreachable). */
export async function fireWebhook(
  data: ZidData,
  webhooks: readonly ZidWebhook[],
  event: ZidWebhookEvent,
  objectId: number,
  options: FireOptions = {},
): Promise<WebhookDelivery[]> {
  const object = objectOf(data, event, objectId);
  const wrap = options.wrap ?? 'bare';
  const payload = wrap === 'bare' ? object : { event, [wrap]: object };
  const body = options.body === undefined ? JSON.stringify(payload) : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const targets = webhooks.filter((w) => w.event === event);
  return Promise.all(
    targets.map(async ({ url }) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'Zid-Webhooks/1.0 (simulator)' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        return { url, status: response.status };
      } catch {
        return { url, status: 0 };
      }
    }),
  );
}
