// What the chart controls offer for an answer and the spec each choice draws: the kinds that fit its columns, the
// measures to pick from, and when a measure goes on a second axis. Pure, so the card, the saved analysis and the
// exports agree on one spec (the chosen one is saved with the analysis and drawn by its exports).
import type { ChartKind, ChartSpec, Column } from '../api/types';
import type { ChartInput } from './option';
import { isNumericType, isTemporalType } from '../format';

/** The order the kind picker lists them in. */
export const KIND_ORDER: readonly ChartKind[] = ['bar', 'line', 'area', 'pie', 'scatter', 'kpi', 'table'];

/** A pie with more slices than this reads worse than the bars: it is not offered. */
export const PIE_MAX_ROWS = 12;

/** A measure whose largest value is this many times another's gets its own axis. */
export const SCALE_RATIO = 20;

function numericColumns(columns: readonly Column[]): Column[] {
  return columns.filter((c) => isNumericType(c.type));
}

/** The measures an answer can show: the spec's own, else every numeric column that is not its x or series. */
export function measuresOf(input: ChartInput): string[] {
  const { chart, columns } = input;
  const names = new Set(columns.map((c) => c.name));
  const own = [...chart.y, ...(chart.y2 ?? [])].filter((y, i, all) => names.has(y) && all.indexOf(y) === i);
  const rest = numericColumns(columns)
    .map((c) => c.name)
    .filter((n) => n !== chart.x && n !== chart.series && !own.includes(n) && !n.endsWith('_rows'));
  return [...own, ...rest];
}

/** The column the categories (or instants) come from: the spec's x unless that is a measure (a scatter plot). */
function dimensionOf(input: ChartInput): Column | undefined {
  const { chart, columns } = input;
  const x = columns.find((c) => c.name === chart.x);
  if (x && (chart.kind !== 'scatter' || !isNumericType(x.type))) return x;
  return columns.find((c) => !isNumericType(c.type));
}

/** The kinds that fit the answer's columns and rows, in picker order; `table` always. */
export function chartKinds(input: ChartInput): ChartKind[] {
  const dim = dimensionOf(input);
  const measures = measuresOf(input);
  const rows = input.rows.length;
  const fits: Record<ChartKind, boolean> = {
    bar: !!dim && measures.length > 0 && rows > 0,
    line: !!dim && measures.length > 0 && rows > 1,
    area: !!dim && measures.length > 0 && rows > 1,
    pie: !!dim && measures.length > 0 && !input.chart.series && rows > 1 && rows <= PIE_MAX_ROWS && !isTemporalType(dim.type),
    scatter: measures.length > 1 && rows > 1,
    kpi: measures.length > 0 && rows === 1,
    table: true,
  };
  return KIND_ORDER.filter((k) => fits[k]);
}

/** Which of `measures` belong on a second axis: rates next to counts, or scales `SCALE_RATIO` apart. */
export function secondAxisFor(input: ChartInput, measures: readonly string[]): string[] {
  if (measures.length < 2) return [];
  const percent = new Set(input.chart.percent ?? []);
  const rates = measures.filter((m) => percent.has(m));
  if (rates.length > 0 && rates.length < measures.length) return rates;
  const peak = (m: string): number => {
    const i = input.columns.findIndex((c) => c.name === m);
    return input.rows.reduce((acc, r) => {
      const v = r[i];
      return typeof v === 'number' ? Math.max(acc, Math.abs(v)) : acc;
    }, 0);
  };
  const [first, ...rest] = measures;
  const base = peak(first as string);
  const far = rest.filter((m) => {
    const p = peak(m);
    return p > 0 && base > 0 && (base / p >= SCALE_RATIO || p / base >= SCALE_RATIO);
  });
  return far.length > 0 && far.length < measures.length ? far : [];
}

/**
 * The spec that draws the answer as `kind`, showing `measure` (null: every measure the spec had). Keeps the
 * title and rates; a scatter plots the first two measures against each other; bars, lines and areas put rates (or a
 * measure on another scale) on a second axis unless `secondAxis` is false.
 */
export function respec(input: ChartInput, kind: ChartKind, measure: string | null = null, secondAxis = true): ChartSpec {
  const { chart } = input;
  const all = measuresOf(input);
  const own = [...chart.y, ...(chart.y2 ?? [])].filter((y, i, list) => list.indexOf(y) === i);
  const shown = measure && all.includes(measure) ? [measure] : own.length ? own : all.slice(0, 1);
  const spec: ChartSpec = { kind, y: shown, title: chart.title, percent: chart.percent ?? [] };
  const dim = dimensionOf(input);
  if (kind === 'table') return { ...spec, y: [] };
  if (kind === 'kpi') return spec;
  if (kind === 'scatter') {
    const pair = shown.length > 1 ? shown : all.slice(0, 2);
    return { ...spec, x: pair[0], y: pair.slice(1, 2), series: dim && input.rows.length <= 50 ? dim.name : undefined };
  }
  if (kind === 'pie') return { ...spec, x: dim?.name, y: shown.slice(0, 1) };
  const withSeries = chart.kind === 'scatter' ? undefined : (chart.series ?? undefined);
  const y2 = secondAxis ? secondAxisFor(input, shown) : [];
  return { ...spec, x: dim?.name, series: withSeries, y: shown, y2 };
}

/** Whether two specs draw the same chart (the picker compares the shown one with the engine's). */
export function sameSpec(a: ChartSpec, b: ChartSpec): boolean {
  const norm = (s: ChartSpec) =>
    JSON.stringify([s.kind, s.x ?? null, s.y, s.series ?? null, s.y2 ?? [], s.title ?? null, s.percent ?? []]);
  return norm(a) === norm(b);
}
