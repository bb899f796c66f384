// Orders nobody decided on within SOUK_REVIEW_TIMEOUT are rejected and refunded: never left holding stock for ever.
import { orderDepsOf, type Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';
import { expireReviews } from '../../core/orders/index.js';

export const expireReviewsSchedule = (everyMs: number) =>
  defineSchedule<Souk>({ name: 'orders.expire-reviews', everyMs, run: (souk) => expireReviews(orderDepsOf(souk)) });
