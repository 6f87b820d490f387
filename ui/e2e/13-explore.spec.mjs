// (m) Exploring an answer: sort the table (mouse and keyboard) and export exactly what it shows, switch the chart
// and keep the choice with the saved analysis, drill down from a bar and from the table (a date drills to the next
// grain), edit the SQL into a new turn, an empty answer, and explicit saving (Export and Pin never save on their own).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { AS_OF, ask, launch, newContext, openApp, server, until, waitChartDrawn } from './harness.mjs';

/** The rows of the answer's table, as text. */
async function tableRows(card) {
  return card.getByTestId('answer-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
}

/** The saved analyses of the page's user, through the API the UI uses. */
async function savedList(page, token) {
  return page.evaluate(async (t) => (await fetch('/api/saved', { headers: { Authorization: `Bearer ${t}` } })).json(), token);
}

async function exportFrom(page, card, fmt) {
  await card.getByTestId('export-button').click();
  const [download] = await Promise.all([page.waitForEvent('download'), card.getByTestId(`export-${fmt}`).click()]);
  const name = download.suggestedFilename();
  await card.getByRole('status').filter({ hasText: name }).waitFor();
  return { name, bytes: await readFile(await download.path()) };
}

describe('explore an answer', () => {
  let srv, browser, context, page, token;

  before(async () => {
    srv = await server();
    token = srv.tokens.globex;
    browser = await launch();
    context = await newContext(browser);
    page = await openApp(context, srv.base, token);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('sorts the table by mouse and keyboard and exports the CSV in that order, named from its title and date', async () => {
    const card = await ask(page, 'messages by channel last month');
    await waitChartDrawn(card);
    await card.getByTestId('table-toggle').click();
    const header = card.getByTestId('answer-table').locator('th').nth(1);
    assert.match((await header.textContent()) ?? '', /messages/i);
    // Numbers sort largest first on the first click, then smallest first.
    await card.getByTestId('sort-messages').click();
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    await card.getByTestId('sort-messages').focus();
    await page.keyboard.press('Enter');
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    const rows = await tableRows(card);
    const counts = rows.map((r) => Number(r[1].replace(/[^\d]/g, '')));
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b));
    // Numbers are right-aligned.
    assert.equal(await card.getByTestId('answer-table').locator('td').nth(1).evaluate((td) => getComputedStyle(td).textAlign), 'right');

    const saved = (await savedList(page, token)).length;
    const { name, bytes } = await exportFrom(page, card, 'csv');
    assert.equal(name, `Messages by channel, last month – ${AS_OF}.csv`);
    const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    assert.equal(lines.length, rows.length + 1);
    const csvCounts = lines.slice(1).map((l) => Number(l.split(',').at(-1)));
    assert.deepEqual(csvCounts, counts);
    // Exporting saved nothing.
    assert.equal((await savedList(page, token)).length, saved);
  });

  it('closes the export menu with Esc and focuses the name field when Save opens', async () => {
    const card = page.getByTestId('answer-card').last();
    await card.getByTestId('export-button').click();
    await card.getByTestId('export-csv').waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await card.getByTestId('export-csv').count(), 0);
    assert.equal(await card.getByTestId('export-button').evaluate((b) => b === document.activeElement), true);
    await card.getByTestId('save-analysis').click();
    assert.equal(await card.getByTestId('save-name').evaluate((i) => i === document.activeElement), true);
    await page.keyboard.press('Escape');
    assert.equal(await card.getByTestId('save-name').count(), 0);
  });

  it('switches the chart, keeps the choice with the saved analysis after a reload', async () => {
    const card = await ask(page, 'contacts by segment');
    await waitChartDrawn(card);
    const kinds = await card.getByTestId('chart-kind').locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(kinds.includes('pie') && kinds.includes('table'), kinds.join());
    await card.getByTestId('chart-kind').selectOption('pie');
    const chart = await waitChartDrawn(card);
    assert.equal(await chart.getAttribute('data-kind'), 'pie');
    const name = `Segments pie ${Date.now().toString(36)}`;
    await card.getByTestId('save-analysis').click();
    await card.getByTestId('save-name').fill(name);
    await card.getByTestId('save-confirm').click();
    await card.getByRole('status').filter({ hasText: name }).waitFor();
    const item = (await savedList(page, token)).find((a) => a.name === name);
    assert.equal(item?.chart?.kind, 'pie');

    await page.reload();
    await page.waitForSelector('html.ready');
    await page.getByTestId('nav-saved').click();
    await page.getByTestId('saved-item').filter({ hasText: name }).first().click();
    const savedCard = page.getByTestId('answer-card').last();
    const drawn = await waitChartDrawn(savedCard);
    assert.equal(await drawn.getAttribute('data-kind'), 'pie');
    await page.getByTestId('nav-chat').click();
  });

  it('drills into a bar by mouse: a new turn that says what it did, through the guard', async () => {
    const card = await ask(page, 'messages by channel last month');
    const chart = await waitChartDrawn(card);
    const categories = JSON.parse((await chart.getAttribute('data-categories')) ?? '[]');
    assert.ok(categories.length >= 2, categories.join());
    const before = await page.getByTestId('answer-card').count();
    // The first bar is the largest (sorted by the metric): its middle is inside the bar.
    // Painted is not grown: the bars rise for ECharts' one-second animation, and a click above one hits nothing.
    await page.waitForTimeout(1_100);
    const box = await chart.boundingBox();
    const plotLeft = box.x + 70;
    const slot = (box.width - 86) / categories.length;
    await page.mouse.click(plotLeft + slot / 2, box.y + box.height * 0.75);
    const drilled = page.getByTestId('answer-card').nth(before);
    await drilled.waitFor();
    const turn = page.locator('.turn').last();
    assert.match((await turn.locator('.question').textContent()) ?? '', new RegExp(categories[0], 'i'));
    assert.match((await drilled.getByTestId('answer-drilled').textContent()) ?? '', /channel/i);
    const sql = (await drilled.getByTestId('answer-sql').textContent()) ?? '';
    assert.match(sql, /tenant_id = 'globex'/);
    assert.match(sql, /channel = '/);
  });

  it('drills from the table by keyboard, and a month drills to its days', async () => {
    const card = await ask(page, 'revenue by month this year');
    await waitChartDrawn(card);
    await card.getByTestId('table-toggle').click();
    const cells = card.getByTestId('drill-cell');
    await cells.first().waitFor();
    const before = await page.getByTestId('answer-card').count();
    await cells.first().focus();
    await page.keyboard.press('Enter');
    const drilled = page.getByTestId('answer-card').nth(before);
    await drilled.waitFor();
    const sql = (await drilled.getByTestId('answer-sql').textContent()) ?? '';
    assert.match(sql, /DATE_TRUNC\('day'/);
    assert.ok((await drilled.getAttribute('data-kind')) !== null);
  });

  it('runs edited SQL as a new turn below and keeps the original; an empty result says so', async () => {
    const card = await ask(page, 'messages by channel last month');
    await waitChartDrawn(card);
    const original = (await card.getByTestId('answer-sql').textContent()) ?? '';
    await card.getByTestId('sql-toggle').click();
    await card.getByTestId('sql-editor').fill("SELECT channel, COUNT(*) AS messages FROM marts.fct_messages WHERE channel = 'no-such-channel' GROUP BY channel");
    const before = await page.getByTestId('answer-card').count();
    await card.getByTestId('run-sql-button').click();
    const next = page.getByTestId('answer-card').nth(before);
    await next.waitFor();
    assert.equal((await card.getByTestId('answer-sql').textContent()) ?? '', original);
    await next.getByTestId('answer-empty').waitFor();
    assert.equal(await next.getByTestId('answer-chart').count(), 0);
  });

  it('pinning an unsaved answer asks for its name first', async () => {
    const card = await ask(page, 'contacts by country');
    await waitChartDrawn(card);
    await card.getByTestId('pin-button').click();
    const field = card.getByTestId('pin-analysis-name');
    await field.waitFor();
    assert.equal(await field.evaluate((i) => i === document.activeElement), true);
    const name = `Countries ${Date.now().toString(36)}`;
    await field.fill(name);
    await card.getByTestId('pin-target').selectOption('__new');
    await card.getByTestId('pin-new-name').fill(`Board ${name}`);
    await card.getByTestId('pin-confirm').click();
    await card.getByRole('status').filter({ hasText: `Board ${name}` }).waitFor();
    await until(async () => (await savedList(page, token)).some((a) => a.name === name), { message: 'the analysis saved under the name given' });
  });

  it('names a Spanish export in Spanish', async () => {
    const card = await ask(page, 'mensajes por canal el mes pasado');
    await waitChartDrawn(card);
    const { name } = await exportFrom(page, card, 'xlsx');
    assert.match(name, new RegExp(`^Mensajes por canal.* – ${AS_OF}\\.xlsx$`));
    assert.ok(!/[<>:"/\\|?*]/.test(name), name);
  });
});
