// (h) Admins see several companies: a partner admin of indigital sees its four companies in the header, narrows
// them with the keyboard-accessible picker to Acme Corp + Globex (sent as X-Inda-Scope, kept across a reload,
// a new conversation), and "messages by company" then draws exactly those two; an analysis saved for all four is
// refused with a clear message, not a sign-out. An analyst of acme_corp sees no picker and only their company.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ask, launch, newContext, openApp, server, until, waitChartDrawn } from './harness.mjs';

const focusedTestId = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);
const text = async (locator) => ((await locator.textContent()) ?? '').trim();
/** The categories the answer's chart drew (its category axis), from `data-categories`. */
const categories = async (card) => {
  const chart = await waitChartDrawn(card);
  return JSON.parse((await chart.getAttribute('data-categories')) ?? '[]');
};

describe('scope of partner and platform admins', () => {
  let srv, browser;
  const stamp = Date.now().toString(36);
  const everyCompany = `Every company ${stamp}`;

  before(async () => {
    srv = await server();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  describe('a partner admin of indigital', () => {
    let context, page;
    /** The X-Inda-Scope header of every /api request since the last reset. */
    let sent = [];

    before(async () => {
      assert.ok(srv.tokens.partner, 'the harness mints a partner admin token (E2E_TOKEN_PARTNER)');
      context = await newContext(browser);
      context.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname.startsWith('/api/')) sent.push({ path: url.pathname, scope: r.headers()['x-inda-scope'] ?? null });
      });
      page = await openApp(context, srv.base, srv.tokens.partner);
    });
    after(async () => {
      await context?.close();
    });

    it('sees all of the partner’s companies next to the user, and no tenant id', async () => {
      const label = page.getByTestId('header-scope');
      await until(async () => (await text(label)) === 'All 4 companies', { message: 'the header to show All 4 companies' });
      assert.equal(await text(page.getByTestId('header-user')), 'Pat');
      assert.equal(await page.getByTestId('session-tenant').count(), 0);
      const header = await text(page.locator('header'));
      assert.doesNotMatch(header, /acme_corp|partner_admin/);
      // Settings names the role.
      await page.getByTestId('nav-settings').click();
      assert.equal(await text(page.getByTestId('settings-role')), 'Partner admin');
      assert.equal(await text(page.getByTestId('settings-company')), 'Acme Corp');
      assert.equal(await text(page.getByTestId('settings-scope')), 'Acme Corp, Globex, Initech, Umbrella Health');
      await page.getByTestId('nav-chat').click();
    });

    it('asks "messages by company" over all four and saves it', async () => {
      const card = await ask(page, 'messages by company');
      assert.deepEqual([...(await categories(card))].sort(), ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health']);
      assert.equal(await card.getByTestId('answer-chart').count(), 1);
      await card.getByTestId('save-analysis').click();
      await card.getByTestId('save-name').fill(everyCompany);
      await card.getByTestId('save-confirm').click();
      await card.getByRole('status').filter({ hasText: everyCompany }).waitFor();
      // Nothing narrowed yet: no scope header.
      assert.ok(sent.length > 0);
      assert.ok(
        sent.every((r) => r.scope === null),
        JSON.stringify(sent.filter((r) => r.scope !== null)),
      );
    });

    it('opens the picker from the keyboard; Esc closes it and gives focus back', async () => {
      const button = page.getByTestId('scope-button');
      await button.focus();
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      await page.keyboard.press('Enter');
      const panel = page.getByTestId('scope-panel');
      await panel.waitFor();
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      assert.equal(await focusedTestId(page), 'scope-all');
      const names = await panel.getByTestId('scope-option').evaluateAll((els) => els.map((el) => el.closest('label')?.textContent?.trim()));
      assert.deepEqual(names, ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health']);
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      assert.equal(await focusedTestId(page), 'scope-button');
      // Esc on the panel did not start over the conversation.
      assert.equal(await page.getByTestId('answer-card').count(), 1);
    });

    it('keeps at least one company selected', async () => {
      await page.getByTestId('scope-button').click();
      const panel = page.getByTestId('scope-panel');
      await panel.waitFor();
      await panel.getByTestId('scope-all').uncheck();
      assert.equal(await panel.getByTestId('scope-apply').isDisabled(), true);
      await panel.getByTestId('scope-need-one').waitFor();
      await panel.getByLabel('Globex').check();
      assert.equal(await panel.getByTestId('scope-apply').isDisabled(), false);
      await panel.getByTestId('scope-cancel').click();
      await panel.waitFor({ state: 'detached' });
      assert.equal(await text(page.getByTestId('header-scope')), 'All 4 companies');
    });

    it('narrows to Acme Corp and Globex with the keyboard: a new conversation, the header names them', async () => {
      sent = [];
      await page.getByTestId('scope-button').focus();
      await page.keyboard.press('Enter');
      const panel = page.getByTestId('scope-panel');
      await panel.waitFor();
      // All → Acme Corp → Globex → Initech (untick) → Umbrella Health (untick) → Cancel → Apply.
      for (const key of ['Tab', 'Tab', 'Tab', 'Space', 'Tab', 'Space', 'Tab', 'Tab']) await page.keyboard.press(key);
      assert.equal(await focusedTestId(page), 'scope-apply');
      await page.keyboard.press('Enter');
      await panel.waitFor({ state: 'detached' });
      const label = page.getByTestId('header-scope');
      await until(async () => (await text(label)) === 'Acme Corp, Globex', { message: 'the header to name Acme Corp, Globex' });
      assert.equal(await focusedTestId(page), 'scope-button');
      // The previous answers were for another scope: the conversation started over.
      await until(async () => (await page.getByTestId('answer-card').count()) === 0, { message: 'the answers to be cleared' });
      await page.getByRole('status').filter({ hasText: 'Now showing: Acme Corp, Globex' }).waitFor({ state: 'attached' });
    });

    it('asks "messages by company": one chart with exactly Acme Corp and Globex, the scope sent on every call', async () => {
      const card = await ask(page, 'messages by company');
      assert.equal(await card.getByTestId('answer-chart').count(), 1);
      assert.deepEqual([...(await categories(card))].sort(), ['Acme Corp', 'Globex']);
      const sql = await text(card.getByTestId('answer-sql'));
      assert.doesNotMatch(sql, /initech|umbrella/);
      const asks = sent.filter((r) => r.path.startsWith('/api/ask'));
      assert.ok(asks.length >= 1, JSON.stringify(sent));
      const after = sent.filter((r) => r.path !== '/api/session');
      assert.ok(
        after.every((r) => r.scope === 'acme_corp,globex'),
        JSON.stringify(after),
      );
    });

    it('refuses the analysis saved for all four companies with a clear message, not a sign-out', async () => {
      await page.getByTestId('nav-saved').click();
      const item = page.getByTestId('saved-list').getByTestId('saved-item').filter({ hasText: everyCompany });
      await item.waitFor();
      await item.getByTestId('saved-open').click();
      const banner = page.locator('.detail-col').getByTestId('error-banner');
      await banner.waitFor();
      assert.equal(await banner.getAttribute('data-code'), 'auth');
      assert.equal(await banner.getAttribute('data-scope'), 'outside');
      const message = await text(banner);
      assert.match(message, /Initech, Umbrella Health/);
      assert.doesNotMatch(message, /initech|umbrella\b|signed in|expired/);
      assert.equal(await page.getByTestId('expired-banner').count(), 0);
      assert.equal(await text(page.getByTestId('header-scope')), 'Acme Corp, Globex');
      await page.getByTestId('nav-chat').click();
    });

    it('keeps the scope after a reload of the tab', async () => {
      await page.reload();
      await page.waitForSelector('html.ready');
      const label = page.getByTestId('header-scope');
      await until(async () => (await text(label)) === 'Acme Corp, Globex', { message: 'the kept scope after a reload' });
      const card = await ask(page, 'messages by company');
      assert.deepEqual([...(await categories(card))].sort(), ['Acme Corp', 'Globex']);
    });

    it('widens back to all of them with "All companies"', async () => {
      await page.getByTestId('scope-button').click();
      const panel = page.getByTestId('scope-panel');
      await panel.waitFor();
      await panel.getByTestId('scope-all').check();
      await panel.getByTestId('scope-apply').click();
      await panel.waitFor({ state: 'detached' });
      await until(async () => (await text(page.getByTestId('header-scope'))) === 'All 4 companies', { message: 'All 4 companies again' });
      sent = [];
      const card = await ask(page, 'messages by company');
      assert.equal((await categories(card)).length, 4);
      assert.ok(
        sent.every((r) => r.scope === null),
        JSON.stringify(sent),
      );
    });
  });

  describe('an analyst of acme_corp', () => {
    it('sees no picker, and "messages by company" shows only their company', async () => {
      const context = await newContext(browser);
      const sent = [];
      context.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/')) sent.push(r.headers()['x-inda-scope'] ?? null);
      });
      const page = await openApp(context, srv.base, srv.tokens.acme);
      await page.getByTestId('session-tenant').waitFor();
      assert.equal(await text(page.getByTestId('session-tenant')), 'acme_corp');
      assert.equal(await page.getByTestId('scope-button').count(), 0);
      assert.equal(await page.getByTestId('header-scope').count(), 0);
      const card = await ask(page, 'messages by company');
      assert.equal(await card.getByTestId('answer-chart').count(), 1);
      assert.deepEqual(await categories(card), ['Acme Corp']);
      assert.ok(
        sent.every((s) => s === null),
        JSON.stringify(sent),
      );
      await page.getByTestId('nav-settings').click();
      assert.equal(await text(page.getByTestId('settings-role')), 'Analyst');
      await until(async () => (await text(page.getByTestId('settings-company'))) === 'Acme Corp', { message: 'the company by its name' });
      assert.equal(await page.getByTestId('settings-scope').count(), 0);
      await context.close();
    });
  });
});
