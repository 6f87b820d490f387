// The companies a session reads (its scope): the header's label, the picker's rules and the reading of a scope
// refusal. Pure functions; the state lives in scope.svelte.ts.
import type { ApiError, Role, ScopeChoice } from './api/types';
import type { MessageKey } from './i18n/en';
import type { Params } from './i18n/translate';

export type Translate = (key: MessageKey, params?: Params) => string;

/** How each role is named on screen (never its raw id). */
export const ROLE_LABEL: Record<Role, MessageKey> = {
  analyst: 'role.analyst',
  partner_admin: 'role.partner_admin',
  platform_admin: 'role.platform_admin',
};

/** Partner and platform admins see several companies; an analyst sees only their own. */
export function isAdmin(role: Role | null | undefined): boolean {
  return role === 'partner_admin' || role === 'platform_admin';
}

/** The picker is offered to admins who reach more than one company. */
export function canPickScope(role: Role | null | undefined, choices: readonly ScopeChoice[]): boolean {
  return isAdmin(role) && choices.length > 1;
}

/** The names of the companies in the current scope, in the server's order. */
export function selectedNames(choices: readonly ScopeChoice[]): string[] {
  return choices.filter((c) => c.selected).map((c) => c.tenant_name);
}

/**
 * The header's label of the scope: "All 4 companies" when every company the role reaches is in it, else their
 * names ("Acme Corp, Globex"), the first ones and a count past `max` names. Empty when nothing is known yet.
 */
export function scopeLabel(choices: readonly ScopeChoice[], t: Translate, max = 3): string {
  const names = selectedNames(choices);
  if (names.length === 0) return '';
  if (names.length === choices.length && choices.length > 1) return t('scope.all', { count: choices.length });
  if (names.length <= max) return names.join(', ');
  const shown = Math.max(1, max - 1);
  return t('scope.more', { names: names.slice(0, shown).join(', '), count: names.length - shown });
}

// The picker: a draft of the ticked companies' ids, always in the order of the choices.

/** The ids ticked when the picker opens: the current scope. */
export function draftFrom(choices: readonly ScopeChoice[]): string[] {
  return choices.filter((c) => c.selected).map((c) => c.tenant_id);
}

/** The draft with one company ticked (`on`) or not. */
export function toggleCompany(choices: readonly ScopeChoice[], draft: readonly string[], id: string, on: boolean): string[] {
  const want = new Set(draft);
  if (on) want.add(id);
  else want.delete(id);
  return choices.map((c) => c.tenant_id).filter((t) => want.has(t));
}

/** The "all companies" box: every company, or none (then Apply waits for at least one). */
export function toggleAll(choices: readonly ScopeChoice[], on: boolean): string[] {
  return on ? choices.map((c) => c.tenant_id) : [];
}

export interface DraftStatus {
  /** Every company is ticked. */
  all: boolean;
  /** None is: the scope cannot be applied (at least one must stay). */
  none: boolean;
  /** Some but not all (the "all" box shows as mixed). */
  mixed: boolean;
  /** The draft differs from the current scope. */
  changed: boolean;
}

export function draftStatus(choices: readonly ScopeChoice[], draft: readonly string[]): DraftStatus {
  const ticked = choices.filter((c) => draft.includes(c.tenant_id));
  const all = choices.length > 0 && ticked.length === choices.length;
  const none = ticked.length === 0;
  const changed = choices.some((c) => c.selected !== draft.includes(c.tenant_id));
  return { all, none, mixed: !all && !none, changed };
}

/**
 * What to ask the server for: null when every company is ticked (everything the role reaches, so a company
 * activated later is included too), else the ticked ids. Throws when none is: the caller keeps Apply disabled.
 */
export function scopeRequest(choices: readonly ScopeChoice[], draft: readonly string[]): string[] | null {
  const status = draftStatus(choices, draft);
  if (status.none) throw new Error('at least one company must stay selected');
  if (status.all) return null;
  return choices.map((c) => c.tenant_id).filter((t) => draft.includes(t));
}

// Refusals: the server names the tenants outside the session's scope ("not in your scope: globex (your scope:
// acme_corp)"). That is not a sign-out: the session is fine, the request reached too far.

const REFUSAL = /not in your scope:\s*([^()]*?)\s*(?:\(|$)/i;

/** The tenant ids a scope refusal names, or null when `err` is not one. */
export function scopeRefusal(err: Pick<ApiError, 'code' | 'message'>): string[] | null {
  if (err.code !== 'auth') return null;
  const m = REFUSAL.exec(err.message);
  if (!m) return null;
  return (m[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function isScopeRefusal(err: Pick<ApiError, 'code' | 'message'>): boolean {
  return scopeRefusal(err) !== null;
}

/** Company names for tenant ids, where known (else the id as given). */
export function namesOf(ids: readonly string[], choices: readonly ScopeChoice[]): string[] {
  return ids.map((id) => choices.find((c) => c.tenant_id === id)?.tenant_name ?? id);
}

// The browser keeps the picked scope for the tab (sessionStorage), under the signed-in user it was picked by:
// another user's link in the same tab starts from everything again.

export const SCOPE_STORAGE_KEY = 'inda.scope';

export interface Who {
  partner_id: string;
  tenant_id: string;
  user_id: string;
}

function whoKey(who: Who): string {
  return `${who.partner_id}/${who.tenant_id}/${who.user_id}`;
}

/** What to store for `who`'s scope (null: everything, nothing stored). */
export function encodeStoredScope(who: Who, tenants: readonly string[] | null): string | null {
  return tenants && tenants.length ? JSON.stringify({ who: whoKey(who), tenants }) : null;
}

/** The stored scope when it was picked by `who`, else null. */
export function decodeStoredScope(raw: string | null | undefined, who: Who): string[] | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as { who?: unknown; tenants?: unknown };
    if (v.who !== whoKey(who) || !Array.isArray(v.tenants)) return null;
    const tenants = v.tenants.filter((t): t is string => typeof t === 'string' && t.trim() !== '');
    return tenants.length ? tenants : null;
  } catch {
    return null;
  }
}
