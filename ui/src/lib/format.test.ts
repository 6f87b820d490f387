import { describe, expect, it } from 'vitest';
import { columnTitle, displayValue, escapeHtml, formatDuration, formatInstant, formatNumber, formatTemporal, formatValue, parseTemporal } from './format';
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

describe('money', () => {
  it('writes an amount with its currency code and the locale’s digits', () => {
    expect(formatNumber(1234567.5, 'en-US', { currency: 'COP', type: 'DECIMAL(38,2)' })).toMatch(/^COP\s1,234,567\.50$/);
    expect(formatNumber(-12.5, 'en-US', { currency: 'USD' })).toMatch(/^-USD\s12\.50$/);
    expect(formatNumber(1234567.5, 'de-DE', { currency: 'COP', type: 'DECIMAL(38,2)' })).toMatch(/^1\.234\.567,50\sCOP$/);
    // Scale 0 stays without decimals; more than cents is cut to cents.
    expect(formatNumber(1500, 'en-US', { currency: 'COP', type: 'DECIMAL(18,0)' })).toMatch(/^COP\s1,500$/);
    expect(formatNumber(1.23456, 'en-US', { currency: 'EUR', type: 'DECIMAL(18,4)' })).toMatch(/^EUR\s1\.23$/);
  });
  it('keeps up to four decimals of an amount under one, so a cost per message does not read as nothing', () => {
    expect(formatNumber(0.01480992, 'en-US', { currency: 'USD', type: 'DECIMAL(14,8)' })).toMatch(/^USD\s0\.0148$/);
    expect(formatNumber(0.0005, 'de-DE', { amount: true, type: 'DECIMAL(14,8)' })).toBe('0,0005');
    expect(formatNumber(0.5, 'en-US', { amount: true, type: 'DECIMAL(14,8)' })).toBe('0.50');
    expect(formatNumber(0.25, 'en-US', { amount: true, type: 'DECIMAL(18,0)' })).toBe('0');
    expect(formatNumber(0, 'en-US', { amount: true })).toBe('0.00');
  });
  it('compacts amounts with the code, and leaves it out for table cells', () => {
    expect(formatNumber(2_500_000, 'en-US', { currency: 'COP', compact: true })).toMatch(/^COP\s2\.5M$/);
    expect(formatNumber(1234.5, 'en-US', { amount: true, type: 'DECIMAL(38,2)' })).toBe('1,234.50');
  });
  it('ignores a code that is not ISO 4217 instead of throwing', () => {
    expect(formatNumber(12, 'en-US', { currency: 'pesos' })).toBe('12');
  });
  it('titles a column by its label and currency', () => {
    expect(columnTitle({ name: 'revenue', currency: 'COP' })).toBe('revenue (COP)');
    expect(columnTitle({ name: 'revenue', label: 'Ingresos', currency: 'COP' })).toBe('Ingresos (COP)');
    expect(columnTitle({ name: 'revenue', label: 'Ingresos', currency: 'COP' }, false)).toBe('Ingresos');
    expect(columnTitle({ name: 'messages', label: '  ' })).toBe('messages');
    expect(columnTitle({ name: 'messages' })).toBe('messages');
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
  it('shows a period by its grain, not by its first day', () => {
    expect(formatTemporal('2025-01-01T00:00:00', 'en-US', 'year')).toBe('2025');
    expect(formatTemporal('2025-04-01', 'en-US', 'quarter')).toBe('Q2 2025');
    expect(formatTemporal('2025-04-01', 'es-419', 'quarter')).toBe('T2 2025');
    expect(formatTemporal('2025-03-01T00:00:00', 'en-US', 'month')).toBe('Mar 2025');
    expect(formatTemporal('2025-03-03', 'en-US', 'week')).toBe('Mar 3, 2025');
    expect(formatTemporal('2025-03-03', 'en-US', 'day')).toBe('Mar 3, 2025');
    expect(formatValue('2025-01-01T00:00:00', { name: 'year', type: 'TIMESTAMP', grain: 'year' }, 'en-US')).toBe('2025');
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
  it('writes amounts with fixed decimals, and the code only when asked', () => {
    const col = { name: 'revenue', type: 'DECIMAL(38,2)', currency: 'COP' };
    expect(formatValue(1234.5, col, 'en-US')).toBe('1,234.50');
    expect(formatValue(1234.5, col, 'en-US', false, true)).toMatch(/^COP\s1,234\.50$/);
    expect(formatValue(null, col, 'en-US', false, true)).toBe('—');
  });
});

describe('category values', () => {
  const channel = { name: 'channel', type: 'VARCHAR', values: { whatsapp: 'WhatsApp', at_risk: 'En riesgo', blank: '  ' } };
  it('shows a stored value by its display name, else as stored', () => {
    expect(displayValue(channel, 'whatsapp')).toBe('WhatsApp');
    expect(displayValue(channel, 'at_risk')).toBe('En riesgo');
    expect(displayValue(channel, 'sms')).toBe('sms');
    expect(displayValue(channel, 'blank')).toBe('blank');
    expect(displayValue({}, 'whatsapp')).toBe('whatsapp');
    expect(displayValue(undefined, 'whatsapp')).toBe('whatsapp');
  });
  it('looks up own names only, never Object.prototype', () => {
    expect(displayValue(channel, 'constructor')).toBe('constructor');
    expect(displayValue(channel, '__proto__')).toBe('__proto__');
    expect(displayValue(channel, 'toString')).toBe('toString');
  });
  it('names table cells, and only text cells', () => {
    expect(formatValue('whatsapp', channel, 'es-CO')).toBe('WhatsApp');
    expect(formatValue('sms', channel, 'es-CO')).toBe('sms');
    expect(formatValue(null, channel, 'es-CO')).toBe('—');
    const code = { name: 'code', type: 'BIGINT', values: { '1': 'uno' } };
    expect(formatValue(1, code, 'es-CO')).toBe('1');
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
