// (i) The UI inside the CRM's iframe (docs/embedding.md). The CRM is the minimal parent page of the docs
// (embed-parent.html) at http://localhost:<port>, listed in `[serve] frame_ancestors`, with a backend handing out
// the tokens this spec queues; `inda serve` is http://127.0.0.1:<port>, another site, so its SameSite=Strict
// cookie is never sent in the frame, as in the real CRM. Framed with ?token= it answers; reloaded without one it
// asks its parent (TOKEN_REFRESH_NEEDED, expires_at null) and works again; 10 minutes before expiry it asks with
// the token's exp and a fresh token keeps the conversation; a token from a frame of another origin, or a forged
// one from the parent, is not taken; another user's token clears the page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ask, launch, newContext, server, until } from './harness.mjs';

const PARENT_PAGE = readFileSync(new URL('./embed-parent.html', import.meta.url), 'utf8');
const LOG = 'inDigital Analytics:';

/** The `exp` claim of a JWT (Unix seconds). */
function expOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).exp;
}

/**
 * The CRM's web server on `port` (all loopback addresses `localhost` may resolve to): the parent page, pointed at
 * `analytics`, and `/crm/analytics-token`, which hands out the queued tokens one per request (503 when none is
 * queued, so the frame's request goes unanswered and it asks again). `/foreign` is a page of another origin that
 * posts a token to the first frame of its parent.
 */
async function startCrm(port, analytics) {
  const tokens = [];
  const handle = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(PARENT_PAGE.replaceAll('https://analytics.example.com', analytics));
    } else if (url.pathname === '/crm/analytics-token') {
      const token = tokens.shift();
      res.writeHead(token ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(token ? { token } : { error: 'no token queued' }));
    } else if (url.pathname === '/foreign') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><meta charset="utf-8"><title>Foreign</title><script>
        const q = new URLSearchParams(location.search);
        parent.frames[0].postMessage({ type: 'TOKEN_REFRESH', token: q.get('token') }, q.get('target'));
        document.title = 'posted';
      </script>`);
    } else {
      res.writeHead(404).end();
    }
  };
  const listen = (at, host) =>
    new Promise((resolve, reject) => {
      const s = createServer(handle);
      s.once('error', reject);
      s.listen(at, host, () => resolve(s));
    });
  const first = await listen(port, '127.0.0.1');
  const bound = first.address().port;
  // The same port on IPv6 too, where there is one: browsers may try `localhost` there first.
  const servers = [first, ...(await listen(bound, '::1').then((s) => [s]).catch(() => []))];
  const origin = `http://localhost:${bound}`;
  return {
    origin,
    tokens,
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))),
  };
}

