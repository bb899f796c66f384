import { useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi, type Schemas } from '../../api/clients';
import { ApiError } from '../catalog/ApiError';
import { useProducts } from '../catalog/queries';
import { CouponForm } from './CouponForm';

type Coupon = Schemas['Coupon'];
const STATUSES = ['active', 'disabled'] as const;

/** GET /admin/api/coupons with their use, the form to create one, and disable or enable again. */
export function CouponsPage() {
  const { t } = useTranslation('coupons');
  const id = useId();
  const client = useQueryClient();
  const [status, setStatus] = useState<'' | (typeof STATUSES)[number]>('');
  const products = useProducts();
  const coupons = useQuery({
    queryKey: ['console', 'coupons', status],
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/coupons', { params: { query: { status: status || undefined } } });
      if (error) throw error;
      return data.coupons;
    },
  });
  const toggle = useMutation({
    mutationFn: async (coupon: Coupon) => {
      const path = { params: { path: { coupon: String(coupon.id) } } };
      const { error } = coupon.status === 'active' ? await adminApi.POST('/admin/api/coupons/{coupon}/disable', path) : await adminApi.POST('/admin/api/coupons/{coupon}/enable', path);
      if (error) throw error;
    },
    onSettled: () => void client.invalidateQueries({ queryKey: ['console', 'coupons'] }),
  });
  const productCode = (productId: number | null) => (productId === null ? t('allProducts') : (products.data?.find((p) => p.id === productId)?.code ?? `#${productId}`));
  const limit = (n: number | null) => (n === null ? '∞' : String(n));
  return (
    <section>
      <h2>{t('title')}</h2>
      <div className="filters">
        <label htmlFor={`${id}-status`}>{t('status')}</label>
        <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          <option value="">{t('all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`statuses.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {coupons.isPending && <p>{t('translation:common.loading')}</p>}
      {coupons.isError && <ApiError error={coupons.error} />}
      {toggle.isError && <ApiError error={toggle.error} />}
      {coupons.isSuccess && coupons.data.length === 0 && <p>{t('none')}</p>}
      {coupons.isSuccess && coupons.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('code')}</th>
                <th scope="col">{t('discount')}</th>
                <th scope="col">{t('product')}</th>
                <th scope="col">{t('used')}</th>
                <th scope="col">{t('perCustomerLimit')}</th>
                <th scope="col">{t('validity')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {coupons.data.map((coupon) => (
                <tr key={coupon.id}>
                  <td>
                    <bdi dir="ltr">{coupon.code}</bdi>
                  </td>
                  <td>
                    <bdi dir="ltr">{coupon.kind === 'percent' ? `${coupon.percent}%` : `${coupon.amount} ${coupon.currency ?? ''}`}</bdi>
                  </td>
                  <td>
                    <bdi>{productCode(coupon.product_id)}</bdi>
                  </td>
                  <td>
                    {coupon.used_count} / {limit(coupon.usage_limit)}
                  </td>
                  <td>{limit(coupon.per_customer_limit)}</td>
                  <td>
                    {coupon.starts_at ? <time dateTime={coupon.starts_at}>{coupon.starts_at}</time> : '—'} → {coupon.ends_at ? <time dateTime={coupon.ends_at}>{coupon.ends_at}</time> : '—'}
                  </td>
                  <td>{t(`statuses.${coupon.status}`)}</td>
                  <td>
                    <button type="button" className="secondary" disabled={toggle.isPending} onClick={() => toggle.mutate(coupon)} aria-label={t(coupon.status === 'active' ? 'disableOf' : 'enableOf', { code: coupon.code })}>
                      {t(coupon.status === 'active' ? 'disable' : 'enable')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CouponForm />
    </section>
  );
}
