// Sorting an answer's rows the way a reader expects: numbers as numbers, dates as instants, text by the locale's
// collation, empty cells last either way. Pure, so the table shows and the CSV exports exactly the same order.
import type { Column, Value } from './api/types';
import { isNumericType, isTemporalType, parseTemporal } from './format';

export type SortDir = 'asc' | 'desc';

/** A table's sort: the column's index and the direction; null is the answer's own order. */
export type TableSort = { column: number; dir: SortDir } | null;

function key(v: Value | undefined, col: Column): number | string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumericType(col.type) && !Number.isNaN(Number(v))) return Number(v);
  if (isTemporalType(col.type)) {
    const ms = parseTemporal(v).ms;
    return Number.isNaN(ms) ? v : ms;
  }
  return v;
}

/** The rows in `sort`'s order (a copy; ties keep the answer's order). */
export function sortRows(rows: readonly Value[][], columns: readonly Column[], sort: TableSort, locale: string): Value[][] {
  const col = sort ? columns[sort.column] : undefined;
  if (!sort || !col) return [...rows];
  const collator = new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, k: key(row[sort.column], col) }))
    .sort((a, b) => {
      if (a.k === null || b.k === null) return a.k === b.k ? a.i - b.i : a.k === null ? 1 : -1;
      const c =
        typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : collator.compare(String(a.k), String(b.k));
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.row);
}

/** The next sort when a column's header is activated: descending first for numbers, ascending for text, then off. */
export function nextSort(current: TableSort, column: number, numeric: boolean): TableSort {
  const first: SortDir = numeric ? 'desc' : 'asc';
  if (!current || current.column !== column) return { column, dir: first };
  if (current.dir === first) return { column, dir: first === 'asc' ? 'desc' : 'asc' };
  return null;
}
