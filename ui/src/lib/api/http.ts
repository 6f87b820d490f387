import type { Api, OnExplanation, TilePatch } from './api';
import { ApiException, abortError, codeForStatus, isAbort, isErrorCode, normalizeScope } from './api';
import type {
  Alert,
  AlertDelivery,
  AlertRequest,
  Answer,
  AskRequest,
  ChartSpec,
  Dashboard,
  DashboardFilters,
  DashboardView,
  Deleted,
  Embedding,
  Execution,
  ExportFormat,
  ExportSummary,
  ExportTarget,
  FilterChoices,
  Lang,
  SaveRequest,
  SavedAnalysis,
  SavedAnswer,
  ScopeChoice,
  SessionInfo,
  Suggestions,
  UiConfig,
} from './types';

type Fetch = typeof fetch;

/** Saves a downloaded file in the browser (injected so tests and non-DOM environments can replace it). */
export type SaveBlob = (blob: Blob, filename: string) => void;

export interface HttpApiOptions {
  /** Base URL of the API, ending in `/api/` (resolved against the page). */
  base: string;
  /** The session token from `?token=`, kept in memory only; null when the server's cookie carries the session. */
  token: string | null;
  fetch?: Fetch;
  saveBlob?: SaveBlob;
  /** The scope to start with (sent as `X-Inda-Scope`); null or absent: everything the role reaches. */
  scope?: string[] | null;
}

/** The header that narrows a request's session to some of the tenants its role reaches (`acme_corp,globex`). */
export const SCOPE_HEADER = 'X-Inda-Scope';

/**
 * Reads `?token=` from the page URL once, then removes it from the address bar (history.replaceState) so it is
 * neither bookmarked nor leaked through the Referer. The token is never written to storage.
 */
export function takeTokenFromUrl(loc: { href: string }, history: Pick<History, 'replaceState' | 'state'>): string | null {
  const url = new URL(loc.href);
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  return token.trim() || null;
}

/** The file name from a Content-Disposition header (`filename*=UTF-8''…` preferred), or null. */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  const name = plain?.[2] ?? plain?.[1];
  return name ? name.trim() : null;
}

function browserSaveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

interface RequestOptions {
  body?: unknown;
  query?: Record<string, string>;
  signal?: AbortSignal;
  /** This request's scope instead of the current one (null: none). */
  scope?: string[] | null;
  /** This request's bearer token instead of the current one. */
  token?: string;
}

export class HttpApi implements Api {
  readonly transport = 'http' as const;
  readonly #base: string;
  #token: string | null;
  readonly #fetch: Fetch;
  readonly #saveBlob: SaveBlob;
  #scope: string[] | null;

  constructor(opts: HttpApiOptions) {
    this.#base = opts.base.endsWith('/') ? opts.base : `${opts.base}/`;
    this.#token = opts.token;
    this.#fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.#saveBlob = opts.saveBlob ?? browserSaveBlob;
    this.#scope = normalizeScope(opts.scope);
  }

  /**
   * Replaces the bearer token of every later request: a fresh one the CRM that frames the UI handed over (see
   * embed.svelte.ts). `scope`, when given, replaces the scope too (null: none, as for a new sign-in); absent, the
   * scope stays.
   */
  setToken(token: string, scope?: string[] | null): void {
    this.#token = token;
    if (scope !== undefined) this.#scope = normalizeScope(scope);
  }

  /** The scope every request carries (null: none, so everything the role reaches). */
  get currentScope(): string[] | null {
    return this.#scope ? [...this.#scope] : null;
  }

  #url(path: string, query?: Record<string, string>): string {
    const url = new URL(path, this.#base);
    if (query) for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.toString();
  }

  async #send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = opts.token ?? this.#token;
    if (token) headers.Authorization = `Bearer ${token}`;
    const scope = opts.scope === undefined ? this.#scope : opts.scope;
    if (scope) headers[SCOPE_HEADER] = scope.join(',');
    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    if (opts.signal) init.signal = opts.signal;
    if (opts.signal?.aborted) throw abortError();
    let res: Response;
    try {
      res = await this.#fetch(this.#url(path, opts.query), init);
    } catch (e) {
      if (isAbort(e) || opts.signal?.aborted) throw abortError();
      throw new ApiException('internal', `Cannot reach the server (${e instanceof Error ? e.message : String(e)})`);
    }
    // The token was replaced while this request was out (the CRM's frame handed over a fresh one) and the old
    // one was refused: the request goes again with the new token, instead of failing the new session.
    if (res.status === 401 && opts.token === undefined && this.#token !== token && !opts.signal?.aborted) {
      await res.body?.cancel().catch(() => undefined);
      return this.#send(method, path, opts);
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  async #json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.#send(method, path, opts);
    try {
      return (await res.json()) as T;
    } catch (e) {
      if (isAbort(e) || opts.signal?.aborted) throw abortError();
      throw new ApiException('internal', 'The server sent a response that is not JSON');
    }
  }

