// (f) Time from pressing Enter to the chart drawn, measured in the page (keydown → first painted canvas of
// the new answer), over several questions; prints the median. The target is under 150 ms warm at the default scale
// (E2E_SCALE=1 INDA_BIN=<release inda>);
// the test fails only past E2E_MAX_MEDIAN_MS (default 1500) so a loaded CI machine does not flake.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch, median, newContext, openApp, server } from './harness.mjs';

const QUESTIONS = [
  'messages by channel last month',
  'Contacts by country',
  'Monthly revenue over the last 12 months',
  'Top 5 campaigns by revenue',
  'Average order value by country',
  'What was the delivery rate by channel this year?',
];

describe('submit → chart latency', () => {
  let srv, browser;

  before(async () => {
    srv = await server();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it(`draws the chart quickly (median over ${QUESTIONS.length - 1} questions after a warm-up)`, async (t) => {
    const context = await newContext(browser);
    const page = await openApp(context, srv.base, srv.tokens.acme);
    await page.getByTestId('session-tenant').waitFor();
    const input = page.getByTestId('chat-input');
    const times = [];
    for (const q of QUESTIONS) {
      await input.fill(q);
      // Armed in the page: the clock starts on the Enter keydown and stops at the first frame where the new
      // answer's chart canvas has painted pixels.
      await page.evaluate(() => {
        const el = document.querySelector('[data-testid="chat-input"]');
        window.__lat = null;
        el.addEventListener(
          'keydown',
          (e) => {
            if (e.key !== 'Enter') return;
            const start = performance.now();
            const n = document.querySelectorAll('[data-testid="answer-card"]').length;
            const tick = () => {
              const cards = document.querySelectorAll('[data-testid="answer-card"]');
              const card = cards.length > n ? cards[cards.length - 1] : null;
              const canvas = card?.querySelector('[data-testid="answer-chart"] canvas');
              if (canvas && canvas.width > 0) {
                const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                for (let i = 3; i < d.length; i += 28) if (d[i] !== 0) return (window.__lat = performance.now() - start);
              }
              if (card && !card.querySelector('[data-testid="answer-chart"]')) return (window.__lat = -1);
              if (performance.now() - start > 20_000) return (window.__lat = -2);
              requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
          },
          { capture: true, once: true },
        );
      });
      await input.press('Enter');
      const ms = await page.waitForFunction(() => window.__lat, null, { timeout: 25_000 }).then((h) => h.jsonValue());
      assert.ok(ms > 0, `“${q}” drew no chart (${ms})`);
      // Of which the HTTP round trip of /api/ask (Resource Timing of the last ask request).
      const api = await page.evaluate(() => {
        const e = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/ask')).at(-1);
        return e ? e.responseEnd - e.startTime : NaN;
      });
      times.push({ q, ms: Math.round(ms), api: Math.round(api) });
    }
    const measured = times.slice(1); // the first one loads the ECharts chunk
    const med = median(measured.map((x) => x.ms));
    const medApi = median(measured.map((x) => x.api));
    const lines = times.map((x, i) => `  ${x.ms} ms (of which /api/ask ${x.api} ms)  ${x.q}${i === 0 ? '  [warm-up, not counted]' : ''}`).join('\n');
    const report = `submit → chart drawn:\n${lines}\n  median ${med} ms over ${measured.length} (target < 150 ms); median /api/ask ${medApi} ms, so UI ≈ ${med - medApi} ms`;
    console.log(report);
    t.diagnostic(`median submit→chart ${med} ms (target < 150 ms); warm-up ${times[0].ms} ms`);
    const max = Number(process.env.E2E_MAX_MEDIAN_MS ?? 1500);
    assert.ok(med < max, `median ${med} ms ≥ ${max} ms`);
    await context.close();
  });
});
