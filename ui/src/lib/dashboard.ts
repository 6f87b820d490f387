// The Dashboards screen's rules, pure: tile sizes, reordering (drag and keyboard), merging a layout answer into
// the tiles on screen, the dashboard filters (draft, chips, display names of values) and the refresh summary.
// The state lives in screens/Dashboards.svelte and components/dashboard/*.
import type { Column, DashboardFilters, FilterDimension, SavedAnswer, TileView } from './api/types';
import type { MessageKey } from './i18n/en';
import type { Params } from './i18n/translate';

export type Translate = (key: MessageKey, params?: Params) => string;

/** Width choices in grid columns (of 12), with their names on screen. */
export const WIDTHS: readonly { cols: number; key: MessageKey }[] = [
  { cols: 3, key: 'dash.width.quarter' },
  { cols: 4, key: 'dash.width.third' },
  { cols: 6, key: 'dash.width.half' },
  { cols: 8, key: 'dash.width.twoThirds' },
  { cols: 12, key: 'dash.width.full' },
];

/** Height choices in grid rows (the server takes 2..=8; a new tile has 4). */
export const HEIGHTS: readonly { rows: number; key: MessageKey }[] = [
  { rows: 3, key: 'dash.height.small' },
  { rows: 4, key: 'dash.height.medium' },
  { rows: 6, key: 'dash.height.large' },
];

/** The choice closest to a stored size (a tile sized elsewhere, e.g. `inda dashboard resize`); ties go to the smaller. */
function nearest<T>(choices: readonly T[], size: (c: T) => number, value: number): T {
  let best = choices[0] as T;
  for (const c of choices) if (Math.abs(size(c) - value) < Math.abs(size(best) - value)) best = c;
  return best;
}

export function widthChoice(cols: number): { cols: number; key: MessageKey } {
  return nearest(WIDTHS, (c) => c.cols, cols);
}

export function heightChoice(rows: number): { rows: number; key: MessageKey } {
  return nearest(HEIGHTS, (c) => c.rows, rows);
}

// ---- Order -------------------------------------------------------------------------------------------------

/** A copy of `items` with the one at `from` moved to index `to` (0-based; both clamped to the list). */
export function reorder<T>(items: readonly T[], from: number, to: number): T[] {
  const out = [...items];
  if (from < 0 || from >= out.length) return out;
  const dest = Math.max(0, Math.min(out.length - 1, to));
  const [moved] = out.splice(from, 1);
  out.splice(dest, 0, moved!);
  return out;
}

/**
 * Where a dragged tile lands (0-based index in the reordered list) when dropped on the tile at `over`, before it
 * or, with `after`, after it. Null when that leaves the order as it was.
 */
export function dropIndex(from: number, over: number, after: boolean): number | null {
  if (from === over) return null;
  const insert = over + (after ? 1 : 0);
  // Taking the tile out first shifts everything after it one place earlier.
  const to = from < insert ? insert - 1 : insert;
  return to === from ? null : to;
}

/**
 * The index a keyboard move on a tile's handle goes to: Alt+ArrowLeft/ArrowUp one earlier, Alt+ArrowRight/
 * ArrowDown one later, Alt+Home first, Alt+End last. Null when the key is not a move or the tile cannot go there.
 */
export function keyMove(e: { key: string; altKey: boolean }, index: number, count: number): number | null {
  if (!e.altKey) return null;
  const to =
    e.key === 'ArrowLeft' || e.key === 'ArrowUp'
      ? index - 1
      : e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? index + 1
        : e.key === 'Home'
          ? 0
          : e.key === 'End'
            ? count - 1
            : null;
  if (to === null || to < 0 || to >= count || to === index) return null;
  return to;
}

/**
 * The tiles of a layout answer (rename, move, resize, text: the server does not run the tiles again) with the
 * results already on screen kept, by tile id. A tile new to the layout has none yet.
 */
