// The core's chart spec → an ECharts option. Pure (no DOM), so it is unit-tested and the same spec draws the same
// chart in the desktop app and the browser. `kpi` and `table` are not ECharts charts: they return null.
import type { EChartsOption, SeriesOption } from 'echarts';
import type { Answer, ChartSpec, Column, Grain, Value } from '../api/types';
import { partialTest, type PartialTest } from '../answer';
import { columnTitle, displayValue, escapeHtml, formatNumber, formatPeriod, formatTemporal, isNumericType, isTemporalType, parseTemporal } from '../format';

export interface ChartTheme {
  /** Series colors, in order (brand primary and accent first). */
  palette: string[];
  text: string;
  muted: string;
  grid: string;
}

export interface ChartContext {
  /** Locale of the numbers and dates: the answer's (see `answerLocale`), one per answer. */
  locale: string;
  theme: ChartTheme;
  /** Label of the slice that groups the smallest pie slices. */
  otherLabel: string;
  /** Label for a null or empty category. */
  emptyLabel: string;
  /** Marks the label of a period that is not over yet, in the UI's language: `Dec 2026 (to date)`. */
  markPartial: (label: string) => string;
}

/** What a chart reads of an answer; caveats and language are optional so a bare result (SQL, tests) still draws. */
export type ChartInput = Pick<Answer, 'columns' | 'rows' | 'chart'> & Partial<Pick<Answer, 'caveats' | 'lang'>>;

/** Pie charts keep this many slices and group the rest. */
export const MAX_PIE_SLICES = 10;
/** Bar charts with more categories than this get a zoom slider. */
export const BAR_ZOOM_AFTER = 30;

/** Whether the spec can be drawn by ECharts with these columns (else the UI shows a KPI or the table). */
export function isDrawable(input: ChartInput): boolean {
  const { chart, columns } = input;
  if (chart.kind === 'kpi' || chart.kind === 'table') return false;
  if (!chart.x || chart.y.length === 0) return false;
  const names = new Set(columns.map((c) => c.name));
  return names.has(chart.x) && chart.y.every((y) => names.has(y)) && (!chart.series || names.has(chart.series));
}

