// The mail that delivers an order's codes to its buyer. Built at send time from the order as it is
// (codes opened from their sealed form), never stored.
import type { SendMailOptions } from 'nodemailer';
import type { OrderDetail } from '../orders/index.js';

export function codesMail(order: OrderDetail, recipient: string, from: string, messageId: string): SendMailOptions {
  const lines = [
    `Hello${order.buyer.name ? ` ${order.buyer.name}` : ''},`,
    '',
    `Your order ${order.number} for ${order.quantity} × ${order.product.name} has been delivered.`,
    order.items.length === 1 ? 'Your code:' : 'Your codes:',
    '',
    ...order.items.map((item) => `  ${item.code}`),
    '',
    'Keep this message: anyone with a code can redeem it.',
  ];
  return {
    from,
    to: recipient,
    subject: `Your order ${order.number}: ${order.product.name}`,
    text: lines.join('\n') + '\n',
    // Stable per order, so a receiving system can tell a repeated send (after a crash) from a new mail.
    messageId,
    headers: { 'X-Souk-Order': order.id },
  };
}
