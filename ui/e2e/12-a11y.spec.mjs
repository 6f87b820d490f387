// (l) Accessibility and raw strings: every screen, in English and in Spanish, passes axe-core (WCAG 2.0/2.1 A and
// AA) with no serious or critical violation, and shows none of the values the API speaks in (`offline`,
// `embedded`, `analyst`, error codes, `null`/`undefined`/`NaN`…) as words on screen. axe is evaluated into the
// page through the DevTools protocol (page.evaluate), which the app's strict CSP (`script-src 'self'`) does not
// govern: the CSP stays as it is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { ask, launch, newContext, openApp, server, until, waitChartDrawn } from './harness.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const RAW_WORDS = ['offline', 'embedded', 'analyst', 'partner_admin', 'platform_admin', 'snowflake_error', 'not_understood', 'guard_rejected', 'null', 'undefined', 'NaN', '[object Object]'];
// Text on screen that is the user's own or code, not the UI's: the question bubbles, the SQL.
const NOT_UI_TEXT = ['.turn > .question', '[data-testid="answer-sql"]', '[data-testid="sql-editor"]', '[data-testid="chat-input"]', '[data-testid="saved-item"] .item-sub'];

const QUESTIONS = {
  // The demo data starts after 2020: no rows.
  en: { chart: 'messages by channel last month', empty: 'messages by channel in 2020' },
  es: { chart: '¿cuántos mensajes por canal el mes pasado?', empty: 'mensajes por canal en 2020' },
};

/** axe on the page as it is now: its serious and critical violations, each with rule, impact, targets and HTML. */
async function axeProblems(page, screen) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ impact: n.impact, target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
    }));
  }, AXE_TAGS);
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = result.filter((v) => !bad.includes(v));
  if (minor.length) console.log(`  [${screen}] minor/moderate: ${minor.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(', ')}`);
  const report = bad
    .map((v) => `${v.id} [${v.impact}] ${v.help}\n${v.nodes.map((n) => `    - ${n.target}\n      ${n.html}\n      ${(n.summary ?? '').replace(/\n/g, '\n      ')}`).join('\n')}`)
    .join('\n');
  return bad.length ? [`[${screen}] axe: serious or critical violations:\n${report}`] : [];
}

/** The raw API values in the visible text of the page, leaving out the user's own questions and the SQL. */
async function textProblems(page, screen) {
  const text = await page.evaluate((skip) => {
    let all = document.body.innerText;
    for (const el of document.querySelectorAll(skip.join(','))) {
      const own = /** @type {HTMLElement} */ (el).innerText || /** @type {HTMLInputElement} */ (el).value || '';
      if (own.trim()) all = all.replace(own, ' ');
    }
    return all;
  }, NOT_UI_TEXT);
  const found = RAW_WORDS.filter((w) => new RegExp(`(^|[^\\w])${w.replace(/[[\]]/g, '\\$&')}(?![\\w])`).test(text));
  const context = found.map((w) => {
    const i = text.indexOf(w);
    return `${w}: “…${text.slice(Math.max(0, i - 60), i + w.length + 60).replace(/\s+/g, ' ')}…”`;
  });
  return found.length ? [`[${screen}] raw values on screen:\n  ${context.join('\n  ')}`] : [];
}

/**
 * The checks of one test: `check(page, screen)` audits the screen as it is (once it has settled: no transition
 * half-way) and goes on, so the test can close what it opened; `done()` fails with everything found.
 */
function audit() {
  const found = [];
  return {
    async check(page, screen) {
      await page.waitForTimeout(250);
      found.push(...(await textProblems(page, screen)), ...(await axeProblems(page, screen)));
    },
    done() {
      assert.equal(found.length, 0, `\n${found.join('\n\n')}`);
    },
  };
}

/** Spanish the way a user picks it: Settings → Language → Español (kept in localStorage for the context). */
async function useLang(page, lang) {
  if (lang !== 'es') return;
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('language-select').selectOption('es');
  await until(async () => (await page.getByTestId('nav-settings').textContent())?.trim() === 'Configuración', { message: 'Spanish navigation' });
  await page.getByTestId('nav-chat').click();
}

