// The order status machine, for every pair of states: the table itself (canTransition against an
// explicit expectation written out here), and transitionOrder on real order rows on both databases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { CANCELLABLE, ORDER_STATUSES, TRANSITIONS, canTransition, placeOrder, transitionOrder, type OrderStatus } from '../../src/core/orders/index.js';
import { createProduct } from '../../src/core/catalog/index.js';
import { InvalidState } from '../../src/core/errors.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { createReseller, startTestSouk, type TestSouk } from '../helpers/souk.js';
import { fund, orderDeps } from '../helpers/orders.js';

// prettier-ignore
const COLUMNS: OrderStatus[] = ['awaiting_payment', 'queued', 'processing', 'review', 'fulfilled', 'rejected', 'cancelled', 'expired', 'refunded'];
/** Row = from, column = to, in COLUMNS order. 1: allowed. Written out by hand, not derived from TRANSITIONS. */
// prettier-ignore
const EXPECTED: Record<OrderStatus, string> = {
  //                 to: awa que pro rev ful rej can exp ref
  awaiting_payment:    ' 0   1   0   0   0   0   1   1   0',
  queued:              ' 0   0   1   1   1   1   1   0   0',
  processing:          ' 0   0   0   0   1   1   1   0   0',
  review:              ' 0   1   1   0   1   1   1   0   0',
  fulfilled:           ' 0   0   0   0   0   0   0   0   1',
  rejected:            ' 0   0   0   0   0   0   0   0   0',
  cancelled:           ' 0   0   0   0   0   0   0   0   0',
  expired:             ' 0   1   0   0   0   0   0   0   0',
  refunded:            ' 0   0   0   0   0   0   0   0   0',
};

function expected(from: OrderStatus, to: OrderStatus): boolean {
  const row = EXPECTED[from].trim().split(/\s+/);
  assert.equal(row.length, COLUMNS.length, `row ${from} of the expected table`);
  return row[COLUMNS.indexOf(to)] === '1';
}

const PAIRS: Array<[OrderStatus, OrderStatus]> = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to): [OrderStatus, OrderStatus] => [from, to]));

describe('the status table', () => {
  test('has exactly the nine statuses, and the expected table covers them all', () => {
    assert.deepEqual([...ORDER_STATUSES].sort(), [...COLUMNS].sort());
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...COLUMNS].sort());
    assert.deepEqual(Object.keys(EXPECTED).sort(), [...COLUMNS].sort());
    assert.equal(PAIRS.length, 81);
  });

  test('canTransition matches the expected table for all 81 pairs', () => {
    const wrong = PAIRS.filter(([from, to]) => canTransition(from, to) !== expected(from, to)).map(([from, to]) => `${from} → ${to}: ${canTransition(from, to)}`);
    assert.deepEqual(wrong, []);
  });

  test('no status goes to itself; terminal statuses go nowhere; nothing goes back to awaiting_payment', () => {
    for (const s of ORDER_STATUSES) assert.equal(canTransition(s, s), false, s);
    for (const s of ['rejected', 'cancelled', 'refunded'] as const) assert.deepEqual(TRANSITIONS[s], [], s);
    // An expired order comes back only by a late payment (core/orders/late-payment.ts).
    assert.deepEqual(TRANSITIONS.expired, ['queued']);
    for (const s of ORDER_STATUSES) assert.equal(canTransition(s, 'awaiting_payment'), false, s);
    // refunded is reached only from a delivered order.
    assert.deepEqual(ORDER_STATUSES.filter((s) => canTransition(s, 'refunded')), ['fulfilled']);
  });

  test('CANCELLABLE is every status before fulfilment', () => {
    assert.deepEqual([...CANCELLABLE].sort(), ['awaiting_payment', 'processing', 'queued', 'review']);
  });
});

