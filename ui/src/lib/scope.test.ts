import { describe, expect, it } from 'vitest';
import { adminSession, scopeChoices, session } from '../test/fixtures';
import type { ScopeChoice } from './api/types';
import { translate, type Lang } from './i18n/translate';
import {
  ROLE_LABEL,
  canPickScope,
  decodeStoredScope,
  draftFrom,
  draftStatus,
  encodeStoredScope,
  isAdmin,
  isScopeRefusal,
  namesOf,
  scopeLabel,
  scopeRefusal,
  scopeRequest,
  toggleAll,
  toggleCompany,
  type Translate,
} from './scope';

const tr = (lang: Lang): Translate => (key, params) => translate(lang, key, params);
const en = tr('en');
const es = tr('es');

/** The four companies of partner indigital, the first `n` selected. */
function firstSelected(n: number, choices: ScopeChoice[] = scopeChoices): ScopeChoice[] {
  return choices.map((c, i) => ({ ...c, selected: i < n }));
}

describe('the header label of the scope', () => {
  it('says "All N companies" when everything the role reaches is selected, in both languages', () => {
    const all = firstSelected(4);
    expect(scopeLabel(all, en)).toBe('All 4 companies');
    expect(scopeLabel(all, es)).toBe('Todas las 4 empresas');
  });

  it('names the selected companies (never their ids)', () => {
    expect(scopeLabel(scopeChoices, en)).toBe('Acme Corp, Globex');
    expect(scopeLabel(firstSelected(1), en)).toBe('Acme Corp');
    expect(scopeLabel(firstSelected(3), en)).toBe('Acme Corp, Globex, Initech');
    expect(scopeLabel(scopeChoices, en)).not.toMatch(/acme_corp|globex\b/);
  });

  it('shortens a long list with a count', () => {
    const five = [...firstSelected(4), { tenant_id: 'stark_ind', tenant_name: 'Stark Industries', currency: 'USD', selected: false }];
    const four = five.map((c, i) => ({ ...c, selected: i < 4 }));
    expect(scopeLabel(four, en)).toBe('Acme Corp, Globex and 2 more');
    expect(scopeLabel(four, es)).toBe('Acme Corp, Globex y 2 más');
    expect(scopeLabel(four, en, 5)).toBe('Acme Corp, Globex, Initech, Umbrella Health');
  });

  it('names a single company rather than "all 1", and is empty before the choices are known', () => {
    const one: ScopeChoice[] = [{ tenant_id: 'stark_ind', tenant_name: 'Stark Industries', currency: 'USD', selected: true }];
    expect(scopeLabel(one, en)).toBe('Stark Industries');
    expect(scopeLabel([], en)).toBe('');
  });
});

describe('who gets the picker', () => {
  it('admins who reach more than one company; never an analyst', () => {
    expect(isAdmin('analyst')).toBe(false);
    expect(isAdmin('partner_admin')).toBe(true);
    expect(isAdmin('platform_admin')).toBe(true);
    expect(isAdmin(undefined)).toBe(false);
    expect(canPickScope(adminSession.role, scopeChoices)).toBe(true);
    expect(canPickScope('platform_admin', scopeChoices)).toBe(true);
    expect(canPickScope(session.role, scopeChoices)).toBe(false);
    expect(canPickScope('partner_admin', scopeChoices.slice(0, 1))).toBe(false);
    expect(canPickScope('partner_admin', [])).toBe(false);
  });

  it('names every role in both languages', () => {
    expect(translate('en', ROLE_LABEL.partner_admin)).toBe('Partner admin');
    expect(translate('en', ROLE_LABEL.platform_admin)).toBe('Platform admin');
    expect(translate('en', ROLE_LABEL.analyst)).toBe('Analyst');
    expect(translate('es', ROLE_LABEL.partner_admin)).toBe('Administrador de socio');
    expect(translate('es', ROLE_LABEL.platform_admin)).toBe('Administrador de plataforma');
    expect(translate('es', ROLE_LABEL.analyst)).toBe('Analista');
  });
});

