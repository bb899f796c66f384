// The simulator's own page at /_sim, for a person trying Souk locally: place a paid order (or mark an
// unpaid one paid) in the simulated store and have Zid's webhook fire, as a customer paying would.
// Not part of Zid: nothing under /_sim needs a token.
import type { ZidData } from './data.js';
import { englishOf } from './data.js';
import type { Answer } from './http.js';
import type { WebhookDelivery, ZidWebhookEvent } from './types.js';

export interface AdminContext {
  data: ZidData;
  fire(event: ZidWebhookEvent, objectId: number): Promise<WebhookDelivery[]>;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(ctx: AdminContext, message = ''): Answer {
  const products = [...ctx.data.products.values()]
    .map((p) => `<option value="${p.id}">${escape(englishOf(p.name))} (${p.sku}, ${p.sale_price ?? p.price ?? 0} ${p.currency})</option>`)
    .join('');
  const orders = [...ctx.data.orders.values()]
    .sort((a, b) => b.id - a.id)
    .map(
      (o) =>
        `<tr><td>${o.order_number}</td><td>${o.id}</td><td>${escape(o.customer.email)}</td><td>${o.total} ${o.currency}</td><td>${o.payment_status}</td><td>${o.status}</td>` +
        `<td>${o.payment_status === 'paid' ? '' : `<form method="post" action="/_sim/orders/${o.id}/paid"><button>Mark paid</button></form>`}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Zid simulator</title></head><body>
<h1>Zid simulator</h1>${message ? `<p><strong>${escape(message)}</strong></p>` : ''}
<h2>A customer pays for an order</h2>
<form method="post" action="/_sim/orders">
<label>Product <select name="product_id">${products}</select></label>
<label>Quantity <input name="quantity" value="1" size="3"></label>
<label>Customer e-mail <input name="email" value="customer@example.com"></label>
<button>Place a paid order and send order.create</button></form>
<h2>Orders</h2><table border="1" cellpadding="4"><tr><th>Number</th><th>Id</th><th>Customer</th><th>Total</th><th>Payment</th><th>Status</th><th></th></tr>${orders}</table>
</body></html>`;
  return { status: 200, body: html, contentType: 'text/html; charset=UTF-8' };
}

/** Fields of a form or JSON body as text. */
function fieldsOf(contentType: string, body: string): Record<string, string> {
  if (/json/i.test(contentType)) {
    try {
      const parsed: unknown = JSON.parse(body || '{}');
      if (parsed && typeof parsed === 'object') return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
    return {};
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function said(json: boolean, ctx: AdminContext, status: number, message: string, extra: Record<string, unknown> = {}): Answer {
  if (json) return { status, body: status < 400 ? { message, ...extra } : { error: { code: 'invalid_parameters', message } } };
  return { ...page(ctx, message), status };
}

function deliveries(list: WebhookDelivery[]): string {
  return list.length ? `sent to ${list.length} webhook(s): ${list.map((d) => d.status || 'unreachable').join(', ')}` : 'no webhook is registered for it';
}

/** An answer for /_sim…, or undefined when the path is not the simulator's own. */
export async function answerAdmin(ctx: AdminContext, method: string, url: URL, contentType: string, body: string): Promise<Answer | undefined> {
  const json = /json/i.test(contentType);
  if (url.pathname === '/_sim' || url.pathname === '/_sim/') return method === 'GET' ? page(ctx) : undefined;
  if (url.pathname === '/_sim/orders' && method === 'POST') {
    const fields = fieldsOf(contentType, body);
    const productId = Number(fields.product_id ?? [...ctx.data.products.keys()][0]);
    const quantity = Number(fields.quantity ?? 1);
    if (!ctx.data.products.has(productId)) return said(json, ctx, 400, `There is no product ${fields.product_id ?? ''}.`);
    if (!Number.isInteger(quantity) || quantity < 1) return said(json, ctx, 400, 'The quantity must be a whole number above 0.');
    const order = ctx.data.addOrder({
      products: [{ id: productId, quantity }],
      payment_status: 'paid',
      customer: { ...(fields.email ? { email: fields.email } : {}), ...(fields.name ? { name: fields.name } : {}) },
    });
    const sent = await ctx.fire('order.create', order.id);
    return said(json, ctx, 200, `Order ${order.order_number} (id ${order.id}) placed and paid; order.create ${deliveries(sent)}.`, { order, deliveries: sent });
  }
  const paid = /^\/_sim\/orders\/(\d+)\/paid$/.exec(url.pathname);
  if (paid && method === 'POST') {
    const id = Number(paid[1]);
    if (!ctx.data.orders.has(id)) return said(json, ctx, 404, `There is no order ${id}.`);
    const order = ctx.data.setPaymentStatus(id, 'paid');
    const sent = await ctx.fire('order.payment_status.update', id);
    return said(json, ctx, 200, `Order ${order.order_number} is paid; order.payment_status.update ${deliveries(sent)}.`, { order, deliveries: sent });
  }
  return undefined;
}