function num(v: Value | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

/** Whether the instant `ms` (UTC) is the first day of a period of `grain`: where a tick may be named by its period. */
function startsPeriod(ms: number, grain: Grain): boolean {
  const d = new Date(ms);
  const firstOfMonth = d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
  if (grain === 'year') return firstOfMonth && d.getUTCMonth() === 0;
  if (grain === 'quarter') return firstOfMonth && d.getUTCMonth() % 3 === 0;
  return grain === 'month' && firstOfMonth;
}

/** A category or series value as shown: numbers and dates by locale, text by its display name when it has one. */
function label(v: Value | undefined, col: Column | undefined, ctx: ChartContext): string {
  if (v === null || v === undefined || v === '') return ctx.emptyLabel;
  if (typeof v === 'number') return formatNumber(v, ctx.locale, { type: col?.type });
  if (typeof v === 'boolean') return String(v);
  if (col && isTemporalType(col.type)) return formatTemporal(v, ctx.locale, col.grain);
  return displayValue(col, v);
}

/**
 * What groups a category or series: its stored value, not its shown name (two values may share a display name).
 * Null and empty text share one key, as they share the empty label.
 */
function groupKey(v: Value | undefined): string {
  return v === null || v === undefined || v === '' ? '\u0000empty' : String(v);
}

interface Built {
  option: EChartsOption;
}

/** The ECharts option for an answer, or null when it is a KPI, a table, or cannot be drawn. */
export function chartOption(input: ChartInput, ctx: ChartContext): EChartsOption | null {
  if (!isDrawable(input)) return null;
  const { chart } = input;
  const built =
    chart.kind === 'pie' ? pie(input, ctx) : chart.kind === 'scatter' ? scatter(input, ctx) : cartesian(input, ctx);
  return {
    ...base(ctx, chart),
    ...built.option,
  };
}

/**
 * The categories an option draws: the labels of its category axis, or the slices of a pie (empty for time axes
 * and scatter plots). The chart element carries them (`data-categories`) so tests can read what was drawn.
 */
export function chartCategories(option: EChartsOption | null): string[] {
  if (!option) return [];
  const axes = [option.xAxis, option.yAxis].flatMap((a) => (Array.isArray(a) ? a : a ? [a] : []));
  for (const axis of axes) {
    const ax = axis as { type?: string; data?: unknown[] };
    if (ax.type === 'category' && Array.isArray(ax.data)) return ax.data.map((d) => String(d));
  }
  const series = Array.isArray(option.series) ? option.series : option.series ? [option.series] : [];
  const pie = series.find((s) => (s as { type?: string }).type === 'pie') as { data?: { name?: unknown }[] } | undefined;
  return pie?.data?.map((d) => String(d.name ?? '')) ?? [];
}

function base(ctx: ChartContext, chart: ChartSpec): EChartsOption {
  return {
    color: ctx.theme.palette,
    backgroundColor: 'transparent',
    // Warehouse timestamps are wall-clock values read as UTC: draw them in UTC so they never shift.
    useUTC: true,
    animationDuration: 300,
    textStyle: { color: ctx.theme.text, fontFamily: 'inherit' },
    aria: { enabled: true, label: { enabled: true, description: chart.title ?? '' } },
  };
}

/**
 * Formats a measure's value. Tooltips write amounts with their currency code; axis labels (`compact`) leave it to
 * the axis name, where ticks repeating `COP` would crowd the axis.
 */
function fmtFor(input: ChartInput, ctx: ChartContext) {
  const percent = new Set(input.chart.percent ?? []);
  const col = (name: string) => input.columns.find((c) => c.name === name);
  // Axis labels go compact only from a million up (CLDR's compact thousands read oddly in some locales).
  return (measure: string, v: number | null, compact = false): string => {
    if (v === null) return '—';
    const c = col(measure);
    return formatNumber(v, ctx.locale, {
      percent: percent.has(measure),
      type: c?.type,
      compact: compact && Math.abs(v) >= 1e6,
      currency: compact ? undefined : (c?.currency ?? undefined),
    });
  };
}

/** A measure's name in legends and tooltips: its label, without the currency (the values carry it there). */
function measureTitle(input: ChartInput, measure: string): string {
  const c = input.columns.find((col) => col.name === measure);
  return c ? columnTitle(c, false) : measure;
}

/**
 * The value axis's name: the measure's label and currency (`Revenue (COP)`), or the one currency of several
 * measures. Only when the answer gives a label or a currency: a bare column name would repeat the chart's title.
 */
function valueAxisName(input: ChartInput): string | undefined {
  const cols = input.chart.y.map((y) => input.columns.find((c) => c.name === y)).filter((c): c is Column => !!c);
  const first = cols[0];
  if (!first) return undefined;
  if (cols.length === 1) return first.label || first.currency ? columnTitle(first) : undefined;
  const currencies = new Set(cols.map((c) => c.currency ?? ''));
  return currencies.size === 1 && first.currency ? first.currency : undefined;
}

/** A category label, marked when its period is not over yet. */
function categoryLabel(v: Value | undefined, col: Column | undefined, ctx: ChartContext, partial: PartialTest): string {
  const text = label(v, col, ctx);
  return col && partial(col.name, v) ? ctx.markPartial(text) : text;
}

function legendOf(ctx: ChartContext, show: boolean): EChartsOption['legend'] {
  return { show, type: 'scroll', top: 0, textStyle: { color: ctx.theme.text }, pageTextStyle: { color: ctx.theme.muted } };
}

function axisStyle(ctx: ChartContext) {
  return {
    axisLine: { lineStyle: { color: ctx.theme.grid } },
    axisTick: { lineStyle: { color: ctx.theme.grid } },
    axisLabel: { color: ctx.theme.muted, hideOverlap: true },
    splitLine: { lineStyle: { color: ctx.theme.grid, opacity: 0.6 } },
  };
}

/** A tooltip line: the swatch uses a CSS class per palette slot, no inline style (strict CSP). */
function tooltipLine(colorIndex: number, paletteSize: number, name: string, value: string): string {
  const slot = paletteSize > 0 ? colorIndex % paletteSize : 0;
  return `<div class="tt-row"><span class="tt-swatch tt-c${slot}"></span><span class="tt-name">${escapeHtml(name)}</span><span class="tt-value">${escapeHtml(value)}</span></div>`;
}

function tooltipHead(text: string): string {
  return `<div class="tt-head">${escapeHtml(text)}</div>`;
}

interface SeriesData {
  name: string;
  measure: string;
  points: Map<string, number | null>;
}

/** bar, line and area: category or time x axis, one series per measure or per value of the series column. */
function cartesian(input: ChartInput, ctx: ChartContext): Built {
  const { chart, columns, rows } = input;
  const xName = chart.x as string;
  const xi = columns.findIndex((c) => c.name === xName);
  const xCol = columns[xi];
  const si = chart.series ? columns.findIndex((c) => c.name === chart.series) : -1;
  const sCol = si >= 0 ? columns[si] : undefined;
  const yIdx = chart.y.map((y) => columns.findIndex((c) => c.name === y));
  const isTime = chart.kind !== 'bar' && !!xCol && isTemporalType(xCol.type);
  const fmt = fmtFor(input, ctx);
  const titles = chart.y.map((measure) => measureTitle(input, measure));

  // Categories (or instants) in first-seen order; one series per (series value, measure).
  const keys: string[] = [];
  const keyValue = new Map<string, Value>();
  const series = new Map<string, SeriesData>();
  for (const row of rows) {
    const xv = row[xi] ?? null;
    const key = xv === null ? '\u0000null' : String(xv);
    if (!keyValue.has(key)) {
      keyValue.set(key, xv);
      keys.push(key);
    }
    const sv = si >= 0 ? label(row[si], sCol, ctx) : null;
    const sKey = si >= 0 ? groupKey(row[si]) : '';
    chart.y.forEach((measure, j) => {
      const title = titles[j] ?? measure;
      const name = sv === null ? title : chart.y.length > 1 ? `${sv} · ${title}` : sv;
      // Keyed by stored value and column, not by the shown name: two measures may share a label, two values a name.
      const id = `${sKey}\u0000${measure}`;
      let s = series.get(id);
      if (!s) {
        s = { name, measure, points: new Map() };
        series.set(id, s);
      }
      s.points.set(key, num(row[yIdx[j] ?? -1]));
    });
  }

  const list = [...series.values()];
  const partial = partialTest(input.caveats, columns);
  const isPartialKey = (k: string): boolean => partial(xName, keyValue.get(k));
  const firstMeasure = chart.y[0] ?? '';
  const kind = chart.kind;
  const many = keys.length > 60;

  // A partial period's point is drawn apart (hollow symbol, lighter bar) so it does not read as a drop.
  const partialStyle = kind === 'bar' ? { itemStyle: { opacity: 0.55 } } : { symbol: 'emptyCircle', symbolSize: 8 };
  // Measures on the right-hand axis (a rate next to a count); they stay in `y`, in their order.
  const right = new Set((chart.y2 ?? []).filter((m) => chart.y.includes(m) && chart.y.some((y) => !(chart.y2 ?? []).includes(y))));
  const echSeries: SeriesOption[] = list.map((s) => {
    const axisIndex = right.has(s.measure) ? 1 : 0;
    const data = isTime
      ? keys
          .map((k) => ({ k, point: [parseTemporal(String(keyValue.get(k))).ms, s.points.get(k) ?? null] as [number, number | null] }))
          .filter((p) => !Number.isNaN(p.point[0]))
          .sort((a, b) => a.point[0] - b.point[0])
          .map(({ k, point }) => (isPartialKey(k) ? { value: point, ...partialStyle } : point))
      : keys.map((k) => {
          const v = s.points.get(k) ?? null;
          return isPartialKey(k) ? { value: v, ...partialStyle } : v;
        });
    if (kind === 'bar') {
      return { type: 'bar', name: s.name, data, yAxisIndex: axisIndex, emphasis: { focus: 'series' } } as SeriesOption;
    }
    return {
      type: 'line',
      name: s.name,
      data,
      yAxisIndex: axisIndex,
      showSymbol: !many,
      connectNulls: false,
      emphasis: { focus: 'series' },
      ...(kind === 'area' ? { areaStyle: { opacity: list.length > 1 ? 0.25 : 0.35 } } : {}),
    } as SeriesOption;
  });

  const axis = axisStyle(ctx);
  const leftMeasures = chart.y.filter((m) => !right.has(m));
  const rightMeasures = chart.y.filter((m) => right.has(m));
  const yName = valueAxisName({ ...input, chart: { ...chart, y: leftMeasures } });
  const y2Name = rightMeasures.length ? valueAxisName({ ...input, chart: { ...chart, y: rightMeasures } }) ?? measureTitle(input, rightMeasures[0] as string) : undefined;
  const valueAxisFor = (measures: string[], name: string | undefined, side: 'left' | 'right') => {
    const onlyPercent = measures.every((y) => (chart.percent ?? []).includes(y));
    // A shared axis of counts and rates is labelled as the counts: a rate's 0–1 would read 0%–100,000%.
    const first = (onlyPercent ? measures[0] : measures.find((y) => !(chart.percent ?? []).includes(y))) ?? firstMeasure;
    return {
      type: 'value' as const,
      position: side,
      ...(name ? { name, nameTextStyle: { color: ctx.theme.muted, align: side } } : {}),
      ...axis,
      ...(side === 'right' ? { splitLine: { show: false } } : {}),
      axisLabel: {
        ...axis.axisLabel,
        formatter: (v: number) => fmt(first, v, !onlyPercent),
      },
    };
  };
  const valueAxis = rightMeasures.length
    ? [valueAxisFor(leftMeasures, yName, 'left'), valueAxisFor(rightMeasures, y2Name, 'right')]
    : valueAxisFor(chart.y, yName, 'left');
  // Instants of the partial periods, to mark the time axis's tick that falls on one.
  const partialMs = new Set(keys.filter(isPartialKey).map((k) => parseTemporal(String(keyValue.get(k))).ms));
  const xAxis = isTime
    ? {
        type: 'time' as const,
        ...axis,
        splitLine: { show: false },
        axisLabel: {
          ...axis.axisLabel,
          formatter: (v: number) => {
            // A tick on a period's start reads as the period (2025, Q1 2025, Jan 2025) on a series of those periods.
            const grain = columns[xi]?.grain;
            const text =
              (grain && startsPeriod(v, grain) ? formatPeriod(v, grain, ctx.locale) : null) ??
              new Intl.DateTimeFormat(ctx.locale, { timeZone: 'UTC', year: '2-digit', month: 'short', day: 'numeric' }).format(v);
            return partialMs.has(v) ? ctx.markPartial(text) : text;
          },
        },
      }
    : {
        type: 'category' as const,
        data: keys.map((k) => categoryLabel(keyValue.get(k), xCol, ctx, partial)),
        ...axis,
        splitLine: { show: false },
        axisLabel: { ...axis.axisLabel, interval: 'auto' as const, rotate: keys.length > 8 ? 30 : 0 },
      };

  const zoom = isTime || (kind === 'bar' && keys.length > BAR_ZOOM_AFTER);
  const palette = ctx.theme.palette.length;
  const option: EChartsOption = {
    legend: legendOf(ctx, list.length > 1),
    // A named value axis writes its name above the axis: room for it under the legend.
    grid: { left: 8, right: 16, top: (list.length > 1 ? 36 : 16) + (yName || y2Name ? 20 : 0), bottom: zoom ? 56 : 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      confine: true,
      axisPointer: { type: kind === 'bar' ? 'shadow' : 'line' },
      formatter: (params) => {
        const ps = Array.isArray(params) ? params : [params];
        const first = ps[0];
        if (!first) return '';
        let head: string;
        if (isTime) {
          const v = first.value as [number, number | null] | undefined;
          const ms = Array.isArray(v) ? v[0] : Number.NaN;
          const key = keys.find((k) => parseTemporal(String(keyValue.get(k))).ms === ms);
          head = key ? categoryLabel(keyValue.get(key), xCol, ctx, partial) : String(first.name ?? '');
        } else {
          head = String(first.name ?? '');
        }
        const lines = ps.map((p) => {
          const s = list[p.seriesIndex ?? 0];
          const raw = Array.isArray(p.value) ? (p.value[1] as number | null) : (p.value as number | null);
          return tooltipLine(p.seriesIndex ?? 0, palette, s?.name ?? '', fmt(s?.measure ?? firstMeasure, raw ?? null));
        });
        return tooltipHead(head) + lines.join('');
      },
    },
    xAxis,
    yAxis: valueAxis,
    series: echSeries,
  };
  if (zoom) {
    option.dataZoom = [
      { type: 'inside', filterMode: 'none' },
      {
        type: 'slider',
        height: 20,
        bottom: 8,
        filterMode: 'none',
        textStyle: { color: ctx.theme.muted },
        borderColor: ctx.theme.grid,
        fillerColor: 'rgba(128, 128, 128, 0.12)',
        handleStyle: { borderColor: ctx.theme.palette[0] ?? ctx.theme.muted },
        moveHandleStyle: { color: ctx.theme.palette[0] ?? ctx.theme.muted, opacity: 0.5 },
        dataBackground: { lineStyle: { color: ctx.theme.muted, opacity: 0.5 }, areaStyle: { color: ctx.theme.grid, opacity: 0.4 } },
        selectedDataBackground: {
          lineStyle: { color: ctx.theme.palette[0] ?? ctx.theme.muted },
          areaStyle: { color: ctx.theme.palette[0] ?? ctx.theme.muted, opacity: 0.2 },
        },
      },
    ];
  }
  return { option };
}

/** pie: one slice per x value of the first measure; the smallest slices past MAX_PIE_SLICES become "Other". */
function pie(input: ChartInput, ctx: ChartContext): Built {
  const { chart, columns, rows } = input;
  const xi = columns.findIndex((c) => c.name === chart.x);
  const measure = chart.y[0] as string;
  const yi = columns.findIndex((c) => c.name === measure);
  const fmt = fmtFor(input, ctx);
  const partial = partialTest(input.caveats, columns);
  let slices = rows
    // `raw` is the stored value, read back when the slice is clicked (see `pickedValue`).
    .map((r) => ({ name: categoryLabel(r[xi], columns[xi], ctx, partial), value: num(r[yi]) ?? 0, raw: r[xi] ?? null as Value }))
    .sort((a, b) => b.value - a.value);
  if (slices.length > MAX_PIE_SLICES) {
    const rest = slices.slice(MAX_PIE_SLICES - 1).reduce((acc, s) => acc + s.value, 0);
    slices = [...slices.slice(0, MAX_PIE_SLICES - 1), { name: ctx.otherLabel, value: rest, raw: undefined as unknown as Value }];
  }
  const palette = ctx.theme.palette.length;
  return {
    option: {
      legend: { ...legendOf(ctx, true), type: 'scroll', orient: 'horizontal', top: 0 },
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p) => {
          const q = Array.isArray(p) ? p[0] : p;
          if (!q) return '';
          const pct = typeof q.percent === 'number' ? ` (${formatNumber(q.percent / 100, ctx.locale, { percent: true })})` : '';
          return tooltipLine(q.dataIndex ?? 0, palette, String(q.name ?? ''), fmt(measure, num(q.value as Value)) + pct);
        },
      },
      series: [
        {
          type: 'pie',
          name: measureTitle(input, measure),
          radius: ['35%', '70%'],
          center: ['50%', '56%'],
          avoidLabelOverlap: true,
          label: {
            color: ctx.theme.text,
            formatter: (p: { name?: string; percent?: number }) =>
              `${p.name ?? ''}: ${formatNumber((p.percent ?? 0) / 100, ctx.locale, { percent: true })}`,
          },
          data: slices,
        },
      ],
    },
  };
}

