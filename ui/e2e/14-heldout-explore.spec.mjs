// Held-out checks of issue 20 ("Explore, not just ask"), written from the issue, the contracts and docs/ui.md only,
// by someone who has not read the UI's code: drill-down (mouse on bars and slices, keyboard from the table, dates to
// the next grain), table sorting and formats, CSV of what is shown, chart controls kept by saved analyses, a second
// axis for a rate next to a count, empty answers, SQL edits as new turns, explicit saving, export file names and
// messages, dashboards (rename, delete, reorder, resize, text tiles, filters, refresh, PDF) and both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AS_OF, ask, launch, newContext, openApp, server, until, waitChartDrawn } from './harness.mjs';

let srv;
let browser;
const contexts = [];

before(async () => {
  srv = await server();
  browser = await launch();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await srv?.stop();
});

const uniq = (prefix) => `${prefix} ${Date.now()}-${Math.floor(Math.random() * 1e4)}`;

/** A fresh browser (own cookies) signed in as Gus of globex, or as `token`. */
async function open({ token, locale, hash = '' } = {}) {
  const context = await newContext(browser, locale ? { locale } : {});
  contexts.push(context);
  const page = await openApp(context, srv.base, token ?? srv.tokens.globex, hash);
  return page;
}

/** Today's date in the browser's zone (UTC), and the demo's as-of date: a file's date must be one of them. */
function okDates() {
  return new Set([AS_OF, new Date().toISOString().slice(0, 10)]);
}

/** The saved analyses of the signed-in user, through the same cookie the UI uses. */
async function savedList(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/saved', { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`GET /api/saved ${r.status}`);
    return r.json();
  });
}

const cards = (page) => page.getByTestId('answer-card');

/** Waits for the card number `n` (0-based) to exist and be visible. */
async function nthCard(page, n) {
  const card = cards(page).nth(n);
  await card.waitFor({ state: 'visible' });
  return card;
}

/** Parses a number as shown in English (`4,564`, `92.2%`, `146,777.00`). */
const num = (s) => Number(String(s).replace(/[^0-9.-]/g, ''));

/** The visible table of a card: header texts and cell texts per row. */
async function readTable(card) {
  const table = card.getByRole('table');
  await table.waitFor();
  return table.evaluate((t) => ({
    headers: [...t.querySelectorAll('thead th')].map((th) => th.querySelector('span')?.textContent.trim() ?? th.textContent.trim()),
    sort: [...t.querySelectorAll('thead th')].map((th) => th.getAttribute('aria-sort')),
    rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
  }));
}

async function showTable(card) {
  const toggle = card.getByRole('button', { name: /^(Show table|Ver tabla|Mostrar tabla)$/ });
  await toggle.click();
  await card.getByRole('table').waitFor();
}

/** Whether the mouse at (x, y) of the page is over something clickable in the chart (ECharts sets the cursor). */
async function pointerAt(page, chart, x, y) {
  await page.mouse.move(x, y);
  // ECharts sets the cursor on its own root <div> inside the chart box (the box itself may show a pointer all over).
  return chart.evaluate((el) => getComputedStyle(el.querySelector('div') ?? el).cursor === 'pointer');
}

/** The clickable horizontal segments of a bar chart along a line near its bottom, left to right. */
async function barSegments(page, chart) {
  const box = await chart.boundingBox();
  for (const fy of [0.86, 0.8, 0.9, 0.75]) {
    const y = box.y + box.height * fy;
    const segs = [];
    let start = null;
    for (let x = box.x + 2; x < box.x + box.width - 2; x += 5) {
      const on = await pointerAt(page, chart, x, y);
      if (on && start === null) start = x;
      if (!on && start !== null) {
        segs.push({ x0: start, x1: x - 5, y });
        start = null;
      }
    }
    if (start !== null) segs.push({ x0: start, x1: box.x + box.width, y });
    if (segs.length) return segs;
  }
  return [];
}

/** Today's CSV text from a download. */
async function downloadText(download) {
  return readFileSync(await download.path(), 'utf8');
}

/** Clicks a format in the card's export menu; resolves with the download and the server's Content-Disposition (if any). */
async function exportAs(page, card, format) {
  const exportBtn = card.getByTestId('export-button');
  if ((await exportBtn.getAttribute('aria-expanded')) !== 'true') await exportBtn.click();
  let disposition = null;
  const onResponse = (r) => {
    const cd = r.headers()['content-disposition'];
    if (cd && r.url().includes('/api/')) disposition = cd;
  };
  page.on('response', onResponse);
  const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: format, exact: true }).click()]);
  await download.path();
  page.off('response', onResponse);
  return { download, name: download.suggestedFilename(), disposition };
}

/** The file name a Content-Disposition header carries (RFC 6266 `filename*` first). */
function dispositionName(cd) {
  if (!cd) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]*)"/i.exec(cd);
  return plain ? plain[1] : null;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what a file name must not hold
const UNSAFE = /[/\\:*?"<>|\u0000-\u001f]/;

// ───────────────────────────────────────── Drill-down ─────────────────────────────────────────

test('drill-down by mouse: clicking a bar asks the follow-up for that value as a new turn, through the guard', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  const chart = await waitChartDrawn(card);
  await page.waitForTimeout(700); // let the bars finish their entry animation
  const categories = JSON.parse((await chart.getAttribute('data-categories')) ?? '[]');
  assert.ok(categories.includes('WhatsApp'), `categories: ${categories}`);
  const segs = await barSegments(page, chart);
  assert.equal(segs.length, categories.length, `one clickable bar per category (${JSON.stringify(segs)})`);
  const seg = segs[categories.indexOf('WhatsApp')];
  await page.mouse.click((seg.x0 + seg.x1) / 2, seg.y);
  const drilled = await nthCard(page, 1);
  const text = await drilled.innerText();
  assert.match(text, /WhatsApp/, 'the new turn names the value drilled into');
  const said = await drilled.locator('p').allInnerTexts();
  assert.ok(said.some((p) => /WhatsApp/.test(p) && /filter|drill|for/i.test(p)), `the turn says what it did: ${JSON.stringify(said)}`);
  const sql = await drilled.getByTestId('answer-sql').innerText();
  assert.match(sql, /channel\s*=\s*'whatsapp'/i, sql);
  assert.match(sql, /tenant_id\s*=\s*'globex'/, 'through the guard');
  // The original answer stays above, untouched.
  assert.equal(await cards(page).count(), 2);
  assert.match(await cards(page).first().getByTestId('answer-sql').innerText(), /^(?!.*'whatsapp')/s);
});

