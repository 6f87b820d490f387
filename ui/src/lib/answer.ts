// How an answer reads beyond its cells: the locale its numbers are written in, and the rows its caveats mark as a
// period that is not over yet. Pure, so the table, the chart and the KPI agree and are unit-tested once.
import type { Caveat, Column, Value } from './api/types';
import { isTemporalType, parseTemporal } from './format';
import { langOf, type Lang } from './i18n/translate';

/**
 * The Intl locale of each answer language. The server writes a Spanish summary with `.` for thousands and `,` for
 * decimals (`1.234,5`, crates/semantic/src/format.rs); CLDR's es-419 (the UI's Spanish) groups with `,` instead, so
 * a Spanish answer's table and chart would contradict its own summary. es-CO is the Latin American locale whose
 * digits match the summary's, and Colombia is where the demo tenant reports (COP).
 */
export const ANSWER_LOCALES: Record<Lang, string> = { en: 'en-US', es: 'es-CO' };

/**
 * The Intl locale of an answer's numbers and dates: its question's language, which the server's summary is
 * written in, so the summary, table, axes and KPI of one answer never mix two number formats; the UI's when the
 * answer does not say (SQL and saved results).
 */
export function answerLocale(lang: string | null | undefined, uiLocale: string): string {
  const l = langOf(lang);
  return l ? ANSWER_LOCALES[l] : uiLocale;
}

/** Tells whether the cell `v` of column `column` is a period the answer's caveats mark as partial ("to date"). */
export type PartialTest = (column: string, v: Value | undefined) => boolean;

/**
 * The partial-period test of an answer. A caveat names the time-bucket column and its cell as text; the cell may
 * come back as a date (`2026-12-01`) or a midnight timestamp (`2026-12-01T00:00:00`), so temporal columns are
 * compared as instants, others as text.
 */
export function partialTest(caveats: readonly Caveat[] | null | undefined, columns: readonly Column[]): PartialTest {
  const marked = new Map<string, Set<string>>();
  const temporal = new Set(columns.filter((c) => isTemporalType(c.type)).map((c) => c.name));
  const key = (column: string, v: string): string => {
    if (!temporal.has(column)) return v;
    const ms = parseTemporal(v).ms;
    return Number.isNaN(ms) ? v : `@${ms}`;
  };
  for (const c of caveats ?? []) {
    if (c.code !== 'partial_period' || !c.column || typeof c.value !== 'string') continue;
    const set = marked.get(c.column) ?? new Set<string>();
    set.add(key(c.column, c.value));
    marked.set(c.column, set);
  }
  if (marked.size === 0) return () => false;
  return (column, v) => {
    const set = marked.get(column);
    if (!set || v === null || v === undefined) return false;
    return set.has(key(column, String(v)));
  };
}
