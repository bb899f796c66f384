// Categories form a tree (parent_id); each category has types (e.g. a gift-card category's
// regions or denominations families).
import type { Db } from '../../db/index.js';
import type { CategoryRow, CategoryTypeRow } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { Conflict, NotFound, ValidationFailed, type FieldProblem } from '../errors.js';
import { rowIdOf } from '../ids.js';
import { parseLocalized, type Localized } from './i18n.js';
import { changeCatalog, type CatalogDeps } from './version.js';

/** A slug: lowercase words of letters and digits joined by single dashes (also the HTTP schema's pattern). */
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
const SLUG = new RegExp(SLUG_PATTERN);
/** SLUG in words, for people: a slug's rules as a sentence, not a pattern. */
export const SLUG_RULE = (maxLength: number) =>
  `must be lowercase letters and digits, in words joined by single dashes (such as gift-cards-2), with no spaces or other signs, at most ${maxLength} characters`;

export interface Category {
  id: number;
  parent_id: number | null;
  slug: string;
  name: Localized;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface CategoryType {
  id: number;
  category_id: number;
  slug: string;
  name: Localized;
  position: number;
}

export function toCategory(row: CategoryRow): Category {
  return { ...row, name: JSON.parse(row.name) as Localized };
}

function toCategoryType(row: CategoryTypeRow): CategoryType {
  return { id: row.id, category_id: row.category_id, slug: row.slug, name: JSON.parse(row.name) as Localized, position: row.position };
}

function checkSlug(slug: unknown, problems: FieldProblem[]): string {
  if (typeof slug !== 'string' || !SLUG.test(slug) || slug.length > 120) {
    problems.push({ field: 'slug', message: SLUG_RULE(120) });
    return '';
  }
  return slug;
}

/** Finds a category by numeric id or slug. */
export async function findCategory(db: Db, reference: string | number): Promise<Category> {
  const text = String(reference);
  const query = db.selectFrom('categories').selectAll();
  const id = rowIdOf(text);
  const row = id !== undefined ? await query.where('id', '=', id).executeTakeFirst() : await query.where('slug', '=', text).executeTakeFirst();
  if (!row) throw new NotFound(`No category "${text}".`);
  return toCategory(row);
}

export interface CategoryInput {
  slug?: string;
  name?: unknown;
  parent?: string | number | null;
  position?: number;
}

export async function createCategory(deps: CatalogDeps, input: CategoryInput): Promise<Category> {
  const problems: FieldProblem[] = [];
  const slug = checkSlug(input.slug, problems);
  const name = parseLocalized(input.name, 'name', problems, { required: true, max: 200 });
  if (problems.length) throw new ValidationFailed('The category is not valid.', problems);
  return changeCatalog(deps, async (tx) => {
    const parentId = input.parent == null ? null : (await findCategory(tx, input.parent)).id;
    if (await tx.selectFrom('categories').select('id').where('slug', '=', slug).executeTakeFirst()) {
      throw new Conflict(`A category with slug "${slug}" exists.`, 'slug');
    }
    const now = nowIso();
    const row = await tx
      .insertInto('categories')
      .values({ slug, name: JSON.stringify(name), parent_id: parentId, position: input.position ?? 0, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategory(row);
  });
}

export async function updateCategory(deps: CatalogDeps, reference: string | number, input: CategoryInput): Promise<Category> {
  const problems: FieldProblem[] = [];
  const slug = input.slug === undefined ? undefined : checkSlug(input.slug, problems);
  const name = input.name === undefined ? undefined : parseLocalized(input.name, 'name', problems, { required: true, max: 200 });
  if (problems.length) throw new ValidationFailed('The category is not valid.', problems);
  return changeCatalog(deps, async (tx) => {
    const current = await findCategory(tx, reference);
    let parentId = current.parent_id;
    if (input.parent !== undefined) {
      parentId = input.parent === null ? null : (await findCategory(tx, input.parent)).id;
      // Walk up from the new parent: meeting this category would make a loop.
      for (let at = parentId; at !== null; ) {
        if (at === current.id) throw new ValidationFailed('A category cannot sit under itself.', [{ field: 'parent', message: 'would create a loop' }]);
        at = (await tx.selectFrom('categories').select('parent_id').where('id', '=', at).executeTakeFirstOrThrow()).parent_id;
      }
    }
    if (slug && slug !== current.slug && (await tx.selectFrom('categories').select('id').where('slug', '=', slug).executeTakeFirst())) {
      throw new Conflict(`A category with slug "${slug}" exists.`, 'slug');
    }
    const row = await tx
      .updateTable('categories')
      .set({
        slug: slug ?? current.slug,
        name: JSON.stringify(name ?? current.name),
        parent_id: parentId,
        position: input.position ?? current.position,
        updated_at: nowIso(),
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategory(row);
  });
}

/** Deletes an empty category; one that still has products or subcategories is a conflict. */
export async function deleteCategory(deps: CatalogDeps, reference: string | number): Promise<void> {
  await changeCatalog(deps, async (tx) => {
    const category = await findCategory(tx, reference);
    const child = await tx.selectFrom('categories').select('id').where('parent_id', '=', category.id).executeTakeFirst();
    if (child) throw new Conflict('The category has subcategories; move or delete them first.');
    const product = await tx.selectFrom('products').select('id').where('category_id', '=', category.id).executeTakeFirst();
    if (product) throw new Conflict('The category has products; move them first.');
    await tx.deleteFrom('categories').where('id', '=', category.id).execute();
  });
}

export async function listCategories(db: Db): Promise<Category[]> {
  const rows = await db.selectFrom('categories').selectAll().orderBy('position').orderBy('id').execute();
  return rows.map(toCategory);
}

export async function createCategoryType(deps: CatalogDeps, category: string | number, input: { slug?: string; name?: unknown; position?: number }): Promise<CategoryType> {
  const problems: FieldProblem[] = [];
  const slug = checkSlug(input.slug, problems);
  const name = parseLocalized(input.name, 'name', problems, { required: true, max: 200 });
  if (problems.length) throw new ValidationFailed('The category type is not valid.', problems);
  return changeCatalog(deps, async (tx) => {
    const owner = await findCategory(tx, category);
    const taken = await tx.selectFrom('category_types').select('id').where('category_id', '=', owner.id).where('slug', '=', slug).executeTakeFirst();
    if (taken) throw new Conflict(`The category already has a type "${slug}".`, 'slug');
    const row = await tx
      .insertInto('category_types')
      .values({ category_id: owner.id, slug, name: JSON.stringify(name), position: input.position ?? 0, created_at: nowIso() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategoryType(row);
  });
}

export async function listCategoryTypes(db: Db, category: string | number): Promise<CategoryType[]> {
  const owner = await findCategory(db, category);
  const rows = await db.selectFrom('category_types').selectAll().where('category_id', '=', owner.id).orderBy('position').orderBy('id').execute();
  return rows.map(toCategoryType);
}

/** Renames a type, or changes its slug or position; its slug stays unique within its category. */
export async function updateCategoryType(deps: CatalogDeps, typeId: number, input: { slug?: string; name?: unknown; position?: number }): Promise<CategoryType> {
  const problems: FieldProblem[] = [];
  const slug = input.slug === undefined ? undefined : checkSlug(input.slug, problems);
  const name = input.name === undefined ? undefined : parseLocalized(input.name, 'name', problems, { required: true, max: 200 });
  if (problems.length) throw new ValidationFailed('The category type is not valid.', problems);
  return changeCatalog(deps, async (tx) => {
    const current = await tx.selectFrom('category_types').selectAll().where('id', '=', typeId).executeTakeFirst();
    if (!current) throw new NotFound(`No category type ${typeId}.`);
    if (slug && slug !== current.slug) {
      const taken = await tx.selectFrom('category_types').select('id').where('category_id', '=', current.category_id).where('slug', '=', slug).executeTakeFirst();
      if (taken) throw new Conflict(`The category already has a type "${slug}".`, 'slug');
    }
    const row = await tx
      .updateTable('category_types')
      .set({ slug: slug ?? current.slug, name: name ? JSON.stringify(name) : current.name, position: input.position ?? current.position })
      .where('id', '=', typeId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCategoryType(row);
  });
}

/** Every category's types, by position: the console lists them all at once. */
export async function listEveryCategoryType(db: Db): Promise<CategoryType[]> {
  const rows = await db.selectFrom('category_types').selectAll().orderBy('category_id').orderBy('position').orderBy('id').execute();
  return rows.map(toCategoryType);
}

export async function deleteCategoryType(deps: CatalogDeps, typeId: number): Promise<void> {
  await changeCatalog(deps, async (tx) => {
    const used = await tx.selectFrom('products').select('id').where('type_id', '=', typeId).executeTakeFirst();
    if (used) throw new Conflict('Products use this type; change them first.');
    const result = await tx.deleteFrom('category_types').where('id', '=', typeId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new NotFound(`No category type ${typeId}.`);
  });
}