test('drill-down by mouse on a pie slice filters by the slice under the pointer', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  await card.getByRole('combobox', { name: 'Chart' }).selectOption({ label: 'Pie' });
  const chart = card.getByTestId('answer-chart');
  await until(async () => (await chart.getAttribute('data-kind')) === 'pie', { message: 'pie drawn' });
  await page.waitForTimeout(1000);
  const categories = JSON.parse((await chart.getAttribute('data-categories')) ?? '[]');
  const box = await chart.boundingBox();
  let hit = null;
  outer: for (let fy = 0.3; fy < 0.8; fy += 0.05) {
    for (let fx = 0.3; fx < 0.7; fx += 0.02) {
      const x = box.x + box.width * fx;
      const y = box.y + box.height * fy;
      if (await pointerAt(page, chart, x, y)) {
        hit = { x, y };
        break outer;
      }
    }
  }
  assert.ok(hit, 'a pie slice under the pointer');
  await page.waitForTimeout(300);
  const tip = (await chart.innerText()).trim();
  const under = categories.find((c) => tip.includes(c));
  await page.mouse.click(hit.x, hit.y);
  const drilled = await nthCard(page, 1);
  const sql = await drilled.getByTestId('answer-sql').innerText();
  assert.match(sql, /channel\s*=\s*'[a-z]+'/i, sql);
  assert.match(sql, /tenant_id\s*=\s*'globex'/);
  const value = /channel\s*=\s*'([a-z]+)'/i.exec(sql)[1];
  if (under) assert.equal(value.toLowerCase(), under.toLowerCase(), `the slice under the pointer was ${under} (tooltip "${tip}")`);
  assert.ok(categories.some((c) => c.toLowerCase() === value.toLowerCase()), `${value} is one of ${categories}`);
});

test('drill-down by keyboard from the table: Enter on a value asks the follow-up as a new turn', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  await showTable(card);
  const cell = card.getByRole('button', { name: /SMS/ });
  await cell.focus();
  await page.keyboard.press('Enter');
  const drilled = await nthCard(page, 1);
  const sql = await drilled.getByTestId('answer-sql').innerText();
  assert.match(sql, /channel\s*=\s*'sms'/i, sql);
  assert.match(sql, /tenant_id\s*=\s*'globex'/);
  const said = await drilled.locator('p').allInnerTexts();
  assert.ok(said.some((p) => /SMS/.test(p)), `the turn says it filtered to SMS: ${JSON.stringify(said)}`);
  // The drilled turn answers with SMS only.
  await showTable(drilled);
  const t = await readTable(drilled);
  assert.equal(t.rows.length, 1);
  assert.match(t.rows[0][0], /SMS/);
  // Space works as well on another value (a real button).
  const email = card.getByRole('button', { name: /Email/ });
  await email.focus();
  await page.keyboard.press('Space');
  const third = await nthCard(page, 2);
  assert.match(await third.getByTestId('answer-sql').innerText(), /channel\s*=\s*'email'/i);
});

