// English, Arabic and Chinese. The first visit follows the browser's languages; the switcher's
// choice is kept in localStorage (i18next-browser-languagedetector does both). The document's
// `lang` and `dir` follow the language, so Arabic lays out right to left.
//
// Shared words (common, shop, console frame) are the `translation` namespace in i18n/<lang>/;
// each console area brings its own namespace from <area>/i18n/<lang>.json (see addAreaTranslations),
// so the storefront's bundle carries none of the console's words.
import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ar', name: 'العربية' },
  { code: 'zh', name: '中文' },
] as const;

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const shared = import.meta.glob<Record<string, unknown>>('./*/*.json', { eager: true, import: 'default' });

/** Resources keyed by language then namespace, from glob results whose paths end in <lang>/<ns>.json or <ns>/i18n/<lang>.json. */
function resourcesOf(files: Record<string, Record<string, unknown>>, pick: (parts: string[]) => [string, string]): Resources {
  const resources: Resources = {};
  for (const [file, words] of Object.entries(files)) {
    const [language, namespace] = pick(file.replace(/\.json$/, '').split('/'));
    (resources[language] ??= {})[namespace] = words;
  }
  return resources;
}

function applyToDocument(language: string): void {
  const code = language.split('-')[0] ?? 'en';
  document.documentElement.lang = code;
  document.documentElement.dir = i18n.dir(code);
}

i18n.on('languageChanged', applyToDocument);

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: resourcesOf(shared, (parts) => [parts.at(-2)!, parts.at(-1)!]),
    supportedLngs: ['en', 'ar', 'zh'],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'en',
    defaultNS: 'translation',
    interpolation: { escapeValue: false },
    detection: { order: ['localStorage', 'navigator'], caches: ['localStorage'], lookupLocalStorage: 'souk.language' },
  });

/** Adds each console area's words as a namespace named after its folder (glob of './<area>/i18n/<lang>.json'). */
export function addAreaTranslations(files: Record<string, Record<string, unknown>>): void {
  for (const [language, namespaces] of Object.entries(resourcesOf(files, (parts) => [parts.at(-1)!, parts.at(-3)!]))) {
    for (const [namespace, words] of Object.entries(namespaces)) i18n.addResourceBundle(language, namespace, words, true, true);
  }
}

export default i18n;
