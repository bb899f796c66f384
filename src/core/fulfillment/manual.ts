// A person delivers the goods later (admin API or `souk order fulfil`): nothing is claimed at
// placement, and a paid order waits in processing until someone fulfils or rejects it.
import type { FulfillmentStrategy } from './strategy.js';

export const manualFulfillment: FulfillmentStrategy = {
  kind: 'manual',
  claim: () => 'none',
  whenPaid: { status: 'processing', reason: 'waiting for fulfilment' },
  admit: async () => {},
  afterPlacement: async () => false,
  paymentArrived: async () => {},
  // Nothing was taken before delivery, and a delivered order is no longer cancelled.
  undo: async () => {},
};