test('dates drill to the next grain: month → day (keyboard, from the table), year → quarter → month', async () => {
  const page = await open();
  const card = await ask(page, 'monthly messages this year');
  await waitChartDrawn(card);
  await showTable(card);
  const t = await readTable(card);
  const complete = t.rows.map((r) => r[0]).filter((l) => !/to date/i.test(l));
  assert.ok(complete.length >= 1, `complete months: ${complete}`);
  const label = complete[complete.length - 1];
  const d = new Date(`${label} UTC`);
  assert.ok(!Number.isNaN(d.getTime()), `a date label: ${label}`);
  const ym = d.toISOString().slice(0, 7);
  const btn = card.getByRole('button', { name: new RegExp(`^Drill into ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  await btn.focus();
  await page.keyboard.press('Enter');
  const drilled = await nthCard(page, 1);
  const sql = await drilled.getByTestId('answer-sql').innerText();
  assert.match(sql, /DATE_TRUNC\('day'/i, `next grain is day: ${sql}`);
  assert.ok(sql.includes(`${ym}-01`), `the range starts at ${ym}-01: ${sql}`);
  assert.match(sql, /tenant_id\s*=\s*'globex'/);
  // A year drills to its quarters, and a quarter to its months.
  const ycard = await ask(page, 'messages by year');
  await waitChartDrawn(ycard);
  await showTable(ycard);
  const yt = await readTable(ycard);
  const ylabel = yt.rows.map((r) => r[0]).find((l) => !/to date/i.test(l) && /2025/.test(l)) ?? yt.rows[0][0];
  await ycard.getByRole('button', { name: `Drill into ${ylabel}`, exact: true }).click();
  const quarters = await nthCard(page, 3);
  const qsql = await quarters.getByTestId('answer-sql').innerText();
  assert.match(qsql, /DATE_TRUNC\('quarter'/i, `year → quarter: ${qsql}`);
  await waitChartDrawn(quarters).catch(() => {});
  await showTable(quarters);
  const qt = await readTable(quarters);
  assert.ok(qt.rows.length >= 1 && qt.rows.length <= 4, `at most 4 quarters in a year: ${JSON.stringify(qt.rows)}`);
  await quarters.getByRole('button', { name: /^Drill into / }).first().click();
  const months = await nthCard(page, 4);
  const msql = await months.getByTestId('answer-sql').innerText();
  assert.match(msql, /DATE_TRUNC\('month'/i, `quarter → month: ${msql}`);
});

// ───────────────────────────────────────── Tables ─────────────────────────────────────────

test('table sort by click: aria-sort follows, rows are reordered, a second click reverses', async () => {
  const page = await open();
  const card = await ask(page, 'revenue by channel');
  await waitChartDrawn(card);
  await showTable(card);
  const channel = card.getByRole('button', { name: /^Channel/ });
  await channel.click();
  let t = await readTable(card);
  assert.equal(t.sort[0], 'ascending', `first click on a text column sorts ascending (${t.sort})`);
  assert.equal(t.sort[1], 'none');
  const names = t.rows.map((r) => r[0]);
  assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)), `A→Z: ${names}`);
  await channel.click();
  t = await readTable(card);
  assert.equal(t.sort[0], 'descending');
  assert.deepEqual(t.rows.map((r) => r[0]), [...names].reverse());
  const revenue = card.getByRole('button', { name: /^Revenue/ });
  await revenue.click();
  t = await readTable(card);
  assert.equal(t.sort[0], 'none', 'only one column is sorted');
  assert.ok(['ascending', 'descending'].includes(t.sort[1]), String(t.sort));
  const vals = t.rows.map((r) => num(r[1]));
  const want = [...vals].sort((a, b) => (t.sort[1] === 'ascending' ? a - b : b - a));
  assert.deepEqual(vals, want, `numeric order, not text order: ${vals}`);
});

test('table sort by keyboard: Enter and Space on a header sort it, with aria-sort', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  await showTable(card);
  const header = card.getByRole('button', { name: /^Messages/ });
  await header.focus();
  await page.keyboard.press('Enter');
  let t = await readTable(card);
  const first = t.sort[1];
  assert.ok(['ascending', 'descending'].includes(first), String(t.sort));
  await page.keyboard.press('Space');
  t = await readTable(card);
  const second = t.sort[1];
  assert.notEqual(second, first, 'Space reverses the order');
  const vals = t.rows.map((r) => num(r[1]));
  assert.deepEqual(vals, [...vals].sort((a, b) => (second === 'ascending' ? a - b : b - a)));
  // Tab reaches the other header from this one.
  await page.keyboard.press('Shift+Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
  assert.match(focused, /Channel/, 'the headers are in the tab order');
  await page.keyboard.press('Enter');
  t = await readTable(card);
  assert.equal(t.sort[0], 'ascending');
});

test('numbers right-aligned in the locale’s format, text left, sticky header, unit and currency in the headers', async () => {
  const page = await open();
  const card = await ask(page, 'delivery rate and messages sent by channel');
  await waitChartDrawn(card);
  await showTable(card);
  const layout = await card.getByRole('table').evaluate((t) => {
    const align = (el) => getComputedStyle(el).textAlign;
    const firstRow = t.querySelector('tbody tr');
    const ths = [...t.querySelectorAll('thead th')];
    return {
      cells: [...firstRow.querySelectorAll('td')].map(align),
      heads: ths.map(align),
      sticky: ths.map((th) => getComputedStyle(th).position),
    };
  });
  assert.ok(!['right', 'end'].includes(layout.cells[0]), `text left: ${layout.cells}`);
  assert.ok(['right', 'end'].includes(layout.cells[1]) && ['right', 'end'].includes(layout.cells[2]), `numbers right: ${layout.cells}`);
  assert.ok(['right', 'end'].includes(layout.heads[2]), `a number column's header is right-aligned too: ${layout.heads}`);
  assert.ok(layout.sticky.every((p) => p === 'sticky'), `sticky header: ${layout.sticky}`);
  const t = await readTable(card);
  for (const r of t.rows) {
    assert.match(r[1], /^\d{1,3}(\.\d)?\s?%$/, `a rate as a percentage: ${r[1]}`);
    assert.match(r[2], /^\d{1,3}(,\d{3})*$/, `a count with thousands separators: ${r[2]}`);
  }
  assert.match(t.headers[1], /%/, `the rate's unit in its header: ${t.headers}`);
  // Money: the currency in the header, two decimals.
  const money = await ask(page, 'revenue by channel');
  await waitChartDrawn(money);
  await showTable(money);
  const mt = await readTable(money);
  assert.equal(mt.headers.length, 2, `only the columns meant to be shown: ${mt.headers}`);
  assert.match(mt.headers[1], /Revenue.*\b(MXN)\b/, `currency in the header: ${mt.headers[1]}`);
  for (const r of mt.rows) assert.match(r[1], /^-?\d{1,3}(,\d{3})*\.\d{2}$/, `money with 2 decimals: ${r[1]}`);
});

test('CSV export holds exactly what is shown: the columns and the order of the sorted table', async () => {
  const page = await open();
  const card = await ask(page, 'revenue by channel');
  await waitChartDrawn(card);
  await showTable(card);
  await card.getByRole('button', { name: /^Channel/ }).click(); // A→Z, not the answer's own order
  const t = await readTable(card);
  const { download } = await exportAs(page, card, 'CSV');
  const lines = (await downloadText(download)).replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  assert.equal(header.length, t.headers.length, `CSV columns = columns shown: ${lines[0]} vs ${t.headers}`);
  assert.ok(!/missing_fx/i.test(lines[0]), 'no hidden helper column');
  const csvFirst = lines.slice(1).map((l) => l.split(',')[0].replace(/"/g, '').toLowerCase());
  assert.deepEqual(csvFirst, t.rows.map((r) => r[0].toLowerCase()), 'same rows, same order');
  const csvVals = lines.slice(1).map((l) => Number(l.split(',').at(-1).replace(/"/g, '')));
  t.rows.forEach((r, i) => assert.ok(Math.abs(csvVals[i] - num(r[1])) < 0.01, `row ${i}: ${csvVals[i]} vs ${r[1]}`));
});

// ───────────────────────────────────────── Chart controls ─────────────────────────────────────────

test('chart kinds offered fit the data, and switching redraws as that kind', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  const chart = await waitChartDrawn(card);
  const kind = card.getByRole('combobox', { name: 'Chart' });
  const labels = await kind.locator('option').allInnerTexts();
  for (const want of ['Bars', 'Line', 'Area', 'Pie', 'Table']) assert.ok(labels.includes(want), `${want} offered: ${labels}`);
  for (const [label, k] of [['Line', 'line'], ['Area', 'area'], ['Pie', 'pie'], ['Bars', 'bar']]) {
    await kind.selectOption({ label });
    await until(async () => (await chart.getAttribute('data-kind')) === k, { message: `chart drawn as ${k}` });
  }
  await kind.selectOption({ label: 'Table' });
  await card.getByRole('table').waitFor();
  // A time series offers no pie; a single number offers a big number (KPI).
  const series = await ask(page, 'monthly messages this year');
  await waitChartDrawn(series);
  const sLabels = await series.getByRole('combobox', { name: 'Chart' }).locator('option').allInnerTexts();
  assert.ok(!sLabels.includes('Pie'), `no pie for a time series: ${sLabels}`);
  const kpi = await ask(page, 'How many contacts do we have?');
  const kLabels = await kpi.getByRole('combobox', { name: 'Chart' }).locator('option').allInnerTexts();
  assert.ok(kLabels.some((l) => /big number|kpi/i.test(l)), `a KPI kind for one number: ${kLabels}`);
  assert.equal(await kpi.getByTestId('answer-chart').getAttribute('data-kind'), 'kpi');
});

test('a rate next to a count gets a second axis (scales differ), by default', async () => {
  const page = await open();
  const card = await ask(page, 'delivery rate and messages sent by channel');
  await waitChartDrawn(card);
  const measure = card.getByRole('combobox', { name: 'Measure' });
  const mLabels = await measure.locator('option').allInnerTexts();
  assert.ok(mLabels.includes('Delivery rate') && mLabels.includes('Messages sent'), `measures: ${mLabels}`);
  const second = card.getByRole('checkbox', { name: /second axis/i });
  assert.equal(await second.count(), 1, 'a second-axis control');
  assert.equal(await second.isChecked(), true, 'the rate and the count are drawn on separate axes without the user asking');
});

test('chart kind and measure are kept by the saved analysis after a reload', async () => {
  const page = await open();
  const card = await ask(page, 'delivery rate and messages sent by channel');
  await waitChartDrawn(card);
  await card.getByRole('combobox', { name: 'Chart' }).selectOption({ label: 'Pie' });
  await card.getByRole('combobox', { name: 'Measure' }).selectOption({ label: 'Messages sent' });
  await until(async () => (await card.getByTestId('answer-chart').getAttribute('data-kind')) === 'pie', { message: 'pie' });
  const name = uniq('Kept pie');
  await card.getByRole('button', { name: 'Save', exact: true }).click();
  await card.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await card.getByRole('button', { name: 'Save analysis' }).click();
  await card.getByRole('status').filter({ hasText: name }).waitFor();
  await page.reload();
  await page.waitForSelector('html.ready');
  await page.getByRole('link', { name: 'Saved analyses' }).click();
  await page.getByRole('searchbox').fill(name);
  const item = page.getByTestId('saved-item').filter({ hasText: name });
  await item.getByRole('button', { name: 'Open' }).click();
  const opened = page.getByTestId('answer-card').filter({ has: page.getByRole('heading', { name }) });
  await opened.waitFor();
  assert.equal(await opened.getByRole('combobox', { name: 'Chart' }).inputValue(), 'pie');
  assert.equal(await opened.getByTestId('answer-chart').getAttribute('data-kind'), 'pie');
  const m = opened.getByRole('combobox', { name: 'Measure' });
  const selected = await m.evaluate((s) => s.options[s.selectedIndex].textContent.trim());
  assert.equal(selected, 'Messages sent');
});

test('the saved chart choice is used by its exports (SVG of a pie differs from the bars)', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  const bars = await downloadText((await exportAs(page, card, 'Image (SVG)')).download);
  await card.getByRole('combobox', { name: 'Chart' }).selectOption({ label: 'Pie' });
  await until(async () => (await card.getByTestId('answer-chart').getAttribute('data-kind')) === 'pie', { message: 'pie' });
  const pie = await downloadText((await exportAs(page, card, 'Image (SVG)')).download);
  // The export is drawn by the server: slices are polygons, bars come with axis grid lines.
  const count = (svg, tag) => (svg.match(new RegExp(`<${tag}\\b`, 'g')) ?? []).length;
  assert.notEqual(pie, bars);
  assert.ok(count(pie, 'polygon') >= 3, `the pie SVG draws 3 slices (${count(pie, 'polygon')} polygons)`);
  assert.equal(count(pie, 'line'), 0, 'no axes in the pie');
  assert.ok(count(bars, 'line') > 0 && count(bars, 'polygon') === 0, 'the bars SVG has axes and no slices');
});

// ───────────────────────────────────────── Empty, SQL edits ─────────────────────────────────────────

test('an empty answer says "no data" with its filters, and draws no big empty chart', async () => {
  const page = await open();
  const card = await ask(page, 'messages sent by channel for whatsapp in March 2019');
  const empty = card.getByRole('status').filter({ hasText: /no data/i });
  await empty.waitFor();
  const said = await empty.innerText();
  assert.match(said, /WhatsApp/, `names the filter: ${said}`);
  assert.match(said, /March 2019/, `names the period: ${said}`);
  assert.equal(await card.getByTestId('answer-chart').count(), 0, 'no chart box');
  assert.equal(await card.locator('canvas').count(), 0, 'no canvas');
  const h = (await card.boundingBox()).height;
  assert.ok(h < 260, `a compact card, not a big empty frame (${h}px)`);
  assert.equal(await card.getByRole('button', { name: 'Show table' }).count(), 0, 'nothing to toggle');
});

test('editing the SQL makes a new turn below and keeps the original answer', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  const original = await card.getByTestId('answer-sql').innerText();
  const originalSummary = await card.getByTestId('answer-summary').innerText();
  await card.getByTestId('sql-toggle').click();
  const editor = card.getByRole('textbox', { name: /SQL/ });
  await editor.waitFor();
  await editor.fill(`SELECT channel, COUNT(*) AS messages FROM marts.fct_messages WHERE channel <> 'sms' GROUP BY channel ORDER BY messages DESC`);
  await card.getByRole('button', { name: /run edited sql/i }).click();
  const edited = await nthCard(page, 1);
  const sql = await edited.getByTestId('answer-sql').innerText();
  assert.match(sql, /<> 'sms'/);
  assert.match(sql, /tenant_id\s*=\s*'globex'/, 'through the guard');
  assert.match(await edited.innerText(), /2 rows/);
  // The original is still there, as it was.
  assert.equal(await cards(page).count(), 2);
  assert.equal(await cards(page).first().getByTestId('answer-sql').innerText(), original);
  assert.equal(await cards(page).first().getByTestId('answer-summary').innerText(), originalSummary);
  assert.match(await cards(page).first().innerText(), /3 rows/);
});

// ───────────────────────────────────────── Saving is explicit ─────────────────────────────────────────

test('Export never creates a saved analysis, in any format', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  const before = (await savedList(page)).length;
  for (const f of ['CSV', 'Excel (XLSX)', 'PDF report', 'Image (PNG)', 'Image (SVG)']) await exportAs(page, card, f);
  assert.equal((await savedList(page)).length, before, 'no saved analysis appeared');
  const save = card.getByTestId('save-analysis');
  assert.equal((await save.innerText()).trim(), 'Save', 'the answer is still unsaved');
  assert.equal(await save.isDisabled(), false);
});

test('a name being typed in Save survives an export, and is the one saved', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  const before = (await savedList(page)).length;
  const name = uniq('Typed name');
  await card.getByTestId('save-analysis').click();
  await card.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await exportAs(page, card, 'CSV');
  assert.equal((await savedList(page)).length, before);
  if (!(await card.getByRole('textbox', { name: 'Name', exact: true }).isVisible())) await card.getByTestId('save-analysis').click();
  assert.equal(await card.getByRole('textbox', { name: 'Name', exact: true }).inputValue(), name, 'the typed name is not lost');
  await card.getByRole('button', { name: 'Save analysis' }).click();
  await until(async () => (await savedList(page)).some((s) => s.name === name), { message: 'saved under the typed name' });
  assert.equal((await savedList(page)).length, before + 1);
});

test('Pin of an unsaved answer asks for its name first; Cancel saves nothing', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  const before = (await savedList(page)).length;
  await card.getByRole('button', { name: 'Pin to dashboard' }).click();
  const nameBox = card.getByRole('textbox', { name: 'Name', exact: true });
  await nameBox.waitFor();
  assert.ok(await nameBox.evaluate((el) => el === document.activeElement), 'focus in the name field');
  assert.match(await card.innerText(), /not saved yet/i);
  await card.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await savedList(page)).length, before, 'cancel saved nothing');
  await card.getByRole('button', { name: 'Pin to dashboard' }).click();
  const name = uniq('Pinned');
  await nameBox.fill(name);
  const dash = card.getByRole('combobox', { name: 'Dashboard' });
  if (await dash.count()) await dash.selectOption({ label: 'New dashboard…' });
  await card.getByRole('textbox', { name: 'New dashboard name' }).fill(uniq('Pin board'));
  await card.getByRole('button', { name: /pin/i }).filter({ hasText: /save and pin|pin/i }).last().click();
  await card.getByRole('status').filter({ hasText: /Pinned/ }).waitFor();
  const after = await savedList(page);
  assert.equal(after.length, before + 1, 'exactly one saved analysis');
  assert.ok(after.some((s) => s.name === name), 'saved under the name given');
});

