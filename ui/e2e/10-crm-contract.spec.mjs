// The CRM's side of docs/embedding.md, written from that document only: a CRM page of our own (served here by a
// small Node server at http://localhost:<E2E_PARENT_PORT>, the origin the harness lists in [serve] frame_ancestors)
// frames the UI of `inda serve` (http://127.0.0.1:<port>, another site), answers its TOKEN_REFRESH_NEEDED with
// TOKEN_REFRESH, and checks every promise of the document that a CRM can observe from the outside.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, sign as edSign } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { ask, chromiumPath, freePort, indaBin, launch, mint, newContext, server, until } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------------------------
// Tokens: the CRM's backend mints them. Here it signs them with the data dir's development key (the issuer the
// data dir trusts), so that the test controls `exp` exactly (an already expired token, one ending in 5 minutes).

const b64u = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

function signJwt(privateKey, claims) {
  const input = `${b64u({ typ: 'JWT', alg: 'EdDSA', kid: 'development' })}.${b64u(claims)}`;
  return `${input}.${Buffer.from(edSign(null, Buffer.from(input), privateKey)).toString('base64url')}`;
}

function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * The data dir's Ed25519 private key. It is PKCS#8 v2 (with the public key), which this OpenSSL does not read:
 * its 32-byte seed is re-wrapped as PKCS#8 v1.
 */
function ed25519Key(pem) {
  try {
    return createPrivateKey(pem);
  } catch {
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('04220420', 'hex'));
    assert.ok(at > 0, 'an Ed25519 seed in the development key');
    const seed = der.subarray(at + 4, at + 36);
    const v1 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    return createPrivateKey({ key: v1, format: 'der', type: 'pkcs8' });
  }
}