/** scatter: x is a measure, y the next; one series per value of the series column when there is one. */
function scatter(input: ChartInput, ctx: ChartContext): Built {
  const { chart, columns, rows } = input;
  const xName = chart.x as string;
  const xi = columns.findIndex((c) => c.name === xName);
  const yName = chart.y[0] as string;
  const yi = columns.findIndex((c) => c.name === yName);
  const si = chart.series ? columns.findIndex((c) => c.name === chart.series) : -1;
  const fmt = fmtFor(input, ctx);
  // One group per stored value of the series column, named by its display name.
  const groups = new Map<string, { name: string; points: [number, number][] }>();
  for (const r of rows) {
    const x = num(r[xi]);
    const y = num(r[yi]);
    if (x === null || y === null) continue;
    const key = si >= 0 ? groupKey(r[si]) : '';
    let g = groups.get(key);
    if (!g) {
      g = { name: si >= 0 ? label(r[si], columns[si], ctx) : measureTitle(input, yName), points: [] };
      groups.set(key, g);
    }
    g.points.push([x, y]);
  }
  const list = [...groups.values()];
  const axis = axisStyle(ctx);
  const xNumeric = columns[xi] ? isNumericType(columns[xi].type) : true;
  const palette = ctx.theme.palette.length;
  return {
    option: {
      legend: legendOf(ctx, list.length > 1),
      grid: { left: 8, right: 16, top: list.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p) => {
          const q = Array.isArray(p) ? p[0] : p;
          if (!q || !Array.isArray(q.value)) return '';
          const [x, y] = q.value as [number, number];
          return (
            tooltipHead(String(q.seriesName ?? '')) +
            tooltipLine(q.seriesIndex ?? 0, palette, measureTitle(input, xName), fmt(xName, x)) +
            tooltipLine(q.seriesIndex ?? 0, palette, measureTitle(input, yName), fmt(yName, y))
          );
        },
      },
      xAxis: {
        type: xNumeric ? 'value' : 'category',
        name: columns[xi] ? columnTitle(columns[xi]) : xName,
        nameLocation: 'middle',
        nameGap: 28,
        nameTextStyle: { color: ctx.theme.muted },
        ...axis,
        axisLabel: { ...axis.axisLabel, formatter: (v: number) => fmt(xName, v, true) },
      },
      yAxis: {
        type: 'value',
        name: columns[yi] ? columnTitle(columns[yi]) : yName,
        nameTextStyle: { color: ctx.theme.muted },
        ...axis,
        axisLabel: { ...axis.axisLabel, formatter: (v: number) => fmt(yName, v, true) },
      },
      series: list.map((g) => ({ type: 'scatter', name: g.name, data: g.points, symbolSize: 8 }) as SeriesOption),
    },
  };
}