test('Save moves focus to the name field; Esc closes the export menu and gives focus back', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  await card.getByTestId('save-analysis').focus();
  await page.keyboard.press('Enter');
  const nameBox = card.getByRole('textbox', { name: 'Name', exact: true });
  await nameBox.waitFor();
  assert.ok(await nameBox.evaluate((el) => el === document.activeElement), 'focus in the name field');
  await card.getByRole('button', { name: 'Cancel' }).click();
  const exportBtn = card.getByTestId('export-button');
  await exportBtn.click();
  const menu = card.getByRole('group', { name: /Export as/ });
  await menu.waitFor();
  assert.equal(await exportBtn.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden' });
  assert.equal(await exportBtn.getAttribute('aria-expanded'), 'false');
  assert.ok(await exportBtn.evaluate((el) => el === document.activeElement), 'focus back on Export');
});

// ───────────────────────────────────────── File names ─────────────────────────────────────────

test('files are named “Title – YYYY-MM-DD.ext” with an en dash, and the message names the file', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  const dates = okDates();
  for (const [format, ext] of [['CSV', 'csv'], ['Excel (XLSX)', 'xlsx'], ['PDF report', 'pdf'], ['Image (PNG)', 'png'], ['Image (SVG)', 'svg']]) {
    const { name, disposition } = await exportAs(page, card, format);
    const m = /^Messages by channel \u2013 (\d{4}-\d{2}-\d{2})\.(\w+)$/.exec(name);
    assert.ok(m, `${format}: ${name}`);
    assert.ok(dates.has(m[1]), `${format}: dated ${m[1]} (${[...dates]})`);
    assert.equal(m[2], ext);
    if (disposition) assert.equal(dispositionName(disposition), name, `the server's name: ${disposition}`);
    const status = card.getByRole('status').filter({ hasText: name });
    await status.waitFor();
    assert.match(await status.innerText(), /Exported/);
  }
});

