// (m) Alerts on a saved analysis, from the Saved screen: open its alerts, create one whose webhook is a local
// server of this spec, send a test message and see it arrive there, pause and resume it, then delete it (asked
// first). The webhook URL is never shown back nor returned by the API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { indaBin, launch, mint, newContext, openApp, server, until } from './harness.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe (WCAG 2.0/2.1 A and AA) on the page as it is now: its serious and critical violations. */
async function axeSerious(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe('alerts on a saved analysis', () => {
  let srv, browser, context, page, token, hook, hookUrl, analysisId;
  const stamp = Date.now().toString(36);
  const name = `Alerted ${stamp}`;
  const received = [];

  async function call(method, path, body) {
    const res = await fetch(`${srv.base}/api/${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  const item = () => page.getByTestId('saved-list').locator(`[data-testid="saved-item"][data-id="${analysisId}"]`);
  const panel = () => item().getByTestId('alerts-panel');
  const alertItem = () => panel().getByTestId('alert-item');

  before(async () => {
    srv = await server();
    token = mint(indaBin(), srv.dataDir, { tenant: 'acme_corp', user: `alma-${stamp}`, name: 'Alma' });
    analysisId = (await call('POST', 'saved', { name, question: 'messages by channel last month' })).id;
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method, path: req.url, body });
        // A deleted webhook answers 404: final, the message failed.
        res.writeHead(req.url.endsWith('/gone') ? 404 : 200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      });
    });
    await new Promise((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${hook.address().port}/hook-${stamp}`;
    browser = await launch();
    context = await newContext(browser);
    page = await openApp(context, srv.base, token, '#/saved');
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => (hook ? hook.close(r) : r()));
    await srv?.stop();
  });

  it('opens the alerts of a saved analysis, with none yet', async () => {
    await item().waitFor();
    const open = item().getByTestId('saved-alerts');
    assert.equal(await open.getAttribute('aria-expanded'), 'false');
    await open.click();
    assert.equal(await open.getAttribute('aria-expanded'), 'true');
    await panel().waitFor();
    await panel().getByText('No alerts on this analysis yet.').waitFor();
  });

  it('refuses a webhook that is neither https nor local, then creates the alert', async () => {
    await panel().getByTestId('alert-condition').selectOption('above');
    await panel().getByTestId('alert-threshold').fill('5');
    await panel().getByTestId('alert-webhook').fill('http://example.com/hook');
    await panel().getByTestId('alert-create').click();
    await panel().getByTestId('alert-form-error').waitFor();
    assert.equal(await alertItem().count(), 0);

    await panel().getByTestId('alert-webhook').fill(hookUrl);
    await panel().getByTestId('alert-create').click();
    await alertItem().first().waitFor();
    assert.equal(await alertItem().count(), 1);
    const text = (await alertItem().textContent()) ?? '';
    assert.match(text, /is above 5/);
    assert.match(text, /Active/);
    assert.ok(!text.includes(hookUrl), 'the webhook URL is not shown');
    // Nor is it returned by the API.
    const listed = await call('GET', 'alerts');
    assert.equal(listed.length, 1);
    assert.ok(!JSON.stringify(listed).includes(hookUrl));
    assert.equal(await panel().getByTestId('alert-webhook').inputValue(), '');
  });

  it('sends a test message that arrives at the webhook', async () => {
    await alertItem().getByTestId('alert-test').click();
    await until(async () => (await alertItem().getByTestId('alert-delivery').getAttribute('data-status')) !== '', {
      message: 'the test delivery',
      timeout: 30_000,
    });
    assert.equal(await alertItem().getByTestId('alert-delivery').getAttribute('data-status'), 'sent');
    assert.match((await alertItem().getByTestId('alert-delivery').textContent()) ?? '', /Test message sent/);
    await until(async () => received.length > 0, { message: 'the message at the local webhook' });
    assert.equal(received[0].method, 'POST');
    assert.equal(received[0].path, `/hook-${stamp}`);
    assert.ok(received[0].body.length > 0);
  });

  it('says why a test message failed, and offers the open result’s numeric columns', async () => {
    // With the analysis's result open, the column is picked from its numeric columns.
    await item().getByTestId('saved-open').click();
    await page.locator('.detail-col').getByTestId('answer-card').waitFor();
    const column = panel().getByTestId('alert-column');
    await until(async () => (await column.evaluate((el) => el.tagName)) === 'SELECT', { message: 'the column list' });
    const options = await column.locator('option').allTextContents();
    assert.ok(options.length >= 2, `numeric columns offered: ${options.join(', ')}`);
    await column.selectOption({ index: 1 });
    const picked = options[1].trim();

    await panel().getByTestId('alert-condition').selectOption('change_either');
    await panel().getByTestId('alert-threshold').fill('20');
    await panel().getByTestId('alert-webhook').fill(hookUrl.replace(/\/hook-.*$/, '/gone'));
    await panel().getByTestId('alert-create').click();
    await until(async () => (await alertItem().count()) === 2, { message: 'the second alert' });
    const second = alertItem().nth(1);
    assert.match((await second.textContent()) ?? '', new RegExp(`When ${picked} changes by 20% or more`));
    await second.getByTestId('alert-test').click();
    await until(async () => (await second.getByTestId('alert-delivery').getAttribute('data-status')) === 'failed', {
      message: 'the failed delivery',
      timeout: 30_000,
    });
    assert.match((await second.getByTestId('alert-delivery').textContent()) ?? '', /The test message failed: \S/);
    await call('DELETE', `alerts/${await second.getAttribute('data-id')}`);
    // Shown again: only the first alert is left.
    await item().getByTestId('saved-alerts').click();
    await panel().waitFor({ state: 'detached' });
    await item().getByTestId('saved-alerts').click();
    await until(async () => (await alertItem().count()) === 1, { message: 'one alert left' });
  });

  it('pauses and resumes the alert', async () => {
    await alertItem().getByTestId('alert-pause').click();
    await until(async () => (await alertItem().getByTestId('alert-state').textContent())?.trim() === 'Paused', { message: 'paused' });
    assert.equal((await call('GET', 'alerts'))[0].paused, true);
    await alertItem().getByTestId('alert-pause').click();
    await until(async () => (await alertItem().getByTestId('alert-state').textContent())?.trim() === 'Active', { message: 'resumed' });
    await alertItem().getByTestId('alert-pause').click();
    await until(async () => (await alertItem().getByTestId('alert-state').textContent())?.trim() === 'Paused', { message: 'paused again' });
  });

  /** Picks a language in Settings (kept for the context), comes back to Saved and opens the alerts again. */
  async function useLang(lang, settings, heading) {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('language-select').selectOption(lang);
    await until(async () => (await page.getByTestId('nav-settings').textContent())?.trim() === settings, { message: `the ${lang} navigation` });
    await page.getByTestId('nav-saved').click();
    await item().waitFor();
    await item().getByTestId('saved-alerts').click();
    await until(async () => ((await panel().locator('h4').textContent()) ?? '').startsWith(heading), { message: `the panel in ${lang}` });
    await alertItem().first().waitFor();
  }

  it('reads in Spanish and passes axe in both languages, with an alert listed', async () => {
    assert.deepEqual(await axeSerious(page), [], 'axe, English');
    await useLang('es', 'Configuración', 'Alertas de');
    assert.equal((await alertItem().getByTestId('alert-state').textContent())?.trim(), 'En pausa');
    assert.match((await alertItem().textContent()) ?? '', /Cuando .* supere 5/);
    assert.equal((await alertItem().getByTestId('alert-pause').textContent())?.trim(), 'Reanudar');
    assert.equal((await panel().getByTestId('alert-create').textContent())?.trim(), 'Crear alerta');
    assert.deepEqual(await axeSerious(page), [], 'axe, Spanish');
    await useLang('en', 'Settings', 'Alerts on');
  });

  it('deletes the alert after asking, keeping it when told to', async () => {
    await alertItem().getByTestId('alert-delete').click();
    const dialog = page.getByTestId('alert-delete-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await alertItem().count(), 1);

    await alertItem().getByTestId('alert-delete').click();
    await dialog.waitFor();
    await dialog.getByTestId('confirm-ok').click();
    await until(async () => (await alertItem().count()) === 0, { message: 'the alert gone' });
    assert.deepEqual(await call('GET', 'alerts'), []);
  });

  it('closes the panel', async () => {
    await panel().getByTestId('alerts-close').click();
    await panel().waitFor({ state: 'detached' });
    assert.equal(await item().getByTestId('saved-alerts').getAttribute('aria-expanded'), 'false');
    // Focus goes back to the button that opened the panel.
    assert.equal(await item().getByTestId('saved-alerts').evaluate((el) => el === document.activeElement), true);
  });
});
