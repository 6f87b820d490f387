import { describe, expect, it } from 'vitest';
import type { Answer } from '../api/types';
import { barAnswer, kpiAnswer, lineAnswer, seriesAnswer } from '../../test/fixtures';
import { chartKinds, measuresOf, respec, sameSpec, secondAxisFor } from './controls';
import { chartOption, pickedValue } from './option';

/** Messages and delivery rate by channel: a count next to a rate. */
const mixed: Answer = {
  ...barAnswer,
  columns: [
    { name: 'channel', type: 'VARCHAR' },
    { name: 'messages', type: 'BIGINT' },
    { name: 'delivery_rate', type: 'DOUBLE' },
  ],
  rows: [
    ['whatsapp', 12524, 0.93],
    ['email', 3621, 0.87],
    ['sms', 2178, 0.81],
  ],
  chart: { kind: 'bar', x: 'channel', y: ['messages', 'delivery_rate'], percent: ['delivery_rate'], title: 'Messages and delivery rate' },
};

const theme = { palette: ['#111', '#222', '#333'], text: '#000', muted: '#666', grid: '#ccc' };
const ctx = { locale: 'en-US', theme, otherLabel: 'Other', emptyLabel: '(empty)', markPartial: (l: string) => `${l} (to date)` };

describe('chartKinds', () => {
  it('offers the kinds that fit the data', () => {
    expect(chartKinds(barAnswer)).toEqual(['bar', 'line', 'area', 'pie', 'table']);
    expect(chartKinds(mixed)).toEqual(['bar', 'line', 'area', 'pie', 'scatter', 'table']);
    // A time series is no pie; one row of measures is a KPI.
    expect(chartKinds(lineAnswer)).toEqual(['bar', 'line', 'area', 'table']);
    expect(chartKinds(kpiAnswer)).toEqual(['kpi', 'table']);
    expect(chartKinds({ ...barAnswer, rows: [] })).toEqual(['table']);
    // A series column splits the measure: no pie.
    expect(chartKinds(seriesAnswer)).not.toContain('pie');
  });
});

describe('respec', () => {
  it('switches kinds without losing the title, x and rates', () => {
    const pie = respec(barAnswer, 'pie');
    expect(pie).toMatchObject({ kind: 'pie', x: 'channel', y: ['messages'], title: barAnswer.chart.title });
    expect(respec(barAnswer, 'table').y).toEqual([]);
    const back = respec({ ...barAnswer, chart: pie }, 'bar');
    expect(sameSpec(back, { ...barAnswer.chart, percent: [], y2: [], series: undefined })).toBe(true);
  });

  it('puts a rate next to a count on a second axis, and picks one measure', () => {
    expect(secondAxisFor(mixed, ['messages', 'delivery_rate'])).toEqual(['delivery_rate']);
    expect(respec(mixed, 'line').y2).toEqual(['delivery_rate']);
    expect(respec(mixed, 'line', null, false).y2).toEqual([]);
    expect(respec(mixed, 'bar', 'delivery_rate')).toMatchObject({ y: ['delivery_rate'], y2: [] });
    expect(measuresOf(mixed)).toEqual(['messages', 'delivery_rate']);
    const scatter = respec(mixed, 'scatter');
    expect(scatter).toMatchObject({ kind: 'scatter', x: 'messages', y: ['delivery_rate'], series: 'channel' });
  });

  it('draws the second axis on the right with the rate as a percentage', () => {
    const option = chartOption({ ...mixed, chart: respec(mixed, 'bar') }, ctx);
    const axes = option?.yAxis as { position: string; axisLabel: { formatter: (v: number) => string } }[];
    expect(axes).toHaveLength(2);
    expect(axes[1]?.position).toBe('right');
    expect(axes[1]?.axisLabel.formatter(0.5)).toBe('50%');
    const series = option?.series as { yAxisIndex: number }[];
    expect(series.map((s) => s.yAxisIndex)).toEqual([0, 1]);
  });

  it('one shared axis of a rate and counts is labelled as the counts, whichever comes first', () => {
    const rateFirst = { ...mixed, chart: { ...mixed.chart, y: ['delivery_rate', 'messages'], y2: [] } };
    const axis = chartOption(rateFirst, ctx)?.yAxis as { axisLabel: { formatter: (v: number) => string } };
    expect(axis.axisLabel.formatter(5000)).toBe('5,000');
  });
});

describe('pickedValue', () => {
  it('reads the stored x value behind a bar, a slice and a time point', () => {
    expect(pickedValue(barAnswer, { componentType: 'series', seriesType: 'bar', dataIndex: 1 })).toBe('email');
    const pieSpec = { ...barAnswer, chart: respec(barAnswer, 'pie') };
    const pie = chartOption(pieSpec, ctx);
    const data = (pie?.series as { data: { raw: unknown }[] }[])[0]?.data ?? [];
    expect(pickedValue(pieSpec, { componentType: 'series', seriesType: 'pie', data: data[2] })).toBe('sms');
    const ms = Date.UTC(2024, 11, 2);
    expect(pickedValue(lineAnswer, { componentType: 'series', seriesType: 'line', value: [ms, 614] })).toBe('2024-12-02T00:00:00');
    expect(pickedValue(barAnswer, { componentType: 'legend' })).toBeUndefined();
    expect(pickedValue(barAnswer, { componentType: 'series', seriesType: 'bar', dataIndex: 9 })).toBeUndefined();
  });
});
