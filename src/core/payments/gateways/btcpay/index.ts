// BTCPay Server (Greenfield API): crypto checkouts in the store's currency.
export { BtcPayGateway } from './gateway.js';
export { readBtcPaySettings, type BtcPayCoin, type BtcPaySettings } from './settings.js';
export { btcPaySignature } from './signature.js';
