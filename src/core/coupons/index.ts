// Coupons: a percentage or an amount off an order, with scope, limits and a validity window.
export {
  couponDiscount,
  couponForOrder,
  createCoupon,
  findCoupon,
  listCoupons,
  normalizeCouponCode,
  releaseCouponRedemption,
  setCouponStatus,
  toCoupon,
  type AppliedCoupon,
  type Coupon,
  type CouponInput,
  type CouponRow,
} from './coupons.js';
