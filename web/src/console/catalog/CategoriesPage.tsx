import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { adminApi } from '../../api/clients';
import { ApiError } from './ApiError';
import { CatalogNav } from './CatalogNav';
import { namesOf, NamesFields, noNames } from './NamesFields';
import { suggestSlug, useRefreshCatalog } from './catalog-changes';
import { CategoryTypes } from './CategoryTypes';
import { localized, nameIn, useCategories, type Category, type CategoryType } from './queries';

/** Categories (a tree by parent) and their types: create, rename, delete. */
export function CategoriesPage() {
  const { t, i18n } = useTranslation('catalog');
  const catalog = useCategories();
  const categories = catalog.data?.categories ?? [];
  const nameOf = (categoryId: number | null) => {
    const found = categories.find((c) => c.id === categoryId);
    return found ? nameIn(found.names, i18n.language) : '—';
  };
  return (
    <section>
      <h2>{t('categories.title')}</h2>
      <CatalogNav />
      <NewCategory categories={categories} />
      {catalog.isPending && <p>{t('translation:common.loading')}</p>}
      {catalog.isError && <ApiError error={catalog.error} />}
      {catalog.isSuccess && categories.length === 0 && <p>{t('categories.none')}</p>}
      {categories.map((category) => (
        <CategoryCard key={category.id} category={category} parentName={category.parent_id === null ? null : nameOf(category.parent_id)} types={(catalog.data?.types ?? []).filter((type) => type.category_id === category.id)} />
      ))}
    </section>
  );
}

function NewCategory({ categories }: { categories: Category[] }) {
  const { t, i18n } = useTranslation('catalog');
  const id = useId();
  const refresh = useRefreshCatalog();
  const [names, setNames] = useState(noNames());
  const [slug, setSlug] = useState('');
  const [parent, setParent] = useState('');
  const create = useMutation({
    mutationFn: async () => {
      const { data, error } = await adminApi.POST('/admin/api/categories', {
        body: { slug: slug.trim() || suggestSlug(names.en), name: localized(names), ...(parent ? { parent: Number(parent) } : {}) },
      });
      if (error) throw error;
      return data.category;
    },
    onSuccess: () => {
      setNames(noNames());
      setSlug('');
      setParent('');
      refresh();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card stack-wide" onSubmit={submit} aria-label={t('categories.new')}>
      <h3>{t('categories.new')}</h3>
      <NamesFields id={`${id}-name`} names={names} onChange={setNames} />
      <div className="field">
        <label htmlFor={`${id}-slug`}>{t('categories.slug')}</label>
        <input id={`${id}-slug`} dir="ltr" maxLength={120} value={slug} placeholder={suggestSlug(names.en)} onChange={(e) => setSlug(e.target.value)} aria-describedby={`${id}-slug-hint`} />
        <small id={`${id}-slug-hint`}>{t('categories.slugHint')}</small>
      </div>
      <div className="field">
        <label htmlFor={`${id}-parent`}>{t('categories.parent')}</label>
        <select id={`${id}-parent`} value={parent} onChange={(e) => setParent(e.target.value)}>
          <option value="">{t('categories.noParent')}</option>
          {categories.map((c) => (
            <option key={c.id} value={String(c.id)}>
              {nameIn(c.names, i18n.language)}
            </option>
          ))}
        </select>
      </div>
      <p>
        <button type="submit" disabled={create.isPending}>
          {t('categories.create')}
        </button>
      </p>
      <div aria-live="polite">
        {create.isError && <ApiError error={create.error} />}
        {create.isSuccess && <p role="status">{t('categories.created')}</p>}
      </div>
    </form>
  );
}

function CategoryCard({ category, parentName, types }: { category: Category; parentName: string | null; types: CategoryType[] }) {
  const { t, i18n } = useTranslation('catalog');
  const id = useId();
  const refresh = useRefreshCatalog();
  const [renaming, setRenaming] = useState(false);
  const [names, setNames] = useState(namesOf(category.names));
  const name = nameIn(category.names, i18n.language);
  const rename = useMutation({
    mutationFn: async () => {
      const { error } = await adminApi.PATCH('/admin/api/categories/{ref}', { params: { path: { ref: String(category.id) } }, body: { name: localized(names) } });
      if (error) throw error;
    },
    onSuccess: () => {
      setRenaming(false);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async () => {
      const { error } = await adminApi.DELETE('/admin/api/categories/{ref}', { params: { path: { ref: String(category.id) } } });
      if (error) throw error;
    },
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate();
  };
  return (
    <article className="card category" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        <bdi>{name}</bdi> <small dir="ltr">({category.slug})</small>
      </h3>
      {parentName && <p>{t('categories.under', { name: parentName })}</p>}
      <p className="names">
        {Object.entries(category.names).map(([language, text]) => (
          <span key={language} lang={language}>
            <bdi>{text}</bdi>{' '}
          </span>
        ))}
      </p>
      {renaming ? (
        <form onSubmit={submit} aria-label={t('categories.renameOf', { name })} className="stack-wide">
          <NamesFields id={`${id}-rename`} names={names} onChange={setNames} />
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
        <p className="actions">
          <button
            type="button"
            className="secondary"
            aria-label={t('categories.renameOf', { name })}
            onClick={() => {
              setNames(namesOf(category.names));
              setRenaming(true);
            }}
          >
            {t('categories.rename')}
          </button>
          <button type="button" className="secondary" aria-label={t('categories.deleteOf', { name })} disabled={remove.isPending} onClick={() => window.confirm(t('categories.deleteConfirm', { name })) && remove.mutate()}>
            {t('categories.delete')}
          </button>
        </p>
      )}
      {rename.isError && <ApiError error={rename.error} />}
      {remove.isError && <ApiError error={remove.error} />}
      <CategoryTypes category={category} types={types} />
    </article>
  );
}
