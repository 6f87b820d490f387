// (k) Dashboards an analyst arranges: rename inline, reorder tiles by dragging and with the keyboard, resize them,
// a text tile, removing a tile and deleting a dashboard ask first; dashboard filters re-run every tile (and say
// where one does not apply); "Refresh all" says when each tile's data is from; the PDF export prints the filters,
// in the UI's language. Every change is checked again after a reload (kept by the server, not just on screen).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { indaBin, launch, mint, newContext, openApp, server, until } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe-core on the page as it is now; fails on any serious or critical violation. */
async function noSeriousViolations(page, state) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
  assert.deepEqual(found, [], `axe, ${state}:\n${JSON.stringify(found, null, 1)}`);
}

/**
 * The text of a PDF: its bytes as Latin-1 (WinAnsi strings), every Flate stream inflated, and each hex string
 * shown (`<50616973> Tj`, how text with non-ASCII letters is written) decoded as a `(…)` string.
 */
function pdfText(bytes) {
  const raw = bytes.toString('latin1');
  let out = raw;
  for (const m of raw.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) break;
    try {
      out += inflateSync(bytes.subarray(start, end)).toString('latin1');
    } catch {
      /* not a Flate stream (or an image): its bytes are already in `out` */
    }
  }
  const hex = [...out.matchAll(/<([0-9A-Fa-f\s]+)>\s*Tj/g)].map((m) => `(${Buffer.from(m[1].replace(/\s/g, ''), 'hex').toString('latin1')}) Tj`);
  return `${out}\n${hex.join('\n')}`;
}

