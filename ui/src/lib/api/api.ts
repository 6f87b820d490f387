import type {
  Alert,
  AlertDelivery,
  AlertRequest,
  Answer,
  ApiError,
  AskRequest,
  ChartSpec,
  DashboardFilters,
  DashboardView,
  Dashboard,
  Deleted,
  ErrorCode,
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

/**
 * What arrives while a language model writes its explanation: more text, or `restart` when what came so far is
 * void (the core moved to another provider, or the model is repairing its SQL).
 */
export type ExplanationEvent = { text: string } | { restart: true };
export type OnExplanation = (event: ExplanationEvent) => void;

/**
 * Every operation the UI needs from the core. `HttpApi` speaks to `inda serve`; `TauriApi` to the desktop shell,
 * whose command names are these method names in snake_case (`savedList` → `saved_list`).
 * Long operations take an AbortSignal; aborting rejects with an `AbortError` DOMException.
 */
export interface Api {
  readonly transport: 'http' | 'tauri';
  session(): Promise<SessionInfo>;
  config(): Promise<UiConfig>;
  /** The companies the session's role reaches, each marked when in the current scope (the scope picker). */
  scope(): Promise<ScopeChoice[]>;
  /**
   * Narrows every later call to `tenants` (null or empty: everything the role reaches) and resolves with the
   * choices as they now stand. A tenant beyond the role is refused (`auth`) and the scope stays as it was.
   */
  setScope(tenants: string[] | null): Promise<ScopeChoice[]>;
  suggestions(lang: 'en' | 'es'): Promise<Suggestions>;
  /** `onExplanation` receives a language model's explanation while it is written (offline answers arrive whole). */
  ask(req: AskRequest, signal?: AbortSignal, onExplanation?: OnExplanation): Promise<Answer>;
  sql(sql: string, signal?: AbortSignal): Promise<Answer>;
  savedList(): Promise<SavedAnalysis[]>;
  savedSave(req: SaveRequest): Promise<SavedAnalysis>;
  savedShow(id: string, signal?: AbortSignal): Promise<SavedAnswer>;
  savedRun(id: string, signal?: AbortSignal): Promise<SavedAnswer>;
  savedDelete(id: string): Promise<Deleted>;
  savedSchedule(id: string, schedule: string | null): Promise<SavedAnalysis>;
  savedHistory(id: string): Promise<Execution[]>;
  /** Keeps the chart the user picked (kind, measures, second axis) with the analysis; its exports draw it. */
  savedSetChart(id: string, chart: ChartSpec): Promise<SavedAnalysis>;
  /** The caller's alerts on their saved analyses, oldest first. */
  alertList(): Promise<Alert[]>;
  /** Creates an alert; its webhook URL goes to the OS keyring and is never returned. */
  alertCreate(req: AlertRequest): Promise<Alert>;
  alertSetPaused(id: string, paused: boolean): Promise<Alert>;
  alertDelete(id: string): Promise<Deleted>;
  /** Sends a test message now; a webhook that fails resolves with `status` `failed` and the reason. */
  alertTest(id: string): Promise<AlertDelivery>;
  dashboardList(): Promise<Dashboard[]>;
  dashboardCreate(name: string): Promise<DashboardView>;
  dashboardShow(id: string, signal?: AbortSignal): Promise<DashboardView>;
  dashboardAdd(id: string, analysisId: string): Promise<DashboardView>;
  dashboardRemove(id: string, analysisId: string): Promise<DashboardView>;
  dashboardRefresh(id: string, signal?: AbortSignal): Promise<DashboardView>;
  dashboardRename(id: string, name: string): Promise<DashboardView>;
  dashboardDelete(id: string): Promise<Deleted>;
  dashboardAddText(id: string, text: string): Promise<DashboardView>;
  dashboardUpdateTile(id: string, tileId: string, patch: TilePatch): Promise<DashboardView>;
  dashboardRemoveTile(id: string, tileId: string): Promise<DashboardView>;
  /** Keeps the filters with the dashboard; showing it then runs every tile with them, through the guard. */
  dashboardSetFilters(id: string, filters: DashboardFilters): Promise<DashboardView>;
  /** The values each filter the dashboard's tiles share can take. */
  dashboardFilterChoices(id: string): Promise<FilterChoices>;
  /** A saved analysis or a dashboard, in the UI's language (`lang`), to a file named from its content and date. */
  export(target: ExportTarget, to: ExportFormat, lang?: Lang): Promise<ExportSummary>;
  /** An answer as it is shown (not saved, nothing queried again), to a file named from its title and date. */
  exportAnswer(answer: Answer, to: ExportFormat, lang?: Lang): Promise<ExportSummary>;
}

/** What can change about a tile: its place (1-based), its size in grid cells, a text tile's text. */
export interface TilePatch {
  position?: number;
  width?: number;
  height?: number;
  text?: string;
}

export const ERROR_CODES: readonly ErrorCode[] = [
  'usage',
  'guard_rejected',
  'auth',
  'engine',
  'not_understood',
  'not_found',
  'busy',
  'internal',
];

/** Tenant ids, trimmed, without blanks and repeats; null when none is left (everything the role reaches). */
export function normalizeScope(tenants: readonly string[] | null | undefined): string[] | null {
  const list = [...new Set((tenants ?? []).map((t) => t.trim()).filter(Boolean))];
  return list.length ? list : null;
}

/** An error from the core, `{code, message}`, thrown as an Error so stacks and `instanceof` work. */
export class ApiException extends Error implements ApiError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiException';
    this.code = code;
  }
}

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && (ERROR_CODES as readonly string[]).includes(v);
}

/** Whether `e` is the rejection of an aborted request. */
export function isAbort(e: unknown): boolean {
  return (
    (typeof DOMException !== 'undefined' && e instanceof DOMException && e.name === 'AbortError') ||
    (e instanceof Error && e.name === 'AbortError')
  );
}

export function abortError(): DOMException {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** Normalizes anything thrown into `{code, message}`; unknown shapes become `internal`. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiException) return { code: e.code, message: e.message };
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    const inner = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : o;
    if (isErrorCode(inner.code) && typeof inner.message === 'string') {
      return { code: inner.code, message: inner.message };
    }
    if (e instanceof Error) return { code: 'internal', message: e.message };
  }
  if (typeof e === 'string') return { code: 'internal', message: e };
  return { code: 'internal', message: String(e) };
}

/** The HTTP status the server uses for each code, and back. */
export const STATUS_OF: Record<ErrorCode, number> = {
  usage: 400,
  auth: 401,
  guard_rejected: 403,
  not_found: 404,
  not_understood: 422,
  engine: 502,
  busy: 429,
  internal: 500,
};

export function codeForStatus(status: number): ErrorCode {
  for (const code of ERROR_CODES) if (STATUS_OF[code] === status) return code;
  if (status === 503 || status === 504) return 'engine';
  if (status >= 400 && status < 500) return 'usage';
  return 'internal';
}
