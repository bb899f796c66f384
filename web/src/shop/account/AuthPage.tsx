// Customer sign-up (POST /api/auth/register) and log-in (POST /api/auth/login): an ordinary
// e-mail and password form, so password managers work; the token is kept for this tab (session.ts).
import { useId, useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { shopApi } from '../../api/clients';
import { ErrorAlert } from '../errors';
import { setCustomerToken, useCustomerToken } from '../session';

/** Where to go after logging in: the page that sent the buyer here, else the account page. */
function nextPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') ? from : '/account';
}

export default function AuthPage({ mode }: { mode: 'signup' | 'login' }) {
  const { t } = useTranslation();
  const id = useId();
  const location = useLocation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const token = useCustomerToken();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const auth = useMutation({
    mutationFn: async (body: { email: string; password: string }) => {
      const { data, error } = mode === 'signup' ? await shopApi.POST('/api/auth/register', { body }) : await shopApi.POST('/api/auth/login', { body });
      if (error) throw error;
      return data.token;
    },
    onSuccess: (issued) => {
      queries.removeQueries({ queryKey: ['shop', 'me'] });
      setCustomerToken(issued);
      void navigate(nextPath(location.state), { replace: true });
    },
  });
  if (token && !auth.isSuccess) return <Navigate to={nextPath(location.state)} replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    auth.mutate({ email: email.trim(), password });
  };
  const title = mode === 'signup' ? t('shop.account.signUp') : t('shop.account.logIn');
  return (
    <section className="shop-auth" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <form className="stack" onSubmit={submit}>
        <label htmlFor={`${id}-email`}>{t('shop.account.email')}</label>
        <input id={`${id}-email`} name="email" type="email" autoComplete={mode === 'signup' ? 'email' : 'username'} required maxLength={320} value={email} onChange={(event) => setEmail(event.target.value)} />
        <label htmlFor={`${id}-password`}>{t('shop.account.password')}</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
          required
          minLength={mode === 'signup' ? 10 : 1}
          maxLength={1000}
          value={password}
          aria-describedby={mode === 'signup' ? `${id}-password-hint` : undefined}
          onChange={(event) => setPassword(event.target.value)}
        />
        {mode === 'signup' && <small id={`${id}-password-hint`}>{t('shop.account.passwordHint')}</small>}
        <button type="submit" disabled={auth.isPending}>
          {title}
        </button>
        <div aria-live="polite">
          <ErrorAlert error={auth.error} />
        </div>
      </form>
      <p>
        {mode === 'signup' ? (
          <Link to="/account/login" state={location.state}>
            {t('shop.account.haveAccount')}
          </Link>
        ) : (
          <Link to="/account/signup" state={location.state}>
            {t('shop.account.noAccount')}
          </Link>
        )}
      </p>
    </section>
  );
}