/**
 * The KPI values: the first row's measures (or every numeric column when the spec names none). An amount is written
 * with its currency code (`COP 1,234.50`), since a big number has no header to carry it; a category by its display
 * name.
 */
export function kpiValues(input: ChartInput, locale: string): { label: string; value: string }[] {
  const { chart, columns, rows } = input;
  const row = rows[0] ?? [];
  const percent = new Set(chart.percent ?? []);
  const names = chart.y.length ? chart.y : columns.filter((c) => isNumericType(c.type)).map((c) => c.name);
  return names
    .map((name) => {
      const i = columns.findIndex((c) => c.name === name);
      if (i < 0) return null;
      const v = row[i];
      const col = columns[i];
      const text =
        typeof v === 'number'
          ? formatNumber(v, locale, { percent: percent.has(name), type: col?.type, currency: col?.currency ?? undefined })
          : v === null || v === undefined
            ? '—'
            : typeof v === 'string'
              ? displayValue(col, v)
              : String(v);
      return { label: col ? columnTitle(col, false) : name, value: text };
    })
    .filter((x): x is { label: string; value: string } => x !== null);
}

/** What ECharts hands a click handler, as far as a drill-down reads it. */
export interface PickParams {
  componentType?: string;
  seriesType?: string;
  dataIndex?: number;
  value?: unknown;
  data?: unknown;
}

