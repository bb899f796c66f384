import { useId, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/clients';
import { useLogIn } from './session';

/** An ordinary username and password form (named fields, autocomplete hints) so password managers fill it. */
export function LogInForm() {
  const { t } = useTranslation();
  const id = useId();
  const logIn = useLogIn();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    logIn.mutate({ username: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') });
  };
  return (
    <section>
      <h2>{t('console.login.title')}</h2>
      <form className="stack" method="post" action="/admin/api/session" onSubmit={submit}>
        <label htmlFor={`${id}-username`}>{t('console.login.username')}</label>
        <input id={`${id}-username`} name="username" autoComplete="username" required maxLength={200} />
        <label htmlFor={`${id}-password`}>{t('console.login.password')}</label>
        <input id={`${id}-password`} name="password" type="password" autoComplete="current-password" required maxLength={1000} />
        <button type="submit" disabled={logIn.isPending}>
          {t('console.login.submit')}
        </button>
        <div aria-live="assertive">
          {logIn.isError && (
            <p className="error" role="alert">
              {t('console.login.failed', { message: errorMessage(logIn.error) })}
            </p>
          )}
        </div>
      </form>
    </section>
  );
}