for (const kind of DATABASE_KINDS) {
  describe(`transitionOrder on real orders (${kind})`, () => {
    let t: TestSouk;
    let accountId: number;

    before(async () => {
      t = await startTestSouk(kind);
      accountId = (await createReseller(t.souk, { name: 'Status buyer' })).accountId;
      await fund(t.souk, accountId, 1_000_000);
      await createProduct({ db: t.souk.db, bus: t.souk.bus }, { code: 'MAN-STATUS', name: 'Manual', price: '1.00', fulfillment: 'manual' });
    });
    after(() => t?.close());

    /** A real order (placed, paid, processing), then put in `status` for the test. */
    async function orderIn(status: OrderStatus): Promise<string> {
      const placed = await placeOrder(orderDeps(t.souk), accountId, { product: 'MAN-STATUS' }, 'test');
      assert.equal(placed.order.status, 'processing');
      await t.souk.db.updateTable('orders').set({ status }).where('id', '=', placed.order.id).execute();
      return placed.order.id;
    }

    const snapshot = async (orderId: string) => ({
      order: await t.souk.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow(),
      events: await t.souk.db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute(),
    });

    const move = (orderId: string, from: OrderStatus, to: OrderStatus) =>
      t.souk.db.transaction().execute((tx) => transitionOrder(tx, orderId, from, to, { actor: 'test:status', reason: `${from} to ${to}` }));

    const isInvalidState = (error: unknown) => {
      assert.ok(error instanceof InvalidState, String(error));
      assert.equal(error.code, 'invalid_state');
      assert.equal(error.status, 409);
      return true;
    };

    test('every one of the 81 pairs: allowed moves change the row and write one event; the rest throw InvalidState and change nothing', async () => {
      for (const [from, to] of PAIRS) {
        const id = await orderIn(from);
        const before = await snapshot(id);
        const label = `${from} → ${to}`;
        if (expected(from, to)) {
          await move(id, from, to);
          const after = await snapshot(id);
          assert.equal(after.order.status, to, label);
          assert.equal(after.order.reason, `${from} to ${to}`, label);
          assert.ok(after.order.updated_at >= before.order.updated_at, label);
          assert.equal(after.events.length, before.events.length + 1, label);
          const event = after.events.at(-1)!;
          assert.deepEqual(
            { order_id: event.order_id, from_status: event.from_status, to_status: event.to_status, actor: event.actor, reason: event.reason },
            { order_id: id, from_status: from, to_status: to, actor: 'test:status', reason: `${from} to ${to}` },
            label,
          );
          // Nothing but status, reason and updated_at moved.
          assert.deepEqual({ ...after.order, status: from, reason: before.order.reason, updated_at: before.order.updated_at }, before.order, label);
        } else {
          await assert.rejects(move(id, from, to), isInvalidState, label);
          assert.deepEqual(await snapshot(id), before, label);
        }
      }
    });

    test('an allowed move on an order that is no longer in `from` throws InvalidState and changes nothing', async () => {
      for (const [from, to] of PAIRS.filter(([f, s]) => expected(f, s))) {
        // The row is in some other state than the caller believes (someone moved it first).
        for (const actual of ORDER_STATUSES.filter((s) => s !== from)) {
          const id = await orderIn(actual);
          const before = await snapshot(id);
          await assert.rejects(move(id, from, to), isInvalidState, `${from} → ${to} with the order ${actual}`);
          assert.deepEqual(await snapshot(id), before, `${from} → ${to} with the order ${actual}`);
        }
      }
    });

    test('two concurrent moves out of the same state: exactly one wins, one event is written', async () => {
      for (let round = 0; round < 5; round++) {
        const id = await orderIn('processing');
        const outcomes = await Promise.allSettled([move(id, 'processing', 'fulfilled'), move(id, 'processing', 'cancelled'), move(id, 'processing', 'rejected')]);
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        assert.equal(won.length, 1, JSON.stringify(outcomes.map((o) => o.status)));
        for (const o of outcomes) if (o.status === 'rejected') isInvalidState(o.reason);
        const after = await snapshot(id);
        const moves = after.events.filter((e) => e.from_status === 'processing' && e.actor === 'test:status');
        assert.equal(moves.length, 1);
        assert.equal(after.order.status, moves[0]!.to_status);
      }
      const rows = await sql<{ n: number }>`select count(*) as n from order_events where actor = 'test:status' and from_status = to_status`.execute(t.souk.db);
      assert.equal(Number(rows.rows[0]!.n), 0);
    });
  });
}
