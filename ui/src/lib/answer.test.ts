import { describe, expect, it } from 'vitest';
import type { Caveat, Column } from './api/types';
import { answerLocale, partialTest } from './answer';

describe('answerLocale', () => {
  it('formats an answer in its question’s language, else the UI’s', () => {
    expect(answerLocale('es', 'en-US')).toBe('es-CO');
    expect(answerLocale('en', 'es-419')).toBe('en-US');
    expect(answerLocale(null, 'es-419')).toBe('es-419');
    expect(answerLocale(undefined, 'en-US')).toBe('en-US');
    expect(answerLocale('pt', 'en-US')).toBe('en-US');
  });
  it('writes Spanish answers with the digits of the server’s Spanish summary (1.234,5)', () => {
    const nf = new Intl.NumberFormat(answerLocale('es', 'es-419'), { maximumFractionDigits: 2 });
    expect(nf.format(1234.5)).toBe('1.234,5');
    expect(nf.format(1234567.891)).toBe('1.234.567,89');
  });
});

describe('partialTest', () => {
  const columns: Column[] = [
    { name: 'month', type: 'TIMESTAMP' },
    { name: 'year', type: 'BIGINT' },
    { name: 'revenue', type: 'DECIMAL(38,2)', currency: 'COP' },
  ];
  const partial: Caveat = { code: 'partial_period', message: 'December 2026 is to date (2 of 31 days)', column: 'month', value: '2026-12-01' };

  it('matches a date caveat against a timestamp cell of the same instant', () => {
    const test = partialTest([partial], columns);
    expect(test('month', '2026-12-01T00:00:00')).toBe(true);
    expect(test('month', '2026-12-01')).toBe(true);
    expect(test('month', '2026-11-01T00:00:00')).toBe(false);
    expect(test('revenue', '2026-12-01')).toBe(false);
    expect(test('month', null)).toBe(false);
  });

  it('compares other columns as text', () => {
    const test = partialTest([{ ...partial, column: 'year', value: '2026' }], columns);
    expect(test('year', 2026)).toBe(true);
    expect(test('year', 2025)).toBe(false);
  });

  it('ignores other caveats and caveats without a cell', () => {
    const others: Caveat[] = [
      { code: 'truncated', message: 'cut', column: 'month', value: '2026-12-01' },
      { code: 'partial_period', message: 'this month is to date' },
    ];
    const test = partialTest(others, columns);
    expect(test('month', '2026-12-01T00:00:00')).toBe(false);
    expect(partialTest(undefined, columns)('month', '2026-12-01')).toBe(false);
  });

  it('matches the stored value of a named category, never its display name', () => {
    const named: Column[] = [{ name: 'quarter', type: 'VARCHAR', values: { '2026-Q4': 'T4 2026' } }];
    const test = partialTest([{ ...partial, column: 'quarter', value: '2026-Q4' }], named);
    expect(test('quarter', '2026-Q4')).toBe(true);
    expect(test('quarter', 'T4 2026')).toBe(false);
  });
});