export function mergeLayout(current: readonly TileView[], layout: readonly TileView[]): TileView[] {
  const byId = new Map(current.map((t) => [t.id, t]));
  return layout.map((t) => {
    const old = byId.get(t.id);
    if (!old || t.result || t.error) return t;
    return { ...t, result: old.result, error: old.error, unfiltered: old.unfiltered };
  });
}

export function isTextTile(tile: Pick<TileView, 'analysis_id' | 'text'>): boolean {
  return !tile.analysis_id;
}

/** The tile's name on screen: the analysis's name, or "Text" for a text tile. */
export function tileName(tile: Pick<TileView, 'analysis_id' | 'text' | 'name'>, t: Translate): string {
  return isTextTile(tile) ? t('dash.textTile') : tile.name;
}

// ---- Refresh -----------------------------------------------------------------------------------------------

/** How a refresh went: analysis tiles with a result, and those that failed (text tiles do not run). */
export function refreshCounts(tiles: readonly TileView[]): { ok: number; failed: number } {
  let ok = 0;
  let failed = 0;
  for (const tile of tiles) {
    if (isTextTile(tile)) continue;
    if (tile.error) failed++;
    else if (tile.result) ok++;
  }
  return { ok, failed };
}

/** "3 tiles refreshed, 1 failed" (the failed part only when one did). */
export function refreshSummary(tiles: readonly TileView[], t: Translate, n: (v: number) => string = String): string {
  const { ok, failed } = refreshCounts(tiles);
  const done = ok === 1 ? t('dash.refreshed.one') : t('dash.refreshed', { count: n(ok) });
  if (failed === 0) return done;
  return `${done}, ${failed === 1 ? t('dash.refreshFailed.one') : t('dash.refreshFailed', { count: n(failed) })}`;
}

// ---- Filters -----------------------------------------------------------------------------------------------

/** The dimensions a dashboard can be filtered by, in the order the bar shows them. */
export const DIMENSIONS: readonly FilterDimension[] = ['channel', 'country', 'segment', 'campaign'];

const DIM_LABEL: Record<string, MessageKey> = {
  channel: 'dash.dim.channel',
  country: 'dash.dim.country',
  segment: 'dash.dim.segment',
  campaign: 'dash.dim.campaign',
  date: 'dash.dim.date',
  from: 'dash.dim.date',
  to: 'dash.dim.date',
};

/** A dimension's name on screen ("Channel" / "Canal"); never the raw name, even for one this UI does not know. */
export function dimensionLabel(dim: string, t: Translate): string {
  const key = DIM_LABEL[dim];
  return key ? t(key) : t('dash.dim.other');
}

/** The filters as the server keeps them: trimmed, empty dates and empty lists left out, values de-duplicated. */
export function normalizeFilters(f: DashboardFilters | null | undefined): DashboardFilters {
  const out: DashboardFilters = {};
  const from = f?.from?.trim();
  const to = f?.to?.trim();
  if (from) out.from = from;
  if (to) out.to = to;
  for (const dim of DIMENSIONS) {
    const values = [...new Set((f?.[dim] ?? []).map((v) => v.trim()).filter(Boolean))];
    if (values.length) out[dim] = values;
  }
  return out;
}

export function hasFilters(f: DashboardFilters | null | undefined): boolean {
  return Object.keys(normalizeFilters(f)).length > 0;
}

/** Same filters, whatever the order of the values. */
export function sameFilters(a: DashboardFilters | null | undefined, b: DashboardFilters | null | undefined): boolean {
  const x = normalizeFilters(a);
  const y = normalizeFilters(b);
  if (x.from !== y.from || x.to !== y.to) return false;
  return DIMENSIONS.every((d) => {
    const p = [...(x[d] ?? [])].sort();
    const q = [...(y[d] ?? [])].sort();
    return p.length === q.length && p.every((v, i) => v === q[i]);
  });
}

/** A range the server refuses (from after to): dates are `YYYY-MM-DD`, so text order is date order. */
export function badRange(f: DashboardFilters): boolean {
  return !!f.from && !!f.to && f.from > f.to;
}

