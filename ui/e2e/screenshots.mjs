// `npm run screenshots`: every screen at 1280×720 into docs/screenshots/*.png, on the same demo data and
// server setup as the end-to-end tests (so it needs the inda binary built with the UI embedded).
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask, launch, newContext, openApp, startServer, waitChartDrawn } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.env.SCREENSHOTS_DIR ?? join(here, '..', '..', 'docs', 'screenshots'));
mkdirSync(out, { recursive: true });

/** ECharts animates for about a second after drawing; wait it out so the picture is the final frame. */
const settle = (page) => page.waitForTimeout(1200);

async function shot(page, name) {
  await settle(page);
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  console.log(`  ${path}`);
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

const srv = await startServer();
const browser = await launch();
try {
  console.log(`screenshots → ${out}`);
  const context = await newContext(browser, { colorScheme: 'light' });
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

  // Saved analyses, one opened.
  await page.getByTestId('nav-saved').click();
  const item = page.getByTestId('saved-item').filter({ hasText: 'Monthly revenue, 12 months' });
  await item.getByTestId('saved-open').click();
  await waitChartDrawn(page.locator('.detail-col').getByTestId('answer-card'));
  await shot(page, 'saved');

  // The dashboard.
  await page.getByTestId('nav-dashboards').click();
  await page.getByTestId('dashboard-select').selectOption({ label: 'Weekly overview' });
  const tiles = page.getByTestId('dashboard').getByTestId('dashboard-tile');
  await tiles.nth(2).waitFor();
  for (let i = 0; i < 3; i++) await waitChartDrawn(tiles.nth(i).getByTestId('answer-card'));
  await shot(page, 'dashboard');

  // Settings.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('language-select').waitFor();
  await shot(page, 'settings');
  await context.close();

  // Spanish chat (a Spanish-speaking browser).
  const es = await newContext(browser, { locale: 'es-419', colorScheme: 'light' });
  const esPage = await openApp(es, srv.base, srv.tokens.acme);
  await esPage.getByTestId('session-tenant').waitFor();
  await waitChartDrawn(await ask(esPage, '¿cuántos mensajes por canal el mes pasado?'));
  await esPage.mouse.move(0, 0);
  await shot(esPage, 'chat-es');
  await es.close();

  // The refresh banner (5 minutes left).
  const short = await newContext(browser, { colorScheme: 'light' });
  const shortPage = await openApp(short, srv.base, srv.tokens.short);
  await shortPage.getByTestId('refresh-banner').waitFor();
  await shot(shortPage, 'refresh-banner');
  await short.close();

  // The expired banner (a token the server refuses).
  const bad = await newContext(browser, { colorScheme: 'light' });
  const badPage = await openApp(bad, srv.base, srv.tokens.forged);
  await badPage.getByTestId('expired-banner').waitFor();
  await shot(badPage, 'expired-banner');
  await bad.close();

  // Dark theme, for the record.
  const dark = await newContext(browser, { colorScheme: 'dark' });
  const darkPage = await openApp(dark, srv.base, srv.tokens.globex);
  await waitChartDrawn(await ask(darkPage, 'Contacts by country'));
  await darkPage.mouse.move(0, 0);
  await shot(darkPage, 'chat-dark');
  await dark.close();
} finally {
  await browser.close();
  await srv.stop();
}
