// `npm run screenshots`: every screen at 1280×800 into docs/screenshots/*.png, on the same demo data and
// server setup as the end-to-end tests (so it needs the inda binary built with the UI embedded). The list of
// pictures, and what each shows, is in docs/ui.md. A picture that cannot be taken (a feature missing from the
// binary) is reported and the others are still taken; the run then fails at the end.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask, launch, newContext, openApp, startServer, until, waitChartDrawn } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.env.SCREENSHOTS_DIR ?? join(here, '..', '..', 'docs', 'screenshots'));
mkdirSync(out, { recursive: true });
const VIEWPORT = { width: 1280, height: 800 };
const failed = [];

/** ECharts animates for about a second after drawing; wait it out so the picture is the final frame. */
const settle = (page) => page.waitForTimeout(1200);

async function shot(page, name) {
  await settle(page);
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  console.log(`  ${path}`);
}

/** Takes a picture that may not be possible yet: a failure is reported, and the run goes on. */
async function optional(name, fn) {
  try {
    await fn();
  } catch (e) {
    failed.push(name);
    console.error(`  ${name}: not taken (${String(e?.message ?? e).split('\n')[0]})`);
  }
}

async function saveLast(page, name) {
  const card = page.getByTestId('answer-card').last();
  await card.getByTestId('save-analysis').click();
  await card.getByTestId('save-name').fill(name);
  await card.getByTestId('save-confirm').click();
  await card.getByRole('status').filter({ hasText: name }).waitFor();
}

async function pinLast(page, dashboard, { create = false } = {}) {
  const card = page.getByTestId('answer-card').last();
  await card.getByTestId('pin-button').click();
  const target = card.getByTestId('pin-target');
  await target.waitFor();
  if (!create) {
    // The list of dashboards loads after the panel opens.
    await target.locator('option', { hasText: dashboard }).waitFor({ state: 'attached' });
    await target.selectOption({ label: dashboard });
  } else {
    await target.selectOption('__new');
    await card.getByTestId('pin-new-name').fill(dashboard);
  }
  await card.getByTestId('pin-confirm').click();
  await card.getByRole('status').filter({ hasText: dashboard }).waitFor();
}

/** Spanish the way a user picks it: Settings → Language → Español. */
async function toSpanish(page) {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('language-select').selectOption('es');
  await until(async () => (await page.getByTestId('nav-settings').textContent())?.trim() === 'Configuración', { message: 'Spanish navigation' });
  await page.getByTestId('nav-chat').click();
}

/** Scrolls the answer card into the top of the view, so the picture shows it whole. */
async function showCard(card) {
  // After the chat's own smooth scroll to the new answer.
  await card.page().waitForTimeout(800);
  await card.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await card.page().mouse.move(0, 0);
}

/** Opens a dashboard by name and waits for every chart tile to be drawn. */
async function openDashboard(page, name) {
  await page.getByTestId('nav-dashboards').click();
  const select = page.getByTestId('dashboard-select');
  await select.locator('option', { hasText: name }).waitFor({ state: 'attached' });
  await select.selectOption({ label: name });
  const dash = page.getByTestId('dashboard');
  await until(async () => ((await dash.locator('h3').first().textContent()) ?? '').includes(name), { message: `dashboard ${name}` });
  await waitTiles(page);
  return dash;
}

async function waitTiles(page) {
  const tiles = page.getByTestId('dashboard').getByTestId('dashboard-tile');
  await tiles.first().waitFor();
  for (let i = 0; i < (await tiles.count()); i++) {
    const card = tiles.nth(i).getByTestId('answer-card');
    if ((await card.count()) > 0 && (await card.getByTestId('answer-empty').count()) === 0) await waitChartDrawn(card);
  }
}

