// Names and descriptions come in several languages: {"en": …, "ar": …, "zh": …}. English is required
// and is the fallback for any language a product lacks.
import type { FieldProblem } from '../errors.js';

export type Localized = Record<string, string>;

/** Accepts a plain string (taken as English) or an object of language → text. */
export function parseLocalized(input: unknown, field: string, problems: FieldProblem[], options: { required: boolean; max: number }): Localized {
  if (input === undefined || input === null || input === '') {
    if (options.required) problems.push({ field, message: 'is required' });
    return {};
  }
  const value: Record<string, unknown> = typeof input === 'string' ? { en: input } : (input as Record<string, unknown>);
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field, message: 'must be text or an object of language codes to text' });
    return {};
  }
  const out: Localized = {};
  for (const [lang, text] of Object.entries(value)) {
    if (!/^[a-z]{2}(-[A-Z]{2})?$/.test(lang)) {
      problems.push({ field: `${field}.${lang}`, message: 'is not a language code like en, ar or zh' });
    } else if (typeof text !== 'string') {
      problems.push({ field: `${field}.${lang}`, message: 'must be text' });
    } else if (text.length > options.max) {
      problems.push({ field: `${field}.${lang}`, message: `must be at most ${options.max} characters` });
    } else if (text.trim()) {
      out[lang] = text.trim();
    }
  }
  if (options.required && !out.en) problems.push({ field: `${field}.en`, message: 'an English text is required' });
  return out;
}

export function localizedText(value: Localized, lang: string): string {
  return value[lang] ?? value.en ?? '';
}