describe('the scope picker', () => {
  it('opens on the current scope', () => {
    expect(draftFrom(scopeChoices)).toEqual(['acme_corp', 'globex']);
    expect(draftStatus(scopeChoices, draftFrom(scopeChoices))).toEqual({ all: false, none: false, mixed: true, changed: false });
  });

  it('ticks and unticks companies, keeping the choices’ order', () => {
    let draft = draftFrom(scopeChoices);
    draft = toggleCompany(scopeChoices, draft, 'umbrella', true);
    draft = toggleCompany(scopeChoices, draft, 'initech', true);
    expect(draft).toEqual(['acme_corp', 'globex', 'initech', 'umbrella']);
    expect(draftStatus(scopeChoices, draft)).toMatchObject({ all: true, mixed: false, changed: true });
    draft = toggleCompany(scopeChoices, draft, 'acme_corp', false);
    expect(draft).toEqual(['globex', 'initech', 'umbrella']);
    // Ticking twice changes nothing.
    expect(toggleCompany(scopeChoices, draft, 'globex', true)).toEqual(draft);
  });

  it('"all" ticks every company or none', () => {
    expect(toggleAll(scopeChoices, true)).toEqual(['acme_corp', 'globex', 'initech', 'umbrella']);
    expect(toggleAll(scopeChoices, false)).toEqual([]);
  });

  it('keeps at least one company: none ticked cannot be applied', () => {
    const none = toggleAll(scopeChoices, false);
    expect(draftStatus(scopeChoices, none)).toMatchObject({ none: true, all: false, mixed: false });
    expect(() => scopeRequest(scopeChoices, none)).toThrow(/at least one/);
    const last = toggleCompany(scopeChoices, ['globex'], 'globex', false);
    expect(draftStatus(scopeChoices, last).none).toBe(true);
  });

  it('asks for everything (null) when all are ticked, else for the ticked ids', () => {
    expect(scopeRequest(scopeChoices, toggleAll(scopeChoices, true))).toBeNull();
    expect(scopeRequest(scopeChoices, ['globex', 'acme_corp'])).toEqual(['acme_corp', 'globex']);
    expect(scopeRequest(firstSelected(4), ['acme_corp'])).toEqual(['acme_corp']);
  });

  it('sees no change when the draft is the current scope', () => {
    expect(draftStatus(scopeChoices, ['acme_corp', 'globex']).changed).toBe(false);
    expect(draftStatus(scopeChoices, ['acme_corp']).changed).toBe(true);
  });
});

describe('scope refusals', () => {
  const refusal = { code: 'auth' as const, message: 'not in your scope: initech, umbrella (your scope: acme_corp, globex)' };

  it('reads the tenants the server refused', () => {
    expect(scopeRefusal(refusal)).toEqual(['initech', 'umbrella']);
    expect(scopeRefusal({ code: 'auth', message: 'not in your scope: globex' })).toEqual(['globex']);
    expect(isScopeRefusal(refusal)).toBe(true);
  });

  it('is not a sign-out: other auth errors and other codes are not refusals', () => {
    expect(scopeRefusal({ code: 'auth', message: 'the token has expired' })).toBeNull();
    expect(scopeRefusal({ code: 'usage', message: 'not in your scope: x' })).toBeNull();
  });

  it('names the companies where known', () => {
    expect(namesOf(['initech', 'umbrella', 'stark_ind'], scopeChoices)).toEqual(['Initech', 'Umbrella Health', 'stark_ind']);
  });
});

describe('the scope kept for the browser tab', () => {
  const pat = { partner_id: 'indigital', tenant_id: 'acme_corp', user_id: 'pat' };

  it('comes back for the same user only', () => {
    const raw = encodeStoredScope(pat, ['acme_corp', 'globex']);
    expect(decodeStoredScope(raw, pat)).toEqual(['acme_corp', 'globex']);
    expect(decodeStoredScope(raw, { ...pat, user_id: 'ana' })).toBeNull();
    expect(decodeStoredScope(raw, { ...pat, partner_id: 'other_partner' })).toBeNull();
  });

  it('stores nothing for everything, and ignores what it cannot read', () => {
    expect(encodeStoredScope(pat, null)).toBeNull();
    expect(encodeStoredScope(pat, [])).toBeNull();
    expect(decodeStoredScope(null, pat)).toBeNull();
    expect(decodeStoredScope('{not json', pat)).toBeNull();
    expect(decodeStoredScope(JSON.stringify({ who: 'indigital/acme_corp/pat', tenants: 'acme_corp' }), pat)).toBeNull();
    expect(decodeStoredScope(JSON.stringify({ who: 'indigital/acme_corp/pat', tenants: [] }), pat)).toBeNull();
  });
});
