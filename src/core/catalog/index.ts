// The catalog: categories (a tree), their types, and products with i18n names and prices.
export {
  createCategory,
  updateCategory,
  deleteCategory,
  findCategory,
  listCategories,
  createCategoryType,
  listCategoryTypes,
  listEveryCategoryType,
  updateCategoryType,
  deleteCategoryType,
  SLUG_PATTERN,
  SLUG_RULE,
  type Category,
  type CategoryInput,
  type CategoryType,
} from './categories.js';
export {
  createProduct,
  updateProduct,
  archiveProduct,
  findProduct,
  largestOrderIn,
  listProducts,
  markProductsChanged,
  slugFromCode,
  DEFAULT_MAX_QUANTITY,
  FULFILLMENTS,
  PRODUCT_STATUSES,
  PRODUCT_CODE_PATTERN,
  type CheckoutField,
  type Product,
  type ProductInput,
} from './products.js';
export { localizedText, type Localized } from './i18n.js';
export {
  CatalogReader,
  queryCatalog,
  findCatalogEntry,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type CatalogEntry,
  type CatalogPage,
  type CatalogQuery,
  type CatalogSnapshot,
} from './reader.js';
export { CATALOG_TOPIC, changeCatalog, readCatalogVersion, type CatalogDeps } from './version.js';
export { listPriceTiers, priceTierExists, setPriceTier, tieredPrice } from './price-tiers.js';
export { pgProductsAsPriced, pgProductsNow, productsFromRows, sqliteProductsNow, type ProductNow } from './products-now.js';
export { setProductHighRisk, isProductHighRisk } from './product-risk.js';
