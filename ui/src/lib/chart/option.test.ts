import { describe, expect, it } from 'vitest';
import type { Answer } from '../api/types';
import { barAnswer, kpiAnswer, lineAnswer, rateAnswer, seriesAnswer } from '../../test/fixtures';
import { MAX_PIE_SLICES, chartOption, isDrawable, kpiValues, type ChartContext } from './option';

const ctx: ChartContext = {
  locale: 'en-US',
  theme: { palette: ['#111111', '#222222', '#333333'], text: '#000', muted: '#666', grid: '#ddd' },
  otherLabel: 'Other',
  emptyLabel: '(empty)',
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
    expect(data[0]).toEqual({ name: 'c0', value: 100 });
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
});
