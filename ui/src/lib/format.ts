// Number and date formatting with Intl, for the active locale (en-US or es-419).
import type { Column, Grain, Value } from './api/types';

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

/**
 * Decimal places of an amount: the column's scale, at most cents, fixed so a column of amounts lines up. An amount
 * under one (an average cost per message: 0.0148) keeps up to four, or it would read as 0.01 or as nothing at all.
 */
function moneyDigits(type: string | undefined, v: number): { min: number; max: number } {
  const m = type ? /DECIMAL\(\s*\d+\s*,\s*(\d+)\s*\)/i.exec(type) : null;
  const scale = m?.[1] ? Number(m[1]) : 4;
  const cents = Math.min(scale, 2);
  return v !== 0 && Math.abs(v) < 1 ? { min: cents, max: Math.min(scale, 4) } : { min: cents, max: cents };
}

export interface NumberOpts {
  percent?: boolean;
  type?: string;
  compact?: boolean;
  /**
   * ISO 4217 code of a money value: the amount is written with the code (`COP 1,234.50`). The code, not the
   * symbol: `$` is the peso's symbol as much as the dollar's for the readers this app has.
   */
  currency?: string;
  /** A money value written without its code (table cells, whose header names the currency): fixed decimals. */
  amount?: boolean;
}

export function formatNumber(v: number, locale: string, opts: NumberOpts = {}): string {
  if (!Number.isFinite(v)) return String(v);
  if (opts.percent) {
    return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(v);
  }
  const money = opts.currency ? currencyOpts(opts.currency) : null;
  if (opts.compact) {
    return new Intl.NumberFormat(locale, { ...money, notation: 'compact', maximumFractionDigits: 1 }).format(v);
  }
  if (money || opts.amount) {
    const digits = moneyDigits(opts.type, v);
    return new Intl.NumberFormat(locale, { ...money, minimumFractionDigits: digits.min, maximumFractionDigits: digits.max }).format(v);
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits: maxDigits(opts.type, v) }).format(v);
}

/** Intl options for an ISO 4217 code; none when the code is not one (Intl would throw a RangeError). */
function currencyOpts(code: string): Intl.NumberFormatOptions | null {
  if (!/^[A-Z]{3}$/i.test(code)) return null;
  return { style: 'currency', currency: code.toUpperCase(), currencyDisplay: 'code' };
}

/**
 * A column's name as readers see it in headers, axes and legends: its display label when the answer gives one,
 * and for a money column the currency it is in (`Revenue (COP)`), since the cells then carry no unit.
 */
export function columnTitle(col: Pick<Column, 'name' | 'label' | 'currency'>, withCurrency = true): string {
  const name = col.label?.trim() || col.name;
  return withCurrency && col.currency ? `${name} (${col.currency})` : name;
}

/**
 * A stored category value as readers see it: its display name in the answer's language when the column's `values`
 * map has one (`whatsapp` → "WhatsApp", `at_risk` → "En riesgo"), else the value itself. Only for display: the rows
 * keep the stored values, which exports, drill-downs and the partial-period test compare.
 */
export function displayValue(col: Pick<Column, 'values'> | undefined, v: string): string {
  const names = col?.values;
  // Own keys only: a stored `constructor` or `__proto__` is a value, not a lookup into Object.prototype.
  if (!names || !Object.hasOwn(names, v)) return v;
  return names[v]?.trim() || v;
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

/**
 * A warehouse date/timestamp (naive, wall-clock): the date, plus the time when it is not midnight. With the
 * column's `grain`, the period it starts: `2025` for a year, `Q1 2025` (`T1 2025` in Spanish) for a quarter, `Jan
 * 2025` for a month, never "Jan 1, 2025" for a whole year.
 */
export function formatTemporal(s: string, locale: string, grain?: Grain | null): string {
  const p = parseTemporal(s);
  if (Number.isNaN(p.ms)) return s;
  if (!p.naive) return formatInstant(s, locale);
  const period = grain && !p.hasTime ? formatPeriod(p.ms, grain, locale) : null;
  if (period) return period;
  const opts: Intl.DateTimeFormatOptions = { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' };
  if (p.hasTime) Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
  return new Intl.DateTimeFormat(locale, opts).format(p.ms);
}

/** The period of `grain` that starts at `ms` (UTC midnight), or null for days and weeks (shown as dates). */
export function formatPeriod(ms: number, grain: Grain, locale: string): string | null {
  const d = new Date(ms);
  switch (grain) {
    case 'year':
      return String(d.getUTCFullYear());
    case 'quarter': {
      const q = Math.floor(d.getUTCMonth() / 3) + 1;
      return `${locale.toLowerCase().startsWith('es') ? 'T' : 'Q'}${q} ${d.getUTCFullYear()}`;
    }
    case 'month':
      return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'short' }).format(ms);
    default:
      return null;
  }
}

/** An instant (ISO 8601 with a zone, e.g. `as_of`) in the user's time zone, date and time. */
export function formatInstant(s: string | null | undefined, locale: string, timeZone?: string): string {
  if (!s) return '';
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return s;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(ms);
}

/**
 * A cell for display: numbers by locale (percent for rate columns), dates without time-zone shifts, category values
 * by their display names. Amounts get their currency code with `withCurrency` (tooltips, KPIs); table cells leave it
 * to the column header.
 */
export function formatValue(v: Value, column: Column | undefined, locale: string, percent = false, withCurrency = false): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    const currency = column?.currency ?? undefined;
    return formatNumber(v, locale, { percent, type: column?.type, currency: withCurrency ? currency : undefined, amount: !!currency });
  }
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (column && isTemporalType(column.type)) return formatTemporal(v, locale, column.grain);
  return displayValue(column, v);
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
