// The minimal reference for order placement: a bare Fastify route doing the same transaction on
// the same tables as Souk (claim one code, count it down, debit the wallet, write the ledger entry,
// the order, its item and its two events, answer with the decrypted code), with hand-written
// prepared statements and nothing else: no auth, no validation, no idempotency beyond the unique
// constraint, no logging. Written plainly, as anyone would.
//
// usage: node --import tsx bench/reference-orders.ts <database url> <master key base64> <product code> <account id>
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SecretBox } from '../src/core/crypto.js';

const [url = '', masterKey = '', productCode = '', accountArg = ''] = process.argv.slice(2);
const accountId = Number(accountArg);
// Opens the codes Souk sealed; it fingerprints nothing.
const vault = new SecretBox(Buffer.from(masterKey, 'base64'));

interface Placed {
  orderId: string;
  code: string;
  amount: number;
}
class OutOfStock extends Error {}

type Place = (clientOrderId: string) => Promise<Placed>;

function sqlitePlace(file: string): Place {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const product = db.prepare('select id, price_minor, currency from products where code = ?').get(productCode) as { id: number; price_minor: number; currency: string };
  const wallet = db.prepare('select id from wallets where account_id = ? and currency = ?').get(accountId, product.currency) as { id: number };
  const pick = db.prepare("select id, code_enc from stock_items where product_id = ? and status = 'available' order by id limit 1");
  const claim = db.prepare("update stock_items set status = 'sold', order_id = ?, sold_at = ? where id = ? and status = 'available'");
  const countDown = db.prepare('update products set stock_available = stock_available - 1 where id = ?');
  const debit = db.prepare('update wallets set balance_minor = balance_minor - ?, updated_at = ? where id = ? and balance_minor - ? + credit_limit_minor >= 0 returning balance_minor');
  const ledger = db.prepare("insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, created_at) values (?, ?, ?, 'order', ?, ?)");
  const order = db.prepare(
    "insert into orders (id, number, account_id, channel, client_order_id, product_id, quantity, unit_price_minor, currency, total_minor, charged_minor, charged_currency, status, payment_status, fulfillment, wallet_id, delivery_channel, fields, created_at, updated_at) values (?, ?, ?, 'api', ?, ?, 1, ?, ?, ?, ?, ?, 'fulfilled', 'paid', 'stock', ?, 'api', '{}', ?, ?)",
  );
  const item = db.prepare('insert into order_items (order_id, stock_item_id, created_at) values (?, ?, ?)');
  const event = db.prepare('insert into order_events (order_id, from_status, to_status, actor, created_at) values (?, ?, ?, ?, ?)');
  const place = db.transaction((clientOrderId: string): Placed => {
    const now = new Date().toISOString();
    const orderId = randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase();
    const code = pick.get(product.id) as { id: number; code_enc: string } | undefined;
    if (!code) throw new OutOfStock();
    claim.run(orderId, now, code.id);
    countDown.run(product.id);
    const after = debit.get(product.price_minor, now, wallet.id, product.price_minor) as { balance_minor: number } | undefined;
    if (!after) throw new Error('insufficient balance');
    ledger.run(wallet.id, -product.price_minor, after.balance_minor, `order:${orderId}`, now);
    order.run(orderId, `R-${orderId.slice(0, 16)}`, accountId, clientOrderId, product.id, product.price_minor, product.currency, product.price_minor, product.price_minor, product.currency, wallet.id, now, now);
    item.run(orderId, code.id, now);
    event.run(orderId, null, 'queued', 'reference', now);
    event.run(orderId, 'queued', 'fulfilled', 'reference', now);
    return { orderId, code: vault.open(code.code_enc), amount: product.price_minor };
  });
  return async (clientOrderId) => place.immediate(clientOrderId);
}

async function postgresPlace(connectionString: string): Promise<Place> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  const product = (await pool.query('select id, price_minor::int as price_minor, currency from products where code = $1', [productCode])).rows[0] as { id: number; price_minor: number; currency: string };
  const wallet = (await pool.query('select id::int as id from wallets where account_id = $1 and currency = $2', [accountId, product.currency])).rows[0] as { id: number };
  return async (clientOrderId) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const now = new Date().toISOString();
      const orderId = randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase();
      const claimed = await client.query({
        name: 'claim',
        text: "update stock_items set status = 'sold', order_id = $1, sold_at = $2 where id = (select id from stock_items where product_id = $3 and status = 'available' order by id limit 1 for update skip locked) returning id, code_enc",
        values: [orderId, now, product.id],
      });
      const code = claimed.rows[0] as { id: string; code_enc: string } | undefined;
      if (!code) throw new OutOfStock();
      await client.query({ name: 'count', text: 'update products set stock_available = stock_available - 1 where id = $1', values: [product.id] });
      const after = await client.query({
        name: 'debit',
        text: 'update wallets set balance_minor = balance_minor - $1, updated_at = $2 where id = $3 and balance_minor - $1 + credit_limit_minor >= 0 returning balance_minor::bigint as balance_minor',
        values: [product.price_minor, now, wallet.id],
      });
      if (!after.rows[0]) throw new Error('insufficient balance');
      await client.query({
        name: 'ledger',
        text: "insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, created_at) values ($1, $2, $3, 'order', $4, $5)",
        values: [wallet.id, -product.price_minor, (after.rows[0] as { balance_minor: string }).balance_minor, `order:${orderId}`, now],
      });
      await client.query({
        name: 'order',
        text: "insert into orders (id, number, account_id, channel, client_order_id, product_id, quantity, unit_price_minor, currency, total_minor, charged_minor, charged_currency, status, payment_status, fulfillment, wallet_id, delivery_channel, fields, created_at, updated_at) values ($1, $2, $3, 'api', $4, $5, 1, $6, $7, $6, $6, $7, 'fulfilled', 'paid', 'stock', $8, 'api', '{}', $9, $9)",
        values: [orderId, `R-${orderId.slice(0, 16)}`, accountId, clientOrderId, product.id, product.price_minor, product.currency, wallet.id, now],
      });
      await client.query({ name: 'item', text: 'insert into order_items (order_id, stock_item_id, created_at) values ($1, $2, $3)', values: [orderId, code.id, now] });
      await client.query({
        name: 'events',
        text: "insert into order_events (order_id, from_status, to_status, actor, created_at) values ($1, null, 'queued', 'reference', $2), ($1, 'queued', 'fulfilled', 'reference', $2)",
        values: [orderId, now],
      });
      await client.query('commit');
      return { orderId, code: vault.open(code.code_enc), amount: product.price_minor };
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  };
}

const place = url.startsWith('postgres') ? await postgresPlace(url) : sqlitePlace(url.replace(/^sqlite:/, ''));
const app = Fastify();
app.post<{ Body: { client_order_id: string } }>('/api/v1/orders', async (request, reply) => {
  try {
    const placed = await place(request.body.client_order_id);
    return { ok: true, order_id: placed.orderId, status: 'fulfilled', amount: placed.amount / 100, items: [{ code: placed.code }] };
  } catch (error) {
    if (error instanceof OutOfStock) return reply.code(409).send({ ok: false, error: 'out_of_stock' });
    throw error;
  }
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`reference listening on ${address}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