  session(): Promise<SessionInfo> {
    return this.#json('GET', 'session');
  }
  /**
   * The session `token` opens, asked of the server without taking the token (`GET /api/session` with it as the
   * bearer and no scope): how a token from the CRM's frame is checked before use. An expired one is reported
   * (`expired`); a forged or malformed one is refused (`auth`).
   */
  sessionFor(token: string): Promise<SessionInfo> {
    return this.#json('GET', 'session', { token, scope: null });
  }
  /** Who may frame the UI (`GET /api/embedding`): public, read before there is any session. */
  embedding(): Promise<Embedding> {
    return this.#json('GET', 'embedding');
  }
  config(): Promise<UiConfig> {
    return this.#json('GET', 'config');
  }
  scope(): Promise<ScopeChoice[]> {
    return this.#json('GET', 'scope');
  }
  /**
   * Asks the server with the new scope first (`GET /api/scope`); only once it is accepted do the later requests
   * carry it, so a refused scope changes nothing.
   */
  async setScope(tenants: string[] | null): Promise<ScopeChoice[]> {
    const next = normalizeScope(tenants);
    const choices = await this.#json<ScopeChoice[]>('GET', 'scope', { scope: next });
    this.#scope = next;
    return choices;
  }
  suggestions(lang: 'en' | 'es'): Promise<Suggestions> {
    return this.#json('GET', 'suggestions', { query: { lang } });
  }
  async ask(req: AskRequest, signal?: AbortSignal, onExplanation?: OnExplanation): Promise<Answer> {
    if (!onExplanation) return this.#json('POST', 'ask', { body: req, signal });
    const res = await this.#send('POST', 'ask/stream', { body: req, signal });
    if (!res.body) throw new ApiException('internal', 'The server sent no event stream');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const events = new SseParser();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<string>;
        try {
          chunk = await reader.read();
        } catch (e) {
          if (isAbort(e) || signal?.aborted) throw abortError();
          throw new ApiException('internal', 'The connection to the server was lost');
        }
        if (chunk.done) break;
        for (const ev of events.push(chunk.value)) {
          const outcome = streamEvent(ev, onExplanation);
          if (outcome) return outcome.answer ?? Promise.reject(outcome.error);
        }
      }
    } finally {
      reader.releaseLock();
    }
    if (signal?.aborted) throw abortError();
    throw new ApiException('internal', 'The answer stream ended without an answer');
  }
  sql(sql: string, signal?: AbortSignal): Promise<Answer> {
    return this.#json('POST', 'sql', { body: { sql }, signal });
  }
  savedList(): Promise<SavedAnalysis[]> {
    return this.#json('GET', 'saved');
  }
  savedSave(req: SaveRequest): Promise<SavedAnalysis> {
    return this.#json('POST', 'saved', { body: req });
  }
  savedShow(id: string, signal?: AbortSignal): Promise<SavedAnswer> {
    return this.#json('GET', `saved/${enc(id)}`, { signal });
  }
  savedRun(id: string, signal?: AbortSignal): Promise<SavedAnswer> {
    return this.#json('POST', `saved/${enc(id)}/run`, { signal });
  }
  savedDelete(id: string): Promise<Deleted> {
    return this.#json('DELETE', `saved/${enc(id)}`);
  }
  savedSchedule(id: string, schedule: string | null): Promise<SavedAnalysis> {
    return this.#json('PUT', `saved/${enc(id)}/schedule`, { body: { schedule } });
  }
  savedHistory(id: string): Promise<Execution[]> {
    return this.#json('GET', `saved/${enc(id)}/history`);
  }
  dashboardList(): Promise<Dashboard[]> {
    return this.#json('GET', 'dashboards');
  }
  dashboardCreate(name: string): Promise<DashboardView> {
    return this.#json('POST', 'dashboards', { body: { name } });
  }
  dashboardShow(id: string, signal?: AbortSignal): Promise<DashboardView> {
    return this.#json('GET', `dashboards/${enc(id)}`, { signal });
  }
  dashboardAdd(id: string, analysisId: string): Promise<DashboardView> {
    return this.#json('POST', `dashboards/${enc(id)}/tiles`, { body: { analysis_id: analysisId } });
  }
  dashboardRemove(id: string, analysisId: string): Promise<DashboardView> {
    return this.#json('DELETE', `dashboards/${enc(id)}/tiles/${enc(analysisId)}`);
  }
  dashboardRefresh(id: string, signal?: AbortSignal): Promise<DashboardView> {
    return this.#json('POST', `dashboards/${enc(id)}/refresh`, { signal });
  }

  dashboardRename(id: string, name: string): Promise<DashboardView> {
    return this.#json('PATCH', `dashboards/${enc(id)}`, { body: { name } });
  }
  dashboardDelete(id: string): Promise<Deleted> {
    return this.#json('DELETE', `dashboards/${enc(id)}`);
  }
  dashboardAddText(id: string, text: string): Promise<DashboardView> {
    return this.#json('POST', `dashboards/${enc(id)}/tiles`, { body: { text } });
  }
  dashboardUpdateTile(id: string, tileId: string, patch: TilePatch): Promise<DashboardView> {
    return this.#json('PATCH', `dashboards/${enc(id)}/tiles/${enc(tileId)}`, { body: patch });
  }
  dashboardRemoveTile(id: string, tileId: string): Promise<DashboardView> {
    return this.#json('DELETE', `dashboards/${enc(id)}/tiles/${enc(tileId)}`);
  }
  dashboardSetFilters(id: string, filters: DashboardFilters): Promise<DashboardView> {
    return this.#json('PUT', `dashboards/${enc(id)}/filters`, { body: filters });
  }
  dashboardFilterChoices(id: string): Promise<FilterChoices> {
    return this.#json('GET', `dashboards/${enc(id)}/filters`);
  }
  savedSetChart(id: string, chart: ChartSpec): Promise<SavedAnalysis> {
    return this.#json('PUT', `saved/${enc(id)}/chart`, { body: { chart } });
  }
  alertList(): Promise<Alert[]> {
    return this.#json('GET', 'alerts');
  }
  alertCreate(req: AlertRequest): Promise<Alert> {
    return this.#json('POST', 'alerts', { body: req });
  }
  alertSetPaused(id: string, paused: boolean): Promise<Alert> {
    return this.#json('PATCH', `alerts/${enc(id)}`, { body: { paused } });
  }
  alertDelete(id: string): Promise<Deleted> {
    return this.#json('DELETE', `alerts/${enc(id)}`);
  }
  alertTest(id: string): Promise<AlertDelivery> {
    return this.#json('POST', `alerts/${enc(id)}/test`);
  }

  /** Downloads the file (Content-Disposition names it) and hands it to the browser. */
  async export(target: ExportTarget, to: ExportFormat, lang?: Lang): Promise<ExportSummary> {
    const query: Record<string, string> =
      'analysis' in target ? { analysis: target.analysis, to } : { dashboard: target.dashboard, to };
    if (lang) query.lang = lang;
    return this.#download(await this.#send('GET', 'export', { query }), to);
  }

  /** The answer goes up as it is shown; the file comes back as a download. */
  async exportAnswer(answer: Answer, to: ExportFormat, lang?: Lang): Promise<ExportSummary> {
    const body: Record<string, unknown> = { answer, to };
    if (lang) body.lang = lang;
    return this.#download(await this.#send('POST', 'export', { body }), to);
  }

  async #download(res: Response, to: ExportFormat): Promise<ExportSummary> {
    const blob = await res.blob();
    const name = filenameFromDisposition(res.headers.get('Content-Disposition')) ?? `export.${to}`;
    this.#saveBlob(blob, name);
    // `inda serve` sends X-Export-Rows; X-Inda-Rows is the older name.
    const rows = Number(res.headers.get('X-Export-Rows') ?? res.headers.get('X-Inda-Rows') ?? 'NaN');
    return { path: name, rows: Number.isFinite(rows) ? rows : 0, bytes: blob.size };
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