describe('dashboards you can arrange', () => {
  let srv, browser, context, page, token;
  const stamp = Date.now().toString(36);
  const boardName = `Arrange ${stamp}`;
  const renamed = `Weekly review ${stamp}`;
  const otherName = `Scratch ${stamp}`;
  const ids = {};
  let boardId, otherId, country;

  /** The JSON API as this user (Bearer token), from Node: the setup the UI would take many clicks for. */
  async function call(method, path, body) {
    const res = await fetch(`${srv.base}/api/${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  const dash = () => page.getByTestId('dashboard');
  const tiles = () => dash().getByTestId('dashboard-tile');
  const tile = (id) => dash().locator(`[data-testid="dashboard-tile"][data-tile-id="${id}"]`);
  const order = () => tiles().evaluateAll((els) => els.map((e) => e.getAttribute('data-tile-id')));
  const text = async (loc) => ((await loc.textContent()) ?? '').replace(/\s+/g, ' ').trim();

  /** Picks the dashboard named `name` and waits for its tiles to be shown with their results. */
  async function openBoard(name, count) {
    const select = page.getByTestId('dashboard-select');
    await until(async () => (await select.locator('option', { hasText: name }).count()) === 1, { message: `${name} in the list` });
    await select.selectOption({ label: name });
    await until(async () => (await text(dash().locator('h3').first())).startsWith(name), { message: `the dashboard ${name}` });
    await until(async () => (await tiles().count()) === count, { message: `${count} tiles` });
    await waitResults();
  }

  /** The dashboard is not being shown again (after filters changed). */
  async function shown() {
    await until(async () => (await dash().getAttribute('aria-busy')) === 'false', { message: 'the tiles shown again', timeout: 30_000 });
  }

  /** Every analysis tile has its answer card or its error (the show has finished). */
  async function waitResults() {
    await shown();
    await until(
      async () =>
        tiles().evaluateAll((els) =>
          els.every((e) => !e.hasAttribute('data-analysis-id') || e.querySelector('[data-testid="answer-card"], [data-testid="error-banner"]')),
        ),
      { message: 'every tile’s result', timeout: 30_000 },
    );
  }

  async function reload(name, count) {
    await page.reload();
    await page.waitForSelector('html.ready');
    await openBoard(name, count);
  }

  /** Waits until no layout change is on its way to the server. */
  async function settled() {
    await until(async () => (await dash().getByTestId('dashboard-grid').getAttribute('aria-busy')) === 'false', { message: 'the layout change to finish' });
  }

  before(async () => {
    srv = await server();
    // A user of their own: the other specs' dashboards do not show up here, nor these in theirs.
    token = mint(indaBin(), srv.dataDir, { tenant: 'acme_corp', user: `dana-${stamp}`, name: 'Dana' });
    const save = async (name, question) => (await call('POST', 'saved', { name, question })).id;
    ids.channel = await save(`Messages by channel ${stamp}`, 'messages by channel last month');
    ids.country = await save(`Messages by country ${stamp}`, 'messages by country last month');
    ids.revenue = await save(`Revenue by channel ${stamp}`, 'revenue by channel this year');
    boardId = (await call('POST', 'dashboards', { name: boardName })).id;
    for (const id of [ids.channel, ids.country, ids.revenue]) await call('POST', `dashboards/${boardId}/tiles`, { analysis_id: id });

    browser = await launch();
    // Tall enough for two rows of tiles: a synthetic drag does not scroll the page under the pointer.
    // (CSP bypassed only so axe-core can be injected for the accessibility checks.)
    context = await newContext(browser, { viewport: { width: 1280, height: 1400 }, bypassCSP: true });
    page = await openApp(context, srv.base, token, '#/dashboards');
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('shows the dashboard with its tiles in order', async () => {
    await openBoard(boardName, 3);
    // An analysis tile's id is its analysis's id.
    assert.deepEqual(await order(), [ids.channel, ids.country, ids.revenue]);
    assert.match(await text(dash().locator('h3').first()), /· 3 tiles$/);
  });

  it('renames inline: Esc cancels, Enter saves, and the name is kept after a reload', async () => {
    await page.getByTestId('dashboard-rename').click();
    const input = page.getByTestId('dashboard-rename-input');
    assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'focus moves to the name field');
    assert.equal(await input.getAttribute('aria-invalid'), null);
    await input.fill('Never saved');
    await input.press('Escape');
    await until(async () => (await input.count()) === 0, { message: 'the field to close' });
    assert.ok((await text(dash().locator('h3').first())).startsWith(boardName));
    assert.equal(await page.getByTestId('dashboard-rename').evaluate((el) => el === document.activeElement), true, 'focus back on Rename');

    await page.getByTestId('dashboard-rename').click();
    await input.fill(`  ${renamed}  `);
    await input.press('Enter');
    await until(async () => (await text(dash().locator('h3').first())).startsWith(renamed), { message: 'the new name' });
    await until(async () => (await text(page.getByTestId('dashboard-announce'))).includes(renamed), { message: 'the rename announced' });
    assert.equal(await page.getByTestId('dashboard-select').locator('option', { hasText: renamed }).count(), 1);

    await reload(renamed, 3);
    assert.ok((await text(dash().locator('h3').first())).startsWith(renamed));
  });

  it('reorders by dragging a tile’s handle onto another tile, kept after a reload', async () => {
    // The first tile dropped on the right half of the third: it goes after it.
    const target = tile(ids.revenue);
    const box = await target.boundingBox();
    await tile(ids.channel).getByTestId('tile-handle').dragTo(target, { targetPosition: { x: box.width - 20, y: 30 } });
    await until(async () => (await order()).join() === [ids.country, ids.revenue, ids.channel].join(), { message: 'the dragged order' });
    await settled();
    await reload(renamed, 3);
    assert.deepEqual(await order(), [ids.country, ids.revenue, ids.channel]);
  });

  it('reorders with the keyboard (Alt+arrow on the handle, Move earlier/later), announced, kept after a reload', async () => {
    const handle = tile(ids.country).getByTestId('tile-handle');
    assert.match((await handle.getAttribute('aria-label')) ?? '', /^Move “Messages by country/);
    await handle.focus();
    await page.keyboard.press('Alt+ArrowRight');
    await until(async () => (await order()).join() === [ids.revenue, ids.country, ids.channel].join(), { message: 'Alt+ArrowRight' });
    await until(async () => /moved to position 2 of 3/.test(await text(page.getByTestId('dashboard-announce'))), { message: 'the move announced' });
    await settled();
    // Focus stays on the handle that moved, so the next key press moves it again.
    assert.equal(await page.evaluate(() => document.activeElement?.closest('[data-testid="dashboard-tile"]')?.getAttribute('data-tile-id')), ids.country);
    await page.keyboard.press('Alt+End');
    await until(async () => (await order()).join() === [ids.revenue, ids.channel, ids.country].join(), { message: 'Alt+End' });
    await settled();

    // The buttons: the channel tile one place earlier, by keyboard activation.
    const earlier = tile(ids.channel).getByTestId('tile-move-earlier');
    assert.equal(await earlier.getAttribute('aria-label'), 'Move earlier');
    await earlier.focus();
    await page.keyboard.press('Enter');
    await until(async () => (await order()).join() === [ids.channel, ids.revenue, ids.country].join(), { message: 'Move earlier' });
    await settled();
    // First now: "Move earlier" is off and focus went to its handle instead of being lost.
    assert.equal(await tile(ids.channel).getByTestId('tile-move-earlier').isDisabled(), true);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'tile-handle');
    await tile(ids.revenue).getByTestId('tile-move-later').click();
    await until(async () => (await order()).join() === [ids.channel, ids.country, ids.revenue].join(), { message: 'Move later' });
    await settled();

    await reload(renamed, 3);
    assert.deepEqual(await order(), [ids.channel, ids.country, ids.revenue]);
  });

  it('resizes a tile (width and height, labelled selects), kept after a reload', async () => {
    const t = tile(ids.channel);
    const width = t.getByTestId('tile-width');
    const height = t.getByTestId('tile-height');
    // Labelled controls: found by their accessible names.
    assert.equal(await t.getByRole('combobox', { name: 'Width', exact: true }).count(), 1);
    assert.equal(await t.getByRole('combobox', { name: 'Height', exact: true }).count(), 1);
    const before = (await t.boundingBox()).width;
    await width.selectOption({ label: 'Full width' });
    await until(async () => (await t.getAttribute('data-width')) === '12', { message: 'full width' });
    await settled();
    await until(async () => (await t.boundingBox()).width > before * 1.6, { message: 'the tile to widen' });
    await height.focus();
    await height.selectOption({ label: 'Large' });
    await until(async () => (await t.getAttribute('data-height')) === '6', { message: 'large' });
    await settled();
    await until(async () => /is now Full width, Large/.test(await text(page.getByTestId('dashboard-announce'))), { message: 'the resize announced' });

    await reload(renamed, 3);
    assert.equal(await tile(ids.channel).getAttribute('data-width'), '12');
    assert.equal(await tile(ids.channel).getAttribute('data-height'), '6');
    assert.equal(await tile(ids.channel).getByTestId('tile-width').inputValue(), '12');
  });

  it('adds, edits and removes a text tile; removing asks first (a modal dialog, Esc keeps it)', async () => {
    await page.getByTestId('dashboard-add-text').click();
    const area = page.getByTestId('dashboard-text-input');
    assert.equal(await area.evaluate((el) => el === document.activeElement), true);
    await area.fill('Numbers for the Monday meeting.');
    await page.getByTestId('dashboard-text-add').click();
    await until(async () => (await tiles().count()) === 4, { message: 'the text tile' });
    const textTile = tiles().last();
    assert.equal(await text(textTile.getByTestId('tile-text')), 'Numbers for the Monday meeting.');
    const textId = await textTile.getAttribute('data-tile-id');
    assert.match(textId, /^text-/);
    await settled();

    // Edit: Esc leaves the text as it was; Save keeps the new one.
    await textTile.getByTestId('tile-edit-text').click();
    const edit = textTile.getByTestId('tile-text-input');
    await edit.fill('Not this');
    await edit.press('Escape');
    assert.equal(await text(textTile.getByTestId('tile-text')), 'Numbers for the Monday meeting.');
    await textTile.getByTestId('tile-edit-text').click();
    await edit.fill('Numbers for the Tuesday meeting.');
    await textTile.getByTestId('tile-text-save').click();
    await until(async () => (await text(textTile.getByTestId('tile-text'))) === 'Numbers for the Tuesday meeting.', { message: 'the edited text' });
    await settled();
    await reload(renamed, 4);
    assert.equal(await text(tile(textId).getByTestId('tile-text')), 'Numbers for the Tuesday meeting.');

    // Remove asks first: a modal dialog naming what goes, focus inside; Esc keeps the tile and focus comes back.
    const remove = tile(textId).getByTestId('tile-remove');
    await remove.click();
    const dialog = page.getByRole('dialog', { name: 'Remove this tile?' });
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute('aria-modal'), 'true');
    assert.match(await text(dialog), /It is a text tile: its text is lost\./);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'confirm-cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await tiles().count(), 4);
    assert.equal(await remove.evaluate((el) => el === document.activeElement), true, 'focus back on the remove button');

    await remove.click();
    await dialog.getByTestId('confirm-ok').click();
    await until(async () => (await tiles().count()) === 3, { message: 'the tile removed' });
    // Focus went somewhere useful, not to the page body.
    assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY');

    // An analysis tile's dialog names it.
    await tile(ids.revenue).getByTestId('tile-remove').click();
    await page.getByRole('dialog').filter({ hasText: `Remove “Revenue by channel ${stamp}” from this dashboard?` }).waitFor();
    await page.getByTestId('confirm-cancel').click();
    assert.equal(await tiles().count(), 3);
    await reload(renamed, 3);
  });

  it('refreshes every tile, saying when each one’s data is from', async () => {
    await page.getByTestId('refresh-all').click();
    const summary = page.getByTestId('refresh-summary');
    await until(async () => (await text(summary)) === '3 tiles refreshed', { message: 'the refresh summary', timeout: 30_000 });
    const statuses = await tiles().getByTestId('tile-status').evaluateAll((els) => els.map((e) => [e.getAttribute('data-status'), e.textContent.trim()]));
    assert.equal(statuses.length, 3);
    for (const [status, line] of statuses) {
      assert.equal(status, 'ok');
      assert.match(line, /As of [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    }
  });

  it('filters every tile by country: chips with display names, every tile re-run, kept after a reload', async () => {
    // Each tile's numbers, from its table (a re-run tile comes back showing its chart).
    const rows = async (id) => {
      const table = tile(id).getByTestId('answer-table');
      if ((await table.count()) === 0) await tile(id).getByTestId('table-toggle').click({ timeout: 2_000 });
      return ((await table.locator('tbody').textContent({ timeout: 2_000 })) ?? '').replace(/\s+/g, ' ').trim();
    };
    const summaries = async () => {
      const out = [];
      for (const id of [ids.channel, ids.country, ids.revenue]) out.push(await rows(id));
      return out;
    };
    const before = await summaries();
    assert.ok(before.every(Boolean), JSON.stringify(before));
    const choices = await call('GET', `dashboards/${boardId}/filters`);
    const countries = choices.dimensions.find((d) => d.dimension === 'country')?.values ?? [];
    assert.ok(countries.length > 1, `country choices: ${JSON.stringify(choices)}`);
    country = countries.includes('CO') ? 'CO' : countries[0];

    const bar = page.getByTestId('dashboard-filters');
    await bar.waitFor();
    // One multi-select per shared dimension, translated; the date range.
    for (const label of ['From', 'To']) assert.equal(await bar.getByLabel(label, { exact: true }).count(), 1);
    const countryButton = bar.getByTestId('filter-country');
    assert.match((await countryButton.textContent()) ?? '', /All/);
    await countryButton.click();
    const panel = bar.getByTestId('filter-panel-country');
    await panel.waitFor();
    await panel.locator(`input[value="${country}"]`).check();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    assert.equal(await countryButton.evaluate((el) => el === document.activeElement), true, 'Esc returns focus to the filter button');
    await bar.getByTestId('filter-apply').click();

    const chip = bar.getByTestId('filter-chip');
    await until(async () => (await chip.count()) === 1, { message: 'the country chip' });
    await shown();
    const chipText = await text(chip.first().locator('span').first());
    assert.match(chipText, /^Country: /);
    // A country by its name, not its code.
    assert.ok(!chipText.endsWith(`: ${country}`) || country.length !== 2, chipText);
    await waitResults();
    await until(async () => (await summaries()).every((s, i) => s && s !== before[i]), { message: 'every tile filtered', timeout: 30_000 });
    // The by-country tile now holds the one country.
    await rows(ids.country);
    assert.equal(await tile(ids.country).getByTestId('answer-table').locator('tbody tr').count(), 1);

    await reload(renamed, 3);
    assert.equal(await text(page.getByTestId('filter-chip').first().locator('span').first()), chipText);
    assert.ok((await summaries()).every((s, i) => s !== before[i]), 'still filtered after a reload');
    const saved = await call('GET', 'dashboards');
    assert.ok(saved.some((d) => d.id === boardId));
  });

  it('exports the filtered dashboard: Esc closes the menu, the PDF prints the filters in the UI’s language', async () => {
    const menuButton = page.getByTestId('dashboard-export-menu');
    await menuButton.click();
    const menu = page.getByRole('menu');
    await menu.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'dashboard-export-pdf');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'dashboard-export-xlsx');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    assert.equal(await menuButton.evaluate((el) => el === document.activeElement), true, 'focus back on the menu button');

    const exportPdf = async (testid) => {
      if (testid !== 'dashboard-export') await menuButton.click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
      const name = download.suggestedFilename();
      assert.match(name, /\.pdf$/);
      // The message names the file.
      await page.getByTestId('dashboard-notice').filter({ hasText: name }).waitFor();
      const bytes = await readFile(await download.path());
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
      return pdfText(bytes);
    };
    const en = await exportPdf('dashboard-export');
    assert.ok(/Filters?: [^)]*Country/.test(en), 'the filter line under the title');
    assert.ok(en.includes('Colombia') || en.includes(country), `the country (${country}) on the filter line`);

    // In Spanish (the UI's language, not the questions'): the filter line is Spanish too.
    await page.evaluate(() => localStorage.setItem('inda.lang', 'es'));
    try {
      await reload(renamed, 3);
      assert.match(await text(page.getByTestId('filter-chip').first().locator('span').first()), /^País: /);
      const es = await exportPdf('dashboard-export-pdf');
      const line = /Filtros: [^)]*/.exec(es)?.[0];
      assert.ok(line && /País/.test(line), `the Spanish filter line: ${line ?? /\((Filter[^)]*)\)/.exec(es)?.[1]}`);
    } finally {
      await page.evaluate(() => localStorage.removeItem('inda.lang'));
      await reload(renamed, 3);
    }
  });

  it('clears the filters from their chip', async () => {
    const bar = page.getByTestId('dashboard-filters');
    await bar.getByRole('button', { name: /^Remove filter Country: / }).click();
    await until(async () => (await bar.getByTestId('filter-chip').count()) === 0, { message: 'no chips' });
    await waitResults();
    assert.deepEqual((await call('GET', `dashboards/${boardId}`)).filters ?? {}, {});
  });

  it('says when a filter does not reach a tile', async () => {
    // Contacts have no channel: a channel filter set while such a tile is on the dashboard does not reach it.
    const contacts = (await call('POST', 'saved', { name: `Contacts by country ${stamp}`, question: 'contacts by country' })).id;
    otherId = (await call('POST', 'dashboards', { name: otherName })).id;
    await call('POST', `dashboards/${otherId}/tiles`, { analysis_id: ids.channel });
    await call('POST', `dashboards/${otherId}/tiles`, { analysis_id: contacts });
    await call('PUT', `dashboards/${otherId}/filters`, { channel: ['whatsapp'] });
    await reload(otherName, 2);
    const note = tile(contacts).getByTestId('tile-unfiltered');
    await note.waitFor();
    assert.equal(await text(note), 'The Channel filter does not apply to this tile.');
    assert.equal(await tile(ids.channel).getByTestId('tile-unfiltered').count(), 0);
    assert.equal(await text(page.getByTestId('filter-chip').first().locator('span').first()), 'Channel: WhatsApp');
  });

  it('deletes a dashboard only after confirming in a dialog that names it', async () => {
    await page.getByTestId('dashboard-delete').click();
    const dialog = page.getByRole('dialog', { name: 'Delete this dashboard?' });
    await dialog.waitFor();
    assert.match(await text(dialog), new RegExp(`Delete “${otherName}”\\?`));
    await dialog.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    assert.ok((await text(dash().locator('h3').first())).startsWith(otherName), 'kept');
    assert.equal(await page.getByTestId('dashboard-delete').evaluate((el) => el === document.activeElement), true);

    await page.getByTestId('dashboard-delete').click();
    await dialog.getByTestId('confirm-ok').click();
    await until(async () => (await page.getByTestId('dashboard-select').locator('option', { hasText: otherName }).count()) === 0, { message: 'gone from the list' });
    const list = await call('GET', 'dashboards');
    assert.ok(!list.some((d) => d.id === otherId), 'deleted on the server');
    assert.ok(list.some((d) => d.id === boardId), 'the other dashboard stays');
    // The saved analyses stay.
    assert.ok((await call('GET', 'saved')).some((a) => a.id === ids.channel));
  });

  it('has no serious or critical accessibility violations in any state, in both languages', async () => {
    for (const lang of ['en', 'es']) {
      await page.evaluate((l) => localStorage.setItem('inda.lang', l), lang);
      await reload(renamed, 3);
      await noSeriousViolations(page, `${lang}: the dashboard`);
      await page.getByTestId('filter-channel').click();
      await noSeriousViolations(page, `${lang}: a filter's values open`);
      await page.keyboard.press('Escape');
      await page.getByTestId('dashboard-export-menu').click();
      await noSeriousViolations(page, `${lang}: the export menu open`);
      await page.keyboard.press('Escape');
      await page.getByTestId('dashboard-rename').click();
      await page.getByTestId('dashboard-add-text').click();
      await noSeriousViolations(page, `${lang}: renaming and adding text`);
      await page.keyboard.press('Escape');
      await tiles().first().getByTestId('tile-remove').click();
      await page.getByRole('dialog').waitFor();
      await noSeriousViolations(page, `${lang}: the remove dialog`);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }
    await page.evaluate(() => localStorage.removeItem('inda.lang'));
  });
});
