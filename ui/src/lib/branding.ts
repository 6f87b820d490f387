// White-label: the partner's branding from the config, applied as CSS custom properties on :root before the app
// content is first painted.
import type { Branding } from './api/types';

/** Properties set from `branding.colors`. Dark theme keeps primary/accent and uses its own neutrals. */
export const COLOR_VARS: Record<keyof Branding['colors'], string> = {
  primary: '--brand-primary',
  accent: '--brand-accent',
  background: '--brand-background',
  surface: '--brand-surface',
  text: '--brand-text',
};

const CUSTOM_PROPERTY = /^--[A-Za-z0-9_-]+$/;
/** Values that could escape a declaration or load something are refused. */
const UNSAFE_VALUE = /[;{}<>]|url\s*\(|expression\s*\(|@import/i;

export function safeCssValue(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 200 && !UNSAFE_VALUE.test(v);
}

/** The CSS custom properties to set for a branding (only `--name` properties with safe values). */
export function brandingVars(b: Branding | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!b) return out;
  for (const [key, prop] of Object.entries(COLOR_VARS)) {
    const v = b.colors?.[key as keyof Branding['colors']];
    if (safeCssValue(v) && v.trim()) out[prop] = v.trim();
  }
  for (const [k, v] of Object.entries(b.css ?? {})) {
    if (CUSTOM_PROPERTY.test(k) && safeCssValue(v)) out[k] = v.trim();
  }
  return out;
}

/** Sets the properties through the CSSOM (allowed by a strict CSP, unlike inline style attributes). */
export function applyBranding(b: Branding | null | undefined, root: HTMLElement = document.documentElement): void {
  for (const [k, v] of Object.entries(brandingVars(b))) root.style.setProperty(k, v);
  if (b?.name) document.title = b.name;
}
