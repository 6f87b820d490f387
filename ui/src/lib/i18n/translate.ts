import { en, type MessageKey, type Messages } from './en';
import { es } from './es';

export type Lang = 'en' | 'es';
export type LangPref = Lang | 'auto';

export const MESSAGES: Record<Lang, Messages> = { en, es };

/** The Intl locale of each UI language: Spanish uses Latin American formats. */
export const LOCALES: Record<Lang, string> = { en: 'en-US', es: 'es-419' };

export type Params = Record<string, string | number>;

/** The message for `key` in `lang` with `{name}` placeholders filled; unknown placeholders stay as written. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = MESSAGES[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** English or Spanish from a BCP 47 tag (`es-CO` → es), or null for any other language. */
export function langOf(tag: string | null | undefined): Lang | null {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return base === 'es' ? 'es' : base === 'en' ? 'en' : null;
}

/**
 * The language to show: an explicit preference wins; else the first of the OS/browser languages that is English
 * or Spanish; else the partner's default; else English.
 */
export function resolveLang(pref: LangPref, navigatorLangs: readonly string[], configDefault: Lang | null): Lang {
  if (pref === 'en' || pref === 'es') return pref;
  for (const tag of navigatorLangs) {
    const l = langOf(tag);
    if (l) return l;
  }
  return configDefault ?? 'en';
}