/** Picks the first value of the dashboard's first shared dimension (e.g. channel) and applies it. */
async function filterFirstDimension(page) {
  const filters = page.getByTestId('dashboard-filters');
  await filters.waitFor();
  const pick = filters.locator('button[aria-haspopup][data-testid^="filter-"]').first();
  await pick.click();
  const option = filters.getByTestId('filter-option').first();
  await option.check();
  await page.keyboard.press('Escape');
  await filters.getByTestId('filter-apply').click();
  await filters.getByTestId('filter-chip').first().waitFor();
  await waitTiles(page);
}

const srv = await startServer();
const browser = await launch();
try {
  console.log(`screenshots → ${out}`);
  const context = await newContext(browser, { colorScheme: 'light', viewport: VIEWPORT });
  const page = await openApp(context, srv.base, srv.tokens.acme);
  await page.getByTestId('session-tenant').waitFor();

  // Chat with an answer.
  const card = await ask(page, 'messages by channel last month');
  await waitChartDrawn(card);
  await page.mouse.move(0, 0);
  await shot(page, 'chat');

  // A few saved analyses, two of them on a dashboard.
  await saveLast(page, 'Messages by channel, last month');
  await pinLast(page, 'Weekly overview', { create: true });
  await waitChartDrawn(await ask(page, 'Monthly revenue over the last 12 months'));
  await saveLast(page, 'Monthly revenue, 12 months');
  await pinLast(page, 'Weekly overview');
  await waitChartDrawn(await ask(page, 'What was the delivery rate by channel this year?'));
  await saveLast(page, 'Delivery rate by channel, this year');
  await pinLast(page, 'Weekly overview');

  // Chart controls: an answer with two measures, drawn as lines, one measure picked.
  await optional('chart-controls', async () => {
    const c = await ask(page, 'messages sent and delivered by channel last month');
    await waitChartDrawn(c);
    await c.getByTestId('chart-kind').waitFor();
    await c.getByTestId('chart-measure').waitFor();
    await showCard(c);
    await shot(page, 'chart-controls');
  });

  // A sorted table: the largest first, the arrow on its header.
  await optional('table-sorted', async () => {
    const c = await ask(page, 'contacts by country');
    await waitChartDrawn(c);
    await c.getByTestId('table-toggle').click();
    const table = c.getByTestId('answer-table');
    await table.waitFor();
    const sort = table.locator('[data-testid^="sort-"]');
    await sort.last().click();
    await until(async () => (await table.locator('th[aria-sort="descending"], th[aria-sort="ascending"]').count()) > 0, { message: 'a sorted column' });
    await showCard(c);
    await shot(page, 'table-sorted');
  });

  // A drill-down: a value of the table chosen (a bar clicked does the same) becomes a new turn that says what it did.
  await optional('drill', async () => {
    const c = await ask(page, 'messages by channel last month');
    await waitChartDrawn(c);
    await c.getByTestId('table-toggle').click();
    const before = await page.getByTestId('answer-card').count();
    await c.getByTestId('drill-cell').first().click();
    const drilled = page.getByTestId('answer-card').nth(before);
    await drilled.getByTestId('answer-drilled').waitFor();
    if ((await drilled.getByTestId('answer-empty').count()) === 0) await waitChartDrawn(drilled);
    await c.getByTestId('table-toggle').click();
    await waitChartDrawn(c);
    await page.waitForTimeout(800);
    await page.locator('.turn').last().evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await page.mouse.move(0, 0);
    await shot(page, 'drill');
  });

  // An empty answer: a year before the data starts.
  await optional('answer-empty', async () => {
    const c = await ask(page, 'messages by channel in 2020');
    await c.getByTestId('answer-empty').waitFor();
    await showCard(c);
    await shot(page, 'answer-empty');
  });

  // Saved analyses, one opened.
  await page.getByTestId('nav-saved').click();
  const item = page.getByTestId('saved-item').filter({ hasText: 'Monthly revenue, 12 months' });
  await item.getByTestId('saved-open').click();
  await waitChartDrawn(page.locator('.detail-col').getByTestId('answer-card'));
  await page.mouse.move(0, 0);
  await shot(page, 'saved');

  // The dashboard.
  await openDashboard(page, 'Weekly overview');
  await page.mouse.move(0, 0);
  await shot(page, 'dashboard');

  // The dashboard with a text tile and a filter on a shared dimension.
  await optional('dashboard-filters', async () => {
    await page.getByTestId('dashboard-add-text').click();
    await page.getByTestId('dashboard-text-input').fill('Weekly numbers for the Monday meeting. Revenue is in US dollars.');
    await page.getByTestId('dashboard-text-add').click();
    await page.getByTestId('dashboard').getByTestId('tile-text').first().waitFor();
    // The note first: moved up with its keyboard-reachable buttons.
    const tiles = page.getByTestId('dashboard').getByTestId('dashboard-tile');
    for (let i = (await tiles.count()) - 1; i > 0; i--) {
      const text = tiles.filter({ has: page.getByTestId('tile-text') }).first();
      await text.getByTestId('tile-move-earlier').click();
      await until(async () => (await tiles.nth(i - 1).getByTestId('tile-text').count()) === 1, { message: 'the text tile moved up' });
    }
    await filterFirstDimension(page);
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'dashboard-filters');
  });

  // Settings.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('language-select').waitFor();
  await shot(page, 'settings');
  await context.close();

  // Spanish chat (a Spanish-speaking browser).
  const es = await newContext(browser, { locale: 'es-419', colorScheme: 'light', viewport: VIEWPORT });
  const esPage = await openApp(es, srv.base, srv.tokens.acme);
  await esPage.getByTestId('session-tenant').waitFor();
  await waitChartDrawn(await ask(esPage, '¿cuántos mensajes por canal el mes pasado?'));
  await esPage.mouse.move(0, 0);
  await shot(esPage, 'chat-es');

  await optional('chart-controls-es', async () => {
    const c = await ask(esPage, 'mensajes enviados y fallidos por canal el mes pasado');
    await waitChartDrawn(c);
    await c.getByTestId('chart-measure').waitFor();
    await showCard(c);
    await shot(esPage, 'chart-controls-es');
  });

  // The same dashboard (filters kept with it) chosen in Español from Settings.
  await optional('dashboard-filters-es', async () => {
    await toSpanish(esPage);
    await openDashboard(esPage, 'Weekly overview');
    await esPage.getByTestId('dashboard-filters').getByTestId('filter-chip').first().waitFor();
    await esPage.mouse.move(0, 0);
    await shot(esPage, 'dashboard-filters-es');
  });
  await es.close();

  // The refresh banner (5 minutes left).
  const short = await newContext(browser, { colorScheme: 'light', viewport: VIEWPORT });
  const shortPage = await openApp(short, srv.base, srv.tokens.short);
  await shortPage.getByTestId('refresh-banner').waitFor();
  await shot(shortPage, 'refresh-banner');
  await short.close();

  // The expired banner (a token the server refuses).
  const bad = await newContext(browser, { colorScheme: 'light', viewport: VIEWPORT });
  const badPage = await openApp(bad, srv.base, srv.tokens.forged);
  await badPage.getByTestId('expired-banner').waitFor();
  await shot(badPage, 'expired-banner');
  await bad.close();

  // Dark theme, for the record.
  const dark = await newContext(browser, { colorScheme: 'dark', viewport: VIEWPORT });
  const darkPage = await openApp(dark, srv.base, srv.tokens.globex);
  await waitChartDrawn(await ask(darkPage, 'Contacts by country'));
  await darkPage.mouse.move(0, 0);
  await shot(darkPage, 'chat-dark');
  await dark.close();
} finally {
  await browser.close();
  await srv.stop();
}
if (failed.length) {
  console.error(`not taken: ${failed.join(', ')}`);
  process.exit(1);
}
