import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es } from './es';
import { LOCALES, langOf, resolveLang, translate } from './translate';

describe('messages', () => {
  it('English and Spanish have the same keys, none empty', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of [...Object.entries(en), ...Object.entries(es)]) expect(v.trim(), k).not.toBe('');
  });
  it('each translation keeps the placeholders of the English text', () => {
    const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(names(es[k]), k).toEqual(names(en[k]));
  });
  it('Spanish is actually translated where it should differ', () => {
    expect(es['chat.ask']).toBe('Preguntar');
    expect(es['nav.dashboards']).toBe('Tableros');
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(translate('en', 'answer.rows', { count: '1,234' })).toBe('1,234 rows');
    expect(translate('es', 'answer.rows', { count: '1.234' })).toBe('1.234 filas');
    expect(translate('en', 'answer.saved')).toBe('Saved as “{name}”');
  });
  it('marks a period still running in each language', () => {
    expect(translate('en', 'answer.toDate', { value: 'Dec 1, 2026' })).toBe('Dec 1, 2026 (to date)');
    expect(translate('es', 'answer.toDate', { value: '1 dic 2026' })).toBe('1 dic 2026 (en curso)');
  });
  it('has singular forms for one row and one tile', () => {
    expect(translate('en', 'answer.rows.one')).toBe('1 row');
    expect(translate('es', 'answer.rows.one')).toBe('1 fila');
    expect(translate('en', 'dash.tiles.one')).toBe('1 tile');
    expect(translate('es', 'dash.tiles.one')).toBe('1 mosaico');
  });
});

describe('language choice', () => {
  it('maps tags', () => {
    expect(langOf('es-CO')).toBe('es');
    expect(langOf('en_GB')).toBe('en');
    expect(langOf('pt-BR')).toBeNull();
    expect(langOf(undefined)).toBeNull();
  });
  it('explicit preference > OS languages > partner default > English', () => {
    expect(resolveLang('es', ['en-US'], null)).toBe('es');
    expect(resolveLang('auto', ['es-MX', 'en'], 'en')).toBe('es');
    expect(resolveLang('auto', ['pt-BR', 'en-US'], 'es')).toBe('en');
    expect(resolveLang('auto', ['pt-BR'], 'es')).toBe('es');
    expect(resolveLang('auto', [], null)).toBe('en');
  });
  it('Spanish uses Latin American formats', () => {
    expect(LOCALES.es).toBe('es-419');
  });
});