test('a saved analysis with characters no OS accepts still exports under a safe name', async () => {
  const page = await open();
  const card = await ask(page, 'messages by channel');
  await waitChartDrawn(card);
  const stamp = Date.now();
  const name = `Q4/Plan: "North" ${stamp}? <a>|b* \\ end`;
  await card.getByTestId('save-analysis').click();
  await card.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await card.getByRole('button', { name: 'Save analysis' }).click();
  await until(async () => (await savedList(page)).some((s) => s.name === name), { message: 'saved' });
  await page.getByRole('link', { name: 'Saved analyses' }).click();
  await page.getByRole('searchbox').fill(String(stamp));
  await page.getByTestId('saved-item').filter({ hasText: String(stamp) }).getByRole('button', { name: 'Open' }).click();
  const opened = page.getByTestId('answer-card').filter({ hasText: String(stamp) });
  await opened.waitFor();
  for (const format of ['CSV', 'PDF report']) {
    const { name: file, disposition } = await exportAs(page, opened, format);
    const server = dispositionName(disposition);
    for (const n of [file, server].filter(Boolean)) {
      assert.ok(!UNSAFE.test(n), `${format}: no character an OS refuses in ${JSON.stringify(n)}`);
      assert.ok(n.includes(String(stamp)) && /Q4/.test(n) && /North/.test(n), `${format}: still named from the content: ${n}`);
      assert.match(n, / \u2013 \d{4}-\d{2}-\d{2}\.(csv|pdf)$/);
      assert.ok(n.length <= 255, 'not longer than a file name can be');
    }
  }
});

// ───────────────────────────────────────── Spanish ─────────────────────────────────────────

test('a Spanish answer exports under a Spanish name, and the message is Spanish', async () => {
  const page = await open({ locale: 'es-419' });
  const card = await ask(page, 'ingresos por canal');
  await waitChartDrawn(card);
  await card.getByTestId('export-button').click();
  const menu = card.getByRole('group', { name: /Exportar como/ });
  await menu.waitFor();
  const { name } = await exportAs(page, card, 'CSV');
  const m = /^Ingresos por canal \u2013 (\d{4}-\d{2}-\d{2})\.csv$/.exec(name);
  assert.ok(m, name);
  const status = card.getByRole('status').filter({ hasText: name });
  await status.waitFor();
  assert.match(await status.innerText(), /export/i);
  assert.ok(!/Exported/.test(await status.innerText()), 'not in English');
  const pdf = await exportAs(page, card, 'Informe PDF');
  assert.match(pdf.name, /^Ingresos por canal \u2013 \d{4}-\d{2}-\d{2}\.pdf$/);
});

