// Shared end-to-end setup: a temp data dir with demo data, tokens, a running `inda serve`, and headless Debian
// Chromium driven by playwright-core (no Playwright browser download). Used by run.mjs (the global setup of
// `npm run e2e`), by every spec (which reuse the server run.mjs started, or start their own when run alone)
// and by screenshots.mjs.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// The demo data ends today (UTC), as on an analyst's machine: the running month then has rows, so the specs see
// its "to date" marker (partial periods are the server's calendar, not the data's).
export const AS_OF = new Date().toISOString().slice(0, 10);
// Partner indigital's four companies and other_partner's one, so a partner admin's scope has more to it than an
// analyst's and ends at its partner.
export const TENANTS = ['acme_corp', 'globex', 'initech', 'umbrella', 'stark_ind'];

/** The inda binary: $INDA_BIN, else the debug build in $CARGO_TARGET_DIR or ~/.cache/inda-target. */
export function indaBin() {
  if (process.env.INDA_BIN) return process.env.INDA_BIN;
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'inda-target');
  return join(target, 'debug', 'inda');
}

export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

function inda(bin, args) {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() }).trim();
}

/** The environment for inda without a session or data dir of the developer's own. */
function cleanEnv() {
  const env = { ...process.env };
  delete env.INDA_TOKEN;
  delete env.INDA_DATA_DIR;
  return env;
}

/** A token that ends in 5 minutes (inside the UI's 10-minute refresh window). */
const SHORT = { tenant: 'acme_corp', user: 'ana', name: 'Ana', ttl: '5m' };

/** Mints a token signed by the data dir's development key. */
export function mint(bin, dataDir, { tenant, user = 'ana', name = 'Ana', roles = 'analyst', ttl = '1h' }) {
  return inda(bin, ['--data-dir', dataDir, 'token', 'mint', '--tenant', tenant, '--user', user, '--name', name, '--roles', roles, '--ttl', ttl]);
}

/**
 * A local TCP port free right now, below Linux's ephemeral range (32768+) so that no outgoing connection takes it
 * before the spec that was promised it listens on it.
 */
export async function freePort() {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free local port');
}

/**
 * Creates the data dir, the tokens and the server. Resolves once /healthz answers. The returned `env` is what
 * run.mjs hands to the specs (E2E_*), and `stop()` ends the server and removes the temp dirs.
 *
 * The CRM page of the embedding spec (09-embed) will be served at `http://localhost:<parentPort>`, another site
 * than the server's `http://127.0.0.1:<port>` as the real CRM is: its origin goes into `[serve] frame_ancestors`
 * before the server starts, so the port is picked here.
 */
export async function startServer() {
  const bin = indaBin();
  if (!existsSync(bin)) throw new Error(`no inda binary at ${bin}: build it (cargo build -p inda-cli) or set INDA_BIN`);
  const root = mkdtempSync(join(tmpdir(), 'inda-e2e-'));
  const dataDir = join(root, 'data');
  const otherDir = join(root, 'other');
  const parentPort = await freePort();
  mkdirSync(dataDir, { recursive: true });
  // Minting the tokens below adds the development issuer to this file and keeps what is here.
  // Secrets (an alert's webhook URL) in a 0600 file of the temp data dir: a headless run has no OS keyring.
  writeFileSync(
    join(dataDir, 'config.toml'),
    `[serve]\nframe_ancestors = ["http://localhost:${parentPort}"]\n\n[secrets]\nfallback = "file"\n`,
  );
  // Small by default so the suite is quick; E2E_SCALE=1 measures at the demo's default scale.
  const scale = process.env.E2E_SCALE || '0.05';
  inda(bin, ['--data-dir', dataDir, 'demo', 'init', '--scale', scale, '--as-of', AS_OF, '--tenants', TENANTS.join(',')]);
  const tokens = {
    acme: mint(bin, dataDir, { tenant: 'acme_corp', user: 'ana', name: 'Ana' }),
    globex: mint(bin, dataDir, { tenant: 'globex', user: 'gus', name: 'Gus' }),
    // Ends in 5 minutes: inside the UI's 10-minute refresh window.
    short: mint(bin, dataDir, SHORT),
    // Well-formed and unexpired, but signed by another data dir's key: the server must refuse it.
    forged: mint(bin, otherDir, { tenant: 'acme_corp', user: 'ana', name: 'Ana' }),
    // A partner admin of indigital (signed in through acme_corp): reads every active company of the partner.
    partner: mint(bin, dataDir, { tenant: 'acme_corp', user: 'pat', name: 'Pat', roles: 'partner_admin' }),
  };

  const child = spawn(bin, ['--data-dir', dataDir, 'serve', '--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  let log = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`inda serve did not start in 30 s:\n${log}`)), 30_000);
    const onData = (chunk) => {
      log += chunk;
      const m = /serving on (http:\/\/[^\s/]+)\//.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`inda serve exited with ${code}:\n${log}`));
    });
  });
  child.removeAllListeners('exit');
  await waitHealthy(base);
  const page = await (await fetch(`${base}/`)).text();
  if (!page.includes('type="module"')) {
    child.kill('SIGKILL');
    throw new Error(`${bin} serves no UI: run \`npm run build\` in ui/ and rebuild it (cargo build -p inda-cli)`);
  }

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  };
  const env = {
    E2E_BASE: base,
    E2E_DATA_DIR: dataDir,
    E2E_TOKEN_ACME: tokens.acme,
    E2E_TOKEN_GLOBEX: tokens.globex,
    E2E_TOKEN_FORGED: tokens.forged,
    E2E_TOKEN_PARTNER: tokens.partner,
    E2E_PARENT_PORT: String(parentPort),
  };
  return { base, dataDir, tokens, parentPort, env, stop, pid: child.pid };
}

