import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { ApiError } from './ApiError';
import { suggestSlug, useRefreshCatalog } from './catalog-changes';
import { namesOf, NamesFields, noNames } from './NamesFields';
import { localized, nameIn, type Category, type CategoryType } from './queries';

/** A category's types: each renamed or deleted in place, and a form to add one. */
export function CategoryTypes({ category, types }: { category: Category; types: CategoryType[] }) {
  const { t, i18n } = useTranslation('catalog');
  const id = useId();
  const refresh = useRefreshCatalog();
  const [names, setNames] = useState(noNames());
  const [slug, setSlug] = useState('');
  const add = useMutation({
    mutationFn: async () => {
      const { error } = await adminApi.POST('/admin/api/categories/{ref}/types', { params: { path: { ref: String(category.id) } }, body: { slug: slug.trim() || suggestSlug(names.en), name: localized(names) } });
      if (error) throw error;
    },
    onSuccess: () => {
      setNames(noNames());
      setSlug('');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (typeId: number) => {
      const { error } = await adminApi.DELETE('/admin/api/category-types/{id}', { params: { path: { id: typeId } } });
      if (error) throw error;
    },
    onSuccess: refresh,
  });
  const categoryName = nameIn(category.names, i18n.language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <div className="types">
      <h4>{t('types.title')}</h4>
      {types.length === 0 ? (
        <p>{t('types.none')}</p>
      ) : (
        <ul>
          {types.map((type) => (
            <TypeItem key={type.id} type={type} onRemove={() => remove.mutate(type.id)} removing={remove.isPending} />
          ))}
        </ul>
      )}
      {remove.isError && <ApiError error={remove.error} />}
      <details>
        <summary>{t('types.add', { name: categoryName })}</summary>
        <form onSubmit={submit} aria-label={t('types.add', { name: categoryName })} className="stack-wide">
          <NamesFields id={`${id}-type`} names={names} onChange={setNames} />
          <div className="field">
            <label htmlFor={`${id}-type-slug`}>{t('categories.slug')}</label>
            <input id={`${id}-type-slug`} dir="ltr" maxLength={120} value={slug} placeholder={suggestSlug(names.en)} onChange={(e) => setSlug(e.target.value)} />
          </div>
          <p>
            <button type="submit" disabled={add.isPending}>
              {t('types.create')}
            </button>
          </p>
          {add.isError && <ApiError error={add.error} />}
        </form>
      </details>
    </div>
  );
}

function TypeItem({ type, onRemove, removing }: { type: CategoryType; onRemove: () => void; removing: boolean }) {
  const { t, i18n } = useTranslation('catalog');
  const id = useId();
  const refresh = useRefreshCatalog();
  const [renaming, setRenaming] = useState(false);
  const [names, setNames] = useState(namesOf(type.names));
  const typeName = nameIn(type.names, i18n.language);
  const rename = useMutation({
    mutationFn: async () => {
      const { error } = await adminApi.PATCH('/admin/api/category-types/{id}', { params: { path: { id: type.id } }, body: { name: localized(names) } });
      if (error) throw error;
    },
    onSuccess: () => {
      setRenaming(false);
      refresh();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate();
  };
  return (
    <li>
      <bdi>{typeName}</bdi> <small dir="ltr">({type.slug})</small>{' '}
      {renaming ? (
        <form onSubmit={submit} aria-label={t('types.renameOf', { name: typeName })} className="stack-wide">
          <NamesFields id={`${id}-names`} names={names} onChange={setNames} />
          <p className="actions">
            <button type="submit" disabled={rename.isPending}>
              {t('categories.saveName')}
            </button>
            <button type="button" className="secondary" onClick={() => setRenaming(false)}>
              {t('cancel')}
            </button>
          </p>
        </form>
      ) : (
        <>
          <button
            type="button"
            className="secondary"
            aria-label={t('types.renameOf', { name: typeName })}
            onClick={() => {
              setNames(namesOf(type.names));
              setRenaming(true);
            }}
          >
            {t('categories.rename')}
          </button>{' '}
          <button type="button" className="secondary" aria-label={t('types.deleteOf', { name: typeName })} disabled={removing} onClick={onRemove}>
            {t('types.delete')}
          </button>
        </>
      )}
      {rename.isError && <ApiError error={rename.error} />}
    </li>
  );
}
