// How a trade-in looks on every surface (/v1, /api/v1, the admin API, payout callbacks): core's
// one view, documented here. Codes are masked; money is a decimal string in `currency`.
import { Type, type Static } from '@sinclair/typebox';
import type { TradeInView } from '../core/trade-ins/index.js';
import { WireTime } from './schema-helpers.js';

const Decimal = (description: string) => Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const TradeInSchema = Type.Object(
  {
    trade_in_id: Type.String({ description: "Souk's trade-in id (a ULID)." }),
    partner_order_id: Nullable(Type.String({ description: 'Your own reference for it (seed 000 partner_order_id, or reference on /api/v1).' })),
    status: Type.Union([Type.Literal('verifying'), Type.Literal('completed'), Type.Literal('rejected')], {
      description: 'verifying: the shop is checking the codes; completed: at least one code accepted and credited; rejected: none accepted, nothing credited.',
    }),
    partner_status: Type.Union([Type.Literal('verifying'), Type.Literal('fulfilled'), Type.Literal('rejected')], { description: "The same in seed 000's words (completed is fulfilled)." }),
    product_code: Type.String(),
    unit_price: Decimal('The buy-back price per code when it was submitted.'),
    currency: Type.String(),
    codes_submitted: Type.Integer(),
    codes_accepted: Nullable(Type.Integer({ description: 'Null until decided.' })),
    amount: Decimal('What every submitted code together would be credited.'),
    credited: Nullable(Decimal('What the wallet was credited (accepted codes × unit price); null until decided.')),
    codes: Type.Array(
      Type.Object({
        position: Type.Integer({ description: 'Its place in the request, from 0.' }),
        code: Type.String({ description: 'The code, masked.' }),
        status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('rejected')]),
        reason: Nullable(Type.String({ description: 'Why it was rejected.' })),
      }),
    ),
    purchase: Nullable(
      Type.Object(
        {
          product_code: Type.String(),
          quantity: Nullable(Type.Integer()),
          status: Type.Union([Type.Literal('waiting'), Type.Literal('placed'), Type.Literal('failed')], { description: 'waiting for the trade-in; placed (see order_id); failed (see reason).' }),
          order_id: Nullable(Type.String({ description: 'The order placed, once placed.' })),
          reason: Nullable(Type.String()),
        },
        { description: 'A hybrid: what is bought with the credit once the trade-in is verified.' },
      ),
    ),
    reason: Nullable(Type.String({ description: 'Why the trade-in was rejected.' })),
    callback_url: Nullable(Type.String()),
    created_at: WireTime(),
    updated_at: WireTime(),
    decided_at: Nullable(WireTime()),
  },
  { $id: 'TradeIn', title: 'TradeIn' },
);
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const TRADE_IN_SCHEMA_MATCHES_VIEW: Same<Static<typeof TradeInSchema>, TradeInView> = true;
