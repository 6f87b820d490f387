import type { MessageKey } from './en';
import { LOCALES, resolveLang, translate, type Lang, type LangPref, type Params } from './translate';

export type { MessageKey } from './en';
export type { Lang, LangPref } from './translate';

const PREF_KEY = 'inda.lang';

function readPref(): LangPref {
  try {
    const v = globalThis.localStorage?.getItem(PREF_KEY);
    return v === 'en' || v === 'es' ? v : 'auto';
  } catch {
    return 'auto';
  }
}

function navigatorLangs(): string[] {
  const nav = globalThis.navigator;
  if (!nav) return [];
  return nav.languages?.length ? [...nav.languages] : nav.language ? [nav.language] : [];
}

/** The active language, reactive: components that call `t()` re-render when it changes. */
export const i18n = $state({ pref: readPref(), lang: 'en' as Lang, configDefault: null as Lang | null });

export function initLang(configDefault: Lang | null): void {
  i18n.configDefault = configDefault;
  i18n.lang = resolveLang(i18n.pref, navigatorLangs(), configDefault);
  document.documentElement.lang = LOCALES[i18n.lang].split('-')[0] ?? 'en';
}

/** Changes the preference (persisted: only the preference, in localStorage). */
export function setLangPref(pref: LangPref): void {
  i18n.pref = pref;
  try {
    if (pref === 'auto') localStorage.removeItem(PREF_KEY);
    else localStorage.setItem(PREF_KEY, pref);
  } catch {
    /* storage unavailable (iframe sandbox): the choice lasts for this page */
  }
  initLang(i18n.configDefault);
}

export function t(key: MessageKey, params?: Params): string {
  return translate(i18n.lang, key, params);
}

export function locale(): string {
  return LOCALES[i18n.lang];
}
