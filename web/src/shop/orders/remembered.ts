// The e-mail an order was placed with, kept for this tab so the order page can fetch the codes
// (POST /api/orders/query needs the order number and the e-mail) without asking again.
const KEY = 'souk.orders';

type Remembered = Record<string, { orderNo: string; email: string }>;

function all(): Remembered {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Remembered;
  } catch {
    return {};
  }
}

/** Keeps the order's number and e-mail for the order page. */
export function rememberOrder(id: string, orderNo: string, email: string): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ ...all(), [id]: { orderNo, email } }));
  } catch {
    // Storage refused: the order page asks for the e-mail instead.
  }
}

/** The number and e-mail kept for an order (by id or number), if this tab placed it. */
export function rememberedOrder(idOrNo: string): { orderNo: string; email: string } | undefined {
  const orders = all();
  return orders[idOrNo] ?? Object.values(orders).find((order) => order.orderNo === idOrNo);
}
