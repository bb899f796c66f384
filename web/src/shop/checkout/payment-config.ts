import { useQuery } from '@tanstack/react-query';
import { shopApi } from '../../api/clients';

/** Seed 004's balance methods: they need a logged-in customer. */
export const BALANCE_METHODS: readonly string[] = ['balance_cny', 'balance_crypto'];

/** GET /api/payment-config: the payment methods and coins open now (only those are offered). */
export function usePaymentConfig() {
  return useQuery({
    queryKey: ['shop', 'payment-config'],
    queryFn: async () => {
      const { data, error } = await shopApi.GET('/api/payment-config');
      if (error) throw error;
      return {
        methods: data.paymentMethods.filter((method) => method.available).map((method) => method.name),
        coins: data.coins.filter((coin) => coin.available).map((coin) => coin.name),
      };
    },
  });
}
