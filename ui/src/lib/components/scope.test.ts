// The header's scope and the picker, rendered to HTML (svelte/server: no DOM needed). What happens on clicks
// and keys is covered by the pure functions (../scope.test.ts) and the browser suite (e2e/08-scope.spec.mjs).
import { render } from 'svelte/server';
import { afterEach, describe, expect, it } from 'vitest';
import { adminSession, scopeChoices, session } from '../../test/fixtures';
import type { ScopeChoice } from '../api/types';
import { i18n } from '../i18n/index.svelte';
import { scope } from '../scope.svelte';
import { app } from '../state.svelte';
import ErrorBanner from './ErrorBanner.svelte';
import Header from './Header.svelte';
import ScopePicker from './ScopePicker.svelte';

const all: ScopeChoice[] = scopeChoices.map((c) => ({ ...c, selected: true }));

/** The text of the element carrying `data-testid="id"` (its first text node), or null when absent. */
function testid(html: string, id: string): string | null {
  const m = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html);
  return m ? m[1]!.trim() : null;
}

/** Text as shown (tags and Svelte's hydration comments removed). */
function text(html: string): string {
  return html
    .replace(/<!--[^]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

afterEach(() => {
  app.session = null;
  scope.choices = [];
  i18n.lang = 'en';
});

describe('the header', () => {
  it('shows an analyst their company and user, and nothing about scopes', () => {
    app.session = session;
    scope.choices = scopeChoices;
    const html = render(Header).body;
    expect(testid(html, 'session-tenant')).toBe('acme_corp');
    expect(testid(html, 'header-user')).toBe('Ana');
    expect(html).not.toContain('data-testid="scope-button"');
    expect(html).not.toContain('data-testid="header-scope"');
  });

  it('shows an admin "All N companies" next to the user, in a button that opens the picker', () => {
    app.session = adminSession;
    scope.choices = all;
    const html = render(Header).body;
    expect(testid(html, 'header-scope')).toBe('All 4 companies');
    expect(testid(html, 'header-user')).toBe('Pat');
    expect(html).toMatch(/<button[^>]*data-testid="scope-button"[^>]*aria-haspopup="dialog"/);
    expect(html).toMatch(/data-testid="scope-button"[^>]*aria-expanded="false"|aria-expanded="false"[^>]*data-testid="scope-button"/);
    // No raw tenant id on screen: the token's own tenant is not shown to an admin.
    expect(html).not.toContain('data-testid="session-tenant"');
    expect(text(html)).not.toMatch(/acme_corp|partner_admin/);
  });

  it('names the companies of a narrowed scope, in Spanish too', () => {
    app.session = adminSession;
    scope.choices = scopeChoices;
    expect(testid(render(Header).body, 'header-scope')).toBe('Acme Corp, Globex');
    i18n.lang = 'es';
    scope.choices = all;
    const html = render(Header).body;
    expect(testid(html, 'header-scope')).toBe('Todas las 4 empresas');
    expect(text(html)).toContain('Empresas:');
  });

  it('shows an admin who reaches one company its name, without a picker', () => {
    app.session = { ...adminSession, tenant_id: 'stark_ind', partner_id: 'other_partner' };
    scope.choices = [{ tenant_id: 'stark_ind', tenant_name: 'Stark Industries', currency: 'USD', selected: true }];
    const html = render(Header).body;
    expect(testid(html, 'header-scope')).toBe('Stark Industries');
    expect(html).not.toContain('data-testid="scope-button"');
  });
});

describe('the scope picker', () => {
  const onapply = async () => null;

  it('is closed at first: only the button with the label', () => {
    const html = render(ScopePicker, { props: { choices: scopeChoices, label: 'Acme Corp, Globex', onapply } }).body;
    expect(testid(html, 'header-scope')).toBe('Acme Corp, Globex');
    expect(html).not.toContain('data-testid="scope-panel"');
  });

  it('lists a checkbox per company, by name, ticked for the current scope, with "all", Apply and Cancel', () => {
    const html = render(ScopePicker, { props: { choices: scopeChoices, label: 'Acme Corp, Globex', onapply, open: true } }).body;
    expect(html).toMatch(/role="dialog"[^>]*aria-labelledby="scope-legend"/);
    expect(html).toMatch(/aria-expanded="true"/);
    expect(html).toMatch(/<legend id="scope-legend"[^>]*>Companies to show<\/legend>/);
    const boxes = [...html.matchAll(/<input type="checkbox"([^>]*)data-testid="scope-option"([^>]*)>/g)].map((m) => m[0]);
    expect(boxes).toHaveLength(4);
    expect(boxes.map((b) => /\bchecked\b/.test(b))).toEqual([true, true, false, false]);
    for (const name of ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health']) expect(text(html)).toContain(name);
    expect(text(html)).not.toMatch(/\b(acme_corp|initech|umbrella)\b/);
    expect(html).toMatch(/data-testid="scope-all"/);
    expect(text(html)).toContain('All companies');
    expect(testid(html, 'scope-apply')).toBe('Apply');
    expect(testid(html, 'scope-cancel')).toBe('Cancel');
    expect(html).not.toContain('data-testid="scope-need-one"');
  });

  it('ticks "all" when every company is in the scope', () => {
    const html = render(ScopePicker, { props: { choices: all, label: 'All 4 companies', onapply, open: true } }).body;
    expect(html).toMatch(/<input type="checkbox"[^>]*checked[^>]*data-testid="scope-all"|<input type="checkbox"[^>]*data-testid="scope-all"[^>]*checked/);
  });
});

describe('a scope refusal', () => {
  it('is a clear message naming the companies, not a sign-out', () => {
    app.session = adminSession;
    scope.choices = scopeChoices;
    const error = { code: 'auth' as const, message: 'not in your scope: initech, umbrella (your scope: acme_corp, globex)' };
    const html = render(ErrorBanner, { props: { error } }).body;
    expect(html).toContain('data-scope="outside"');
    const shown = text(html);
    expect(shown).toContain('This reaches beyond the companies you are viewing.');
    expect(shown).toContain('Not in your current selection: Initech, Umbrella Health.');
    expect(shown).toContain('company picker');
    expect(shown).not.toMatch(/signed in|expired|initech,|acme_corp/);
  });

  it('leaves other auth errors as they were', () => {
    app.session = adminSession;
    const html = render(ErrorBanner, { props: { error: { code: 'auth' as const, message: 'the token has expired' } } }).body;
    expect(text(html)).toContain('You are not signed in or your session has expired.');
    expect(html).not.toContain('data-scope');
  });
});
