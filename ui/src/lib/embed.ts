// The token handshake between the UI and the CRM page that frames it (docs/embedding.md), as pure rules: which
// parent origins are allowed (`[serve] frame_ancestors`, CSP syntax), where to post, which messages to take, how
// often to ask again and when a token is needed at all. The flow that uses them lives in embed.svelte.ts.
import type { SessionInfo } from './api/types';

/** What the UI posts to its parent when it needs a token. */
export const TOKEN_REFRESH_NEEDED = 'TOKEN_REFRESH_NEEDED';
/** What the parent posts back with one. */
export const TOKEN_REFRESH = 'TOKEN_REFRESH';

/** Under this many seconds left in the session, the framed UI asks for a fresh token (the refresh banner's 10 minutes). */
export const RENEW_BEFORE_SECONDS = 600;
/** The first wait before asking again, doubled each time up to `MAX_DELAY_MS`. */
export const FIRST_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 30_000;
/** Longer than any token the CRM issues: a longer string is not taken to the server at all. */
const MAX_TOKEN_LENGTH = 16_384;

export interface TokenRefreshNeeded {
  type: typeof TOKEN_REFRESH_NEEDED;
  /** When the current session ends (Unix seconds), or null when there is none (a reload inside the frame). */
  expires_at: number | null;
}

export interface TokenRefresh {
  type: typeof TOKEN_REFRESH;
  token: string;
}

