import { describe, expect, it } from 'vitest';
import { cronFor, looksLikeCron, normalizeCron, presetOf } from './cron';

describe('schedule presets', () => {
  it('map to 5-field cron', () => {
    expect(cronFor('off', '')).toBeNull();
    expect(cronFor('hourly', '')).toBe('0 * * * *');
    expect(cronFor('daily', '')).toBe('0 8 * * *');
    expect(cronFor('weekly', '')).toBe('0 8 * * 1');
    expect(cronFor('monthly', '')).toBe('0 8 1 * *');
    expect(cronFor('custom', ' */15 * * * * ')).toBe('*/15 * * * *');
    expect(cronFor('custom', '  ')).toBeNull();
  });
  it('are recognized in the core’s normalized 6-field form', () => {
    expect(normalizeCron('0 0 8 * * MON')).toBe('0 8 * * 1');
    expect(presetOf('0 0 8 * * MON')).toBe('weekly');
    expect(presetOf('0 0 8 * * *')).toBe('daily');
    expect(presetOf('0 0 * * * *')).toBe('hourly');
    expect(presetOf('0 0 8 1 * *')).toBe('monthly');
    expect(presetOf('0 8 * * 1')).toBe('weekly');
    expect(presetOf(null)).toBe('off');
    expect(presetOf('0 30 9 * * 1-5')).toBe('custom');
  });
  it('checks custom syntax lightly', () => {
    expect(looksLikeCron('0 8 * * 1-5')).toBe(true);
    expect(looksLikeCron('*/10 * * * *')).toBe(true);
    expect(looksLikeCron('0 0 8 * * MON')).toBe(true);
    expect(looksLikeCron('every day')).toBe(false);
    expect(looksLikeCron('0 8 * *')).toBe(false);
  });
});
