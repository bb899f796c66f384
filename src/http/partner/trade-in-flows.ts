// Seed 000's sell and hybrid flows on POST /v1/orders, translated into a trade-in: `sell_…` sells
// the codes in `items` (of `sell_product_code`, or `product_code`); `hybrid_…` sells them and buys
// `quantity` of `product_code` with the credit once they are verified.
import { tradeInDepsOf, type Souk } from '../../app.js';
import { ValidationFailed } from '../../core/errors.js';
import { loadOrderDetail, PARTNER_CHANNEL, partnerOrderView, type PartnerOrderView } from '../../core/orders/index.js';
import { findAccountTradeIn, offerTradeIn, tradeInView, type SubmitTradeInInput, type TradeInView } from '../../core/trade-ins/index.js';

export type FlowKind = 'buy' | 'sell' | 'hybrid';

/** Which of seed 000's three flows a flow_type names: buy_…, sell_… or hybrid_…. */
export function flowKind(flowType: string): FlowKind {
  const match = /^(buy|sell|hybrid)_[a-z0-9_]+$/.exec(flowType);
  if (!match) {
    throw new ValidationFailed(`flow_type "${flowType}" is not supported; use buy_… (e.g. buy_direct_id), sell_… (e.g. sell_direct_bag) or hybrid_… (e.g. hybrid_trade_in).`, [
      { field: 'flow_type', message: 'must start with buy_, sell_ or hybrid_' },
    ]);
  }
  return match[1] as FlowKind;
}

export interface TradeInFlowBody {
  partner_order_id: string;
  product_code: string;
  sell_product_code?: string;
  items?: Array<{ code: string }>;
  buyer: { name: string; email: string };
  delivery_channel?: 'api' | 'email' | 'gmail_transfer';
  callback_url?: string;
  quantity?: number;
  fields?: Record<string, string>;
}

function toSubmission(kind: 'sell' | 'hybrid', body: TradeInFlowBody): SubmitTradeInInput {
  if (!body.items?.length) throw new ValidationFailed('A sell or hybrid flow carries the codes being sold in `items`.', [{ field: 'items', message: 'is required: [{"code": "…"}]' }]);
  if (kind === 'hybrid' && !body.sell_product_code) {
    throw new ValidationFailed('A hybrid names the product being sold in `sell_product_code` and the one being bought in `product_code`.', [{ field: 'sell_product_code', message: 'is required for a hybrid flow' }]);
  }
  return {
    product: kind === 'sell' ? (body.sell_product_code ?? body.product_code) : body.sell_product_code!,
    codes: body.items.map((i) => i.code),
    clientReference: body.partner_order_id,
    callbackUrl: body.callback_url,
    purchase:
      kind === 'hybrid'
        ? {
            product: body.product_code,
            quantity: body.quantity,
            buyer: body.buyer,
            deliveryChannel: body.delivery_channel === 'gmail_transfer' ? 'email' : body.delivery_channel,
            fields: body.fields,
            channel: PARTNER_CHANNEL,
          }
        : undefined,
  };
}

/** Submits the trade-in (and asks the shop's verifier); a retry of the same request answers the first. */
export async function submitPartnerTradeIn(souk: Souk, accountId: number, kind: 'sell' | 'hybrid', body: TradeInFlowBody, actor: string): Promise<{ replayed: boolean; trade_in: TradeInView }> {
  const offered = await offerTradeIn(tradeInDepsOf(souk), accountId, toSubmission(kind, body), actor);
  return { replayed: offered.replayed, trade_in: await tradeInView(souk.db, souk.vault, offered.row) };
}

/** GET /v1/orders/{id} for a trade-in: the trade-in, and a hybrid's purchase once placed; undefined when the id names no trade-in. */
export async function partnerTradeInAnswer(souk: Souk, accountId: number, reference: string): Promise<{ trade_in: TradeInView; order?: PartnerOrderView } | undefined> {
  const row = await findAccountTradeIn(souk.db, accountId, reference);
  if (!row) return undefined;
  const trade_in = await tradeInView(souk.db, souk.vault, row);
  if (!row.purchase_order_id) return { trade_in };
  return { trade_in, order: partnerOrderView(await loadOrderDetail(souk.db, souk.vault, row.purchase_order_id)) };
}