/** An origin, or an allowed-origin pattern of `frame_ancestors`: `*.` before the host, `*` as the port. */
interface OriginParts {
  scheme: 'http' | 'https';
  /** Lowercase, without the `*.` of a wildcard. */
  host: string;
  /** The host is `*.` + `host`: one DNS label or more before it. */
  wildcard: boolean;
  /** '' for the scheme's default port, '*' for any port (patterns only). */
  port: string;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const ORIGIN = new RegExp(`^(https?)://(\\*\\.)?(${LABEL}(?:\\.${LABEL})*)(?::(\\d{1,5}|\\*))?/?$`, 'i');
const DEFAULT_PORT = { http: '80', https: '443' } as const;

function parse(text: string): OriginParts | null {
  const m = ORIGIN.exec(text.trim());
  if (!m) return null;
  const scheme = m[1]!.toLowerCase() as 'http' | 'https';
  let port = m[4] ?? '';
  if (port !== '' && port !== '*') {
    if (Number(port) > 65_535) return null;
    port = String(Number(port));
    if (port === DEFAULT_PORT[scheme]) port = '';
  }
  return { scheme, host: m[3]!.toLowerCase(), wildcard: m[2] !== undefined, port };
}

/** A concrete origin (`https://crm.example.com`, as `event.origin` gives it), normalized; null for anything else. */
export function parseOrigin(text: string): OriginParts | null {
  const o = parse(text);
  return o && !o.wildcard && o.port !== '*' ? o : null;
}

function serialize(o: OriginParts): string {
  return `${o.scheme}://${o.host}${o.port ? `:${o.port}` : ''}`;
}

/**
 * Whether `origin` is what the `frame_ancestors` entry allows: the same scheme, host and port (the default port
 * written or not), or for a wildcard entry (`https://*.crm.example`) a host with one DNS label or more before
 * the entry's, and for a `*` port any port. An entry that is not an origin allows nothing (neither does a bare
 * `*` host: the handshake needs to know who it talks to).
 */
export function originMatches(origin: string, entry: string): boolean {
  const o = parseOrigin(origin);
  const p = parse(entry);
  if (!o || !p || o.scheme !== p.scheme) return false;
  if (p.port !== '*' && o.port !== p.port) return false;
  return p.wildcard ? o.host.endsWith(`.${p.host}`) : o.host === p.host;
}

/** Whether `origin` is allowed by one of the `frame_ancestors` entries. */
export function isAllowedOrigin(origin: string, entries: readonly string[]): boolean {
  return entries.some((e) => originMatches(origin, e));
}

/**
 * The targetOrigins to post `TOKEN_REFRESH_NEEDED` to, never `*`. When the parent's origin is known
 * (`location.ancestorOrigins[0]`) and allowed, that origin only. Otherwise every exact entry (the browser drops a
 * post whose targetOrigin is not the parent's, so only the right one arrives), and for a wildcard entry the
 * parent's origin when known and it matches.
 */
export function targetOrigins(entries: readonly string[], parentOrigin: string | null): string[] {
  const parent = parentOrigin ? parseOrigin(parentOrigin) : null;
  if (parent && isAllowedOrigin(serialize(parent), entries)) return [serialize(parent)];
  const out = new Set<string>();
  for (const entry of entries) {
    const p = parse(entry);
    if (p && !p.wildcard && p.port !== '*') out.add(serialize(p));
  }
  return [...out];
}

/** The wait before asking again after `attempt` asks without a token (0: after the first): 1 s, 2 s, 4 s … 30 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, attempt), MAX_DELAY_MS);
}

/** Unix seconds of an ISO 8601 time (`SessionInfo.expires_at`), or null. */
export function expiresAtSeconds(iso: string | null | undefined): number | null {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

export function neededMessage(session: Pick<SessionInfo, 'expires_at'> | null): TokenRefreshNeeded {
  return { type: TOKEN_REFRESH_NEEDED, expires_at: expiresAtSeconds(session?.expires_at) };
}

export type Verdict = { ok: true; token: string } | { ok: false; reason: string };

/**
 * Whether a `message` event is a token to take: posted by the parent window itself (`event.source`), from an
 * origin `frame_ancestors` allows (`event.origin`), shaped `{type: "TOKEN_REFRESH", token}`. Anything else is
 * refused with the reason, and the data of a message that fails the first two checks is not looked at.
 */
export function checkMessage(
  event: Pick<MessageEvent, 'data' | 'origin' | 'source'>,
  parent: unknown,
  entries: readonly string[],
): Verdict {
  if (event.source === null || event.source !== parent) {
    return { ok: false, reason: `a message from ${event.origin || 'an unknown origin'} that is not the parent window` };
  }
  if (!isAllowedOrigin(event.origin, entries)) {
    return { ok: false, reason: `a message from ${event.origin || 'an unknown origin'}, which [serve] frame_ancestors does not allow` };
  }
  const data: unknown = event.data;
  if (!data || typeof data !== 'object' || (data as { type?: unknown }).type !== TOKEN_REFRESH) {
    return { ok: false, reason: `a message from ${event.origin} that is not ${TOKEN_REFRESH}` };
  }
  const raw = (data as { token?: unknown }).token;
  const token = typeof raw === 'string' ? raw.trim() : '';
  if (!token || token.length > MAX_TOKEN_LENGTH || /\s/.test(token)) {
    return { ok: false, reason: `a ${TOKEN_REFRESH} from ${event.origin} without a token` };
  }
  return { ok: true, token };
}

/** What the framed UI knows of its session: the last one read, whether an `auth` error was seen, time left. */
export interface SessionState {
  session: Pick<SessionInfo, 'expired' | 'refresh_due'> | null;
  authFailed: boolean;
  secondsLeft: number | null;
}

/**
 * Whether the framed UI needs a token from its parent: it has none the server accepts (a reload: the token lived
 * in memory only), the session has expired, or less than 10 minutes remain. While the first session is still
 * being read (none yet, no error), it does not.
 */
export function tokenNeeded(s: SessionState): boolean {
  if (s.authFailed) return true;
  if (!s.session) return false;
  if (s.session.expired || s.session.refresh_due) return true;
  return s.secondsLeft !== null && s.secondsLeft < RENEW_BEFORE_SECONDS;
}

/** Whether two sessions are the same user of the same tenant: a new token then continues the session. */
export function sameUser(a: Pick<SessionInfo, 'tenant_id' | 'user_id'> | null, b: Pick<SessionInfo, 'tenant_id' | 'user_id'>): boolean {
  return a !== null && a.tenant_id === b.tenant_id && a.user_id === b.user_id;
}