/**
 * The stored value of the x column behind a clicked bar, point or slice (what a drill-down filters by), or
 * undefined when the click was on something else (a legend, a pie's "Other" slice, a scatter point).
 */
export function pickedValue(input: ChartInput, params: PickParams): Value | undefined {
  const { chart, columns, rows } = input;
  if (params.componentType !== 'series' || chart.kind === 'scatter' || !chart.x) return undefined;
  const xi = columns.findIndex((c) => c.name === chart.x);
  if (xi < 0) return undefined;
  if (params.seriesType === 'pie') {
    const raw = (params.data as { raw?: Value } | undefined)?.raw;
    return raw === undefined ? undefined : raw;
  }
  const xCol = columns[xi];
  const isTime = chart.kind !== 'bar' && !!xCol && isTemporalType(xCol.type);
  if (isTime) {
    const v = Array.isArray(params.value) ? params.value : (params.value as { value?: unknown } | undefined)?.value;
    const ms = Array.isArray(v) ? Number(v[0]) : Number.NaN;
    const row = rows.find((r) => parseTemporal(String(r[xi])).ms === ms);
    return row ? (row[xi] ?? null) : undefined;
  }
  // Category axes list the x values in first-seen order, which is the data index.
  const seen: Value[] = [];
  const keys = new Set<string>();
  for (const r of rows) {
    const v = r[xi] ?? null;
    const k = v === null ? '\u0000null' : String(v);
    if (!keys.has(k)) {
      keys.add(k);
      seen.push(v);
    }
  }
  const i = params.dataIndex ?? -1;
  return i >= 0 && i < seen.length ? seen[i] : undefined;
}
