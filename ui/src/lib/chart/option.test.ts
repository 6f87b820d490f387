import { describe, expect, it } from 'vitest';
import type { Answer } from '../api/types';
import { barAnswer, kpiAnswer, lineAnswer, namedValuesAnswer, rateAnswer, revenueAnswer, segmentAnswer, seriesAnswer } from '../../test/fixtures';
import { MAX_PIE_SLICES, chartCategories, chartOption, isDrawable, kpiValues, type ChartContext } from './option';

const ctx: ChartContext = {
  locale: 'en-US',
  theme: { palette: ['#111111', '#222222', '#333333'], text: '#000', muted: '#666', grid: '#ddd' },
  otherLabel: 'Other',
  emptyLabel: '(empty)',
  markPartial: (label) => `${label} (to date)`,
};

// Loose accessors: ECharts option types are unions; the tests look at plain data.
/* eslint-disable @typescript-eslint/no-explicit-any */
const opt = (a: Answer, c: ChartContext = ctx): any => chartOption(a, c);

describe('chart spec → ECharts option', () => {
  it('bar: categories on x, one series per measure, brand palette', () => {
    const o = opt(barAnswer);
    expect(o.color).toEqual(ctx.theme.palette);
    expect(o.xAxis.type).toBe('category');
    expect(o.xAxis.data).toEqual(['whatsapp', 'email', 'sms']);
    expect(o.series).toHaveLength(1);
    expect(o.series[0]).toMatchObject({ type: 'bar', name: 'messages', data: [12524, 3621, 2178] });
    expect(o.legend.show).toBe(false);
    expect(o.tooltip.trigger).toBe('axis');
    expect(o.dataZoom).toBeUndefined();
  });

  it('line over time: time axis in UTC with zoom (inside + slider)', () => {
    const o = opt(lineAnswer);
    expect(o.useUTC).toBe(true);
    expect(o.xAxis.type).toBe('time');
    expect(o.series[0].type).toBe('line');
    expect(o.series[0].data[0]).toEqual([Date.UTC(2024, 10, 25), 177]);
    expect(o.series[0].areaStyle).toBeUndefined();
    expect(o.dataZoom.map((d: { type: string }) => d.type)).toEqual(['inside', 'slider']);
    expect(o.xAxis.axisLabel.formatter(Date.UTC(2024, 10, 25))).toBe('Nov 25, 24');
  });

  it('area: a line with an area style, and zoom', () => {
    const o = opt({ ...lineAnswer, chart: { ...lineAnswer.chart, kind: 'area' } });
    expect(o.series[0].type).toBe('line');
    expect(o.series[0].areaStyle).toBeDefined();
    expect(o.dataZoom).toHaveLength(2);
  });

  it('a series column pivots into one series per value, with a legend', () => {
    const o = opt(seriesAnswer);
    expect(o.series.map((s: { name: string }) => s.name)).toEqual(['email', 'sms', 'whatsapp']);
    const sms = o.series[1].data;
    // sms has no December row: a gap, not a zero.
    expect(sms).toEqual([
      [Date.UTC(2024, 10, 1), 4],
      [Date.UTC(2024, 11, 1), null],
    ]);
    expect(o.legend.show).toBe(true);
  });

  it('value axis labels: full digits below a million, compact above', () => {
    const o = opt(barAnswer);
    expect(o.yAxis.axisLabel.formatter(12000)).toBe('12,000');
    expect(o.yAxis.axisLabel.formatter(2_500_000)).toBe('2.5M');
  });

  it('percent measures: axis and tooltip as percentages', () => {
    const o = opt(rateAnswer);
    expect(o.yAxis.axisLabel.formatter(0.5)).toBe('50%');
    const html: string = o.tooltip.formatter([{ name: 'whatsapp', seriesIndex: 0, value: 0.9341690927455291 }]);
    expect(html).toContain('93.4%');
    expect(html).toContain('whatsapp');
  });

  it('tooltips escape warehouse values and use classes, not inline styles', () => {
    const evil: Answer = { ...barAnswer, rows: [['<img src=x onerror=alert(1)>', 5]] };
    const o = opt(evil);
    const html: string = o.tooltip.formatter([{ name: o.xAxis.data[0], seriesIndex: 0, value: 5 }]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(html).not.toContain('style=');
    expect(html).toContain('tt-c0');
  });

  it('time tooltip shows the point’s date', () => {
    const o = opt(lineAnswer);
    const html: string = o.tooltip.formatter([{ seriesIndex: 0, value: [Date.UTC(2024, 11, 2), 614], name: '' }]);
    expect(html).toContain('Dec 2, 2024');
    expect(html).toContain('614');
  });

  it('numbers follow the locale', () => {
    const o = opt(barAnswer, { ...ctx, locale: 'es-419' });
    const html: string = o.tooltip.formatter([{ name: 'whatsapp', seriesIndex: 0, value: 12524 }]);
    expect(html).toContain('12,524');
    const de = opt(barAnswer, { ...ctx, locale: 'de-DE' });
    expect(de.tooltip.formatter([{ name: 'whatsapp', seriesIndex: 0, value: 12524 }])).toContain('12.524');
  });

  it('pie: slices sorted, the smallest grouped as Other', () => {
    const rows = Array.from({ length: 14 }, (_, i) => [`c${i}`, 100 - i]);
    const o = opt({ ...barAnswer, rows, row_count: rows.length, chart: { kind: 'pie', x: 'channel', y: ['messages'] } });
    const data = o.series[0].data as { name: string; value: number }[];
    expect(o.series[0].type).toBe('pie');
    expect(data).toHaveLength(MAX_PIE_SLICES);
    // Each slice carries its stored value (a drill-down reads it); "Other" has none.
    expect(data[0]).toEqual({ name: 'c0', value: 100, raw: 'c0' });
    expect(data.at(-1)).toEqual({ name: 'Other', value: [91, 90, 89, 88, 87].reduce((a, b) => a + b, 0) });
    expect(o.tooltip.trigger).toBe('item');
    expect(o.legend.show).toBe(true);
    expect(o.series[0].label.formatter({ name: 'c0', percent: 12.34 })).toBe('c0: 12.3%');
  });

  it('scatter: value axes, x is the first measure', () => {
    const a: Answer = {
      ...barAnswer,
      columns: [
        { name: 'campaign', type: 'VARCHAR' },
        { name: 'sent', type: 'BIGINT' },
        { name: 'revenue', type: 'DOUBLE' },
      ],
      rows: [
        ['a', 10, 100.5],
        ['b', 20, null],
        ['c', 30, 300],
      ],
      chart: { kind: 'scatter', x: 'sent', y: ['revenue'] },
    };
    const o = opt(a);
    expect(o.xAxis.type).toBe('value');
    expect(o.yAxis.type).toBe('value');
    expect(o.series[0]).toMatchObject({ type: 'scatter', data: [
      [10, 100.5],
      [30, 300],
    ] });
  });

  it('bar with many categories gets a zoom slider', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [`c${i}`, i]);
    expect(opt({ ...barAnswer, rows }).dataZoom).toHaveLength(2);
  });

  it('kpi and table are not ECharts charts; a spec naming missing columns falls back', () => {
    expect(chartOption(kpiAnswer, ctx)).toBeNull();
    expect(chartOption({ ...barAnswer, chart: { kind: 'table', y: [] } }, ctx)).toBeNull();
    expect(isDrawable({ ...barAnswer, chart: { kind: 'bar', x: 'nope', y: ['messages'] } })).toBe(false);
    expect(isDrawable(barAnswer)).toBe(true);
  });

  it('kpi values are formatted per locale', () => {
    expect(kpiValues(kpiAnswer, 'en-US')).toEqual([{ label: 'revenue', value: '6,032,153,798.84' }]);
    expect(kpiValues({ ...kpiAnswer, columns: [{ name: 'rate', type: 'DOUBLE' }], rows: [[0.25]], chart: { kind: 'kpi', y: ['rate'], percent: ['rate'] } }, 'en-US')).toEqual([
      { label: 'rate', value: '25%' },
    ]);
  });

  it('a money measure names its currency on the axis and in tooltips, and uses its label', () => {
    const o = opt(revenueAnswer);
    expect(o.yAxis.name).toBe('Ingresos (COP)');
    expect(o.series[0].name).toBe('Ingresos');
    // Ticks stay bare numbers: the axis name carries the currency.
    expect(o.yAxis.axisLabel.formatter(2_500_000)).toBe('2.5M');
    const html: string = o.tooltip.formatter([{ seriesIndex: 0, value: [Date.UTC(2026, 10, 1), 2345678.25], name: '' }]);
    expect(html).toMatch(/COP\s2,345,678\.25/);
    expect(html).toContain('Ingresos');
  });

  it('a partial period is marked on its axis label, tooltip and point', () => {
    const o = opt(revenueAnswer);
    const dec = Date.UTC(2026, 11, 1);
    expect(o.xAxis.axisLabel.formatter(dec)).toBe('Dec 1, 26 (to date)');
    expect(o.xAxis.axisLabel.formatter(Date.UTC(2026, 10, 1))).toBe('Nov 1, 26');
    const html: string = o.tooltip.formatter([{ seriesIndex: 0, value: [dec, 98765.4], name: '' }]);
    expect(html).toContain('Dec 1, 2026 (to date)');
    expect(o.series[0].data[1]).toEqual([Date.UTC(2026, 10, 1), 2345678.25]);
    expect(o.series[0].data[2]).toMatchObject({ value: [dec, 98765.4], symbol: 'emptyCircle' });

    const bar = opt({ ...revenueAnswer, chart: { ...revenueAnswer.chart, kind: 'bar' } });
    expect(bar.xAxis.data).toEqual(['Oct 1, 2026', 'Nov 1, 2026', 'Dec 1, 2026 (to date)']);
    expect(bar.series[0].data[2]).toMatchObject({ value: 98765.4, itemStyle: { opacity: 0.55 } });
  });

  it('without a label or currency the value axis stays unnamed', () => {
    expect(opt(barAnswer).yAxis.name).toBeUndefined();
    const two = opt({
      ...revenueAnswer,
      columns: [...revenueAnswer.columns, { name: 'budget', type: 'DECIMAL(38,2)', currency: 'COP' }],
      rows: revenueAnswer.rows.map((r) => [...r, 1]),
      chart: { ...revenueAnswer.chart, y: ['revenue', 'budget'] },
    });
    expect(two.yAxis.name).toBe('COP');
    expect(two.series.map((s: { name: string }) => s.name)).toEqual(['Ingresos', 'budget']);
  });

  it('pie and scatter use labels and currencies too', () => {
    const pie = opt({ ...revenueAnswer, chart: { kind: 'pie', x: 'month', y: ['revenue'] } });
    expect(pie.series[0].name).toBe('Ingresos');
    expect(pie.series[0].data.map((d: { name: string }) => d.name)).toContain('Dec 1, 2026 (to date)');
    expect(pie.tooltip.formatter({ name: 'x', dataIndex: 0, value: 10, percent: 50 })).toMatch(/COP\s10\.00/);
    const sc = opt({
      ...revenueAnswer,
      columns: [{ name: 'sent', type: 'BIGINT', label: 'Enviados' }, revenueAnswer.columns[1]!],
      rows: [[10, 100]],
      caveats: [],
      chart: { kind: 'scatter', x: 'sent', y: ['revenue'] },
    });
    expect(sc.xAxis.name).toBe('Enviados');
    expect(sc.yAxis.name).toBe('Ingresos (COP)');
  });

  it('a KPI amount carries its currency code and the column’s label', () => {
    const k = kpiValues({ ...kpiAnswer, columns: [{ name: 'revenue', type: 'DECIMAL(22,2)', currency: 'COP', label: 'Ingresos' }] }, 'es-419');
    expect(k).toHaveLength(1);
    expect(k[0]?.label).toBe('Ingresos');
    expect(k[0]?.value).toMatch(/^COP\s6,032,153,798\.84$/);
  });

  it('category axis, legend and tooltip show display names; points stay keyed by stored values', () => {
    const o = opt(namedValuesAnswer);
    expect(o.xAxis.data).toEqual(['México', 'Colombia']);
    expect(o.series.map((s: { name: string }) => s.name)).toEqual(['WhatsApp', 'Correo electrónico', 'sms']);
    expect(o.series[0].data).toEqual([1200, 900]);
    expect(o.series[1].data).toEqual([300, null]);
    expect(o.series[2].data).toEqual([null, 150]);
    expect(o.legend.show).toBe(true);
    const html: string = o.tooltip.formatter([
      { name: o.xAxis.data[0], seriesIndex: 0, value: 1200 },
      { name: o.xAxis.data[0], seriesIndex: 1, value: 300 },
    ]);
    expect(html).toContain('México');
    expect(html).toContain('WhatsApp');
    expect(html).toContain('Correo electrónico');
    expect(html).not.toContain('>MX<');
  });

  it('two stored values sharing a display name stay two series', () => {
    const a: Answer = {
      ...namedValuesAnswer,
      columns: namedValuesAnswer.columns.map((c) => (c.name === 'channel' ? { ...c, values: { whatsapp: 'Chat', sms: 'Chat' } } : c)),
      rows: [
        ['MX', 'whatsapp', 1],
        ['MX', 'sms', 2],
      ],
    };
    const o = opt(a);
    expect(o.series.map((s: { name: string; data: unknown[] }) => [s.name, s.data])).toEqual([
      ['Chat', [1]],
      ['Chat', [2]],
    ]);
  });

  it('a time chart split by a named series column names its lines', () => {
    const o = opt({ ...seriesAnswer, columns: seriesAnswer.columns.map((c) => (c.name === 'channel' ? { ...c, values: { whatsapp: 'WhatsApp' } } : c)) });
    expect(o.series.map((s: { name: string }) => s.name)).toEqual(['email', 'sms', 'WhatsApp']);
  });

  it('pie slices, their tooltip and labels use display names', () => {
    const o = opt(segmentAnswer);
    expect(o.series[0].data).toEqual([
      { name: 'Campeones', value: 420, raw: 'champions' },
      { name: 'En riesgo', value: 130, raw: 'at_risk' },
      { name: 'Perdidos', value: 55, raw: 'churned' },
    ]);
    expect(o.tooltip.formatter({ name: 'En riesgo', dataIndex: 1, value: 130, percent: 21.5 })).toContain('En riesgo');
  });

  it('a partial period is matched on its stored value, then shown by its display name', () => {
    const a: Answer = {
      ...barAnswer,
      columns: [
        { name: 'quarter', type: 'VARCHAR', values: { '2026-Q3': 'T3 2026', '2026-Q4': 'T4 2026' } },
        { name: 'messages', type: 'BIGINT' },
      ],
      rows: [
        ['2026-Q3', 10],
        ['2026-Q4', 4],
      ],
      caveats: [{ code: 'partial_period', message: 'T4 2026 va en curso', column: 'quarter', value: '2026-Q4' }],
      chart: { kind: 'bar', x: 'quarter', y: ['messages'] },
    };
    const o = opt(a);
    expect(o.xAxis.data).toEqual(['T3 2026', 'T4 2026 (to date)']);
    expect(o.series[0].data[1]).toMatchObject({ value: 4, itemStyle: { opacity: 0.55 } });
    const pie = opt({ ...a, chart: { kind: 'pie', x: 'quarter', y: ['messages'] } });
    expect(pie.series[0].data.map((d: { name: string }) => d.name)).toEqual(['T3 2026', 'T4 2026 (to date)']);
  });

  it('scatter groups by stored value and names each group', () => {
    const o = opt({
      ...namedValuesAnswer,
      columns: [namedValuesAnswer.columns[1]!, { name: 'sent', type: 'BIGINT' }, { name: 'delivered', type: 'BIGINT' }],
      rows: [
        ['whatsapp', 10, 9],
        ['email', 20, 15],
        ['whatsapp', 30, 28],
      ],
      chart: { kind: 'scatter', x: 'sent', y: ['delivered'], series: 'channel' },
    });
    expect(o.series.map((s: { name: string; data: unknown[] }) => [s.name, s.data])).toEqual([
      ['WhatsApp', [[10, 9], [30, 28]]],
      ['Correo electrónico', [[20, 15]]],
    ]);
  });

  it('a KPI showing a category uses its display name', () => {
    const k = kpiValues({ ...segmentAnswer, chart: { kind: 'kpi', y: ['segment', 'customers'] } }, 'es-CO');
    expect(k).toEqual([
      { label: 'Segmento', value: 'Campeones' },
      { label: 'Clientes', value: '420' },
    ]);
  });

  it('the rows keep their stored values', () => {
    opt(namedValuesAnswer);
    opt(segmentAnswer);
    expect(namedValuesAnswer.rows.map((r) => r[0])).toEqual(['MX', 'MX', 'CO', 'CO']);
    expect(segmentAnswer.rows.map((r) => r[0])).toEqual(['champions', 'at_risk', 'churned']);
  });
});

describe('chartCategories', () => {
  it('reads the category axis, the slices of a pie, nothing for a time axis or no chart', () => {
    const byCompany: Answer = {
      ...barAnswer,
      columns: [
        { name: 'company', type: 'VARCHAR' },
        { name: 'messages', type: 'BIGINT' },
      ],
      rows: [
        ['Acme Corp', 1200],
        ['Globex', 800],
      ],
      chart: { kind: 'bar', x: 'company', y: ['messages'], title: 'Messages by company' },
    };
    expect(chartCategories(chartOption(byCompany, ctx))).toEqual(['Acme Corp', 'Globex']);
    expect(chartCategories(chartOption({ ...byCompany, chart: { ...byCompany.chart, kind: 'pie' } }, ctx))).toEqual(['Acme Corp', 'Globex']);
    expect(chartCategories(chartOption(lineAnswer, ctx))).toEqual([]);
    expect(chartCategories(null)).toEqual([]);
  });
});