for (const lang of ['en', 'es']) {
  describe(`accessibility and raw strings (${lang})`, () => {
    let srv, browser, context, page, card;
    const stamp = `${lang}-${Date.now().toString(36)}`;
    const analysisName = lang === 'en' ? `Channels ${stamp}` : `Canales ${stamp}`;
    const dashName = lang === 'en' ? `Board ${stamp}` : `Tablero ${stamp}`;
    const q = QUESTIONS[lang];

    before(async () => {
      srv = await server();
      browser = await launch();
      context = await newContext(browser);
      page = await openApp(context, srv.base, srv.tokens.acme);
      await useLang(page, lang);
      await page.getByTestId('session-tenant').waitFor();
    });
    after(async () => {
      await browser?.close();
      await srv?.stop();
    });

    it('chat, empty', async () => {
      const a = audit();
      await page.getByTestId('suggestion').first().waitFor();
      await a.check(page, `${lang} chat empty`);
      a.done();
    });

    it('chat with an answer (chart and its controls)', async () => {
      const a = audit();
      card = await ask(page, q.chart);
      await waitChartDrawn(card);
      await page.mouse.move(0, 0);
      await a.check(page, `${lang} chat answer`);
      a.done();
    });

    it('the answer’s SQL opened for editing', async () => {
      const a = audit();
      const toggle = card.getByTestId('sql-toggle');
      await toggle.click();
      await card.getByTestId('sql-editor').waitFor();
      await a.check(page, `${lang} sql editor`);
      await toggle.click();
      a.done();
    });

    it('the answer’s table view, sorted', async () => {
      const a = audit();
      await card.getByTestId('table-toggle').click();
      await card.getByTestId('answer-table').waitFor();
      await a.check(page, `${lang} table`);
      const sort = card.getByTestId('answer-table').locator('[data-testid^="sort-"]');
      if ((await sort.count()) > 0) {
        await sort.last().click();
        await a.check(page, `${lang} table sorted`);
      }
      await card.getByTestId('table-toggle').click();
      await waitChartDrawn(card);
      a.done();
    });

    it('the export panel', async () => {
      const a = audit();
      await card.getByTestId('export-button').click();
      await card.getByTestId('export-csv').waitFor();
      await a.check(page, `${lang} export panel`);
      await card.getByTestId('export-button').click();
      a.done();
    });

    it('the pin panel of an unsaved answer', async () => {
      const a = audit();
      await card.getByTestId('pin-button').click();
      await card.getByTestId('pin-target').waitFor();
      await a.check(page, `${lang} pin panel (unsaved)`);
      await card.getByTestId('pin-button').click();
      a.done();
    });

    it('the save panel, then saved', async () => {
      const a = audit();
      await card.getByTestId('save-analysis').click();
      await card.getByTestId('save-name').fill(analysisName);
      await a.check(page, `${lang} save panel`);
      await card.getByTestId('save-confirm').click();
      await card.getByRole('status').filter({ hasText: analysisName }).waitFor();
      await a.check(page, `${lang} saved notice`);
      a.done();
    });

    it('the pin panel of a saved answer, then pinned to a new dashboard', async () => {
      const a = audit();
      await card.getByTestId('pin-button').click();
      const target = card.getByTestId('pin-target');
      await target.waitFor();
      await target.selectOption('__new');
      await card.getByTestId('pin-new-name').fill(dashName);
      await a.check(page, `${lang} pin panel`);
      await card.getByTestId('pin-confirm').click();
      await card.getByRole('status').filter({ hasText: dashName }).waitFor();
      a.done();
    });

    it('a drill-down turn (from the table, by keyboard)', async (t) => {
      const a = audit();
      await card.getByTestId('table-toggle').click();
      const cell = card.getByTestId('drill-cell').first();
      if ((await cell.count()) === 0) {
        await card.getByTestId('table-toggle').click();
        return t.skip('no drill-cell in the table yet');
      }
      const before = await page.getByTestId('answer-card').count();
      await cell.focus();
      await page.keyboard.press('Enter');
      const drilled = page.getByTestId('answer-card').nth(before);
      await drilled.waitFor();
      await card.getByTestId('table-toggle').click();
      await page.mouse.move(0, 0);
      await a.check(page, `${lang} drill turn`);
      a.done();
    });

    it('edited SQL as a new turn, with an empty answer', async (t) => {
      const a = audit();
      const last = page.getByTestId('answer-card').last();
      await last.getByTestId('sql-toggle').click();
      await last.getByTestId('sql-editor').fill("SELECT channel, COUNT(*) AS messages FROM marts.fct_messages WHERE channel = 'no-such-channel' GROUP BY channel");
      const before = await page.getByTestId('answer-card').count();
      await last.getByTestId('run-sql-button').click();
      await until(async () => (await page.getByTestId('answer-card').count()) > before || (await last.getByTestId('answer-empty').count()) > 0, { message: 'the edited SQL’s answer' });
      await last.getByTestId('sql-toggle').click();
      if ((await page.getByTestId('answer-empty').count()) === 0) return t.skip('no answer-empty yet');
      await page.mouse.move(0, 0);
      await a.check(page, `${lang} empty answer`);
      a.done();
    });

    it('an empty answer to a question', async (t) => {
      const a = audit();
      const empty = await ask(page, q.empty);
      if ((await empty.getByTestId('answer-empty').count()) === 0) return t.skip(`“${q.empty}” has rows here`);
      await page.mouse.move(0, 0);
      await a.check(page, `${lang} empty answer to a question`);
      a.done();
    });

    it('a question that is not understood (error and suggestions)', async () => {
      const a = audit();
      const before = await page.getByTestId('error-banner').count();
      const input = page.getByTestId('chat-input');
      await input.fill(lang === 'en' ? 'zzz qqq xyzzy' : 'zzz qqq xyzzy ñ');
      await input.press('Enter');
      await until(async () => (await page.getByTestId('error-banner').count()) > before, { message: 'the error banner' });
      await a.check(page, `${lang} not understood`);
      a.done();
    });

    it('saved analyses: the list, then one run with its history', async () => {
      const a = audit();
      await page.getByTestId('nav-saved').click();
      const item = page.getByTestId('saved-list').getByTestId('saved-item').filter({ hasText: analysisName });
      await item.waitFor();
      await a.check(page, `${lang} saved list`);
      await item.getByTestId('saved-run').click();
      const detail = page.locator('.detail-col');
      await waitChartDrawn(detail.getByTestId('answer-card'));
      await detail.getByTestId('history-table').waitFor();
      await detail.getByTestId('schedule-editor').waitFor();
      await a.check(page, `${lang} saved opened`);
      await detail.getByTestId('schedule-custom').check();
      await detail.getByTestId('schedule-cron').fill('not a cron');
      await a.check(page, `${lang} saved schedule, custom and invalid`);
      a.done();
    });

    it('saved analyses: the delete confirmation', async () => {
      const a = audit();
      const item = page.getByTestId('saved-list').getByTestId('saved-item').filter({ hasText: analysisName });
      await item.getByTestId('saved-delete').click();
      await item.getByTestId('saved-delete-confirm').waitFor();
      await a.check(page, `${lang} saved delete confirm`);
      await item.getByRole('button', { name: lang === 'en' ? 'Keep it' : 'Conservar' }).click();
      a.done();
    });

    it('dashboards: the dashboard with its tile, and each of its forms, menus and dialogs that are there', async () => {
      const a = audit();
      await page.getByTestId('nav-dashboards').click();
      const select = page.getByTestId('dashboard-select');
      await until(async () => (await select.locator('option', { hasText: dashName }).count()) > 0, { message: 'the new dashboard in the list' });
      await select.selectOption({ label: dashName });
      const dash = page.getByTestId('dashboard');
      await until(async () => ((await dash.textContent()) ?? '').includes(dashName), { message: 'the dashboard view' });
      const tile = dash.getByTestId('dashboard-tile').first();
      await tile.waitFor();
      await waitChartDrawn(tile.getByTestId('answer-card'));
      await page.mouse.move(0, 0);
      await a.check(page, `${lang} dashboard`);
      /** Runs `fn` when the control `testid` is on the dashboard (the features that came with issue 20). */
      const when = async (testid, fn) => {
        if ((await page.getByTestId(testid).count()) > 0) await fn(page.getByTestId(testid).first());
        else console.log(`  [${lang} dashboard] no ${testid}: not checked`);
      };
      await when('dashboard-add-text', async (add) => {
        await add.click();
        await page.getByTestId('dashboard-text-input').fill(lang === 'en' ? 'Notes for the weekly meeting.' : 'Notas para la reunión semanal.');
        await a.check(page, `${lang} dashboard, text tile form`);
        await page.getByTestId('dashboard-text-add').click();
        await dash.getByTestId('tile-text').first().waitFor();
        await a.check(page, `${lang} dashboard with a text tile`);
      });
      await when('dashboard-filters', async (filters) => {
        const pick = filters.locator('button[aria-haspopup][data-testid^="filter-"]').first();
        if ((await pick.count()) > 0) {
          await pick.click();
          await filters.getByTestId('filter-option').first().check();
          await a.check(page, `${lang} dashboard filter open`);
          await page.keyboard.press('Escape');
          await filters.getByTestId('filter-apply').click();
          await filters.getByTestId('filter-chip').first().waitFor();
          await waitChartDrawn(tile.getByTestId('answer-card'));
          await a.check(page, `${lang} dashboard filtered`);
        }
        await filters.getByTestId('filter-from').fill('2030-01-01');
        await filters.getByTestId('filter-to').fill('2020-01-01');
        await a.check(page, `${lang} dashboard filter, bad range`);
        await filters.getByTestId('filter-from').fill('');
        await filters.getByTestId('filter-to').fill('');
      });
      await when('dashboard-export-menu', async (menu) => {
        await menu.click();
        await a.check(page, `${lang} dashboard export menu`);
        await page.keyboard.press('Escape');
      });
      await when('dashboard-rename', async (rename) => {
        await rename.click();
        await page.getByTestId('dashboard-rename-input').waitFor();
        await a.check(page, `${lang} dashboard rename`);
        await page.getByTestId('dashboard-rename-cancel').click();
      });
      await when('tile-remove', async (remove) => {
        await remove.click();
        await page.getByTestId('confirm-cancel').waitFor();
        await a.check(page, `${lang} tile remove dialog`);
        await page.getByTestId('confirm-cancel').click();
      });
      await when('dashboard-delete', async (del) => {
        await del.click();
        await page.getByTestId('confirm-cancel').waitFor();
        await a.check(page, `${lang} dashboard delete dialog`);
        await page.getByTestId('confirm-cancel').click();
      });
      await when('refresh-all', async (refresh) => {
        await refresh.click();
        await until(async () => (await page.getByTestId('refresh-summary').count()) > 0 || !(await refresh.isDisabled()), { message: 'the refresh' });
        await waitChartDrawn(tile.getByTestId('answer-card'));
        await a.check(page, `${lang} dashboard refreshed`);
      });
      a.done();
    });

    it('settings', async () => {
      const a = audit();
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('language-select').waitFor();
      await a.check(page, `${lang} settings`);
      a.done();
    });

    it('a partner admin: the header, the scope picker open, settings', async () => {
      const a = audit();
      const admin = await newContext(browser);
      try {
        const p = await openApp(admin, srv.base, srv.tokens.partner);
        await useLang(p, lang);
        await p.getByTestId('header-scope').waitFor();
        await a.check(p, `${lang} partner admin chat`);
        await p.getByTestId('scope-button').click();
        await p.getByTestId('scope-panel').waitFor();
        await a.check(p, `${lang} scope picker`);
        await p.getByTestId('scope-all').uncheck();
        await p.getByTestId('scope-need-one').waitFor();
        await a.check(p, `${lang} scope picker, none ticked`);
        await p.getByTestId('scope-cancel').click();
        await p.getByTestId('nav-settings').click();
        await p.getByTestId('settings-scope').waitFor();
        await a.check(p, `${lang} partner admin settings`);
      } finally {
        await admin.close();
      }
      a.done();
    });

    it('signed out: the expired banner, and the error of a question', async () => {
      const a = audit();
      const out = await newContext(browser);
      try {
        const p = await openApp(out, srv.base, srv.tokens.forged);
        await useLang(p, lang);
        await p.getByTestId('expired-banner').waitFor();
        await a.check(p, `${lang} expired`);
        const input = p.getByTestId('chat-input');
        await input.fill(q.chart);
        await input.press('Enter');
        await p.getByTestId('error-banner').waitFor();
        await a.check(p, `${lang} expired, asked`);
        await p.getByTestId('nav-saved').click();
        await p.getByTestId('error-banner').waitFor();
        await a.check(p, `${lang} expired, saved analyses`);
        await p.getByTestId('nav-dashboards').click();
        await a.check(p, `${lang} expired, dashboards`);
        await p.getByTestId('nav-settings').click();
        await p.getByTestId('language-select').waitFor();
        await a.check(p, `${lang} expired, settings`);
      } finally {
        await out.close();
      }
      a.done();
    });

    it('the refresh banner (minutes left)', async () => {
      const a = audit();
      const short = await newContext(browser);
      try {
        const p = await openApp(short, srv.base, srv.tokens.short);
        await useLang(p, lang);
        await p.getByTestId('refresh-banner').waitFor();
        await a.check(p, `${lang} refresh banner`);
      } finally {
        await short.close();
      }
      a.done();
    });

    it('the dark theme: chat with an answer, its table, settings', async () => {
      const a = audit();
      const dark = await newContext(browser, { colorScheme: 'dark' });
      try {
        const p = await openApp(dark, srv.base, srv.tokens.globex);
        await useLang(p, lang);
        await a.check(p, `${lang} dark chat empty`);
        const c = await ask(p, q.chart);
        await waitChartDrawn(c);
        await c.getByTestId('export-button').click();
        await p.mouse.move(0, 0);
        await a.check(p, `${lang} dark chat`);
        await c.getByTestId('table-toggle').click();
        await a.check(p, `${lang} dark table`);
        await p.getByTestId('nav-settings').click();
        await a.check(p, `${lang} dark settings`);
      } finally {
        await dark.close();
      }
      a.done();
    });
  });
}
