// The UI inside the CRM's iframe gets its tokens from the parent page (docs/embedding.md). A strict session cookie
// is not sent in a cross-site frame and the token from `?token=` lives in memory only, so on a reload, at expiry
// and 10 minutes before it, the UI posts `{type: "TOKEN_REFRESH_NEEDED", expires_at}` to its parent (again after
// 1 s, 2 s, 4 s … 30 s until a token arrives), and takes `{type: "TOKEN_REFRESH", token}` from the parent window
// of an allowed origin once the server accepts the token. The same user's token continues the session; another
// user's is a new sign-in that clears the page. The rules are in embed.ts; the desktop shell is never framed.
import { toApiError } from './api';
import { HttpApi } from './api/http';
import type { Api } from './api';
import type { SessionInfo } from './api/types';
import { applyBranding } from './branding';
import { chat, resetConversation } from './chat.svelte';
import { backoffDelay, checkMessage, neededMessage, sameUser, targetOrigins, tokenNeeded } from './embed';
import { initLang } from './i18n/index.svelte';
import { restoreScope, scope } from './scope.svelte';
import { api, app, bumpLibrary, loadSession, navigate, noteError, secondsLeft, setSession } from './state.svelte';
import { cancelAll } from './task.svelte';

const LOG = 'inDigital Analytics:';

export const embed = $state({
  /** Framed by an origin of `[serve] frame_ancestors` over HTTP: the handshake is on. */
  active: false,
});

let http: HttpApi | null = null;
let parent: Window | null = null;
let entries: string[] = [];
let targets: string[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
let attempt = 0;
/** Tokens are checked and taken one at a time, in the order they came. */
let queue: Promise<void> = Promise.resolve();

/** The parent's origin as the browser reports it (`location.ancestorOrigins`, else the referrer's), or null. */
function parentOrigin(win: Window): string | null {
  const ancestors = (win.location as Partial<Location>).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? null;
  try {
    return win.document.referrer ? new URL(win.document.referrer).origin : null;
  } catch {
    return null;
  }
}

/**
 * At startup, before the app is mounted: inside a frame, over HTTP, reads which origins may frame the UI
 * (`GET /api/embedding`, no session needed) and, when the parent can be one of them, starts listening for its
 * tokens. Outside a frame (or in the desktop shell) nothing changes: the cookie keeps the session.
 */
export async function initEmbed(win: Window, a: Api): Promise<void> {
  if (!(a instanceof HttpApi) || win.parent === win) return;
  let allowed: string[];
  try {
    allowed = (await a.embedding()).frame_ancestors;
  } catch (e) {
    console.warn(LOG, 'cannot read the origins allowed to frame this page:', toApiError(e).message);
    return;
  }
  const to = targetOrigins(allowed, parentOrigin(win));
  if (to.length === 0) return;
  http = a;
  parent = win.parent;
  entries = allowed;
  targets = to;
  embed.active = true;
  win.addEventListener('message', onMessage);
}

/** Whether the framed UI should be asking for a token now (see `tokenNeeded`); reactive. */
export function renewalWanted(): boolean {
  return embed.active && tokenNeeded({ session: app.session, authFailed: app.authFailed, secondsLeft: secondsLeft() });
}

/**
 * Starts asking the parent for a token (`on`) or stops. Asking again while it already asks changes nothing, so
 * a token that leaves the session still short of time does not restart the 1-second pace.
 */
export function keepRenewing(on: boolean): void {
  if (!on) {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    attempt = 0;
    return;
  }
  if (!embed.active || timer !== null) return;
  askParent();
}

function askParent(): void {
  const message = neededMessage(app.session);
  for (const origin of targets) {
    try {
      parent?.postMessage(message, origin);
    } catch (e) {
      console.warn(LOG, `cannot post ${message.type} to ${origin}:`, e);
    }
  }
  timer = setTimeout(askParent, backoffDelay(attempt++));
}

function onMessage(event: MessageEvent): void {
  const verdict = checkMessage(event, parent, entries);
  if (!verdict.ok) {
    console.warn(LOG, `ignored ${verdict.reason}.`);
    return;
  }
  queue = queue.then(() => take(verdict.token)).catch((e: unknown) => console.warn(LOG, 'taking a token failed:', e));
}

/** Checks the token with the server, then continues the session (same user) or signs in anew (another one). */
async function take(token: string): Promise<void> {
  if (!http) return;
  let info: SessionInfo;
  try {
    info = await http.sessionFor(token);
  } catch (e) {
    console.warn(LOG, 'the token from the parent page was refused:', toApiError(e).message);
    return;
  }
  if (info.expired || info.seconds_left <= 0) {
    console.warn(LOG, 'the token from the parent page has expired.');
    return;
  }
  const before = app.session;
  if (sameUser(before, info)) {
    // The conversation and the open screen stay; only the token and the session's time change.
    http.setToken(token);
    setSession(info);
    app.authFailed = false;
    app.authMessage = '';
    app.refreshDismissed = false;
    return;
  }
  await signIn(http, token, before !== null);
}

/**
 * Another user or tenant, or the first session of a reloaded frame: everything is read again with the new token
 * (config and branding, session, scope). What the page showed for someone else is cleared first; a reload had
 * nothing to clear, and takes back the scope picked earlier in this tab if it was the same user's.
 */
async function signIn(a: HttpApi, token: string, clear: boolean): Promise<void> {
  if (clear) {
    cancelAll();
    resetConversation();
    chat.draft = '';
    scope.choices = [];
    app.openAnalysis = null;
    app.openDashboard = null;
    app.session = null;
    app.deadline = null;
    navigate('chat');
  }
  a.setToken(token, null);
  app.authFailed = false;
  app.authMessage = '';
  app.refreshDismissed = false;
  await restoreScope();
  try {
    const config = await api().config();
    app.config = config;
    applyBranding(config.branding);
    initLang(config.lang_default ?? null);
  } catch (e) {
    noteError(toApiError(e));
  }
  await loadSession();
  chat.suggestionsLang = '';
  bumpLibrary();
}
