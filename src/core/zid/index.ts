// The Zid connector: stores connected by OAuth, their catalog and orders read through one
// rate-limited client, products mapped to Souk's, and paid orders fulfilled through the core.
export { ZidService, ZidNotConfigured, ZID_EVENTS, type ConnectedAnswer, type ZidDeps } from './service.js';
export { storesNeedingReconnect, ZidConnectRefused, type StoreSummary } from './stores.js';
export { ZID_SCOPES } from './tokens.js';
export type { StoreDetail } from './store-detail.js';
export type { SyncCounts, SyncProgress } from './sync.js';
export type { MappingSuggestion } from './mapping.js';
export { ZID_JOBS, readZidOrderJob, readZidProductJob, syncZidOrdersJob, syncZidStoreJob } from './jobs.js';
export { lineReference } from './fulfil.js';
