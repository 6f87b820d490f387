import { describe, expect, it } from 'vitest';
import type { Column } from './api/types';
import { nextSort, sortRows } from './table';

const cols: Column[] = [
  { name: 'channel', type: 'VARCHAR' },
  { name: 'messages', type: 'BIGINT' },
  { name: 'month', type: 'TIMESTAMP' },
];
const rows = [
  ['sms', 10, '2026-02-01T00:00:00'],
  ['Éxito', 200, '2026-01-01T00:00:00'],
  [null, 5, null],
  ['email', 30, '2026-03-01T00:00:00'],
  ['whatsapp', 200, '2025-12-01T00:00:00'],
];

describe('sortRows', () => {
  it('sorts numbers as numbers, keeps ties in the answer order and empty cells last', () => {
    const out = sortRows(rows, cols, { column: 1, dir: 'desc' }, 'en');
    expect(out.map((r) => r[1])).toEqual([200, 200, 30, 10, 5]);
    expect(out.slice(0, 2).map((r) => r[0])).toEqual(['Éxito', 'whatsapp']);
    const asc = sortRows(rows, cols, { column: 0, dir: 'asc' }, 'es');
    expect(asc.map((r) => r[0])).toEqual(['email', 'Éxito', 'sms', 'whatsapp', null]);
    const desc = sortRows(rows, cols, { column: 0, dir: 'desc' }, 'es');
    expect(desc.at(-1)?.[0]).toBeNull();
  });
  it('sorts dates as instants and leaves the rows alone without a sort', () => {
    expect(sortRows(rows, cols, { column: 2, dir: 'asc' }, 'en').map((r) => r[1])).toEqual([200, 200, 10, 30, 5]);
    const same = sortRows(rows, cols, null, 'en');
    expect(same).toEqual(rows);
    expect(same).not.toBe(rows);
  });
});

describe('nextSort', () => {
  it('cycles numbers desc → asc → off and text asc → desc → off', () => {
    expect(nextSort(null, 1, true)).toEqual({ column: 1, dir: 'desc' });
    expect(nextSort({ column: 1, dir: 'desc' }, 1, true)).toEqual({ column: 1, dir: 'asc' });
    expect(nextSort({ column: 1, dir: 'asc' }, 1, true)).toBeNull();
    expect(nextSort({ column: 1, dir: 'asc' }, 0, false)).toEqual({ column: 0, dir: 'asc' });
    expect(nextSort({ column: 0, dir: 'asc' }, 0, false)).toEqual({ column: 0, dir: 'desc' });
  });
});
