// (g) Money and partial periods (semantics.md: Money, Time): a monthly revenue series names the tenant's reporting
// currency (acme_corp reports in COP) and marks the current, unfinished month "to date" / "en curso", with the
// server's caveat listed under the summary. The current month is the server's (same machine, UTC), not the demo's
// as-of date.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ask, launch, newContext, openApp, server, waitChartDrawn } from './harness.mjs';

/** The answer's table as text: header cells and body rows (switching from the chart to the table first). */
async function tableOf(card) {
  const toggle = card.getByTestId('table-toggle');
  if (await toggle.count()) {
    // A series is drawn first (the chart must come up), then read as a table.
    if ((await card.getAttribute('data-kind')) !== 'kpi') await waitChartDrawn(card);
    await toggle.click();
  }
  const table = card.getByTestId('answer-table');
  await table.locator('tbody tr').first().waitFor();
  const headers = (await table.locator('thead th').allTextContents()).map((h) => h.trim());
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
  return { headers, rows };
}

/** This month as the app writes a month bucket (`Dec 2026`: the period, not its first day), read in the page's Intl. */
async function currentMonthLabel(page, locale) {
  return page.evaluate((loc) => {
    const now = new Date();
    const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    return new Intl.DateTimeFormat(loc, { timeZone: 'UTC', year: 'numeric', month: 'short' }).format(first);
  }, locale);
}

async function checkRevenueSeries(page, { question, locale, marker }) {
  const card = await ask(page, question);

  // The caveat, in the question's language, under the summary.
  const caveats = card.getByTestId('answer-caveats');
  await caveats.waitFor();
  assert.ok((await caveats.locator('li[data-code="partial_period"]').count()) >= 1, 'a partial_period caveat is listed');

  const { headers, rows } = await tableOf(card);
  assert.ok(
    headers.some((h) => /\(COP\)/.test(h)),
    `a header names the reporting currency: ${JSON.stringify(headers)}`,
  );

  // Exactly one row is marked, the last one (oldest first), and it is this month.
  const suffix = ` (${marker})`;
  const marked = rows.flatMap((row, r) => row.filter((cell) => cell.endsWith(suffix)).map((cell) => ({ r, cell })));
  assert.equal(marked.length, 1, `one cell marked${suffix}: ${JSON.stringify(rows)}`);
  assert.equal(marked[0].r, rows.length - 1, 'the marked period is the last row');
  assert.equal(marked[0].cell, `${await currentMonthLabel(page, locale)}${suffix}`);
}

describe('money and partial periods', () => {
  let srv, browser;

  before(async () => {
    srv = await server();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('monthly revenue this year: COP in the header, the current month "to date"', async () => {
    const context = await newContext(browser, { locale: 'en-US' });
    const page = await openApp(context, srv.base, srv.tokens.acme);
    await checkRevenueSeries(page, { question: 'monthly revenue this year', locale: 'en-US', marker: 'to date' });
    await context.close();
  });

  it('ingresos mensuales este año: COP in the header, the current month "en curso"', async () => {
    const context = await newContext(browser, { locale: 'es-419' });
    const page = await openApp(context, srv.base, srv.tokens.acme);
    // A Spanish answer's cells use es-CO digits and dates, as its summary does (ui/src/lib/answer.ts).
    await checkRevenueSeries(page, { question: 'ingresos mensuales este año', locale: 'es-CO', marker: 'en curso' });
    await context.close();
  });
});