function tokenFactory(dataDir) {
  const key = ed25519Key(readFileSync(join(dataDir, 'keys', 'dev-ed25519.pem'), 'utf8'));
  // A key no data dir trusts: what a forger would sign with.
  const forgerKey = generateKeyPairSync('ed25519').privateKey;
  let serial = 0;
  return ({ tenant = 'acme_corp', user = 'ana', name = 'Ana', roles = ['analyst'], ttl = 3600, forged = false } = {}) => {
    // Distinct `iat`s keep every token distinct, so a request's bearer tells which token the frame used.
    const exp = now() + ttl;
    const iat = Math.min(now() - 10, exp - 60) - serial++;
    return signJwt(forged ? forgerKey : key, {
      tenant_id: tenant,
      user_id: user,
      partner_id: 'indigital',
      user_name: name,
      roles,
      iat,
      exp,
      iss: 'development',
    });
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The CRM: its page (docs/embedding.md, "A minimal parent page", plus a log of what it receives), its token
// endpoint (what it answers is set by the test) and two sibling frames used to post from non-parent windows.

function parentPage(analytics) {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>CRM</title>
  </head>
  <body>
    <iframe id="analytics" title="Analytics" style="width: 1200px; height: 680px; border: 0"></iframe>
    <div id="siblings"></div>
    <script>
      // Where \`inda serve\` answers: its origin, exactly (scheme, host, port), never "*".
      const ANALYTICS = ${JSON.stringify(analytics)};
      const frame = document.getElementById('analytics');
      const params = new URLSearchParams(location.search);

      // A token for the CRM user signed in here, minted by the CRM's own backend (short-lived, in memory only).
      async function analyticsToken() {
        const res = await fetch('/crm/analytics-token', { credentials: 'same-origin', cache: 'no-store' });
        if (!res.ok) throw new Error(\`no analytics token: HTTP \${res.status}\`);
        return (await res.json()).token;
      }

      // Test instrumentation: everything this window receives, and a way to post unasked.
      window.__msgs = [];
      window.addEventListener('message', (event) => {
        let data;
        try { data = JSON.parse(JSON.stringify(event.data)); } catch { data = String(event.data); }
        window.__msgs.push({ data, origin: event.origin, fromFrame: event.source === frame.contentWindow, t: Date.now() });
      });
      window.__post = (msg) => frame.contentWindow.postMessage(msg, ANALYTICS);

      // The frame asks when it has no session (a reload), when its session has expired and 10 minutes before.
      window.addEventListener('message', async (event) => {
        if (event.source !== frame.contentWindow || event.origin !== ANALYTICS) return;
        if (event.data?.type !== 'TOKEN_REFRESH_NEEDED') return;
        try {
          const token = await analyticsToken();
          frame.contentWindow.postMessage({ type: 'TOKEN_REFRESH', token }, ANALYTICS);
        } catch (e) {
          console.warn(e); // the frame asks again (1 s, 2 s, 4 s … 30 s)
        }
      });

      // ?start=bare opens the frame without a token, as a reload of the frame does.
      const hash = params.get('hash') || '';
      if (params.get('start') === 'bare') {
        frame.src = \`\${ANALYTICS}/\${hash}\`;
      } else {
        analyticsToken().then((token) => {
          frame.src = \`\${ANALYTICS}/?token=\${encodeURIComponent(token)}\${hash}\`;
        });
      }
      // Sibling frames (?siblings=<origin>,<origin>): other windows of the page that try to hand tokens too.
      for (const origin of (params.get('siblings') || '').split(',').filter(Boolean)) {
        const s = document.createElement('iframe');
        s.src = \`\${origin}/sibling\`;
        s.style.cssText = 'width: 10px; height: 10px; border: 0';
        document.getElementById('siblings').appendChild(s);
      }
    </script>
  </body>
</html>`;
}

function siblingPage(analytics) {
  return `<!doctype html><meta charset="utf-8"><title>sibling</title><script>
  // parent.frames[0] is the analytics frame (the first iframe of the CRM page).
  window.sendToAnalytics = (msg) => parent.frames[0].postMessage(msg, ${JSON.stringify(analytics)});
  </script>`;
}

/** The CRM's web server: `state.tokens` (a queue, then `state.token`) or HTTP 503 when `state.fail`. */
function crmHandler(analytics, state) {
  return (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/crm') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(parentPage(analytics));
    }
    if (url.pathname === '/sibling') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(siblingPage(analytics));
    }
    if (url.pathname === '/crm/analytics-token') {
      state.requests.push(Date.now());
      const token = state.tokens.length ? state.tokens.shift() : state.token;
      if (state.fail || !token) {
        res.writeHead(503, { 'content-type': 'application/json' });
        return res.end('{"error":"unavailable"}');
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify({ token }));
    }
    res.writeHead(404);
    res.end();
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Observing the page: messages the CRM page got, requests of the frame (with their bearer), the frame's warnings.

function watch(context, page, base) {
  const w = { requests: [], warnings: [] };
  context.on('request', async (req) => {
    if (!req.url().startsWith(base)) return;
    const entry = { url: req.url(), path: new URL(req.url()).pathname, method: req.method(), auth: null, t: Date.now(), status: null };
    w.requests.push(entry);
    try {
      entry.auth = (await req.allHeaders())['authorization'] ?? null;
    } catch {
      /* the page went away */
    }
    req.response().then(
      (r) => (entry.status = r?.status() ?? null),
      () => {},
    );
  });
  page.on('console', (msg) => {
    // Only the frame's own warnings (the CRM page warns too, when its backend has no token).
    if (msg.type() === 'warning' && (msg.location()?.url ?? '').startsWith(base)) w.warnings.push({ text: msg.text(), url: msg.location()?.url ?? '' });
  });
  w.bearing = (token) => w.requests.filter((r) => r.auth === `Bearer ${token}`);
  return w;
}

async function asks(page) {
  return (await page.evaluate(() => window.__msgs)).filter((m) => m.data?.type === 'TOKEN_REFRESH_NEEDED');
}

async function analyticsFrame(page) {
  const handle = await page.waitForSelector('#analytics');
  return until(async () => {
    const f = await handle.contentFrame();
    return f && f.url().startsWith('http') ? f : null;
  }, { message: 'the analytics frame' });
}

async function frameReady(frame) {
  await frame.waitForSelector('html.ready', { timeout: 15_000 });
}

async function tenantShown(frame) {
  const el = frame.getByTestId('session-tenant');
  if ((await el.count()) === 0) return null;
  return (await el.first().textContent())?.trim() ?? null;
}

/** Whether "Renewing your session…" is on screen (the frame's visible state while it asks). */
async function renewingShown(frame) {
  const banner = frame.getByTestId('renewing-banner');
  if (!(await banner.first().isVisible().catch(() => false))) return false;
  return /Renewing your session…|Renovando tu sesión…/.test((await banner.first().textContent()) ?? '');
}

/** A partner admin's company picker: keeps only `keep` (tenant ids) and applies; resolves with the header's label. */
async function pickCompanies(frame, keep) {
  await frame.getByTestId('scope-button').click();
  await frame.getByTestId('scope-panel').waitFor();
  const options = frame.getByTestId('scope-option');
  for (let i = 0; i < (await options.count()); i++) {
    const o = options.nth(i);
    const want = keep.includes(await o.getAttribute('value'));
    if ((await o.isChecked()) !== want) await o.click();
  }
  await frame.getByTestId('scope-apply').click();
  await until(async () => (await frame.getByTestId('scope-panel').count()) === 0, { message: 'the picker closed' });
  return (await frame.getByTestId('header-scope').textContent())?.trim();
}

const scopeLabel = async (frame) => (await frame.getByTestId('header-scope').textContent())?.trim();
const onDashboards = async (frame) => frame.url().includes('#/dashboards') && (await frame.getByTestId('dashboard-select').isVisible().catch(() => false));

function intervalsOf(list) {
  const out = [];
  for (let i = 1; i < list.length; i++) out.push((list[i].t - list[i - 1].t) / 1000);
  return out;
}

function assertPace(actual, expected, what) {
  assert.ok(actual.length >= expected.length, `${what}: ${actual.length} intervals, wanted ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const tol = 0.5 + 0.25 * expected[i];
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `${what}: interval ${i + 1} was ${actual[i].toFixed(2)} s, the document says ${expected[i]} s (all: ${actual.map((x) => x.toFixed(2)).join(', ')})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('CRM contract (docs/embedding.md)', () => {
  let srv, browser, crm, crmState, token, analytics, parentOrigin, otherOrigin;

  const resetCrm = () => {
    crmState.tokens = [];
    crmState.token = null;
    crmState.fail = false;
    crmState.requests = [];
  };

  before(async () => {
    srv = await server();
    analytics = srv.base; // http://127.0.0.1:<port>
    parentOrigin = `http://localhost:${srv.parentPort}`;
    otherOrigin = `http://127.0.0.1:${srv.parentPort}`; // the same server, but an origin frame_ancestors does not list
    token = tokenFactory(srv.dataDir);
    crmState = {};
    resetCrm();
    crm = createHttpServer(crmHandler(analytics, crmState));
    await new Promise((resolve, reject) => {
      crm.once('error', reject);
      crm.listen(srv.parentPort, resolve); // every interface: localhost (v4 or v6) and 127.0.0.1
    });
    browser = await launch();
    // The test's own tokens are the data dir's: the server takes them.
    const res = await fetch(`${analytics}/api/session`, { headers: { authorization: `Bearer ${token()}` } });
    assert.equal(res.status, 200, 'a token signed with the development key is accepted');
  });
  const openProfiles = new Set();
  after(async () => {
    for (const c of openProfiles) await c.close().catch(() => {});
    await browser?.close();
    await new Promise((r) => (crm ? crm.close(r) : r()));
    await srv?.stop();
  });

  /**
   * A fresh browser context with the CRM page open; `query` is the page's query string. This Chromium's contexts
   * deny Web Storage to cross-site frames (as with third-party cookies blocked);
   * `{ thirdPartyStorage: true }` opens a profile with Chrome's regular default instead (third-party cookies
   * allowed), where the frame has its own (partitioned) sessionStorage and localStorage.
   */
  async function openCrm(query = '', { thirdPartyStorage = false } = {}) {
    let context;
    if (thirdPartyStorage) {
      const dir = mkdtempSync(join(tmpdir(), 'crm-profile-'));
      mkdirSync(join(dir, 'Default'), { recursive: true });
      writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
      context = await chromium.launchPersistentContext(dir, {
        executablePath: chromiumPath(),
        headless: true,
        args: ['--no-sandbox', '--disable-dev-shm-usage'],
        viewport: { width: 1280, height: 720 },
        locale: 'en-US',
        timezoneId: 'UTC',
      });
      const close = context.close.bind(context);
      context.close = async () => {
        await close();
        rmSync(dir, { recursive: true, force: true });
      };
      openProfiles.add(context);
    } else {
      context = await newContext(browser);
    }
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const w = watch(context, page, analytics);
    await page.goto(`${parentOrigin}/crm${query ? `?${query}` : ''}`);
    const frame = await analyticsFrame(page);
    await frameReady(frame);
    return { context, page, frame, w };
  }

  it('GET /api/embedding answers without a token, and every response lists the origins in its CSP', async () => {
    const res = await fetch(`${analytics}/api/embedding`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { frame_ancestors: [parentOrigin] });
    for (const path of ['/', '/api/embedding', '/api/session', '/healthz']) {
      const r = await fetch(`${analytics}${path}`);
      const csp = r.headers.get('content-security-policy') ?? '';
      const fa = /frame-ancestors ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
      assert.ok(fa.includes(parentOrigin), `${path} (HTTP ${r.status}): frame-ancestors ${JSON.stringify(fa)} lists ${parentOrigin}`);
      assert.ok(!fa.includes(otherOrigin) && !fa.includes('*'), `${path}: frame-ancestors ${JSON.stringify(fa)}`);
    }
    // "its pages send Referrer-Policy: no-referrer"
    assert.equal((await fetch(`${analytics}/`)).headers.get('referrer-policy'), 'no-referrer');
  });

  it('the documented parent page signs the frame in; the token leaves the URL and storage; a fresh token asks nothing', async () => {
    resetCrm();
    const first = token();
    crmState.token = first;
    // A profile where the frame could use Web Storage, so that "never in storage" means something.
    const { context, page, frame, w } = await openCrm('', { thirdPartyStorage: true });
    await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'acme_corp signed in', timeout: 15_000 });
    assert.ok(!frame.url().includes('token='), `the frame's address bar still holds the token: ${frame.url()}`);
    assert.ok(!frame.url().includes(first));
    const stored = await frame.evaluate(() => {
      const all = [];
      for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) all.push(s.key(i), s.getItem(s.key(i)));
      return all.join('\n');
    });
    assert.ok(!stored.includes(first), 'the token is in localStorage or sessionStorage');
    // Its API calls bear the token (it is in memory).
    assert.ok(w.bearing(first).some((r) => r.path.startsWith('/api/')), 'API calls with the token');
    // With an hour left the frame has no reason to ask (it asks only without a session, expired, or < 10 min).
    await sleep(3_000);
    assert.deepEqual(await asks(page), []);
    assert.equal(crmState.requests.length, 1, 'only the first token was fetched');
    await context.close();
  });

  it('a frame without a session asks its parent with exactly {type, expires_at: null}, from the analytics origin', async () => {
    resetCrm();
    crmState.fail = true;
    const { context, page, frame } = await openCrm('start=bare');
    const [ask0] = await until(async () => {
      const a = await asks(page);
      return a.length ? a : null;
    }, { message: 'TOKEN_REFRESH_NEEDED' });
    assert.deepEqual(ask0.data, { type: 'TOKEN_REFRESH_NEEDED', expires_at: null });
    assert.deepEqual(Object.keys(ask0.data).sort(), ['expires_at', 'type']);
    assert.equal(ask0.origin, analytics, 'event.origin is the analytics origin');
    assert.equal(ask0.fromFrame, true, 'event.source is the frame');
    // Nothing else reaches the parent.
    const others = (await page.evaluate(() => window.__msgs)).filter((m) => m.data?.type !== 'TOKEN_REFRESH_NEEDED');
    assert.deepEqual(others, []);
    // While it asks: "Renewing your session…" instead of the session-expired banner.
    await until(() => renewingShown(frame), { message: '"Renewing your session…"' });
    assert.equal(await frame.getByTestId('expired-banner').count(), 0, 'the expired banner is shown while the frame asks');
    assert.equal(await tenantShown(frame), null);
    // The CRM answers now: the next ask is answered and the frame signs in.
    crmState.fail = false;
    crmState.token = token();
    await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in after the answer', timeout: 10_000 });
    assert.equal(await renewingShown(frame), false);
    await context.close();
  });

  for (const [what, make] of [
    ['forged', () => token({ forged: true })],
    ['expired', () => token({ ttl: -600 })],
  ]) {
    it(`${what === 'expired' ? 'an' : 'a'} ${what} token in the frame's URL: asks with expires_at null, then takes the parent's token`, async () => {
      resetCrm();
      const good = token();
      crmState.tokens = [make()];
      crmState.token = good;
      const { context, page, frame, w } = await openCrm();
      const a = await until(async () => {
        const l = await asks(page);
        return l.length ? l : null;
      }, { message: 'TOKEN_REFRESH_NEEDED' });
      assert.deepEqual(a[0].data, { type: 'TOKEN_REFRESH_NEEDED', expires_at: null });
      assert.equal(a[0].origin, analytics);
      await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in with the parent\'s token' });
      // The request's status and headers are recorded asynchronously, after the page may already show the tenant.
      await until(() => w.bearing(good).some((r) => r.path === '/api/session' && r.status === 200), { message: 'the parent\'s token verified' });
      assert.equal(await frame.getByTestId('expired-banner').count(), 0);
      // The 1 s repeat may have asked once more while a loaded machine validated the first answer: the
      // contract is that asking stops once a token is taken.
      const taken = (await asks(page)).length;
      await sleep(2_500);
      assert.equal((await asks(page)).length, taken, 'it stopped asking');
      await context.close();
    });
  }

  it('repeats after 1 s, 2 s, 4 s, 8 s until a token is taken, then stops asking', async () => {
    resetCrm();
    crmState.fail = true;
    const { context, page, frame } = await openCrm('start=bare');
    const five = await until(async () => {
      const a = await asks(page);
      return a.length >= 4 ? a : null;
    }, { message: 'four asks', timeout: 20_000 });
    assertPace(intervalsOf(five), [1, 2, 4], 'pace of TOKEN_REFRESH_NEEDED');
    for (const a of five) assert.deepEqual(a.data, { type: 'TOKEN_REFRESH_NEEDED', expires_at: null });
    assert.ok(await renewingShown(frame), '"Renewing your session…" while asking');
    assert.equal(await frame.getByTestId('expired-banner').count(), 0);
    // From now on the CRM answers: the fifth ask (8 s after the fourth) gets a token.
    crmState.fail = false;
    crmState.token = token();
    const fifth = await until(async () => {
      const a = await asks(page);
      return a.length >= 5 ? a : null;
    }, { message: 'the fifth ask', timeout: 15_000 });
    assertPace(intervalsOf(fifth), [1, 2, 4, 8], 'pace of TOKEN_REFRESH_NEEDED');
    await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in', timeout: 10_000 });
    // The next ask would come 16 s after the fifth: none comes once a token was taken.
    const takenAt = Date.now();
    await sleep(19_000);
    const later = (await asks(page)).filter((a) => a.t > takenAt);
    assert.deepEqual(later.map((a) => a.data), [], 'the frame kept asking after it took a token');
    assert.equal(await renewingShown(frame), false);
    await context.close();
  });

  it('near expiry: asks with the token\'s exp; a short token does not end the asking nor restart the pace; a long one does', async () => {
    resetCrm();
    // The page's first token ends in 5 minutes; the CRM then answers three asks with other short tokens (each with
    // its own exp), and the fourth with an hour-long one.
    const short0 = token({ ttl: 300 });
    const shorts = [token({ ttl: 290 }), token({ ttl: 280 }), token({ ttl: 270 })];
    const long = token();
    crmState.tokens = [short0, ...shorts];
    crmState.token = long;
    const { context, page, frame, w } = await openCrm();
    await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in with the short token' });
    await until(() => renewingShown(frame), { message: '"Renewing your session…" while it asks near expiry', timeout: 5_000 });
    assert.equal(await frame.getByTestId('expired-banner').count(), 0);
    const seq = await until(async () => {
      const a = await asks(page);
      return a.length >= 4 ? a : null;
    }, { message: 'four asks', timeout: 20_000 });
    // The first ask carries the first token's exp; each later one the exp of the token taken in between.
    const exps = [short0, ...shorts].map((t) => claimsOf(t).exp);
    assert.deepEqual(
      seq.map((a) => a.data),
      exps.map((e) => ({ type: 'TOKEN_REFRESH_NEEDED', expires_at: e })),
    );
    assert.ok(seq.every((a) => a.origin === analytics && a.fromFrame));
    for (const t of shorts) await until(() => w.bearing(t).some((r) => r.path === '/api/session'), { message: 'each answer was verified' });
    assertPace(intervalsOf(seq), [1, 2, 4], 'pace while only short tokens come');
    // The fourth ask got the hour-long token: no fifth ask (it would come 8 s after the fourth).
    await until(() => w.bearing(long).some((r) => r.path === '/api/session' && r.status === 200), { message: 'long token verified' });
    await sleep(11_000);
    assert.equal((await asks(page)).length, 4, 'the frame kept asking after an hour-long token');
    assert.equal(await tenantShown(frame), 'acme_corp');
    assert.equal(await renewingShown(frame), false);
    await context.close();
  });

  it('a session that expires in the frame: keeps asking with its exp, "Renewing…" instead of the expired banner, same user continues', async () => {
    resetCrm();
    const brief = token({ ttl: 8 });
    const exp = claimsOf(brief).exp;
    crmState.tokens = [brief];
    crmState.fail = false; // the first fetch (the frame's src) works; then the CRM's backend is down
    const { context, page, frame, w } = await openCrm();
    await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in' });
    crmState.fail = true;
    await ask(frame, 'messages by channel last month');
    await until(() => Date.now() / 1000 > exp + 2, { timeout: 15_000, message: 'the token expired' });
    await sleep(500);
    assert.ok(await renewingShown(frame), '"Renewing your session…" once the session expired');
    assert.equal(await frame.getByTestId('expired-banner').count(), 0, 'the expired banner while the frame asks');
    const before = await asks(page);
    assert.ok(before.length >= 3, `asks so far: ${before.length}`);
    for (const a of before) assert.deepEqual(a.data, { type: 'TOKEN_REFRESH_NEEDED', expires_at: exp });
    // The CRM's backend is back: the next ask is answered with a token of the same user.
    const fresh = token();
    crmState.fail = false;
    crmState.token = fresh;
    await until(() => w.bearing(fresh).some((r) => r.path === '/api/session' && r.status === 200), { message: 'the fresh token taken', timeout: 20_000 });
    await until(async () => !(await renewingShown(frame)), { message: 'the renewing banner gone' });
    assert.equal(await frame.getByTestId('answer-card').count(), 1, 'the conversation continued');
    assert.equal(await tenantShown(frame), 'acme_corp');
    await context.close();
  });

  it('in Spanish the frame shows "Renovando tu sesión…" while it asks', async (t) => {
    resetCrm();
    crmState.fail = true;
    const context = await newContext(browser, { locale: 'es-ES' });
    const page = await context.newPage();
    await page.goto(`${parentOrigin}/crm?start=bare`);
    const frame = await analyticsFrame(page);
    await frameReady(frame);
    await until(async () => (await asks(page)).length >= 1, { message: 'first ask' });
    const submit = ((await frame.getByTestId('chat-submit').textContent()) ?? '').trim();
    const banner = frame.getByTestId('renewing-banner');
    await banner.waitFor();
    if (submit === 'Ask') {
      // This UI does not pick Spanish from the browser's language; the document does not say it does.
      await context.close();
      t.skip('the UI is not in Spanish with an es-ES browser');
      return;
    }
    assert.match((await banner.textContent()) ?? '', /Renovando tu sesión…/);
    await context.close();
  });

  it('a reload of the frame recovers through the handshake (expires_at null, then the parent\'s token)', async () => {
    resetCrm();
    crmState.token = token();
    const { context, page, frame, w } = await openCrm();
    await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in' });
    assert.deepEqual(await asks(page), []);
    const second = token();
    crmState.token = second;
    await frame.evaluate(() => location.reload()).catch(() => {});
    const reloaded = await analyticsFrame(page);
    await frameReady(reloaded);
    const a = await until(async () => {
      const l = await asks(page);
      return l.length ? l : null;
    }, { message: 'TOKEN_REFRESH_NEEDED after the reload' });
    assert.deepEqual(a[0].data, { type: 'TOKEN_REFRESH_NEEDED', expires_at: null });
    assert.equal(a[0].origin, analytics);
    await until(async () => (await tenantShown(reloaded)) === 'acme_corp', { message: 'signed in again', timeout: 10_000 });
    await until(() => w.bearing(second).some((r) => r.path === '/api/session' && r.status === 200), { message: 'the second token verified' });
    assert.equal(await reloaded.getByTestId('expired-banner').count(), 0);
    assert.equal(await renewingShown(reloaded), false);
    // Questions work with the token the parent handed over.
    const card = await ask(reloaded, 'messages by channel last month');
    assert.ok(await card.isVisible());
    // As above: at most the 1 s repeat before the token was taken, none after.
    const taken = (await asks(page)).length;
    await sleep(2_000);
    assert.equal((await asks(page)).length, taken, 'it stopped asking');
    await context.close();
  });

  it('an unasked token of the same user keeps the conversation and the draft; only the token changes', async () => {
    resetCrm();
    const first = token();
    crmState.token = first;
    const { context, page, frame, w } = await openCrm();
    await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in' });
    await ask(frame, 'messages by channel last month');
    await frame.getByTestId('chat-input').fill('a draft in progress');
    const same = token({ ttl: 7200 });
    await page.evaluate((t) => window.__post({ type: 'TOKEN_REFRESH', token: t }), same);
    await until(() => w.bearing(same).some((r) => r.path === '/api/session' && r.status === 200), { message: 'the new token verified' });
    await sleep(1_000);
    assert.equal(await frame.getByTestId('answer-card').count(), 1, 'the conversation was kept');
    assert.equal(await frame.getByTestId('chat-input').inputValue(), 'a draft in progress');
    assert.equal(await tenantShown(frame), 'acme_corp');
    // The next question goes out with the new token.
    const before = w.requests.length;
    await ask(frame, 'messages by channel last month');
    const apiAfter = w.requests.slice(before).filter((r) => r.path.startsWith('/api/') && r.auth);
    assert.ok(apiAfter.length > 0, 'API calls after the switch');
    assert.ok(apiAfter.every((r) => r.auth === `Bearer ${same}`), `API calls after the switch bear the new token: ${apiAfter.map((r) => r.path)}`);
    assert.equal(await frame.getByTestId('answer-card').count(), 2);
    assert.deepEqual(await asks(page), []);
    await context.close();
  });

  for (const [what, who] of [
    ['another user of the same tenant', { tenant: 'acme_corp', user: 'bob', name: 'Bob' }],
    ['the same user id in another tenant', { tenant: 'globex', user: 'ana', name: 'Ana' }],
  ]) {
    it(`a token of ${what} is a new sign-in: conversation and draft cleared, everything read again`, async () => {
      resetCrm();
      const first = token();
      crmState.token = first;
      const { context, page, frame, w } = await openCrm();
      await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in' });
      await ask(frame, 'messages by channel last month');
      // What the frame read at its first sign-in (configuration, branding, session, companies…).
      const firstReads = new Set(w.bearing(first).filter((r) => r.method === 'GET' && r.path.startsWith('/api/')).map((r) => r.path));
      await frame.getByTestId('chat-input').fill('a draft in progress');
      const other = token(who);
      await page.evaluate((t) => window.__post({ type: 'TOKEN_REFRESH', token: t }), other);
      await until(async () => (await tenantShown(frame)) === who.tenant && (await frame.getByTestId('answer-card').count()) === 0, {
        message: `signed in as ${who.user}@${who.tenant} with the page cleared`,
      });
      await until(async () => (await frame.getByTestId('chat-input').inputValue()) === '', { message: 'the draft cleared' });
      await sleep(1_500);
      const reads = new Set(w.bearing(other).filter((r) => r.method === 'GET').map((r) => r.path));
      assert.ok(reads.has('/api/session'), 'session read again');
      // GET /api/embedding is read once, when the UI starts in a frame: not part of a sign-in.
      const missing = [...firstReads].filter((p) => p !== '/api/embedding' && !reads.has(p));
      assert.ok(reads.size >= 2, `read again with the new token: ${[...reads]}`);
      assert.deepEqual(missing, [], `read at sign-in but not again with the new token (first: ${[...firstReads]}, again: ${[...reads]})`);
      assert.deepEqual(await asks(page), []);
      await context.close();
    });
  }

  const pat = () => token({ user: 'pat', name: 'Pat', roles: ['partner_admin'] });
  const pia = () => token({ user: 'pia', name: 'Pia', roles: ['partner_admin'] });

  it('same user (partner admin), unasked token: the open screen and the chosen companies stay', async () => {
    resetCrm();
    const first = pat();
    crmState.token = first;
    const { context, page, frame, w } = await openCrm();
    await frame.getByTestId('header-scope').waitFor();
    const all = await scopeLabel(frame);
    const picked = await pickCompanies(frame, ['acme_corp', 'globex']);
    assert.notEqual(picked, all, 'the picker changed the scope');
    await frame.getByTestId('nav-dashboards').click();
    await until(() => onDashboards(frame), { message: 'the dashboards screen' });
    const same = pat();
    await page.evaluate((t) => window.__post({ type: 'TOKEN_REFRESH', token: t }), same);
    await until(() => w.bearing(same).some((r) => r.path === '/api/session' && r.status === 200), { message: 'the new token verified' });
    await sleep(1_500);
    assert.ok(await onDashboards(frame), `the open screen changed: ${frame.url()}`);
    assert.equal(await scopeLabel(frame), picked, 'the chosen companies changed');
    assert.equal((await frame.getByTestId('header-user').textContent())?.trim(), 'Pat');
    await context.close();
  });

  it('another partner admin: chosen companies and the open dashboard screen cleared, back to the chat', async () => {
    resetCrm();
    crmState.token = pat();
    const { context, page, frame } = await openCrm();
    await frame.getByTestId('header-scope').waitFor();
    const all = await scopeLabel(frame);
    const picked = await pickCompanies(frame, ['globex']);
    assert.notEqual(picked, all);
    await frame.getByTestId('nav-dashboards').click();
    await until(() => onDashboards(frame), { message: 'the dashboards screen' });
    await page.evaluate((t) => window.__post({ type: 'TOKEN_REFRESH', token: t }), pia());
    await until(async () => (await frame.getByTestId('header-user').textContent())?.trim() === 'Pia', { message: 'Pia signed in' });
    await until(async () => !(await onDashboards(frame)) && (await frame.getByTestId('chat-input').isVisible()), { message: 'back to the chat' });
    await until(async () => (await scopeLabel(frame)) === all, { message: `the companies back to "${all}" (shows "${await scopeLabel(frame)}")` });
    await context.close();
  });

  for (const [label, thirdPartyStorage] of [
    ['third-party storage allowed (regular Chrome profile)', true],
    ['third-party storage blocked (this Chromium\'s default browser context)', false],
  ]) {
    it(`first token after a reload: the screen the URL names, and the companies picked in this tab for the same user only; ${label}`, async () => {
      resetCrm();
      crmState.token = pat();
      const { context, page, frame } = await openCrm('', { thirdPartyStorage });
      await frame.getByTestId('header-scope').waitFor();
      const all = await scopeLabel(frame);
      const picked = await pickCompanies(frame, ['acme_corp', 'initech']);
      await frame.getByTestId('nav-dashboards').click();
      await until(() => onDashboards(frame), { message: 'the dashboards screen' });
      // Reload; the CRM answers with a token of the same user.
      crmState.token = pat();
      await frame.evaluate(() => location.reload()).catch(() => {});
      await until(async () => (await asks(page)).length >= 1, { message: 'the ask after the reload' });
      let f = await analyticsFrame(page);
      await until(async () => (await f.getByTestId('header-user').textContent().catch(() => ''))?.trim() === 'Pat', { message: 'Pat signed in again' });
      await until(() => onDashboards(f), { message: `the dashboards screen after the reload (at ${f.url()})` });
      // docs/embedding.md: the picked companies come back only where the browser lets the frame keep them (a
      // cross-site frame without storage starts again with all of them).
      const expected = thirdPartyStorage ? picked : all;
      await until(async () => (await scopeLabel(f)) === expected, { message: `the companies "${expected}" (shows "${await scopeLabel(f)}")` });
      // Reload again; this time the CRM's user is another partner admin: no companies of Pat's.
      await pickCompanies(f, ['acme_corp', 'initech']);
      crmState.token = pia();
      const n = (await asks(page)).length;
      await f.evaluate(() => location.reload()).catch(() => {});
      await until(async () => (await asks(page)).length > n, { message: 'the ask after the second reload' });
      f = await analyticsFrame(page);
      await until(async () => (await f.getByTestId('header-user').textContent().catch(() => ''))?.trim() === 'Pia', { message: 'Pia signed in' });
      await sleep(1_500);
      assert.equal(await scopeLabel(f), all, 'another user took the companies Pat picked');
      await context.close();
    });
  }

  it('ignores, with a console.warn, malformed messages and forged or expired tokens from the parent; then takes a good one', async () => {
    resetCrm();
    crmState.fail = true; // the CRM never answers: only what the test posts reaches the frame
    const { context, page, frame, w } = await openCrm('start=bare');
    await until(async () => (await asks(page)).length >= 1, { message: 'first ask' });
    const valid = () => token({ tenant: 'globex', user: 'gus', name: 'Gus' });
    const malformed = [
      ['wrong type', (t) => ({ type: 'TOKEN_REFRESHED', token: t })],
      ['lower-case type', (t) => ({ type: 'token_refresh', token: t })],
      ['the ask echoed back', (t) => ({ type: 'TOKEN_REFRESH_NEEDED', token: t })],
      ['token under another key', (t) => ({ type: 'TOKEN_REFRESH', jwt: t })],
      ['a bare string', (t) => t],
      ['missing token', () => ({ type: 'TOKEN_REFRESH' })],
      ['empty token', () => ({ type: 'TOKEN_REFRESH', token: '' })],
      ['number token', () => ({ type: 'TOKEN_REFRESH', token: 42 })],
      ['token in an array', (t) => ({ type: 'TOKEN_REFRESH', token: [t] })],
    ];
    const sent = [];
    for (const [what, make] of malformed) {
      const t = valid();
      sent.push(t);
      const warned = w.warnings.length;
      await page.evaluate((m) => window.__post(m), make(t));
      await until(() => w.warnings.length > warned, { message: `a console.warn for ${what}`, timeout: 3_000 });
    }
    for (const t of sent) assert.deepEqual(w.bearing(t).map((r) => r.path), [], 'a malformed message\'s token was used');
    // Refused by the server: verified with GET /api/session, then not taken.
    const refused = [
      ['forged', token({ tenant: 'globex', user: 'gus', name: 'Gus', forged: true })],
      ['expired', token({ tenant: 'globex', user: 'gus', name: 'Gus', ttl: -3600 })],
      ['tampered', (() => {
        const t = valid();
        return `${t.slice(0, -3)}${t.at(-3) === 'A' ? 'B' : 'A'}${t.slice(-2)}`;
      })()],
    ];
    for (const [what, t] of refused) {
      const warned = w.warnings.length;
      await page.evaluate((m) => window.__post(m), { type: 'TOKEN_REFRESH', token: t });
      await until(() => w.warnings.length > warned, { message: `a console.warn for the ${what} token`, timeout: 5_000 });
      if (what !== 'expired') {
        await until(() => w.bearing(t).some((r) => r.path === '/api/session'), { message: `the ${what} token was checked with GET /api/session` });
      }
      assert.ok(
        w.bearing(t).every((r) => r.path === '/api/session'),
        `the ${what} token was used beyond the check: ${w.bearing(t).map((r) => r.path)}`,
      );
    }
    assert.equal(await tenantShown(frame), null, 'nobody is signed in');
    assert.ok(await renewingShown(frame), 'still renewing');
    // It keeps asking (it still needs a token), still with expires_at null.
    const n = (await asks(page)).length;
    await until(async () => (await asks(page)).length > n, { message: 'another ask', timeout: 20_000 });
    assert.ok((await asks(page)).every((a) => a.data.expires_at === null));
    // The same page, a good token: taken.
    const good = token({ tenant: 'globex', user: 'gus', name: 'Gus' });
    await page.evaluate((m) => window.__post(m), { type: 'TOKEN_REFRESH', token: good });
    await until(async () => (await tenantShown(frame)) === 'globex', { message: 'signed in with a good token' });
    await context.close();
  });

  it('ignores tokens posted by a sibling frame of the allowed origin and by a frame of an unlisted origin', async () => {
    resetCrm();
    crmState.fail = true;
    const { context, page, frame, w } = await openCrm(`start=bare&siblings=${encodeURIComponent(`${parentOrigin},${otherOrigin}`)}`);
    await until(async () => (await asks(page)).length >= 1, { message: 'first ask' });
    const siblings = await until(async () => {
      const fs = page.frames().filter((f) => f.url().endsWith('/sibling'));
      return fs.length === 2 ? fs : null;
    }, { message: 'two sibling frames' });
    const sent = [];
    for (const s of siblings) {
      await s.waitForFunction(() => typeof window.sendToAnalytics === 'function');
      const t = token({ tenant: 'globex', user: 'gus', name: 'Gus' });
      sent.push(t);
      const warned = w.warnings.length;
      await s.evaluate((m) => window.sendToAnalytics(m), { type: 'TOKEN_REFRESH', token: t });
      await until(() => w.warnings.length > warned, { message: `a console.warn for the post of ${new URL(s.url()).origin}`, timeout: 3_000 });
    }
    await sleep(1_000);
    for (const t of sent) assert.deepEqual(w.bearing(t).map((r) => r.path), [], 'a sibling\'s token was used');
    assert.equal(await tenantShown(frame), null, 'a sibling signed the frame in');
    assert.ok(await renewingShown(frame));
    // The parent itself, the same kind of token: taken.
    const good = token({ tenant: 'globex', user: 'gus', name: 'Gus' });
    await page.evaluate((m) => window.__post(m), { type: 'TOKEN_REFRESH', token: good });
    await until(async () => (await tenantShown(frame)) === 'globex', { message: 'the parent\'s token taken' });
    await context.close();
  });

  it('a signed-in frame: forged, expired and non-parent tokens of another user change nothing on the page', async () => {
    resetCrm();
    const first = token();
    crmState.token = first;
    const { context, page, frame, w } = await openCrm(`siblings=${encodeURIComponent(parentOrigin)}`);
    await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: 'signed in' });
    await ask(frame, 'messages by channel last month');
    await frame.getByTestId('chat-input').fill('a draft in progress');
    const gus = { tenant: 'globex', user: 'gus', name: 'Gus' };
    const forged = token({ ...gus, forged: true });
    const expired = token({ ...gus, ttl: -3600 });
    for (const t of [forged, expired]) {
      const warned = w.warnings.length;
      await page.evaluate((m) => window.__post(m), { type: 'TOKEN_REFRESH', token: t });
      await until(() => w.warnings.length > warned, { message: 'a console.warn', timeout: 5_000 });
    }
    const sibling = page.frames().find((f) => f.url().endsWith('/sibling'));
    await sibling.waitForFunction(() => typeof window.sendToAnalytics === 'function');
    const fromSibling = token(gus);
    await sibling.evaluate((m) => window.sendToAnalytics(m), { type: 'TOKEN_REFRESH', token: fromSibling });
    await sleep(1_500);
    assert.equal(await tenantShown(frame), 'acme_corp');
    assert.equal(await frame.getByTestId('answer-card').count(), 1);
    assert.equal(await frame.getByTestId('chat-input').inputValue(), 'a draft in progress');
    assert.deepEqual(w.bearing(fromSibling), []);
    // The next question still goes out with the first token.
    const before = w.requests.length;
    await ask(frame, 'messages by channel last month');
    const apiAfter = w.requests.slice(before).filter((r) => r.path.startsWith('/api/') && r.auth);
    assert.ok(apiAfter.length > 0 && apiAfter.every((r) => r.auth === `Bearer ${first}`), `bearers after: ${apiAfter.map((r) => r.path)}`);
    assert.deepEqual(await asks(page), []);
    await context.close();
  });

  it('outside a frame the UI posts nothing (no token, a refused token, a token with 5 minutes left)', async () => {
    for (const t of [null, token({ forged: true }), token({ ttl: 300 })]) {
      const context = await newContext(browser);
      await context.addInitScript(() => {
        window.__posted = [];
        window.__received = [];
        const orig = window.postMessage.bind(window);
        window.postMessage = (...args) => {
          try {
            window.__posted.push(JSON.parse(JSON.stringify(args)));
          } catch {
            window.__posted.push(String(args[0]));
          }
          return orig(...args);
        };
        window.addEventListener('message', (e) => window.__received.push(String(e.data?.type ?? e.data)));
      });
      const page = await context.newPage();
      await page.goto(`${analytics}/${t ? `?token=${encodeURIComponent(t)}` : ''}`);
      await page.waitForSelector('html.ready');
      await sleep(4_000); // asks would come at 0, 1 and 3 s
      const posted = (await page.evaluate(() => window.__posted)).filter((p) => JSON.stringify(p).includes('TOKEN_REFRESH'));
      assert.deepEqual(posted, [], `posted at top level (token: ${t ? claimsOf(t).exp - now() + ' s left' : 'none'})`);
      assert.deepEqual((await page.evaluate(() => window.__received)).filter((r) => r.includes('TOKEN')), []);
      assert.equal(await renewingShown(page.mainFrame()), false, '"Renewing your session…" at top level');
      await context.close();
    }
  });

  // A server of our own, to check the configuration rules and a wildcard entry, with the CRM on https at
  // https://<labels>.crm.partner.example:<port> (resolved to 127.0.0.1 by the browser, self-signed certificate).
  describe('CRM contract (docs/embedding.md): own server with a wildcard entry', () => {
    const bad = ['not an origin', '*', 'https://crm.example/path', 'ftp://crm.example', 'https://crm.*.example'];
    let root, child, log = '', base, tok, exact, wildcard, wildPort, wildCrm, wildBrowser;

    before(async () => {
      const bin = indaBin();
      root = mkdtempSync(join(tmpdir(), 'inda-crm-'));
      const dataDir = join(root, 'data');
      wildPort = await freePort();
      exact = `http://localhost:${srv.parentPort}`;
      wildcard = `https://*.crm.partner.example:${wildPort}`;
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'config.toml'), `[serve]\nframe_ancestors = ${JSON.stringify([exact, wildcard, ...bad])}\n`);
      tok = mint(bin, dataDir, { tenant: 'acme_corp', user: 'ana', name: 'Ana' }); // adds the development issuer
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-keyout', join(root, 'key.pem'), '-out', join(root, 'cert.pem'), '-subj', '/CN=crm.partner.example',
      ], { stdio: 'ignore' });
      const env = { ...process.env };
      delete env.INDA_TOKEN;
      delete env.INDA_DATA_DIR;
      child = spawn(bin, ['--data-dir', dataDir, 'serve', '--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
      base = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`inda serve did not start:\n${log}`)), 30_000);
        const onData = (c) => {
          log += c;
          const m = /serving on (http:\/\/[^\s/]+)\//.exec(log);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`inda serve exited with ${code}:\n${log}`)));
      });
      child.removeAllListeners('exit');
      const state = { tokens: [], token: tok, fail: false, requests: [] };
      wildCrm = createHttpsServer({ key: readFileSync(join(root, 'key.pem')), cert: readFileSync(join(root, 'cert.pem')) }, crmHandler(base, state));
      await new Promise((r) => wildCrm.listen(wildPort, '127.0.0.1', r));
      wildBrowser = await chromium.launch({
        executablePath: chromiumPath(),
        headless: true,
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--host-resolver-rules=MAP *.crm.partner.example 127.0.0.1'],
      });
    });
    after(async () => {
      await wildBrowser?.close();
      await new Promise((r) => (wildCrm ? wildCrm.close(r) : r()));
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('config: frame_ancestors entries that are not origins are left out, with a warning in the log', async () => {
      const listed = (await (await fetch(`${base}/api/embedding`)).json()).frame_ancestors;
      const csp = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
      const fa = /frame-ancestors ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
      const problems = [];
      for (const good of [exact, wildcard]) {
        if (!listed.includes(good)) problems.push(`${good}: missing from GET /api/embedding`);
        if (!fa.includes(good)) problems.push(`${good}: missing from the CSP's frame-ancestors`);
      }
      for (const b of bad) {
        if (listed.includes(b)) problems.push(`${JSON.stringify(b)}: kept in GET /api/embedding`);
        if (fa.includes(b)) problems.push(`${JSON.stringify(b)}: kept in the CSP's frame-ancestors`);
        if (!log.split('\n').some((l) => /WARN/.test(l) && l.includes(b))) problems.push(`${JSON.stringify(b)}: no warning in the log`);
      }
      assert.deepEqual(problems, [], `GET /api/embedding: ${JSON.stringify(listed)}`);
    });

    it('a parent under a wildcard entry (one DNS label or more) gets the asks and its token is taken', async () => {
      for (const host of ['crm1.crm.partner.example', 'eu.crm1.crm.partner.example']) {
        const origin = `https://${host}:${wildPort}`;
        const context = await newContext(wildBrowser, { ignoreHTTPSErrors: true });
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(`${origin}/crm?start=bare`);
        const frame = await analyticsFrame(page);
        await frameReady(frame);
        const a = await until(async () => {
          const l = await asks(page);
          return l.length ? l : null;
        }, { message: `an ask reaching ${origin}` });
        assert.deepEqual(a[0].data, { type: 'TOKEN_REFRESH_NEEDED', expires_at: null });
        assert.equal(a[0].origin, base);
        assert.equal(a[0].fromFrame, true);
        await until(async () => (await tenantShown(frame)) === 'acme_corp', { message: `signed in through ${origin}` });
        await context.close();
      }
    });
  });
});
