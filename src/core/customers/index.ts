// Shop customers: registration and login, their two wallets, the shop's prices and categories, their checkout, and order lookup.
export { EMAIL_PATTERN, MIN_PASSWORD_LENGTH, checkCustomerLogin, customerBalances, loadLiveCustomer, normalizeEmail, registerCustomer, type Customer, type CustomerBalances } from './customers.js';
export { logInCustomer, registerAndLogIn, type CustomerTokenDeps } from './customer-tokens.js';
export { SHOP_MAX_QUANTITY, placeShopOrder, type ShopOrderRequest } from './checkout.js';
export { lookUpShopOrder, shopOrderStatus, type ShopOrderStatus } from './order-lookup.js';
export { shopUnitPrices } from './shop-prices.js';
export { shopCategories, type ShopCategory } from './shop-categories.js';
