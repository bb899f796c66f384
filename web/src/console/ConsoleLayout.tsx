import { Link, Outlet } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ConsoleArea } from './areas';
import { errorMessage } from '../api/clients';
import { LanguageSwitcher } from '../LanguageSwitcher';
import { LogInForm } from './LogInForm';
import { useLogOut, useSession } from './session';

/** The console's frame: the log-in form until GET /admin/api/session says who is logged in, then each area's link. */
export function ConsoleLayout({ areas }: { areas: Array<ConsoleArea & { namespace: string }> }) {
  const { t } = useTranslation();
  const session = useSession();
  const logOut = useLogOut();
  return (
    <>
      <header className="bar">
        <h1>{t('console.title')}</h1>
        {session.data && (
          <nav aria-label={t('console.title')}>
            {areas.map(
              (area) =>
                area.nav && (
                  <Link key={area.namespace} to={area.nav.to}>
                    {t(area.nav.label, { ns: area.namespace })}
                  </Link>
                ),
            )}
          </nav>
        )}
        <LanguageSwitcher />
        {session.data && (
          <>
            <span data-testid="signed-in">{t('console.signedInAs', { username: session.data.user.username, role: session.data.user.role })}</span>
            <button type="button" className="secondary" onClick={() => logOut.mutate()} disabled={logOut.isPending}>
              {t('console.logout')}
            </button>
          </>
        )}
      </header>
      <main>
        {session.isPending && <p>{t('common.loading')}</p>}
        {session.isError && <p className="error" role="alert">{t('common.error', { message: errorMessage(session.error) })}</p>}
        {session.data === null && <LogInForm />}
        {session.data && <Outlet />}
      </main>
    </>
  );
}
