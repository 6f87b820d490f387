// Settings and the error banner name what the API sends as ids (`offline`, `embedded`, an error code) in the UI's
// language, never as the id itself. Rendered to HTML (svelte/server); the browser suite (e2e/12-a11y) checks
// every screen's text the same way.
import { render } from 'svelte/server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { session } from '../../test/fixtures';
import type { Api } from '../api/api';
import type { ApiError, UiConfig } from '../api/types';
import ErrorBanner from '../components/ErrorBanner.svelte';
import { i18n } from '../i18n/index.svelte';
import { app, setApi } from '../state.svelte';
import Settings from './Settings.svelte';

const config = {
  branding: { name: 'inDigital Analytics', logo_url: null, colors: {}, css: {} },
  lang_default: null,
  offline: false,
  version: '0.1.0',
  ui_built: true,
  warehouse: 'embedded',
  question_engine: 'offline',
} as unknown as UiConfig;

/** Text as shown (tags and Svelte's hydration comments removed). */
function text(html: string): string {
  return html
    .replace(/<!--[^]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const RAW = /\b(offline|embedded|analyst|partner_admin|platform_admin|not_understood|guard_rejected|null|undefined|NaN)\b/;

beforeAll(() => setApi({ transport: 'http' } as unknown as Api));
afterEach(() => {
  app.config = null;
  app.session = null;
  i18n.lang = 'en';
});

describe('settings', () => {
  it('names the question engine and the warehouse, in English and in Spanish', () => {
    app.config = config;
    app.session = session;
    const en = text(render(Settings).body);
    expect(en).toContain('Built-in (no language model)');
    expect(en).toContain('Local warehouse (built in)');
    expect(en).toContain('Analyst');
    expect(en).not.toMatch(RAW);
    i18n.lang = 'es';
    const es = text(render(Settings).body);
    expect(es).toContain('Integrado (sin modelo de lenguaje)');
    expect(es).toContain('Almacén local (integrado)');
    expect(es).not.toMatch(RAW);
  });

  it('names Snowflake and a language model by their product names', () => {
    app.config = { ...config, warehouse: 'snowflake', question_engine: 'cortex' } as UiConfig;
    const html = text(render(Settings).body);
    expect(html).toContain('Snowflake Cortex');
    expect(html).not.toMatch(RAW);
  });
});

describe('the error banner', () => {
  it('titles a code it does not know with the general message, not the code', () => {
    const error = { code: 'snowflake_error', message: 'x' } as unknown as ApiError;
    const html = text(render(ErrorBanner, { props: { error } }).body);
    expect(html).toContain('Something went wrong.');
    expect(html).not.toMatch(/snowflake_error|undefined/);
  });

  it('groups the suggestions of a question not understood under their label', () => {
    const error = { code: 'not_understood', message: 'The question was not understood — revenue by month | messages by channel' } as ApiError;
    const html = render(ErrorBanner, { props: { error, onsuggest: () => {} } }).body;
    expect(html).toMatch(/role="group" aria-label="Try one of these:"/);
    expect(text(html)).not.toMatch(RAW);
  });
});
