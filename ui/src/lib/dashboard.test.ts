import { describe, expect, it } from 'vitest';
import type { Column, SavedAnswer, TileView } from './api/types';
import {
  HEIGHTS,
  WIDTHS,
  badRange,
  dimensionLabel,
  dropIndex,
  filterChips,
  filterValueName,
  hasFilters,
  heightChoice,
  keyMove,
  mergeLayout,
  normalizeFilters,
  refreshCounts,
  refreshSummary,
  reorder,
  sameFilters,
  tileName,
  unfilteredNotes,
  valueNames,
  widthChoice,
  withoutChip,
} from './dashboard';
import type { MessageKey } from './i18n/en';
import { translate, type Params } from './i18n/translate';

const en = (key: MessageKey, p?: Params) => translate('en', key, p);
const es = (key: MessageKey, p?: Params) => translate('es', key, p);

function tile(id: string, extra: Partial<TileView> = {}): TileView {
  return { id, analysis_id: id, name: `Tile ${id}`, position: 1, width: 6, height: 4, ...extra } as TileView;
}

function result(columns: Column[], as_of = '2026-12-02T10:00:00Z'): SavedAnswer {
  return { analysis_id: 'a', name: 'A', as_of, columns, rows: [] } as unknown as SavedAnswer;
}

describe('tile sizes', () => {
  it('offers a quarter, a third, a half, two thirds and the full width of the 12-column grid', () => {
    expect(WIDTHS.map((w) => w.cols)).toEqual([3, 4, 6, 8, 12]);
    expect(WIDTHS.map((w) => en(w.key))).toEqual(['Quarter', 'Third', 'Half', 'Two thirds', 'Full width']);
    expect(WIDTHS.map((w) => es(w.key))).toEqual(['Un cuarto', 'Un tercio', 'La mitad', 'Dos tercios', 'Ancho completo']);
  });
  it('offers heights the server takes (2..=8 rows), medium being a new tile’s 4', () => {
    expect(HEIGHTS.map((h) => h.rows)).toEqual([3, 4, 6]);
    for (const h of HEIGHTS) expect(h.rows >= 2 && h.rows <= 8).toBe(true);
    expect(en(heightChoice(4).key)).toBe('Medium');
  });
  it('shows a size set elsewhere as the closest choice', () => {
    expect(widthChoice(6).cols).toBe(6);
    expect(widthChoice(5).cols).toBe(4); // a tie goes to the smaller
    expect(widthChoice(7).cols).toBe(6);
    expect(widthChoice(11).cols).toBe(12);
    expect(widthChoice(1).cols).toBe(3);
    expect(heightChoice(2).rows).toBe(3);
    expect(heightChoice(8).rows).toBe(6);
    expect(heightChoice(5).rows).toBe(4);
  });
});

