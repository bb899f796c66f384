// Stock: codes sealed at rest, imported in bulk, claimed by orders without ever overselling.
export { CodeVault } from './codes.js';
export { maskCode } from './code-masks.js';
export { FINGERPRINT_KEY_SETTING, stockFingerprintKey } from './fingerprint-key.js';
export { importStock, MAX_REJECTED_LISTED, STOCK_ARRIVED_TOPIC, type ImportOptions, type RejectedLines, type RejectReason, type ImportProgress, type ImportResult, type StockDeps } from './import-stock.js';
export { countStock, listStock, revealStockItem, voidStockItem, type StockCounts, type StockItemView, type StockStatus } from './stock.js';
export { countedStock, inStockFor, showUpstreamStock, UNCOUNTED_UPSTREAM_STOCK } from './counted-stock.js';
export { confirmReservedStock, releaseStock, type AllocatedItem } from './allocate.js';
export {
  CodeHandout,
  checkAllClaimed,
  lockedByOthers,
  pgClaimCodes,
  pgStockOnHand,
  sqliteStockClaims,
  stockDemand,
  stockFromRows,
  type CodeClaim,
  type CodeLocking,
  type StockClaim,
  type StockDemand,
  type StockOnHand,
  type StockRows,
} from './claim-codes.js';
export { deliveredCodeRows, pgRecordDeliveredCodes, recordDeliveredCodes, sqliteDeliveredCodesWriter, type DeliveredCodeRow, type DeliveredCodes } from './delivered-by-hand.js';
export { countHeldCodesByOrder } from './held-codes.js';
export { sealedCodesOf, sealedItemsOf, type SealedCode } from './sealed-codes.js';
export { sealedCodeSql } from './sealed-code-sql.js';
export { addSealedStock, fingerprintsInStock, type SealedStockCode } from './traded-in-stock.js';
