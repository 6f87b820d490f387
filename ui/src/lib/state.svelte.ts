// App-wide state (Svelte 5 runes): the transport, config, session and its countdown, route, theme.
import type { Api } from './api';
import { toApiError } from './api';
import type { ApiError, SessionInfo, UiConfig } from './api/types';
import { isScopeRefusal } from './scope';

export type Route = 'chat' | 'saved' | 'dashboards' | 'settings';
export const ROUTES: Route[] = ['chat', 'saved', 'dashboards', 'settings'];
export type Theme = 'system' | 'light' | 'dark';

const THEME_KEY = 'inda.theme';

let current: Api | null = null;

export function setApi(api: Api): void {
  current = api;
}

/** The transport picked at startup. */
export function api(): Api {
  if (!current) throw new Error('API not initialized');
  return current;
}

function routeFromHash(): Route {
  const h = globalThis.location?.hash.replace(/^#\/?/, '') ?? '';
  return (ROUTES as string[]).includes(h) ? (h as Route) : 'chat';
}

function readTheme(): Theme {
  try {
    const v = globalThis.localStorage?.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export const app = $state({
  config: null as UiConfig | null,
  session: null as SessionInfo | null,
  /** When the session ends (ms since the epoch), from `seconds_left` at fetch time. */
  deadline: null as number | null,
  now: Date.now(),
  /** An `auth` error was seen: the session is gone; show the expired banner. */
  authFailed: false,
  authMessage: '',
  refreshDismissed: false,
  online: globalThis.navigator?.onLine ?? true,
  route: routeFromHash(),
  theme: readTheme(),
  /** Bumped when the saved analyses or dashboards change, so open lists reload. */
  libraryVersion: 0,
  /** Set to open one analysis or dashboard when switching screens. */
  openAnalysis: null as string | null,
  openDashboard: null as string | null,
});

export function navigate(route: Route): void {
  app.route = route;
  const hash = `#/${route}`;
  if (globalThis.location && globalThis.location.hash !== hash) {
    history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
  }
}

export function applyTheme(theme: Theme): void {
  app.theme = theme;
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
  try {
    if (theme === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    /* storage unavailable */
  }
}

/** Whether dark colors are showing (explicit or through the OS). */
export function isDark(): boolean {
  if (app.theme !== 'system') return app.theme === 'dark';
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

export function setSession(s: SessionInfo): void {
  app.session = s;
  app.deadline = Date.now() + s.seconds_left * 1000;
  app.now = Date.now();
  if (s.expired) app.authFailed = true;
}

export async function loadSession(): Promise<void> {
  try {
    setSession(await api().session());
    app.authFailed = app.session?.expired ?? false;
  } catch (e) {
    noteError(toApiError(e));
  }
}

/** Seconds left in the session, live. */
export function secondsLeft(): number | null {
  if (app.deadline === null) return null;
  return Math.max(0, Math.round((app.deadline - app.now) / 1000));
}

/**
 * Every error passes here so an `auth` failure anywhere shows the expired banner. A scope refusal (a company
 * outside the session's current scope) is not one: the session is fine, so it shows where it happened.
 */
export function noteError(err: ApiError): ApiError {
  if (err.code === 'auth' && !isScopeRefusal(err)) {
    app.authFailed = true;
    app.authMessage = err.message;
  }
  return err;
}

export function bumpLibrary(): void {
  app.libraryVersion++;
}
