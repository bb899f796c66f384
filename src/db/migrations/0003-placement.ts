// PostgreSQL: the write half of order placement as one function, so a batch of orders costs one
// round trip and one commit instead of a dozen round trips per order. It takes the plans that
// src/core/orders/placement-batch.ts describes (as JSON) and does for each, in a block of its own
// (a subtransaction: one order's failure undoes only that order), exactly what
// src/core/orders/placement-sqlite.ts does on SQLite. SQLite needs nothing here.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';

// Outcomes: placed (items = [[stock item id, sealed code], …]), duplicate, stale,
// out_of_stock (available = codes there were), insufficient_balance (available = balance + credit),
// failed (items = [sqlstate, message]).
export const PLACE_ORDERS_FUNCTION = `
create or replace function souk_place_orders(plans jsonb)
returns table (outcome text, items jsonb, available bigint, wallet_currency text)
language plpgsql as $fn$
declare
  plan jsonb;
  o jsonb;
  p record;
  claimed jsonb;
  v_quantity int;
  v_order_id text;
  v_at text;
  v_wallet bigint;
  v_amount bigint;
  v_balance bigint;
  v_constraint text;
begin
  for plan in select value from jsonb_array_elements(plans) loop
    o := plan->'order';
    v_order_id := o->>'id';
    v_quantity := (o->>'quantity')::int;
    v_at := o->>'created_at';
    outcome := null; items := null; available := null; wallet_currency := null;
    begin
      select pr.price_minor, pr.currency, pr.status, pr.fulfillment, pr.stock_mode into p from products pr where pr.id = (o->>'product_id')::int;
      if not found or p.status <> 'active' or p.price_minor <> (plan->'priced'->>'priceMinor')::bigint or p.currency <> plan->'priced'->>'currency'
         or p.fulfillment <> plan->'priced'->>'fulfillment' or p.stock_mode <> plan->'priced'->>'stockMode' then
        outcome := 'stale';
        return next;
        continue;
      end if;

      insert into orders (id, number, account_id, channel, client_order_id, request_hash, product_id, quantity, unit_price_minor, currency,
        total_minor, charged_minor, charged_currency, fx_rate, status, payment_status, fulfillment, wallet_id, buyer_name, buyer_email,
        delivery_channel, callback_url, fields, reason, expires_at, created_at, updated_at)
      values (v_order_id, o->>'number', (o->>'account_id')::int, o->>'channel', o->>'client_order_id', o->>'request_hash', (o->>'product_id')::int,
        v_quantity, (o->>'unit_price_minor')::bigint, o->>'currency', (o->>'total_minor')::bigint, (o->>'charged_minor')::bigint,
        o->>'charged_currency', o->>'fx_rate', o->>'status', o->>'payment_status', o->>'fulfillment', (o->>'wallet_id')::bigint,
        o->>'buyer_name', o->>'buyer_email', o->>'delivery_channel', o->>'callback_url', o->>'fields', o->>'reason', o->>'expires_at',
        v_at, o->>'updated_at');

      claimed := '[]'::jsonb;
      if plan->>'claim' in ('sell', 'hold') then
        -- Materialized, so the pick runs once and never claims more rows than asked.
        with picked as materialized (
          select s.id from stock_items s where s.product_id = (o->>'product_id')::int and s.status = 'available' order by s.id limit v_quantity for update skip locked
        ), taken as (
          update stock_items s set
            status = case when plan->>'claim' = 'sell' then 'sold' else 'reserved' end,
            order_id = v_order_id,
            sold_at = case when plan->>'claim' = 'sell' then v_at else null end,
            reserved_until = case when plan->>'claim' = 'hold' then o->>'expires_at' else null end
          from picked where s.id = picked.id and s.status = 'available'
          returning s.id, s.code_enc
        )
        select coalesce(jsonb_agg(jsonb_build_array(taken.id, taken.code_enc) order by taken.id), '[]'::jsonb) into claimed from taken;
        if jsonb_array_length(claimed) < v_quantity then
          raise exception using errcode = 'SK001', message = jsonb_array_length(claimed)::text;
        end if;
      elsif plan->>'claim' = 'shared' then
        select coalesce(jsonb_agg(jsonb_build_array(s.id, s.code_enc)), '[]'::jsonb) into claimed
          from (select s.id, s.code_enc from stock_items s where s.product_id = (o->>'product_id')::int and s.status = 'available' order by s.id desc limit 1) s,
               generate_series(1, v_quantity);
        if jsonb_array_length(claimed) = 0 then
          raise exception using errcode = 'SK001', message = '0';
        end if;
      end if;

      insert into order_items (order_id, stock_item_id, created_at)
        select v_order_id, (e->>0)::bigint, v_at from jsonb_array_elements(claimed) e;
      insert into order_events (order_id, from_status, to_status, reason, actor, created_at)
        select v_order_id, e->>'from', e->>'to', e->>'reason', e->>'actor', e->>'at' from jsonb_array_elements(plan->'events') e;

      if jsonb_typeof(plan->'debit') = 'object' then
        v_wallet := (plan->'debit'->>'walletId')::bigint;
        v_amount := (plan->'debit'->>'amountMinor')::bigint;
        update wallets w set balance_minor = w.balance_minor - v_amount, updated_at = v_at
          where w.id = v_wallet and w.balance_minor - v_amount + w.credit_limit_minor >= 0
          returning w.balance_minor into v_balance;
        if not found then
          raise exception using errcode = 'SK002', message = 'insufficient balance';
        end if;
        insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, memo, actor, created_at)
          values (v_wallet, -v_amount, v_balance, 'order', 'order:' || v_order_id, null, plan->>'actor', v_at);
      end if;

      if plan->>'claim' in ('sell', 'hold') then
        update products set stock_available = stock_available - v_quantity where id = (o->>'product_id')::int;
      end if;

      outcome := 'placed';
      items := claimed;
      return next;
    exception
      when unique_violation then
        get stacked diagnostics v_constraint = constraint_name;
        if v_constraint = 'orders_client_order_id' then
          outcome := 'duplicate';
        else
          outcome := 'failed';
          items := jsonb_build_array(sqlstate, sqlerrm);
        end if;
        return next;
      when sqlstate 'SK001' then
        outcome := 'out_of_stock';
        available := sqlerrm::bigint;
        return next;
      when sqlstate 'SK002' then
        outcome := 'insufficient_balance';
        select w.balance_minor + w.credit_limit_minor, w.currency into available, wallet_currency from wallets w where w.id = v_wallet;
        return next;
      when others then
        -- Anything unexpected fails this order alone; the caller raises it for this order's request.
        outcome := 'failed';
        items := jsonb_build_array(sqlstate, sqlerrm);
        return next;
    end;
  end loop;
end
$fn$`;

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql.raw(PLACE_ORDERS_FUNCTION).execute(tx);
}

export const placement: Migration = { name: '0003-placement', up };
