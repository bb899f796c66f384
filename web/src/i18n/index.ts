// English, Arabic and Chinese. The first visit follows the browser's languages; the switcher's
// choice is kept in localStorage (i18next-browser-languagedetector does both). The document's
// `lang` and `dir` follow the language, so Arabic lays out right to left.
import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import ar from './ar.json';
import zh from './zh.json';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ar', name: 'العربية' },
  { code: 'zh', name: '中文' },
] as const;

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
    resources: { en: { translation: en }, ar: { translation: ar }, zh: { translation: zh } },
    supportedLngs: ['en', 'ar', 'zh'],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    detection: { order: ['localStorage', 'navigator'], caches: ['localStorage'], lookupLocalStorage: 'souk.language' },
  });

export default i18n;
