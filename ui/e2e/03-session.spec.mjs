// (c) Sessions: a token the server refuses (forged: signed by another data dir's key; tampered; garbage) shows
// the expired banner and turns API calls into an auth error banner; a token with 5 minutes left shows the
// refresh banner.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch, newContext, openApp, server } from './harness.mjs';

/** The same claims with the last character of the signature changed. */
function tamper(token) {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.at(-1)}`;
}

describe('session banners', () => {
  let srv, browser;

  before(async () => {
    srv = await server();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  const refused = {
    'forged (signed for another data dir)': () => srv.tokens.forged,
    'tampered signature': () => tamper(srv.tokens.acme),
    'not a JWT': () => 'not-a-token',
  };
  for (const [what, token] of Object.entries(refused)) {
    it(`shows the expired banner and an auth error for a ${what} token`, async () => {
      const context = await newContext(browser);
      const page = await openApp(context, srv.base, token());
      await page.getByTestId('expired-banner').waitFor();
      assert.equal(await page.getByTestId('session-tenant').count(), 0);
      // No session cookie was set for a bad token.
      assert.equal((await context.cookies()).filter((c) => c.name === 'inda_session').length, 0);
      const input = page.getByTestId('chat-input');
      await input.fill('messages by channel last month');
      await input.press('Enter');
      const banner = page.getByTestId('error-banner');
      await banner.waitFor();
      assert.equal(await banner.getAttribute('data-code'), 'auth');
      assert.equal(await page.getByTestId('answer-card').count(), 0);
      await context.close();
    });
  }

  it('shows the refresh banner when 5 minutes are left, and it can be dismissed', async () => {
    const context = await newContext(browser);
    const page = await openApp(context, srv.base, srv.tokens.short);
    const banner = page.getByTestId('refresh-banner');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /\b[1-5] min\b/);
    assert.equal(await page.getByTestId('expired-banner').count(), 0);
    assert.equal((await page.getByTestId('session-tenant').textContent())?.trim(), 'acme_corp');
    await banner.getByRole('button').click();
    assert.equal(await page.getByTestId('refresh-banner').count(), 0);
    await context.close();
  });

  it('keeps the session in an HttpOnly cookie after the token left the URL (reload)', async () => {
    const context = await newContext(browser);
    const page = await openApp(context, srv.base, srv.tokens.acme);
    await page.getByTestId('session-tenant').waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'inda_session');
    assert.ok(cookie, 'session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie.includes('inda_session')), false);
    await page.reload();
    await page.waitForSelector('html.ready');
    await page.getByTestId('session-tenant').waitFor();
    assert.equal(await page.getByTestId('expired-banner').count(), 0);
    await context.close();
  });
});
