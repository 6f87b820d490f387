// (a) The main flow: ask → chart drawn → save → in the saved list → pin to a new dashboard → the dashboard
// shows the tile → export CSV and XLSX downloads that open (and the dashboard's PDF).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ask, launch, newContext, openApp, server, until, waitChartDrawn } from './harness.mjs';

describe('ask, save, pin, export', () => {
  let srv, browser, context, page, card;
  const stamp = Date.now().toString(36);
  const analysisName = `Messages by channel ${stamp}`;
  const dashName = `E2E board ${stamp}`;

  before(async () => {
    srv = await server();
    browser = await launch();
    context = await newContext(browser);
    page = await openApp(context, srv.base, srv.tokens.acme);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('shows the session: tenant and user in the header, no banner', async () => {
    const tenant = page.getByTestId('session-tenant');
    await tenant.waitFor();
    assert.equal((await tenant.textContent())?.trim(), 'acme_corp');
    assert.equal((await page.getByTestId('header-user').textContent())?.trim(), 'Ana');
    assert.equal(await page.getByTestId('expired-banner').count(), 0);
    assert.equal(await page.getByTestId('refresh-banner').count(), 0);
    // The token left the address bar (kept in memory only).
    assert.ok(!page.url().includes('token='), page.url());
  });

  it('asks a question and draws a chart with a summary and the SQL that ran', async () => {
    card = await ask(page, 'messages by channel last month');
    const chart = await waitChartDrawn(card);
    assert.equal(await chart.getAttribute('data-kind'), 'bar');
    const summary = (await card.getByTestId('answer-summary').textContent()) ?? '';
    assert.match(summary, /whatsapp/i);
    assert.match(summary, /messages/i);
    const sql = (await card.getByTestId('answer-sql').textContent()) ?? '';
    assert.match(sql, /^SELECT /);
    assert.match(sql, /tenant_id = 'acme_corp'/);
  });

  it('toggles the table view', async () => {
    await card.getByTestId('table-toggle').click();
    const table = card.getByTestId('answer-table');
    await table.waitFor();
    assert.ok((await table.locator('tbody tr').count()) >= 2);
    // Values read as people write them (the answer's `values` map): the stored `whatsapp` shows as WhatsApp.
    assert.match((await table.textContent()) ?? '', /WhatsApp/);
    await card.getByTestId('table-toggle').click();
    await waitChartDrawn(card);
  });

  it('saves the analysis and lists it under Saved analyses', async () => {
    const save = card.getByTestId('save-analysis');
    assert.equal(await save.evaluate((el) => el.tagName), 'BUTTON');
    await save.click();
    await card.getByTestId('save-name').fill(analysisName);
    await card.getByTestId('save-confirm').click();
    await card.getByRole('status').filter({ hasText: analysisName }).waitFor();
    await until(() => save.isDisabled(), { message: 'the save button to show “Saved”' });

    await page.getByTestId('nav-saved').click();
    const list = page.getByTestId('saved-list');
    await list.waitFor();
    const item = list.getByTestId('saved-item').filter({ hasText: analysisName });
    await item.waitFor();
    assert.equal(await item.count(), 1);
  });

  it('opens the saved analysis with its chart', async () => {
    const item = page.getByTestId('saved-list').getByTestId('saved-item').filter({ hasText: analysisName });
    await item.getByTestId('saved-open').click();
    const savedCard = page.locator('.detail-col').getByTestId('answer-card');
    await savedCard.waitFor();
    await waitChartDrawn(savedCard);
  });

  it('pins the answer to a new dashboard without saving it twice', async () => {
    await page.getByTestId('nav-chat').click();
    card = page.getByTestId('answer-card').last();
    await card.waitFor();
    // Back on Chat the card still knows it was saved.
    assert.equal(await card.getByTestId('save-analysis').isDisabled(), true);
    await card.getByTestId('pin-button').click();
    const target = card.getByTestId('pin-target');
    await target.waitFor();
    await target.selectOption('__new');
    await card.getByTestId('pin-new-name').fill(dashName);
    await card.getByTestId('pin-confirm').click();
    await card.getByRole('status').filter({ hasText: dashName }).waitFor();

    await page.getByTestId('nav-saved').click();
    await page.getByTestId('saved-list').getByTestId('saved-item').first().waitFor();
    assert.equal(await page.getByTestId('saved-item').filter({ hasText: analysisName }).count(), 1);
  });

  it('shows the tile on the dashboard', async () => {
    await page.getByTestId('nav-dashboards').click();
    const select = page.getByTestId('dashboard-select');
    await until(async () => (await select.locator('option', { hasText: dashName }).count()) === 1, { message: 'the new dashboard in the list' });
    await select.selectOption({ label: dashName });
    const dash = page.getByTestId('dashboard');
    await dash.waitFor();
    await until(async () => (await dash.locator('h3').first().textContent())?.includes(dashName), { message: 'the dashboard view' });
    const tiles = dash.getByTestId('dashboard-tile');
    await tiles.first().waitFor();
    assert.equal(await tiles.count(), 1);
    assert.match((await dash.locator('h3').first().textContent()) ?? '', /· 1 tile\s*$/);
    assert.match((await tiles.first().textContent()) ?? '', new RegExp(analysisName));
    await waitChartDrawn(tiles.first().getByTestId('answer-card'));
  });

  it('exports the dashboard as a PDF', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dashboard-export').click()]);
    const bytes = await readFile(await download.path());
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.match(download.suggestedFilename(), /\.pdf$/);
  });

  it('exports the answer as CSV and XLSX files that open', async () => {
    await page.getByTestId('nav-chat').click();
    card = page.getByTestId('answer-card').last();
    await card.waitFor();

    const exportAs = async (fmt) => {
      const button = card.getByTestId('export-button');
      assert.equal(await button.evaluate((el) => el.tagName), 'BUTTON');
      await button.click();
      const [download] = await Promise.all([page.waitForEvent('download'), card.getByTestId(`export-${fmt}`).click()]);
      assert.match(download.suggestedFilename(), new RegExp(`\\.${fmt}$`));
      const bytes = await readFile(await download.path());
      await card.getByRole('status').filter({ hasText: download.suggestedFilename() }).waitFor();
      return bytes;
    };

    const csv = (await exportAs('csv')).toString('utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r?\n/);
    assert.match(lines[0], /channel/i);
    assert.ok(lines[0].includes(','), `CSV header: ${lines[0]}`);
    assert.ok(lines.length >= 3, `CSV rows: ${lines.length}`);
    assert.ok(lines.some((l) => /^"?whatsapp"?,\d+/.test(l)), csv);

    const xlsx = await exportAs('xlsx');
    assert.equal(xlsx.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
    // An OOXML workbook: the zip holds xl/workbook.xml.
    assert.ok(xlsx.includes(Buffer.from('xl/workbook.xml')), 'xl/workbook.xml in the zip');
  });
});