/** Turns an error response into an ApiException: the body's `{"error":{code,message}}`, else the status. */
export async function errorFrom(res: Response): Promise<ApiException> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    /* no body */
  }
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const err = body.error;
    if (err && isErrorCode(err.code)) {
      return new ApiException(err.code, typeof err.message === 'string' ? err.message : res.statusText);
    }
  } catch {
    /* not JSON */
  }
  return new ApiException(codeForStatus(res.status), text.trim().slice(0, 300) || `HTTP ${res.status} ${res.statusText}`);
}

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Splits a text/event-stream into events as chunks arrive (any chunking; CRLF or LF; comments ignored). */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.#buffer.search(/\r\n|\n|\r/)) >= 0) {
      // A CR at the very end may be the first half of a CRLF still in flight: wait for the next chunk.
      if (nl === this.#buffer.length - 1 && this.#buffer.endsWith('\r')) break;
      const line = this.#buffer.slice(0, nl);
      const width = this.#buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.#buffer = this.#buffer.slice(nl + width);
      if (line === '') {
        if (this.#data.length) out.push({ event: this.#event || 'message', data: this.#data.join('\n') });
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') this.#event = value;
      else if (field === 'data') this.#data.push(value);
    }
    return out;
  }
}

/** Applies one event of `/api/ask/stream`; returns the outcome once the answer or the error arrives. */
function streamEvent(ev: SseEvent, onExplanation: OnExplanation): { answer?: Answer; error?: ApiException } | null {
  let body: unknown;
  try {
    body = JSON.parse(ev.data);
  } catch {
    return { error: new ApiException('internal', 'The server sent an event that is not JSON') };
  }
  switch (ev.event) {
    case 'explanation': {
      const text = (body as { text?: unknown }).text;
      if (typeof text === 'string') onExplanation({ text });
      return null;
    }
    case 'restart':
      onExplanation({ restart: true });
      return null;
    case 'answer':
      return { answer: body as Answer };
    case 'error': {
      const err = body as { code?: unknown; message?: unknown };
      const code = isErrorCode(err.code) ? err.code : 'internal';
      return { error: new ApiException(code, typeof err.message === 'string' ? err.message : 'The question failed') };
    }
    default:
      return null;
  }
}
