import { describe, expect, it } from 'vitest';
import { escapeHtml, formatDuration, formatInstant, formatNumber, formatTemporal, formatValue, parseTemporal } from './format';
import { translate } from './i18n/translate';

describe('formatNumber', () => {
  it('groups digits per locale (es-419 uses commas for thousands and a point for decimals)', () => {
    expect(formatNumber(1234567, 'en-US')).toBe('1,234,567');
    expect(formatNumber(1234567.5, 'es-419', { type: 'DOUBLE' })).toBe('1,234,567.5');
    expect(formatNumber(6032153798.84, 'en-US', { type: 'DECIMAL(22,2)' })).toBe('6,032,153,798.84');
  });
  it('shows rates as percentages', () => {
    expect(formatNumber(0.934169, 'en-US', { percent: true })).toBe('93.4%');
    expect(formatNumber(0.934169, 'es-419', { percent: true })).toMatch(/^93\.4\s?%$/);
  });
  it('compacts axis labels', () => {
    expect(formatNumber(12500, 'en-US', { compact: true })).toBe('12.5K');
    expect(formatNumber(12500, 'es-419', { compact: true })).toMatch(/12[.,]5\s?k/i);
  });
  it('keeps integers without decimals', () => {
    expect(formatNumber(12524, 'en-US', { type: 'BIGINT' })).toBe('12,524');
  });
});

describe('dates', () => {
  it('reads naive warehouse timestamps as wall-clock values', () => {
    const p = parseTemporal('2024-11-25T00:00:00');
    expect(p).toEqual({ ms: Date.UTC(2024, 10, 25), naive: true, hasTime: false });
    expect(parseTemporal('2024-11-25T13:30:00').hasTime).toBe(true);
    expect(parseTemporal('2024-11-25').ms).toBe(Date.UTC(2024, 10, 25));
  });
  it('formats a date without shifting it, per locale', () => {
    expect(formatTemporal('2024-11-25T00:00:00', 'en-US')).toBe('Nov 25, 2024');
    expect(formatTemporal('2024-11-25T00:00:00', 'es-419')).toMatch(/25 (de )?nov\.? (de )?2024/);
    expect(formatTemporal('2024-11-25T13:30:00', 'en-US')).toMatch(/Nov 25, 2024, 01:30\sPM/);
    expect(formatTemporal('not a date', 'en-US')).toBe('not a date');
  });
  it('formats instants in a time zone', () => {
    expect(formatInstant('2026-11-26T08:27:28.479Z', 'en-US', 'UTC')).toBe('Nov 26, 2026, 8:27 AM');
    expect(formatInstant(null, 'en-US')).toBe('');
  });
});

describe('formatValue', () => {
  it('formats by column type', () => {
    expect(formatValue(null, { name: 'x', type: 'VARCHAR' }, 'en-US')).toBe('—');
    expect(formatValue('whatsapp', { name: 'channel', type: 'VARCHAR' }, 'en-US')).toBe('whatsapp');
    expect(formatValue(0.5, { name: 'rate', type: 'DOUBLE' }, 'en-US', true)).toBe('50%');
    expect(formatValue('2025-01-06T00:00:00', { name: 'week', type: 'TIMESTAMP' }, 'en-US')).toBe('Jan 6, 2025');
    expect(formatValue(true, { name: 'b', type: 'BOOLEAN' }, 'en-US')).toBe('✓');
  });
});

describe('formatDuration', () => {
  const en = (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate('en', k, p);
  const es = (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate('es', k, p);
  it('reads like a countdown', () => {
    expect(formatDuration(45, en)).toBe('45s');
    expect(formatDuration(600, en)).toBe('10 min');
    expect(formatDuration(3599, en)).toBe('59 min');
    expect(formatDuration(3900, en)).toBe('1 h 05 min');
    expect(formatDuration(0, en)).toBe('expired');
    expect(formatDuration(0, es)).toBe('expirada');
  });
});

describe('escapeHtml', () => {
  it('neutralizes markup', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)">&\'')).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
  });
});