/** The filters without one chip's part (its dimension, or the date range). */
export function withoutChip(f: DashboardFilters, chip: FilterChip['dimension']): DashboardFilters {
  const out = { ...normalizeFilters(f) };
  if (chip === 'date') {
    delete out.from;
    delete out.to;
  } else delete out[chip];
  return out;
}

/**
 * Display names of the filter values, by dimension, from what the tiles on screen already know: the `values`
 * maps of their result columns (`whatsapp` → "WhatsApp", `MX` → "México"), a column named like the dimension
 * first (`channel`, `campaign_name`).
 */
export function valueNames(results: readonly (SavedAnswer | null | undefined)[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const columns: Column[] = results.flatMap((r) => r?.columns ?? []);
  for (const dim of DIMENSIONS) {
    const names: Record<string, string> = {};
    // Columns of this dimension win over another column that happens to name the same stored value.
    const ranked = [...columns].sort((a, b) => Number(b.name.toLowerCase().includes(dim)) - Number(a.name.toLowerCase().includes(dim)));
    for (const col of ranked) {
      if (!col.values || !col.name.toLowerCase().includes(dim)) continue;
      for (const [k, v] of Object.entries(col.values)) if (v?.trim() && !Object.hasOwn(names, k)) names[k] = v.trim();
    }
    out[dim] = names;
  }
  return out;
}

/**
 * A filter value as readers see it: its display name when a tile's column has one; a country code by the
 * locale's region name (`CO` → "Colombia"); else the value (campaign names are already names).
 */
export function filterValueName(dim: string, value: string, names: Record<string, Record<string, string>>, locale: string): string {
  const known = names[dim];
  if (known && Object.hasOwn(known, value)) return known[value]!;
  if (dim === 'country' && /^[A-Z]{2}$/.test(value)) {
    try {
      const region = new Intl.DisplayNames([locale], { type: 'region' }).of(value);
      if (region && region !== value) return region;
    } catch {
      /* no region names in this runtime: the code stays */
    }
  }
  return value;
}

export interface FilterChip {
  /** What removing the chip clears. */
  dimension: FilterDimension | 'date';
  /** "Channel: WhatsApp, SMS" / "Date: Mar 1, 2026 – Mar 31, 2026". */
  text: string;
}

/**
 * The active filters as chips, in the bar's order: the date range first, then each dimension with its values
 * by display name (the first `max`, then "and N more").
 */
export function filterChips(
  f: DashboardFilters | null | undefined,
  t: Translate,
  opts: { value?: (dim: FilterDimension, v: string) => string; date?: (d: string) => string; max?: number } = {},
): FilterChip[] {
  const filters = normalizeFilters(f);
  const value = opts.value ?? ((_d, v) => v);
  const date = opts.date ?? ((d) => d);
  const max = opts.max ?? 3;
  const chips: FilterChip[] = [];
  if (filters.from || filters.to) {
    const range =
      filters.from && filters.to
        ? t('dash.chip.range', { from: date(filters.from), to: date(filters.to) })
        : filters.from
          ? t('dash.chip.since', { date: date(filters.from) })
          : t('dash.chip.until', { date: date(filters.to!) });
    chips.push({ dimension: 'date', text: t('dash.chip.dim', { dimension: t('dash.dim.date'), values: range }) });
  }
  for (const dim of DIMENSIONS) {
    const values = filters[dim];
    if (!values?.length) continue;
    const names = values.map((v) => value(dim, v));
    const shown = names.length > max ? t('dash.chip.more', { values: names.slice(0, max).join(', '), count: names.length - max }) : names.join(', ');
    chips.push({ dimension: dim, text: t('dash.chip.dim', { dimension: dimensionLabel(dim, t), values: shown }) });
  }
  return chips;
}

/** The tile's notes for filters that are set but do not reach it ("The Channel filter does not apply to this tile."). */
export function unfilteredNotes(tile: Pick<TileView, 'unfiltered'>, t: Translate): string[] {
  return (tile.unfiltered ?? []).map((dim) => t('dash.unfiltered', { dimension: dimensionLabel(dim, t) }));
}
