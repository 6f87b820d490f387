// (d) Two tenants in two browser contexts at once (separate cookies and storage, like two browsers): each sees
// only its own tenant, answers and saved analyses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ask, launch, newContext, openApp, server, waitChartDrawn } from './harness.mjs';

describe('tenant isolation', () => {
  let srv, browser, acme, globex;
  const stamp = Date.now().toString(36);

  before(async () => {
    srv = await server();
    browser = await launch();
    const [a, g] = await Promise.all([newContext(browser), newContext(browser)]);
    [acme, globex] = await Promise.all([openApp(a, srv.base, srv.tokens.acme), openApp(g, srv.base, srv.tokens.globex)]);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('shows each tenant in its own header', async () => {
    assert.equal((await acme.getByTestId('session-tenant').textContent())?.trim(), 'acme_corp');
    assert.equal((await globex.getByTestId('session-tenant').textContent())?.trim(), 'globex');
  });

  it('answers the same question with each tenant’s own data, at the same time', async () => {
    const q = 'messages by channel last month';
    const [ca, cg] = await Promise.all([ask(acme, q), ask(globex, q)]);
    await Promise.all([waitChartDrawn(ca), waitChartDrawn(cg)]);
    const [sa, sg] = await Promise.all([ca.getByTestId('answer-sql').textContent(), cg.getByTestId('answer-sql').textContent()]);
    assert.match(sa ?? '', /tenant_id = 'acme_corp'/);
    assert.match(sg ?? '', /tenant_id = 'globex'/);
    assert.doesNotMatch(sg ?? '', /acme_corp/);
    await Promise.all([ca.getByTestId('table-toggle').click(), cg.getByTestId('table-toggle').click()]);
    const [ta, tg] = await Promise.all([ca.getByTestId('answer-table').textContent(), cg.getByTestId('answer-table').textContent()]);
    assert.notEqual(ta, tg, 'the two tenants got the same numbers');
    const [ma, mg] = await Promise.all([ca.getByTestId('answer-summary').textContent(), cg.getByTestId('answer-summary').textContent()]);
    assert.notEqual(ma, mg);
  });

  it('never lists one tenant’s saved analyses in the other’s list', async () => {
    const saveLast = async (page, name) => {
      const card = page.getByTestId('answer-card').last();
      await card.getByTestId('save-analysis').click();
      await card.getByTestId('save-name').fill(name);
      await card.getByTestId('save-confirm').click();
      await card.getByRole('status').filter({ hasText: name }).waitFor();
    };
    const acmeName = `acme secret ${stamp}`;
    const globexName = `globex secret ${stamp}`;
    await Promise.all([saveLast(acme, acmeName), saveLast(globex, globexName)]);

    const names = async (page) => {
      await page.getByTestId('nav-saved').click();
      const list = page.getByTestId('saved-list');
      await list.getByTestId('saved-item').first().waitFor();
      return list.getByTestId('saved-item').allTextContents();
    };
    const [la, lg] = await Promise.all([names(acme), names(globex)]);
    assert.ok(la.some((t) => t.includes(acmeName)), 'acme sees its own');
    assert.ok(lg.some((t) => t.includes(globexName)), 'globex sees its own');
    assert.ok(!lg.some((t) => t.includes('acme')), `globex's list: ${lg.join(' | ')}`);
    assert.ok(!la.some((t) => t.includes(globexName)), `acme's list: ${la.join(' | ')}`);

    // Nor through the API with the other's id: globex cannot open acme's analysis.
    const acmeId = await acme.getByTestId('saved-item').filter({ hasText: acmeName }).getAttribute('data-id');
    const status = await globex.evaluate(async (id) => (await fetch(`./api/saved/${encodeURIComponent(id)}`, { credentials: 'same-origin' })).status, acmeId);
    assert.equal(status, 404);
  });

  it('keeps dashboards apart too', async () => {
    const boards = async (page) => page.evaluate(async () => (await fetch('./api/dashboards', { credentials: 'same-origin' })).json());
    const [da, dg] = await Promise.all([boards(acme), boards(globex)]);
    const ids = new Set(da.map((d) => d.id));
    assert.ok(dg.every((d) => !ids.has(d.id)));
  });
});
