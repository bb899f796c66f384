// Order API answers as the concurrency tests see them, counted and checked the same way whether
// one server or two placed them.
import assert from 'node:assert/strict';

/** The parts of the order API's JSON answers these tests look at. */
export interface Body {
  error?: string;
  message?: string;
  order_id: string;
  status: string;
  amount: number;
  replayed: boolean;
  order: { order_id: string; number: string; status: string; payment_status: string; items: Array<{ id: number; code: string }> };
}

export interface Answer {
  status: number;
  body: Body;
}

/** POSTs JSON with a key and reads the answer, keeping a body that is not JSON as its message. */
export async function postOrderApi(url: string, key: string, payload: object): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Body };
  } catch {
    return { status: res.status, body: { error: 'not_json', message: text } as Body };
  }
}

/** How many answers of each `status error` there were. */
export function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const label = `${a.status} ${a.body.error ?? ''}`.trim();
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

/**
 * 500 placements raced for the last 100 codes of `product` (priced 2.50): exactly 100 won, each
 * with its own order and a code of that product nobody had before, and 400 were out of stock.
 */
export function assertLastHundredSold(answers: Answer[], product: string, soldBefore: ReadonlySet<string>): Answer[] {
  assert.deepEqual(tally(answers), { '200': 100, '409 out_of_stock': 400 });
  const won = answers.filter((a) => a.status === 200);
  const codes = won.flatMap((a) => a.body.order.items.map((item) => item.code));
  assert.equal(codes.length, 100);
  assert.equal(new Set(codes).size, 100, 'a code was delivered twice');
  for (const code of codes) {
    assert.match(code, new RegExp(`^${product}-\\d{4}$`));
    assert.ok(!soldBefore.has(code), `${code} was already sold before the race`);
  }
  assert.equal(new Set(won.map((a) => a.body.order_id)).size, 100);
  for (const a of won) {
    assert.equal(a.body.status, 'fulfilled');
    assert.equal(a.body.amount, 2.5);
    assert.equal(a.body.replayed, false);
  }
  return won;
}
