import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { createApi, toApiError } from './lib/api';
import type { UiConfig } from './lib/api/types';
import { applyBranding } from './lib/branding';
import { initEmbed } from './lib/embed.svelte';
import { initLang } from './lib/i18n/index.svelte';
import { restoreScope } from './lib/scope.svelte';
import { app, applyTheme, loadSession, noteError, setApi } from './lib/state.svelte';
import { tauriListen } from './lib/api/tauri';

async function start(): Promise<void> {
  const target = document.getElementById('app');
  if (!target) return;
  const api = createApi(window);
  setApi(api);
  applyTheme(app.theme);
  // The companies picked earlier in this tab, before anything reads data with the wrong ones.
  await restoreScope();
  // A deep link signed in again (the shell then reads everything the new token reaches): show the new session.
  tauriListen(window)?.('deep-link-opened', () => void loadSession()).catch(() => undefined);

  // Inside the CRM's iframe: who may hand this page tokens, known before the app shows any session banner.
  const embedding = initEmbed(window, api);

  // Branding first: the splash is neutral, and the app content is only mounted once the partner's colors are set.
  let config: UiConfig | null = null;
  try {
    config = await api.config();
  } catch (e) {
    noteError(toApiError(e));
  }
  app.config = config;
  applyBranding(config?.branding);
  initLang(config?.lang_default ?? null);
  await embedding;

  target.textContent = '';
  mount(App, { target });
  document.documentElement.classList.add('ready');
}

void start();
