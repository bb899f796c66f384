// Events: the transactional outbox (rows written with the change they report), the event feed
// that partners page through, and product updates with stock changes coalesced.
export {
  EVENT_TYPES,
  eventDataOnWire,
  OUTBOX_CHANNEL,
  insertOutboxEvents,
  isEventType,
  newEventId,
  orderChangedEvents,
  orderPlacedEvents,
  payoutEvent,
  outboxSignal,
  productUpdatedEvent,
  testEvent,
  walletCreditedEvent,
  type EventType,
  type OrderFacts,
  type OutboxRow,
  type ProductFacts,
} from './outbox.js';
export { listAccountEvents, pendingEventsQuery, PUBLISH_LOCK_SQL, toPublication, type FeedEvent, type FeedPage, type Publication, type PublishedEvent } from './feed.js';
export { announceStockChanges, recordProductChange } from './product-updates.js';
export { wakeDispatchers, type OutboxNotice } from './wake.js';
export { pgInsertOutbox, sqliteOutboxWriter } from './outbox-batch.js';
export { eventRowId, eventsToSend, feedHasNewer, hasUnpublishedEvents, moveCursor, readFeedAfterCursor, unpublishedFor, type FeedEntry } from './reads.js';
