// (e) Keyboard only: Tab reaches chat-input, Enter asks, Esc cancels a running request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch, newContext, openApp, server, waitChartDrawn } from './harness.mjs';

const focusedTestId = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);

describe('keyboard', () => {
  let srv, browser;

  before(async () => {
    srv = await server();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('Tab reaches chat-input, typing and Enter ask the question', async () => {
    const context = await newContext(browser);
    const page = await openApp(context, srv.base, srv.tokens.acme);
    await page.getByTestId('session-tenant').waitFor();
    const order = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const id = await focusedTestId(page);
      order.push(id);
      if (id === 'chat-input') break;
    }
    assert.equal(order.at(-1), 'chat-input', `focus order: ${order.join(' → ')}`);
    // The navigation comes before the question box.
    assert.ok(order.includes('nav-chat') && order.indexOf('nav-chat') < order.indexOf('chat-input'), order.join(' → '));
    await page.keyboard.type('messages by channel last month');
    await page.keyboard.press('Enter');
    const card = page.getByTestId('answer-card').first();
    await card.waitFor();
    await waitChartDrawn(card);
    // Focus is back in the question box for the next question.
    assert.equal(await focusedTestId(page), 'chat-input');
    await context.close();
  });

  it('Esc cancels a running question', async () => {
    const context = await newContext(browser);
    const page = await openApp(context, srv.base, srv.tokens.acme);
    await page.getByTestId('session-tenant').waitFor();
    // Hold /api/ask back so the request is still running when Esc is pressed.
    let release;
    const held = new Promise((r) => (release = r));
    let aborted = false;
    page.on('requestfailed', (r) => {
      if (r.url().includes('/api/ask')) aborted = true;
    });
    await page.route('**/api/ask', async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    const input = page.getByTestId('chat-input');
    await input.focus();
    await page.keyboard.type('messages by channel last month');
    await page.keyboard.press('Enter');
    await page.getByTestId('cancel-button').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('cancel-button').waitFor({ state: 'detached' });
    await page.getByText('Cancelled.').waitFor();
    release();
    await page.waitForTimeout(500);
    assert.equal(await page.getByTestId('answer-card').count(), 0);
    assert.ok(aborted, 'the browser aborted the request');

    // The next question works normally.
    await page.unroute('**/api/ask');
    await input.fill('contacts by country');
    await input.press('Enter');
    await page.getByTestId('answer-card').first().waitFor();
    await context.close();
  });
});