test('Spanish chosen in Settings: controls, table headers, numbers and drill-down in Spanish, kept after reload', async () => {
  const page = await open();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByTestId('language-select').selectOption({ label: 'Español' });
  await page.reload();
  await page.waitForSelector('html.ready');
  await page.locator('nav a[href="#/chat"]').click();
  const card = await ask(page, 'ingresos por canal');
  await waitChartDrawn(card);
  assert.equal(await card.getByRole('group', { name: 'Opciones del gráfico' }).count(), 1);
  assert.match(await card.getByTestId('answer-summary').innerText(), /\d{1,3}(\.\d{3})+,\d{2}/, 'Spanish number format');
  await showTable(card);
  const t = await readTable(card);
  assert.match(t.headers[0], /Canal/);
  assert.match(t.headers[1], /Ingresos.*MXN/);
  for (const r of t.rows) assert.match(r[1], /^-?\d{1,3}(\.\d{3})*,\d{2}$/, `Spanish money format: ${r[1]}`);
  await card.getByRole('button', { name: /WhatsApp/ }).click();
  const drilled = await nthCard(page, 1);
  const said = (await drilled.locator('p').allInnerTexts()).join(' | ');
  assert.match(said, /WhatsApp/);
  assert.ok(!/Filtered|Drill into|You asked/.test(await page.getByRole('main').innerText()), `no English left: ${said}`);
});

// ───────────────────────────────────────── Raw values ─────────────────────────────────────────

const RAW = /\b(offline|embedded|analyst|partner_admin|platform_admin|undefined|NaN|null|not_understood|guard_rejected|snowflake_error|missing_fx_rate_rows)\b|\[object Object\]/;

async function visibleText(page, questions) {
  let text = await page.evaluate(() => {
    const clone = document.body.cloneNode(true);
    clone.querySelectorAll('[data-testid="answer-sql"], code, textarea, pre, script, style').forEach((n) => n.remove());
    return clone.innerText ?? clone.textContent;
  });
  for (const q of questions) text = text.split(q).join(' ');
  return text;
}

for (const [lang, locale, questions] of [
  ['English', 'en-US', ['revenue by channel', 'delivery rate and messages sent by channel', 'messages sent by channel for whatsapp in March 2019']],
  ['Spanish', 'es-419', ['ingresos por canal', 'tasa de entrega y mensajes enviados por canal', 'mensajes enviados por canal para whatsapp en marzo de 2019']],
]) {
  test(`no raw values on screen (${lang}): chat, drill, saved, dashboards, settings`, async () => {
    const page = await open({ locale });
    const found = [];
    const check = async (where) => {
      const t = await visibleText(page, questions);
      const m = RAW.exec(t);
      if (m) found.push(`${where}: “${m[0]}” in …${t.slice(Math.max(0, m.index - 60), m.index + 60).replace(/\s+/g, ' ')}…`);
    };
    for (const q of questions) {
      const c = await ask(page, q);
      await page.waitForTimeout(300);
      if (await c.getByTestId('answer-chart').count()) await waitChartDrawn(c).catch(() => {});
    }
    await showTable(cards(page).first());
    await cards(page).first().getByRole('button', { name: /WhatsApp/ }).click();
    await nthCard(page, questions.length);
    await check('chat');
    await page.locator('nav a[href="#/saved"]').click();
    await page.waitForTimeout(500);
    await check('saved');
    await page.locator('nav a[href="#/dashboards"]').click();
    await page.waitForTimeout(800);
    await check('dashboards');
    await page.locator('nav a[href="#/settings"]').click();
    await page.waitForTimeout(300);
    await check('settings');
    assert.deepEqual(found, []);
  });
}

// ───────────────────────────────────────── Dashboards ─────────────────────────────────────────

/**
 * A new dashboard of globex with one tile per question (each answer saved and pinned from Chat), opened on the
 * Dashboards screen. Resolves with its name, the tiles' names and the dashboard region.
 */
async function makeDashboard(page, questions = ['messages by channel', 'revenue by channel']) {
  const board = uniq('Board');
  const tileNames = [];
  for (const [i, q] of questions.entries()) {
    const card = await ask(page, q);
    await waitChartDrawn(card);
    await card.getByRole('button', { name: 'Pin to dashboard' }).click();
    const tname = uniq(`Tile${i + 1}`);
    tileNames.push(tname);
    await card.getByRole('textbox', { name: 'Name', exact: true }).fill(tname);
    const which = card.getByRole('combobox', { name: 'Dashboard' });
    if (i === 0) {
      if (await which.count()) await which.selectOption({ label: 'New dashboard…' });
      await card.getByRole('textbox', { name: 'New dashboard name' }).fill(board);
    } else {
      await which.selectOption({ label: board });
    }
    await card.getByRole('button', { name: 'Save and pin' }).click();
    await card.getByRole('status').filter({ hasText: board }).waitFor();
  }
  await openBoard(page, board);
  return { board, tileNames };
}

/** Goes to Dashboards and opens `board` (by its name in the picker). */
async function openBoard(page, board) {
  if (!page.url().includes('#/dashboards')) {
    const h = await page.locator('main h2').first().innerText();
    await page.locator('nav a[href="#/dashboards"]').click();
    await until(async () => (await page.locator('main h2').first().innerText()) !== h, { message: 'the Dashboards screen' });
  }
  const picker = page.locator('main select').first();
  await picker.waitFor();
  const current = await picker.evaluate((s) => s.options[s.selectedIndex]?.textContent.trim());
  if (current !== board) await picker.selectOption({ label: board });
  await page.locator('main h3').filter({ hasText: board }).first().waitFor();
}

async function reloadBoard(page, board) {
  await page.reload();
  await page.waitForSelector('html.ready');
  await openBoard(page, board);
}

const tilesOf = (page) => page.getByRole('main').getByRole('article', { name: /^(Tile|Mosaico|Panel|Elemento|Bloque) \d+ /i });

async function tileOrder(page) {
  await tilesOf(page).first().waitFor();
  return tilesOf(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label').replace(/^.*?:\s*/, '')));
}

/** Strings drawn in a PDF's content streams (literal and hex), inflating compressed streams. */
async function pdfStrings(buf) {
  const { inflateSync } = await import('node:zlib');
  const raw = buf.toString('latin1');
  let content = '';
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)endstream/g)) {
    let data = Buffer.from(m[1], 'latin1');
    try {
      data = inflateSync(data);
    } catch {
      /* not compressed */
    }
    content += data.toString('latin1') + '\n';
  }
  const out = [];
  for (const m of content.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj|<([0-9A-Fa-f\s]+)>\s*Tj/g)) {
    if (m[1] !== undefined) out.push(m[1].replace(/\\([()\\])/g, '$1'));
    else out.push(Buffer.from(m[2].replace(/\s/g, ''), 'hex').toString('latin1'));
  }
  // TJ arrays as well.
  for (const m of content.matchAll(/\[((?:\([^)]*\)|<[0-9A-Fa-f]*>|[\s\d.-])*)\]\s*TJ/g)) {
    out.push(
      [...m[1].matchAll(/\(([^)]*)\)|<([0-9A-Fa-f]*)>/g)].map((x) => (x[1] !== undefined ? x[1] : Buffer.from(x[2], 'hex').toString('latin1'))).join(''),
    );
  }
  return { text: out.join('\n'), pages: (raw.match(/\/Type\s*\/Page\b/g) ?? []).length, compressed: /FlateDecode/.test(raw) };
}

