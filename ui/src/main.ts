import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { createApi, toApiError } from './lib/api';
import type { UiConfig } from './lib/api/types';
import { applyBranding } from './lib/branding';
import { initLang } from './lib/i18n/index.svelte';
import { app, applyTheme, noteError, setApi } from './lib/state.svelte';

async function start(): Promise<void> {
  const target = document.getElementById('app');
  if (!target) return;
  const api = createApi(window);
  setApi(api);
  applyTheme(app.theme);

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

  target.textContent = '';
  mount(App, { target });
  document.documentElement.classList.add('ready');
}

void start();