describe('embedded in the CRM', () => {
  let srv, browser, crm, foreign;

  before(async () => {
    srv = await server();
    assert.ok(srv.parentPort, 'the harness picked the CRM page port (E2E_PARENT_PORT)');
    browser = await launch();
    crm = await startCrm(srv.parentPort, srv.base);
    // Port 0: any other port, so an origin that [serve] frame_ancestors does not list.
    foreign = await startCrm(0, srv.base);
  });
  after(async () => {
    await browser?.close();
    await crm?.close();
    await foreign?.close();
    await srv?.stop();
  });

  /**
   * A new browser opens the CRM page, whose backend first hands out `token` for the iframe's URL. Resolves with the
   * page, the frame, the UI's console warnings and the TOKEN_REFRESH_NEEDED messages the parent received.
   */
  async function openCrm(token) {
    const context = await newContext(browser);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const warnings = [];
    page.on('console', (m) => {
      if (m.type() === 'warning' && m.text().startsWith(LOG)) warnings.push(m.text());
    });
    // Only the top page records what reaches it (this runs in every frame).
    await page.addInitScript(() => {
      if (window !== window.top) return;
      window.__needed = [];
      window.addEventListener('message', (e) => {
        if (e.data?.type === 'TOKEN_REFRESH_NEEDED') window.__needed.push({ origin: e.origin, data: e.data, at: Date.now() });
      });
    });
    crm.tokens.length = 0;
    crm.tokens.push(token);
    await page.goto(`${crm.origin}/`);
    const frame = page.frameLocator('#analytics');
    await frame.locator('html.ready').waitFor({ state: 'attached' });
    const needed = () => page.evaluate(() => window.__needed);
    /** The parent page posts `message` to the frame, targeting the UI's origin. */
    const parentPosts = (message) =>
      page.evaluate(([m, target]) => document.getElementById('analytics').contentWindow.postMessage(m, target), [message, srv.base]);
    return { context, page, frame, warnings, needed, parentPosts };
  }

  const text = async (locator) => ((await locator.textContent()) ?? '').trim();

  describe('a session from the iframe URL, then a reload', () => {
    let ui;
    after(async () => ui?.context.close());

    it('answers a question, framed with ?token=', async () => {
      ui = await openCrm(srv.tokens.acme);
      const { frame } = ui;
      await frame.getByTestId('session-tenant').waitFor();
      assert.equal(await text(frame.getByTestId('session-tenant')), 'acme_corp');
      const card = await ask(frame, 'messages by channel last month');
      assert.match((await card.getByTestId('answer-sql').textContent()) ?? '', /tenant_id = 'acme_corp'/);
      for (const id of ['expired-banner', 'refresh-banner', 'renewing-banner']) assert.equal(await frame.getByTestId(id).count(), 0, id);
      // An hour left: nothing to ask for.
      assert.deepEqual(await ui.needed(), []);
    });

    it('asks its parent for a token after a reload (no token, no cookie) and works again', async () => {
      const { page, frame } = ui;
      crm.tokens.push(srv.tokens.acme);
      await page.evaluate((base) => {
        document.getElementById('analytics').src = `${base}/`;
      }, srv.base);
      await until(async () => (await ui.needed()).length > 0, { message: 'TOKEN_REFRESH_NEEDED after the reload' });
      const [first] = await ui.needed();
      assert.equal(first.origin, srv.base);
      assert.deepEqual(first.data, { type: 'TOKEN_REFRESH_NEEDED', expires_at: null });
      await frame.getByTestId('session-tenant').waitFor();
      assert.equal(await text(frame.getByTestId('session-tenant')), 'acme_corp');
      assert.equal(await text(frame.getByTestId('header-user')), 'Ana');
      await until(async () => (await frame.getByTestId('renewing-banner').count()) === 0, { message: 'the renewing banner gone' });
      assert.equal(await frame.getByTestId('expired-banner').count(), 0);
      const card = await ask(frame, 'messages by channel');
      assert.match((await card.getByTestId('answer-sql').textContent()) ?? '', /tenant_id = 'acme_corp'/);
    });
  });

  it('asks 10 minutes before expiry, with the token’s exp, and a fresh token keeps the conversation', async () => {
    const ui = await openCrm(srv.tokens.short);
    const { frame } = ui;
    try {
      // Five minutes left: the UI asks at once; the CRM has no token queued yet, so it asks again and again.
      await until(async () => (await ui.needed()).length >= 2, { message: 'TOKEN_REFRESH_NEEDED, twice' });
      const asked = await ui.needed();
      assert.deepEqual(asked[0].data, { type: 'TOKEN_REFRESH_NEEDED', expires_at: expOf(srv.tokens.short) });
      assert.ok(asked[1].at - asked[0].at >= 800, `asked again after ${asked[1].at - asked[0].at} ms, not 1 s`);
      await frame.getByTestId('renewing-banner').waitFor();
      assert.equal(await frame.getByTestId('refresh-banner').count(), 0);
      assert.equal(await frame.getByTestId('expired-banner').count(), 0);

      // The session still works meanwhile.
      const card = await ask(frame, 'messages by channel last month');
      const before = await text(card);

      // The CRM's backend has a fresh token for the same user now: it goes out on the frame's next ask.
      crm.tokens.push(srv.tokens.acme);
      await until(async () => (await frame.getByTestId('renewing-banner').count()) === 0, {
        timeout: 40_000,
        message: 'the fresh token taken',
      });
      assert.equal(crm.tokens.length, 0, 'the queued token was handed out');
      // More than 10 minutes left now.
      for (const id of ['expired-banner', 'refresh-banner']) assert.equal(await frame.getByTestId(id).count(), 0, id);
      // Same user, same tenant: the conversation is still on screen, and it goes on.
      assert.equal(await frame.getByTestId('answer-card').count(), 1);
      assert.equal(await text(frame.getByTestId('answer-card').first()), before);
      await ask(frame, 'messages by channel');
      assert.equal(await frame.getByTestId('answer-card').count(), 2);
      const count = (await ui.needed()).length;
      await new Promise((r) => setTimeout(r, 2_500));
      assert.equal((await ui.needed()).length, count, 'it stopped asking');
    } finally {
      await ui.context.close();
    }
  });

  it('ignores a token from a frame of another origin, and a forged one from the parent', async () => {
    const ui = await openCrm(srv.tokens.acme);
    const { page, frame } = ui;
    try {
      await frame.getByTestId('session-tenant').waitFor();
      // What the UI asks the server with: a token it was sent must never reach it unless it was taken from the parent.
      const bearers = [];
      page.on('request', async (r) => {
        if (new URL(r.url()).pathname === '/api/session') bearers.push(await r.headerValue('authorization'));
      });

      // A frame of an origin [serve] frame_ancestors does not list, inside the CRM page, posts Gus's token.
      const src = `${foreign.origin}/foreign?token=${encodeURIComponent(srv.tokens.globex)}&target=${encodeURIComponent(srv.base)}`;
      await page.evaluate((url) => {
        const f = document.createElement('iframe');
        f.id = 'foreign';
        f.src = url;
        document.body.append(f);
      }, src);
      await until(() => ui.warnings.some((w) => w.includes(foreign.origin) && w.includes('not the parent window')), {
        message: 'a console warning about the foreign frame',
      });

      // The parent itself posts a token signed by another data dir's key: the server refuses it.
      await ui.parentPosts({ type: 'TOKEN_REFRESH', token: srv.tokens.forged });
      await until(() => ui.warnings.some((w) => w.includes('refused')), { message: 'a console warning about the refused token' });
      // …and something that is not a token refresh at all.
      await ui.parentPosts({ type: 'HELLO' });
      await until(() => ui.warnings.some((w) => w.includes('that is not TOKEN_REFRESH')), { message: 'a console warning about the other message' });

      assert.equal(await text(frame.getByTestId('session-tenant')), 'acme_corp');
      assert.equal(await text(frame.getByTestId('header-user')), 'Ana');
      for (const id of ['expired-banner', 'renewing-banner']) assert.equal(await frame.getByTestId(id).count(), 0, id);
      assert.ok(!bearers.includes(`Bearer ${srv.tokens.globex}`), 'the foreign frame’s token reached the server');
      assert.ok(bearers.includes(`Bearer ${srv.tokens.forged}`), 'the forged token was checked with the server');
      // Still Ana's session, with her token.
      const card = await ask(frame, 'messages by channel');
      assert.match((await card.getByTestId('answer-sql').textContent()) ?? '', /tenant_id = 'acme_corp'/);
    } finally {
      await ui.context.close();
    }
  });

  it('clears the page for another user’s token from the parent', async () => {
    const ui = await openCrm(srv.tokens.acme);
    const { frame } = ui;
    try {
      await frame.getByTestId('session-tenant').waitFor();
      await ask(frame, 'messages by channel last month');
      await frame.getByTestId('chat-input').fill('a draft for Ana');
      await frame.getByTestId('nav-saved').click();

      await ui.parentPosts({ type: 'TOKEN_REFRESH', token: srv.tokens.globex });
      await until(async () => (await text(frame.getByTestId('session-tenant'))) === 'globex', { message: 'Gus’s session' });
      assert.equal(await text(frame.getByTestId('header-user')), 'Gus');
      assert.equal(await frame.getByTestId('nav-chat').getAttribute('aria-current'), 'page');
      assert.equal(await frame.getByTestId('answer-card').count(), 0);
      assert.equal(await frame.getByTestId('chat-input').inputValue(), '');
      for (const id of ['expired-banner', 'refresh-banner', 'renewing-banner']) assert.equal(await frame.getByTestId(id).count(), 0, id);
      // Gus's questions read Globex.
      const card = await ask(frame, 'messages by channel');
      const sql = (await card.getByTestId('answer-sql').textContent()) ?? '';
      assert.match(sql, /tenant_id = 'globex'/);
      assert.doesNotMatch(sql, /acme_corp/);
    } finally {
      await ui.context.close();
    }
  });
});
