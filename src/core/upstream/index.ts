// Upstream providers: other shops' and panels' catalogs imported and resold with a markup, and
// orders for them bought there, never twice (forwarding.ts). Each API a provider may speak is a
// dialect (dialects/), behind one interface (dialect.ts), called through one guarded HTTP client
// (http.ts); every failed call is classified (failure.ts) and logged in api_failures (calls.ts).
export { capabilitiesOf, type UpstreamCallback, type UpstreamDialect, type UpstreamProduct } from './dialect.js';
export { DIALECT_NAMES, dialectNamed } from './dialects/index.js';
export { UpstreamFailure, isFailure, type FailureClass } from './failure.js';
export { createUpstreamHttp, type UpstreamHttp } from './http.js';
export { findProvider, listProviders, providerView, type ProviderInput, type ProviderPricingChange, type ProviderRow, type ProviderView } from './providers.js';
export { FORWARD_WORKFLOW } from './forwarding.js';
export { findUpstreamOrder, listUpstreamOrders, type UpstreamOrderRow } from './upstream-orders.js';
export { UpstreamService, type Ping } from './service.js';
export { forwardStarts } from './starts.js';
export type { ImportedProduct, SyncReport } from './catalog-sync.js';
export { syncProviderJob } from './sync-job.js';
