// Number and date formatting with Intl, for the active locale (en-US or es-419).
import type { Column, Value } from './api/types';

export function isNumericType(type: string): boolean {
  const t = type.toUpperCase();
  return /INT|DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|NUMBER/.test(t);
}

export function isTemporalType(type: string): boolean {
  const t = type.toUpperCase();
  return t.startsWith('DATE') || t.startsWith('TIMESTAMP');
}

/** Decimal places to show for a column: from DECIMAL(p,s) when known, else up to 2 for fractions. */
function maxDigits(type: string | undefined, v: number): number {
  const m = type ? /DECIMAL\(\s*\d+\s*,\s*(\d+)\s*\)/i.exec(type) : null;
  if (m?.[1]) return Math.min(Number(m[1]), 4);
  if (Number.isInteger(v)) return 0;
  return Math.abs(v) < 1 ? 4 : 2;
}

export function formatNumber(v: number, locale: string, opts: { percent?: boolean; type?: string; compact?: boolean } = {}): string {
  if (!Number.isFinite(v)) return String(v);
  if (opts.percent) {
    return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(v);
  }
  if (opts.compact) {
    return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(v);
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits: maxDigits(opts.type, v) }).format(v);
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/;

/**
 * Milliseconds for an ISO date or timestamp. Warehouse timestamps without a zone are wall-clock values: they are
 * read as UTC and must be displayed with `timeZone: 'UTC'` so they never shift. Returns NaN when not a date.
 */
export function parseTemporal(s: string): { ms: number; naive: boolean; hasTime: boolean } {
  const m = NAIVE.exec(s);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0'] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
    const hasTime = Number(h) !== 0 || Number(mi) !== 0 || Number(sec) !== 0;
    return { ms, naive: true, hasTime };
  }
  const ms = Date.parse(s);
  return { ms, naive: false, hasTime: true };
}

/** A warehouse date/timestamp (naive, wall-clock): the date, plus the time when it is not midnight. */
export function formatTemporal(s: string, locale: string): string {
  const p = parseTemporal(s);
  if (Number.isNaN(p.ms)) return s;
  if (!p.naive) return formatInstant(s, locale);
  const opts: Intl.DateTimeFormatOptions = { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' };
  if (p.hasTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
  return new Intl.DateTimeFormat(locale, opts).format(p.ms);
}

/** An instant (ISO 8601 with a zone, e.g. `as_of`) in the user's time zone, date and time. */
export function formatInstant(s: string | null | undefined, locale: string, timeZone?: string): string {
  if (!s) return '';
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return s;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(ms);
}

/** A cell for display: numbers by locale (percent for rate columns), dates without time-zone shifts. */
export function formatValue(v: Value, column: Column | undefined, locale: string, percent = false): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatNumber(v, locale, { percent, type: column?.type });
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (column && isTemporalType(column.type)) return formatTemporal(v, locale);
  return v;
}

/** Seconds as a short duration: `45s`, `12 min`, `1 h 05 min`, through the caller's translator. */
export function formatDuration(seconds: number, tr: (key: 'time.seconds' | 'time.minutes' | 'time.hoursMinutes' | 'time.expired', p?: Record<string, string | number>) => string): string {
  if (seconds <= 0) return tr('time.expired');
  if (seconds < 60) return tr('time.seconds', { n: Math.floor(seconds) });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return tr('time.minutes', { m: minutes });
  const h = Math.floor(minutes / 60);
  return tr('time.hoursMinutes', { h, m: String(minutes % 60).padStart(2, '0') });
}

/** Escapes text for HTML (ECharts tooltips are HTML; warehouse values must never become markup). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
