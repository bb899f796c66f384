// Own addresses with exact amounts: the owner's receiving address per coin, an invoice per order
// with a unique amount, and confirmation of transfers (by a person, or by the chain watchers).
export { addressProblem, listReceivingAddresses, setReceivingAddress, type ReceivingAddress } from './addresses.js';
export { chooseOffset, decimalToUnits, OFFSET_SLOTS, priceInUnits, scaledRate, stepUnits, unitsToDecimal, type CoinRate } from './amounts.js';
export { COIN_SPECS, paymentUri, type Chain, type CoinSpec } from './coins.js';
export { confirmCryptoPayment, creditInvoice, decideConfirmation, findOrderInvoice, normalizeTxid, type ConfirmDecision, type ConfirmedPayment, type InvoiceCredit, type PaymentConfirmation } from './confirm.js';
export { CRYPTO_PROVIDER, cryptoOffers, openCryptoInvoice, type CoinOffer, type CryptoSettings, type InvoiceRequest } from './invoices.js';
export { cryptoPayment } from './provider.js';
export { cryptoPaymentsOf, cryptoPaymentView, listPayments, paymentRecordView, type CryptoPaymentView, type PaymentListFilter, type PaymentRecordView } from './records.js';
export { anyChainWatched, creditChainTransfer, refreshCoinRates, watchChains, watchEvmChain, watchTron, type ChainTransfer, type ChainWatchSettings, type TransferOutcome, type WatchReport } from './watchers/index.js';