describe('reordering', () => {
  const ids = ['a', 'b', 'c', 'd'];
  it('moves one item and keeps the others in order', () => {
    expect(reorder(ids, 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(reorder(ids, 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(reorder(ids, 1, 1)).toEqual(ids);
    expect(reorder(ids, 1, 99)).toEqual(['a', 'c', 'd', 'b']);
    expect(reorder(ids, 7, 0)).toEqual(ids);
    expect(ids).toEqual(['a', 'b', 'c', 'd']); // not changed in place
  });
  it('lands a dropped tile before or after the one it is dropped on', () => {
    // a dropped after c: b c a d
    expect(dropIndex(0, 2, true)).toBe(2);
    expect(reorder(ids, 0, dropIndex(0, 2, true)!)).toEqual(['b', 'c', 'a', 'd']);
    // a dropped before c: b a c d
    expect(reorder(ids, 0, dropIndex(0, 2, false)!)).toEqual(['b', 'a', 'c', 'd']);
    // d dropped before a: d a b c
    expect(reorder(ids, 3, dropIndex(3, 0, false)!)).toEqual(['d', 'a', 'b', 'c']);
    // d dropped after b: a b d c
    expect(reorder(ids, 3, dropIndex(3, 1, true)!)).toEqual(['a', 'b', 'd', 'c']);
  });
  it('is no move when the tile lands where it was', () => {
    expect(dropIndex(1, 1, true)).toBeNull();
    expect(dropIndex(1, 0, true)).toBeNull(); // after a = where b is
    expect(dropIndex(1, 2, false)).toBeNull(); // before c = where b is
  });
  it('moves with Alt and the arrow keys, Home and End, within the list', () => {
    const alt = (key: string) => ({ key, altKey: true });
    expect(keyMove(alt('ArrowLeft'), 2, 4)).toBe(1);
    expect(keyMove(alt('ArrowUp'), 2, 4)).toBe(1);
    expect(keyMove(alt('ArrowRight'), 2, 4)).toBe(3);
    expect(keyMove(alt('ArrowDown'), 2, 4)).toBe(3);
    expect(keyMove(alt('Home'), 2, 4)).toBe(0);
    expect(keyMove(alt('End'), 2, 4)).toBe(3);
    // Nowhere to go, not a move key, or no Alt (plain arrows scroll the page).
    expect(keyMove(alt('ArrowLeft'), 0, 4)).toBeNull();
    expect(keyMove(alt('ArrowRight'), 3, 4)).toBeNull();
    expect(keyMove(alt('End'), 3, 4)).toBeNull();
    expect(keyMove(alt('x'), 1, 4)).toBeNull();
    expect(keyMove({ key: 'ArrowLeft', altKey: false }, 2, 4)).toBeNull();
  });
});

describe('layout answers', () => {
  it('keep the results on screen by tile id, in the server’s order and sizes', () => {
    const r1 = result([]);
    const current = [tile('a', { result: r1 }), tile('b', { error: { code: 'engine', message: 'down' } }), tile('c', { unfiltered: ['channel'] })];
    const layout = [tile('c', { position: 1 }), tile('a', { position: 2, width: 12 }), tile('text-1', { analysis_id: undefined, text: 'Hi', name: '' })];
    const merged = mergeLayout(current, layout);
    expect(merged.map((x) => x.id)).toEqual(['c', 'a', 'text-1']);
    expect(merged[0]!.unfiltered).toEqual(['channel']);
    expect(merged[1]!.result).toBe(r1);
    expect(merged[1]!.width).toBe(12);
    expect(merged[2]!.result).toBeUndefined();
  });
  it('names a text tile “Text”, not its empty analysis name', () => {
    expect(tileName(tile('text-1', { analysis_id: undefined, text: 'Hi', name: '' }), en)).toBe('Text');
    expect(tileName(tile('text-1', { analysis_id: undefined, text: 'Hi', name: '' }), es)).toBe('Texto');
    expect(tileName(tile('a'), en)).toBe('Tile a');
  });
});

describe('refresh summary', () => {
  const tiles = [
    tile('a', { result: result([]) }),
    tile('b', { result: result([]) }),
    tile('c', { result: result([]) }),
    tile('d', { error: { code: 'engine', message: 'down' } }),
    tile('text-1', { analysis_id: undefined, text: 'Notes', name: '' }),
  ];
  it('counts refreshed and failed analysis tiles (text tiles do not run)', () => {
    expect(refreshCounts(tiles)).toEqual({ ok: 3, failed: 1 });
  });
  it('says it in both languages, with singular forms', () => {
    expect(refreshSummary(tiles, en)).toBe('3 tiles refreshed, 1 failed');
    expect(refreshSummary(tiles, es)).toBe('3 mosaicos actualizados, 1 falló');
    expect(refreshSummary(tiles.slice(0, 1), en)).toBe('1 tile refreshed');
    expect(refreshSummary([...tiles, tile('e', { error: { code: 'busy', message: '' } })], en)).toBe('3 tiles refreshed, 2 failed');
    expect(refreshSummary([tile('e', { error: { code: 'busy', message: '' } })], es)).toBe('0 mosaicos actualizados, 1 falló');
  });
});

describe('filters', () => {
  it('are kept as the server keeps them: no empty lists or dates, no blanks, no duplicates', () => {
    expect(normalizeFilters({ from: '', to: ' 2026-03-31 ', channel: [], country: ['CO', ' CO', ''], segment: undefined })).toEqual({
      to: '2026-03-31',
      country: ['CO'],
    });
    expect(hasFilters({ channel: [] })).toBe(false);
    expect(hasFilters({ from: '2026-01-01' })).toBe(true);
    expect(hasFilters(null)).toBe(false);
  });
  it('compare equal whatever the order of their values', () => {
    expect(sameFilters({ channel: ['sms', 'whatsapp'] }, { channel: ['whatsapp', 'sms'], country: [] })).toBe(true);
    expect(sameFilters({ channel: ['sms'] }, { channel: ['sms', 'email'] })).toBe(false);
    expect(sameFilters({ from: '2026-01-01' }, {})).toBe(false);
  });
  it('refuse a range that ends before it starts', () => {
    expect(badRange({ from: '2026-03-02', to: '2026-03-01' })).toBe(true);
    expect(badRange({ from: '2026-03-01', to: '2026-03-01' })).toBe(false);
    expect(badRange({ from: '2026-03-01' })).toBe(false);
  });
  it('lose one part when its chip is removed', () => {
    const f = { from: '2026-01-01', to: '2026-01-31', channel: ['sms'], country: ['CO'] };
    expect(withoutChip(f, 'date')).toEqual({ channel: ['sms'], country: ['CO'] });
    expect(withoutChip(f, 'channel')).toEqual({ from: '2026-01-01', to: '2026-01-31', country: ['CO'] });
  });

  it('show as chips with translated dimension names and display names of values', () => {
    const names = valueNames([result([{ name: 'channel', type: 'VARCHAR', values: { whatsapp: 'WhatsApp', sms: 'SMS' } }])]);
    const value = (d: string, v: string) => filterValueName(d, v, names, 'en-US');
    const f = { from: '2026-03-01', to: '2026-03-31', channel: ['whatsapp', 'sms'], campaign: ['Black Friday', 'Día de la Madre'] };
    expect(filterChips(f, en, { value }).map((c) => c.text)).toEqual([
      'Date: 2026-03-01 – 2026-03-31',
      'Channel: WhatsApp, SMS',
      'Campaign: Black Friday, Día de la Madre',
    ]);
    expect(filterChips(f, es, { value, date: (d) => d.split('-').reverse().join('/') }).map((c) => c.text)).toEqual([
      'Fecha: 01/03/2026 – 31/03/2026',
      'Canal: WhatsApp, SMS',
      'Campaña: Black Friday, Día de la Madre',
    ]);
    expect(filterChips(f, en).map((c) => c.dimension)).toEqual(['date', 'channel', 'campaign']);
  });
  it('show an open range and a long list shortly', () => {
    expect(filterChips({ from: '2026-03-01' }, en)[0]!.text).toBe('Date: since 2026-03-01');
    expect(filterChips({ to: '2026-03-01' }, es)[0]!.text).toBe('Fecha: hasta 2026-03-01');
    expect(filterChips({ segment: ['a', 'b', 'c', 'd', 'e'] }, en)[0]!.text).toBe('Segment: a, b, c and 2 more');
    expect(filterChips({ segment: ['a', 'b', 'c', 'd', 'e'] }, es)[0]!.text).toBe('Segmento: a, b, c y 2 más');
    expect(filterChips({}, en)).toEqual([]);
  });
  it('name values as the tiles do, a country by its region name, never the raw key when one is known', () => {
    const names = valueNames([
      result([
        { name: 'segment', type: 'VARCHAR', values: { at_risk: 'En riesgo' } },
        { name: 'messages', type: 'BIGINT' },
        // Another dimension's column naming the same stored value does not leak into this one.
        { name: 'channel', type: 'VARCHAR', values: { at_risk: 'nope' } },
      ]),
      null,
    ]);
    expect(filterValueName('segment', 'at_risk', names, 'es-419')).toBe('En riesgo');
    expect(filterValueName('segment', 'loyal', names, 'es-419')).toBe('loyal');
    expect(filterValueName('country', 'CO', names, 'en-US')).toBe('Colombia');
    expect(filterValueName('country', 'MX', names, 'es-419')).toBe('México');
    expect(filterValueName('campaign', 'constructor', names, 'en-US')).toBe('constructor');
  });
  it('say which filter does not reach a tile, in both languages', () => {
    expect(unfilteredNotes({ unfiltered: ['channel'] }, en)).toEqual(['The Channel filter does not apply to this tile.']);
    expect(unfilteredNotes({ unfiltered: ['channel', 'date'] }, es)).toEqual([
      'El filtro «Canal» no se aplica a este mosaico.',
      'El filtro «Fecha» no se aplica a este mosaico.',
    ]);
    expect(unfilteredNotes({}, en)).toEqual([]);
    // An unknown dimension is still words, not its raw name.
    expect(dimensionLabel('mystery', en)).toBe('Another');
  });
});
