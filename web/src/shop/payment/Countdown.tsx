import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(seconds / 3600);
  const rest = `${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  return hours > 0 ? `${hours}:${rest}` : rest;
}

/** The time left until `deadline` (a wire time), ticking each second; "closed" once it has passed. */
export function Countdown({ deadline }: { deadline: string }) {
  const { t } = useTranslation();
  const end = Date.parse(deadline);
  const [now, setNow] = useState(() => Date.now());
  const left = end - now;
  useEffect(() => {
    if (left <= 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [left <= 0]);
  if (Number.isNaN(end)) return null;
  return (
    <p className="shop-countdown">
      {left > 0 ? (
        <>
          {t('shop.pay.timeLeft')}{' '}
          <span role="timer" aria-label={t('shop.pay.timeLeft')} dir="ltr">
            {clock(left)}
          </span>
        </>
      ) : (
        <span role="status">{t('shop.pay.closed')}</span>
      )}
    </p>
  );
}
