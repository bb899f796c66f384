// For providers whose payments never arrive by notification: any notice is refused.
import { NotFound } from '../../errors.js';
import type { PaymentNotice, VerifiedPayment } from '../provider.js';

/** A verifyNotification that refuses every notice, saying why. */
export function takesNoNotifications(why: string): (notice: PaymentNotice) => Promise<VerifiedPayment> {
  return async () => {
    throw new NotFound(`${why}; no payment notification is expected for it.`);
  };
}
