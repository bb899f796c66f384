import { useTranslation } from 'react-i18next';
import { EVENT_TYPES } from './endpoints';

/** A fieldset of the event types, as `events` checkboxes; none ticked means every event. */
export function EventChoices({ chosen }: { chosen: readonly string[] }) {
  const { t } = useTranslation('webhooks');
  return (
    <fieldset className="acc-events">
      <legend>{t('events')}</legend>
      <small>{t('eventsHint')}</small>
      {EVENT_TYPES.map((type) => (
        <label key={type} className="acc-check">
          <input type="checkbox" name="events" value={type} defaultChecked={chosen.includes(type)} /> <bdi dir="ltr">{type}</bdi>
        </label>
      ))}
    </fieldset>
  );
}