async function waitHealthy(base) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${base}/healthz never answered`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The server for a spec: the one run.mjs started (E2E_* in the environment), else a private one, so a spec
 * file also runs alone with `node --test e2e/x.spec.mjs`.
 */
export async function server() {
  const e = process.env;
  if (e.E2E_BASE && e.E2E_TOKEN_ACME) {
    return {
      base: e.E2E_BASE,
      dataDir: e.E2E_DATA_DIR,
      tokens: {
        acme: e.E2E_TOKEN_ACME,
        globex: e.E2E_TOKEN_GLOBEX,
        // Minted for this spec file: the suite takes about 7 minutes on two cores, so a 5-minute token
        // minted with the suite's server had expired by the time a late spec (12-a11y) opened the app with it.
        short: mint(indaBin(), e.E2E_DATA_DIR, SHORT),
        forged: e.E2E_TOKEN_FORGED,
        partner: e.E2E_TOKEN_PARTNER,
      },
      parentPort: Number(e.E2E_PARENT_PORT),
      stop: async () => {},
    };
  }
  return startServer();
}

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A browser context (its own cookies and storage, like a separate browser) at 1280×720. */
export async function newContext(browser, opts = {}) {
  return browser.newContext({
    viewport: { width: 1280, height: 720 },
    locale: 'en-US',
    timezoneId: 'UTC',
    acceptDownloads: true,
    ...opts,
  });
}

/** Opens the UI with `?token=` as the CRM's link does, and waits for the app to mount. */
export async function openApp(context, base, token, hash = '') {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${base}/?token=${encodeURIComponent(token)}${hash}`);
  await page.waitForSelector('html.ready');
  return page;
}

/** Types a question into chat-input and presses Enter; resolves with the new answer card. */
export async function ask(page, question) {
  const before = await page.getByTestId('answer-card').count();
  const input = page.getByTestId('chat-input');
  await input.fill(question);
  await input.press('Enter');
  const card = page.getByTestId('answer-card').nth(before);
  await card.waitFor({ state: 'visible' });
  return card;
}

/** Waits until the chart inside `card` is drawn: a canvas (or svg) with painted pixels. */
export async function waitChartDrawn(card) {
  const chart = card.getByTestId('answer-chart');
  await chart.waitFor({ state: 'visible' });
  await chart.locator('canvas, svg').first().waitFor({ state: 'attached' });
  const handle = await chart.elementHandle();
  await handle.evaluate(
    (el) =>
      new Promise((resolve, reject) => {
        const deadline = performance.now() + 10_000;
        const check = () => {
          const c = el.querySelector('canvas');
          if (c && c.width > 0 && c.height > 0) {
            const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
            if (data) for (let i = 3; i < data.length; i += 4 * 7) if (data[i] !== 0) return resolve(true);
          } else if (el.querySelector('svg')) return resolve(true);
          if (performance.now() > deadline) return reject(new Error('the chart was never painted'));
          requestAnimationFrame(check);
        };
        check();
      }),
  );
  return chart;
}

/** Polls `fn` until it returns a truthy value (or throws after `timeout` ms). */
export async function until(fn, { timeout = 10_000, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
