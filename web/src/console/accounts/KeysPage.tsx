// /accounts/:id/keys: the account's API keys (never their secrets), a new key whose secret is
// shown once, revoking one, and the account's callback signing secret.
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import type { Schemas } from '../../api/clients';
import { AccountFrame } from './AccountFrame';
import { Problem } from '../Problem';
import { ShownOnce, type Secret } from './ShownOnce';
import { newRequestKey, type Account } from './account';

type Key = Schemas['ApiKey'];

export function KeysPage() {
  return (
    <AccountFrame>
      {(account) => (
        <>
          <Keys account={account} />
          <CallbackSecret account={account} />
        </>
      )}
    </AccountFrame>
  );
}

function Keys({ account }: { account: Account }) {
  const { t } = useTranslation('accounts');
  const id = useId();
  const client = useQueryClient();
  const queryKey = ['console', 'account', account.id, 'keys'];
  const [secrets, setSecrets] = useState<Secret[]>([]);
  const keys = useQuery({
    queryKey,
    queryFn: async () => {
      const { data, error } = await adminApi.GET('/admin/api/accounts/{id}/keys', { params: { path: { id: account.id } } });
      if (error) throw error;
      return data.keys;
    },
  });
  const create = useMutation({
    mutationFn: async (body: { label?: string; scopes?: string[]; signed: boolean; require_signature: boolean }) => {
      const { data, error } = await adminApi.POST('/admin/api/accounts/{id}/keys', { params: { path: { id: account.id } }, body, headers: { 'Idempotency-Key': newRequestKey() } });
      if (error) throw error;
      return data;
    },
    onSuccess: (created) => {
      const shown: Secret[] = [];
      if (created.api_key) shown.push({ label: t('keys.apiKey'), value: created.api_key });
      if (created.signing_secret) shown.push({ label: t('keys.signingSecret'), value: created.signing_secret });
      setSecrets(shown);
      void client.invalidateQueries({ queryKey });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const label = String(form.get('label') ?? '').trim();
    const scopes = String(form.get('scopes') ?? '')
      .split(/[\s,]+/)
      .filter(Boolean);
    create.mutate(
      { ...(label ? { label } : {}), ...(scopes.length ? { scopes } : {}), signed: form.get('signed') === 'on', require_signature: form.get('require_signature') === 'on' },
      { onSuccess: () => formElement.reset() },
    );
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('keys.title')}</h3>
      {secrets.length > 0 && <ShownOnce secrets={secrets} onDone={() => setSecrets([])} />}
      {keys.isPending && <p>{t('translation:common.loading')}</p>}
      <Problem error={keys.error} />
      {keys.isSuccess && keys.data.length === 0 && <p>{t('keys.none')}</p>}
      {keys.data && keys.data.length > 0 && <KeyTable keys={keys.data} onRevoked={() => client.invalidateQueries({ queryKey })} />}
      <form className="stack" onSubmit={submit} aria-labelledby={`${id}-new`}>
        <h4 id={`${id}-new`}>{t('keys.new')}</h4>
        <label htmlFor={`${id}-label`}>{t('keys.label')}</label>
        <input id={`${id}-label`} name="label" maxLength={200} />
        <label htmlFor={`${id}-scopes`}>{t('keys.scopes')}</label>
        <input id={`${id}-scopes`} name="scopes" dir="ltr" aria-describedby={`${id}-scopes-hint`} />
        <small id={`${id}-scopes-hint`}>{t('keys.scopesHint')}</small>
        <label className="acc-check">
          <input type="checkbox" name="signed" /> {t('keys.signed')}
        </label>
        <label className="acc-check">
          <input type="checkbox" name="require_signature" /> {t('keys.requireSignature')}
        </label>
        <button type="submit" disabled={create.isPending}>
          {t('keys.create')}
        </button>
        <Problem error={create.error} />
      </form>
    </section>
  );
}

function KeyTable({ keys, onRevoked }: { keys: Key[]; onRevoked: () => Promise<void> }) {
  const { t } = useTranslation('accounts');
  const [confirming, setConfirming] = useState<string | null>(null);
  const revoke = useMutation({
    mutationFn: async (keyId: string) => {
      const { error } = await adminApi.POST('/admin/api/keys/{keyId}/revoke', { params: { path: { keyId } } });
      if (error) throw error;
    },
    onSuccess: async () => {
      setConfirming(null);
      await onRevoked();
    },
  });
  return (
    <>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('keys.prefix')}</th>
              <th scope="col">{t('keys.label')}</th>
              <th scope="col">{t('keys.scopes')}</th>
              <th scope="col">{t('keys.signedColumn')}</th>
              <th scope="col">{t('created')}</th>
              <th scope="col">{t('keys.lastUsed')}</th>
              <th scope="col">{t('status')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.key_id}>
                <th scope="row">
                  <bdi className="codes">{key.prefix}…</bdi>
                </th>
                <td>
                  <bdi>{key.label ?? '—'}</bdi>
                </td>
                <td dir="ltr">{key.scopes.join(', ')}</td>
                <td>{key.signed ? (key.require_signature ? t('keys.signatureRequired') : t('yes')) : t('no')}</td>
                <td>
                  <time dateTime={key.created_at}>{key.created_at}</time>
                </td>
                <td>{key.last_used_at ? <time dateTime={key.last_used_at}>{key.last_used_at}</time> : t('keys.never')}</td>
                <td>
                  {key.revoked_at ? (
                    t('keys.revokedAt', { at: key.revoked_at })
                  ) : confirming === key.key_id ? (
                    <>
                      <button type="button" onClick={() => revoke.mutate(key.key_id)} disabled={revoke.isPending}>
                        {t('keys.confirmRevoke', { prefix: key.prefix })}
                      </button>{' '}
                      <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                        {t('cancel')}
                      </button>
                    </>
                  ) : (
                    <button type="button" className="secondary" onClick={() => setConfirming(key.key_id)}>
                      {t('keys.revoke', { prefix: key.prefix })}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Problem error={revoke.error} />
    </>
  );
}

/** POST /admin/api/accounts/{id}/callback-secret: the secret that signs deliveries to its orders' callback_url, shown once here. */
function CallbackSecret({ account }: { account: Account }) {
  const { t } = useTranslation('accounts');
  const id = useId();
  const [secrets, setSecrets] = useState<Secret[]>([]);
  const fetchSecret = useMutation({
    mutationFn: async (rotate: boolean) => {
      const { data, error } = await adminApi.POST('/admin/api/accounts/{id}/callback-secret', {
        params: { path: { id: account.id }, query: rotate ? { rotate: true } : {} },
        headers: { 'Idempotency-Key': newRequestKey() },
      });
      if (error) throw error;
      return data.secret;
    },
    onSuccess: (secret) => setSecrets(secret ? [{ label: t('callback.secret'), value: secret }] : []),
  });
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('callback.title')}</h3>
      <p>{t('callback.about')}</p>
      {secrets.length > 0 && <ShownOnce secrets={secrets} onDone={() => setSecrets([])} />}
      <p className="acc-actions">
        <button type="button" className="secondary" onClick={() => fetchSecret.mutate(false)} disabled={fetchSecret.isPending}>
          {t('callback.show')}
        </button>
        <button type="button" className="secondary" onClick={() => fetchSecret.mutate(true)} disabled={fetchSecret.isPending}>
          {t('callback.rotate')}
        </button>
      </p>
      <Problem error={fetchSecret.error} />
    </section>
  );
}
