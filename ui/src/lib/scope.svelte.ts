// The session's scope (which companies it reads) as app state: the choices the header and the picker show,
// changing the scope, and keeping it for the browser tab.
import { toApiError } from './api';
import type { ApiError, Role, ScopeChoice, SessionInfo } from './api/types';
import { chat, resetConversation } from './chat.svelte';
import { SCOPE_STORAGE_KEY, decodeStoredScope, encodeStoredScope, isAdmin, isScopeRefusal, type Who } from './scope';
import { api, app, bumpLibrary, noteError, setSession } from './state.svelte';

export const scope = $state({
  /** The companies the role reaches, each marked when in the current scope (an analyst's: their own). */
  choices: [] as ScopeChoice[],
  /** A change is being applied. */
  busy: false,
});

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

function remember(who: Who, tenants: string[] | null): void {
  const store = storage();
  if (!store) return;
  try {
    const value = encodeStoredScope(who, tenants);
    if (value) store.setItem(SCOPE_STORAGE_KEY, value);
    else store.removeItem(SCOPE_STORAGE_KEY);
  } catch {
    /* storage unavailable (iframe sandbox): the scope lasts for this page */
  }
}

/**
 * At startup, before any call that reads data: the browser takes back the scope picked earlier in this tab,
 * when the same user is signed in and the server still accepts it (else it starts from everything). Without a
 * session yet (a reloaded frame waiting for its token from the CRM), the stored scope waits too: it is taken
 * back once a token arrives, if it is the same user's. The desktop shell remembers its scope itself.
 */
export async function restoreScope(): Promise<void> {
  const a = api();
  if (a.transport !== 'http') return;
  let raw: string | null = null;
  try {
    raw = storage()?.getItem(SCOPE_STORAGE_KEY) ?? null;
  } catch {
    /* storage unavailable */
  }
  if (!raw) return;
  let session: SessionInfo;
  try {
    session = await a.session();
  } catch {
    return;
  }
  try {
    setSession(session);
    const tenants = isAdmin(session.role) ? decodeStoredScope(raw, session) : null;
    if (tenants) scope.choices = await a.setScope(tenants);
    else remember(session, null);
  } catch {
    // Refused or unreadable: start from everything; the session's own errors show once the app is up.
    try {
      storage()?.removeItem(SCOPE_STORAGE_KEY);
    } catch {
      /* storage unavailable */
    }
  }
}

/**
 * Reads the choices for the signed-in role. An analyst's is their own company (only its name is used, in
 * Settings), so a failure there changes nothing on screen.
 */
export async function loadScope(role: Role | null | undefined): Promise<void> {
  try {
    scope.choices = await api().scope();
  } catch (e) {
    const err = toApiError(e);
    if (!isAdmin(role)) scope.choices = [];
    // The scope kept from before reaches too far now (a company left the partner): start from everything.
    else if (isScopeRefusal(err)) await changeScope(null);
    else noteError(err);
  }
}

/**
 * Narrows the session to `tenants` (null: everything the role reaches). Previous answers were for another scope,
 * so the conversation starts over and the saved lists reload. Resolves with the error when it was refused (the
 * scope then stays as it was).
 */
export async function changeScope(tenants: string[] | null): Promise<ApiError | null> {
  scope.busy = true;
  try {
    scope.choices = await api().setScope(tenants);
  } catch (e) {
    return noteError(toApiError(e));
  } finally {
    scope.busy = false;
  }
  if (app.session && api().transport === 'http') remember(app.session, tenants);
  resetConversation();
  // Suggestions may differ for another set of companies: read them again.
  chat.suggestionsLang = '';
  bumpLibrary();
  return null;
}
