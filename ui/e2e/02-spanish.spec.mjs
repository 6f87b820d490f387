// (b) Spanish: the language follows the browser's (es-419) and can be chosen in Settings; the UI's strings,
// the answer's summary and its number formats are Spanish.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ask, launch, newContext, openApp, server, until, waitChartDrawn } from './harness.mjs';

const QUESTION = '¿cuántos mensajes por canal el mes pasado?';

describe('Spanish', () => {
  let srv, browser;

  before(async () => {
    srv = await server();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('follows a Spanish browser (es-419): Spanish UI and summary', async () => {
    const context = await newContext(browser, { locale: 'es-419' });
    const page = await openApp(context, srv.base, srv.tokens.acme);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
    assert.equal((await page.getByTestId('nav-saved').textContent())?.trim(), 'Análisis guardados');
    assert.equal((await page.getByTestId('chat-submit').textContent())?.trim(), 'Preguntar');
    assert.equal(await page.getByTestId('chat-input').getAttribute('placeholder'), 'p. ej. mensajes por canal el mes pasado');
    // Suggestions come in Spanish too.
    const chip = page.getByTestId('suggestion').first();
    await chip.waitFor();
    assert.match((await chip.textContent()) ?? '', /[áéíóúñ¿]|Ingresos|Mensajes|Contactos|Tasa|Número|Tickets/);

    const card = await ask(page, QUESTION);
    await waitChartDrawn(card);
    const summary = (await card.getByTestId('answer-summary').textContent()) ?? '';
    assert.match(summary, /mensajes/);
    assert.match(summary, /lidera/);
    // es-419 formats: a decimal comma in the percentage, and a space before the sign ("67,4 %"; a whole "67 %"
    // has no decimals to show, and English would write "67%").
    assert.match(summary, /\d(,\d+)?\s%/);
    assert.match((await card.getByTestId('save-analysis').textContent()) ?? '', /Guardar/);
    assert.match((await card.getByTestId('export-button').textContent()) ?? '', /Exportar/);
    assert.match((await card.locator('h3').first().textContent()) ?? '', /Mensajes por canal/);
    await context.close();
  });

  it('switches to Español in Settings (language-select) from an English browser', async () => {
    const context = await newContext(browser, { locale: 'en-US' });
    const page = await openApp(context, srv.base, srv.tokens.acme);
    assert.equal((await page.getByTestId('nav-settings').textContent())?.trim(), 'Settings');
    await page.getByTestId('nav-settings').click();
    const select = page.getByTestId('language-select');
    assert.equal(await select.evaluate((el) => el.tagName), 'SELECT');
    await select.selectOption('es');
    await until(async () => (await page.getByTestId('nav-settings').textContent())?.trim() === 'Configuración', { message: 'Spanish navigation' });
    assert.equal((await page.locator('#settings-title').textContent())?.trim(), 'Configuración');

    await page.getByTestId('nav-chat').click();
    const card = await ask(page, QUESTION);
    await waitChartDrawn(card);
    assert.match((await card.getByTestId('answer-summary').textContent()) ?? '', /mensajes/);

    // The preference is remembered (localStorage) across a reload of the page.
    await page.reload();
    await page.waitForSelector('html.ready');
    assert.equal((await page.getByTestId('nav-chat').textContent())?.trim(), 'Chat');
    assert.equal((await page.getByTestId('chat-submit').textContent())?.trim(), 'Preguntar');
    await context.close();
  });
});