test('dashboard: rename is kept after a reload; delete asks first, “keep” keeps it, “delete” removes it for good', async () => {
  const page = await open();
  const { board } = await makeDashboard(page, ['messages by channel']);
  const main = page.getByRole('main');
  await main.getByRole('button', { name: 'Rename' }).click();
  const field = main.getByRole('textbox', { name: 'Dashboard name', exact: true });
  await field.waitFor();
  assert.ok(await field.evaluate((el) => el === document.activeElement), 'focus in the name field');
  const renamed = uniq('Renamed board');
  await field.fill(renamed);
  await main.getByRole('button', { name: 'Save name' }).click();
  await main.getByRole('heading', { level: 3 }).filter({ hasText: renamed }).first().waitFor();
  await reloadBoard(page, renamed);
  const options = await main.locator('select').first().locator('option').allInnerTexts();
  assert.ok(options.includes(renamed) && !options.includes(board), `renamed for good: ${options}`);

  await main.getByRole('button', { name: 'Delete dashboard' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), new RegExp(renamed));
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.ok((await main.locator('select').first().locator('option').allInnerTexts()).includes(renamed), 'kept');
  await main.getByRole('button', { name: 'Delete dashboard' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Yes, delete' }).click();
  // (The confirmation message names the deleted dashboard: look at the picker, not the whole screen.)
  const listed = async () => (await page.locator('main select').first().locator('option').allInnerTexts()).map((o) => o.trim());
  await until(async () => !(await listed()).includes(renamed), { message: 'dashboard gone' });
  await page.reload();
  await page.waitForSelector('html.ready');
  await page.locator('nav a[href="#/dashboards"]').click();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  await page.waitForTimeout(500);
  assert.ok(!(await listed()).includes(renamed), 'still gone after a reload');
});

test('dashboard: tiles reorder by keyboard (Alt+arrow) and by drag, kept after a reload', async () => {
  const page = await open();
  const { board, tileNames } = await makeDashboard(page);
  const [a, b] = tileNames;
  assert.deepEqual(await tileOrder(page), [a, b]);
  const handleA = tilesOf(page).filter({ hasText: a }).getByRole('button', { name: `Move “${a}”` });
  await handleA.focus();
  await page.keyboard.press('Alt+ArrowDown');
  await until(async () => JSON.stringify(await tileOrder(page)) === JSON.stringify([b, a]), { message: 'A moved after B' });
  const stillFocused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  assert.equal(stillFocused, `Move “${a}”`, 'focus follows the moved tile');
  await reloadBoard(page, board);
  assert.deepEqual(await tileOrder(page), [b, a], 'keyboard order kept after a reload');
  // Drag A's handle onto B (now first): A goes first again.
  const src = tilesOf(page).filter({ hasText: a }).getByRole('button', { name: `Move “${a}”` });
  // With the pointer, as a person drags (Playwright's dragTo starts no HTML5 drag when the target tile runs past the
  // bottom of a 720 px window); dropped on the middle of B, its chart.
  const from = await src.boundingBox();
  const to = await tilesOf(page).filter({ hasText: b }).boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 3, to.y + Math.min(to.height / 2, 300), { steps: 5 });
  await page.mouse.up();
  await until(async () => JSON.stringify(await tileOrder(page)) === JSON.stringify([a, b]), { message: 'A dragged before B' });
  await reloadBoard(page, board);
  assert.deepEqual(await tileOrder(page), [a, b], 'dragged order kept after a reload');
});

test('dashboard: resize, a text tile, and removing a tile asks first, all kept after a reload', async () => {
  const page = await open();
  const { board, tileNames } = await makeDashboard(page);
  const [a, b] = tileNames;
  const tileA = () => tilesOf(page).filter({ hasText: a });
  const tileB = () => tilesOf(page).filter({ hasText: b });
  await tileA().getByRole('combobox', { name: 'Width' }).selectOption({ label: 'Full width' });
  await tileA().getByRole('combobox', { name: 'Height' }).selectOption({ label: 'Large' });
  await until(async () => (await tileA().boundingBox()).width > 1.6 * (await tileB().boundingBox()).width, { message: 'A is wider' });
  const tallBefore = (await tileA().boundingBox()).height;
  assert.ok(tallBefore > (await tileB().boundingBox()).height, 'A is taller');

  const note = `Note for the team ${Date.now()}`;
  const main = page.getByRole('main');
  await main.getByRole('button', { name: 'Add text' }).click();
  await main.getByRole('textbox', { name: 'Text' }).fill(note);
  await main.getByRole('button', { name: 'Add to dashboard' }).click();
  await tilesOf(page).filter({ hasText: note }).waitFor();

  await reloadBoard(page, board);
  assert.equal(await tileA().getByRole('combobox', { name: 'Width' }).evaluate((s) => s.options[s.selectedIndex].textContent.trim()), 'Full width');
  assert.equal(await tileA().getByRole('combobox', { name: 'Height' }).evaluate((s) => s.options[s.selectedIndex].textContent.trim()), 'Large');
  assert.ok((await tileA().boundingBox()).width > 1.6 * (await tileB().boundingBox()).width, 'still wide after a reload');
  assert.equal(await tilesOf(page).filter({ hasText: note }).count(), 1, 'the text tile is kept');
  assert.equal(await tilesOf(page).count(), 3);

  // Removing asks first: Keep it keeps the tile; Yes, remove removes it, for good.
  await tilesOf(page).filter({ hasText: note }).getByRole('button', { name: 'Remove from dashboard' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await tilesOf(page).count(), 3, 'kept');
  await tilesOf(page).filter({ hasText: b }).getByRole('button', { name: 'Remove from dashboard' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Yes, remove' }).click();
  await until(async () => (await tilesOf(page).count()) === 2, { message: 'tile removed' });
  await reloadBoard(page, board);
  assert.equal(await tilesOf(page).count(), 2);
  assert.equal(await tilesOf(page).filter({ hasText: b }).count(), 0, 'removed for good');
  // Removing a tile keeps its saved analysis.
  assert.ok((await savedList(page)).some((s) => s.name === b), 'the saved analysis stays');
});

test('dashboard filters (date range + channel) change every tile, are kept, and are shown on its PDF', async () => {
  const page = await open();
  const { board, tileNames } = await makeDashboard(page);
  const main = page.getByRole('main');
  const rowsOf = async (name) => {
    const t = await tilesOf(page).filter({ hasText: name }).innerText();
    const m = /(\d[\d,]*) rows?\b/.exec(t);
    return m ? num(m[1]) : NaN;
  };
  const before = await Promise.all(tileNames.map(rowsOf));
  assert.ok(before.every((n) => n > 1), `several channels per tile before: ${before}`);
  const year = new Date().getUTCFullYear();
  await main.getByRole('textbox', { name: 'From' }).fill(`${year}-01-01`);
  await main.getByRole('button', { name: /^Channel/ }).click();
  await main.getByRole('checkbox', { name: 'WhatsApp' }).check();
  await main.getByRole('button', { name: 'Done' }).click();
  await main.getByRole('button', { name: 'Apply filters' }).click();
  await until(async () => (await Promise.all(tileNames.map(rowsOf))).every((n) => n === 1), { message: 'every tile filtered to one channel' });
  // Each tile shows WhatsApp only.
  for (const name of tileNames) {
    const tile = tilesOf(page).filter({ hasText: name });
    await tile.getByRole('button', { name: 'Show table' }).click();
    const cells = await tile.getByRole('table').locator('tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(cells.map((c) => c.trim()), ['WhatsApp'], `${name}: ${cells}`);
  }
  const active = main.getByRole('list', { name: 'Active filters' });
  assert.match(await active.innerText(), /WhatsApp/);
  assert.match(await active.innerText(), new RegExp(String(year)));

  await reloadBoard(page, board);
  assert.equal(await main.getByRole('textbox', { name: 'From' }).inputValue(), `${year}-01-01`, 'the date range is kept');
  assert.match(await main.getByRole('button', { name: /^Channel/ }).innerText(), /WhatsApp/, 'the channel is kept');
  await until(async () => (await Promise.all(tileNames.map(rowsOf))).every((n) => n === 1), { message: 'still filtered after a reload' });

  // The dashboard's PDF says which filters it used, and holds every row.
  let headers = {};
  const onResponse = (r) => {
    if (r.headers()['content-disposition']) headers = r.headers();
  };
  page.on('response', onResponse);
  const [download] = await Promise.all([page.waitForEvent('download'), main.getByRole('button', { name: 'Export PDF' }).click()]);
  const buf = readFileSync(await download.path());
  page.off('response', onResponse);
  assert.match(download.suggestedFilename(), new RegExp(`^${board} \u2013 \\d{4}-\\d{2}-\\d{2}\\.pdf$`));
  assert.equal(buf.slice(0, 5).toString(), '%PDF-');
  const pdf = await pdfStrings(buf);
  if (pdf.text.length > 0) {
    assert.match(pdf.text, /Filter/i, 'the PDF names its filters');
    assert.match(pdf.text, /whatsapp/i, 'the channel filter');
    assert.match(pdf.text, new RegExp(`${year}`), 'the date range');
    assert.ok(!/more rows/i.test(pdf.text), 'no row silently dropped');
    for (const name of tileNames) assert.ok(pdf.text.includes(name), `${name} in the PDF`);
  } else {
    assert.ok(pdf.pages >= 1, 'a compressed PDF with pages');
    if (headers['x-export-rows']) assert.equal(Number(headers['x-export-rows']), 2);
  }
});

test('dashboard: Refresh all shows each tile’s new “as of” time and no failure', async () => {
  const page = await open();
  const { tileNames } = await makeDashboard(page);
  await page.waitForTimeout(1500);
  const t0 = Date.now();
  await page.getByRole('main').getByRole('button', { name: 'Refresh all' }).click();
  const asOf = async (name) => {
    const badge = tilesOf(page).filter({ hasText: name }).getByText(/^As of /).first();
    const iso = await badge.getAttribute('title');
    if (iso && !Number.isNaN(Date.parse(iso))) return { t: Date.parse(iso), text: await badge.innerText(), precise: true };
    const text = await badge.innerText();
    return { t: Date.parse(`${text.replace(/^As of\s*/, '')} UTC`), text, precise: false };
  };
  await until(
    async () => {
      const all = await Promise.all(tileNames.map(asOf));
      return all.every((x) => (x.precise ? x.t >= t0 - 1000 : x.t >= Math.floor(t0 / 60_000) * 60_000));
    },
    { message: 'every tile as of the refresh' },
  );
  for (const name of tileNames) {
    const text = await tilesOf(page).filter({ hasText: name }).innerText();
    assert.ok(!/fail|error|cached/i.test(text), `${name} refreshed fine: ${text}`);
  }
});

test('dashboard in Spanish: screen strings and its PDF (dates, filters) in Spanish', async () => {
  const page = await open();
  const { board } = await makeDashboard(page, ['messages by channel']);
  const es = await open({ locale: 'es-419' });
  await openBoard(es, board);
  const main = es.getByRole('main');
  await main.getByRole('region').filter({ has: es.getByRole('heading', { level: 4 }) }).first().waitFor();
  const text = await main.innerText();
  for (const en of ['Refresh all', 'Add text', 'Export PDF', 'Dashboard filters', 'Apply filters', 'Remove from dashboard', 'Drag to reorder', 'As of', 'Width', 'Height', 'rows']) {
    assert.ok(!text.includes(en), `“${en}” is not translated`);
  }
  // A channel filter, then the PDF.
  await main.getByRole('button', { name: /^Canal/ }).click();
  await main.getByRole('checkbox', { name: 'WhatsApp' }).check();
  await main.getByRole('dialog').getByRole('button').last().click(); // the popover's own close button
  await main.getByRole('button', { name: /^Aplicar/ }).click();
  await main.getByRole('list').filter({ hasText: 'WhatsApp' }).first().waitFor();
  const exportPdf = main.getByRole('button', { name: /^Exportar PDF/ });
  const [download] = await Promise.all([es.waitForEvent('download'), exportPdf.click()]);
  assert.match(download.suggestedFilename(), new RegExp(`^${board} \u2013 \\d{4}-\\d{2}-\\d{2}\\.pdf$`));
  const pdf = await pdfStrings(readFileSync(await download.path()));
  if (pdf.text.length > 0) {
    assert.ok(!/As of|Filters:|Dates:|rows\b/.test(pdf.text), `English left in the PDF: ${pdf.text.slice(0, 400)}`);
    assert.match(pdf.text, /Filtros/, 'filters named in Spanish');
    assert.match(pdf.text, /\b(dic|ene|nov)\.?\b/i, 'a Spanish date');
  } else {
    assert.ok(pdf.pages >= 1);
  }
});
