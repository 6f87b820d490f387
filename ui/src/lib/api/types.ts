// Types of the API and IPC payloads, matching the JSON the core prints (`inda … --format json`).
// Names equal the Rust struct names; these will be replaced by types generated from Rust (ts-rs).

/** A cell value: numbers (integers, floats, decimals), ISO 8601 strings for dates and timestamps, booleans, null. */
export type Value = string | number | boolean | null;

/** `inda_core::Column` (serialized with `type`). */
export interface Column {
  name: string;
  /** Warehouse-neutral SQL type: VARCHAR, BIGINT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, BOOLEAN, JSON. */
  type: string;
}

/** `inda_core::ChartKind` (snake_case). */
export type ChartKind = 'kpi' | 'bar' | 'line' | 'area' | 'pie' | 'scatter' | 'table';

/** `inda_core::ChartSpec`. */
export interface ChartSpec {
  kind: ChartKind;
  /** Column on the x axis (category, time or first measure); absent for `kpi` and `table`. */
  x?: string;
  /** Measure columns drawn. */
  y: string[];
  /** Column whose values split the measure into series, when there is one. */
  series?: string;
  title?: string;
  /** Measures that are fractions (rates), shown as percentages. */
  percent?: string[];
}

/** `inda_app::Answer`: the result of `ask` and `sql`. */
export interface Answer {
  question?: string;
  /** The SQL that actually ran, after the guard. */
  sql: string;
  columns: Column[];
  rows: Value[][];
  row_count: number;
  truncated: boolean;
  chart: ChartSpec;
  summary?: string;
  engine: string;
  provider?: string;
  elapsed_ms: number;
  conversation_id?: string;
  /** Language of the question (`en`, `es`). */
  lang?: string;
  title?: string;
}

/** `inda_app::SavedAnswer`: an Answer (flattened) plus where it came from. */
export interface SavedAnswer extends Answer {
  analysis_id: string;
  name: string;
  /** When the result was computed (ISO 8601, UTC). */
  as_of: string;
  /** Served from the local cache rather than run now. */
  cached: boolean;
  /** Set when the warehouse failed and the cached result was served instead (absent when false). */
  stale?: boolean;
  stale_reason?: string;
}

/** `inda_app::SessionInfo` (`inda whoami`). */
export interface SessionInfo {
  tenant_id: string;
  user_id: string;
  partner_id: string;
  user_name: string | null;
  roles: string[];
  /** ISO 8601, UTC. */
  expires_at: string;
  seconds_left: number;
  refresh_due: boolean;
  expired: boolean;
  refresh_url: string | null;
  /** `keyring` or `token`. */
  source: string;
}

/** `inda_store::SavedAnalysis`. */
export interface SavedAnalysis {
  id: string;
  tenant_id: string;
  created_by: string;
  name: string;
  description: string | null;
  natural_language_query: string | null;
  /** The SQL as submitted, before the guard. */
  generated_sql: string;
  chart_type: string | null;
  chart_config: unknown;
  /** Cron as stored (normalized to 6 fields, e.g. `0 0 8 * * MON`), or null. */
  refresh_schedule: string | null;
  last_refresh_at: string | null;
  next_refresh_at: string | null;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

/** `inda_store::Execution`: one run of an analysis. */
export interface Execution {
  id: string;
  analysis_id: string;
  started_at: string;
  finished_at: string | null;
  /** `running`, `ok` or `error`. */
  status: string;
  rows: number | null;
  error: string | null;
  /** `manual` or `scheduled`. */
  trigger: string;
}

/** `inda_store::Dashboard`. */
export interface Dashboard {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

/** `inda_store::Tile`. */
export interface Tile {
  analysis_id: string;
  name: string;
  position: number;
  width: number;
  height: number;
}

/** `inda_app::TileView`: a tile with its result (from `show`/`refresh`) or why it has none. */
export interface TileView extends Tile {
  result?: SavedAnswer;
  error?: ApiError;
}

/** `inda_app::DashboardView`. */
export interface DashboardView extends Dashboard {
  tiles: TileView[];
}

/** `inda_app::ExportSummary`. Over HTTP the file is downloaded by the browser; `path` is then the file name. */
export interface ExportSummary {
  path: string;
  rows: number;
  bytes?: number;
}

export type ErrorCode =
  | 'usage'
  | 'guard_rejected'
  | 'auth'
  | 'engine'
  | 'not_understood'
  | 'not_found'
  | 'internal';

/** `inda_core::Error` as it crosses the boundary. */
export interface ApiError {
  code: ErrorCode;
  message: string;
}

export interface Colors {
  primary: string;
  accent: string;
  background: string;
  surface: string;
  text: string;
}

export interface Branding {
  name: string;
  logo_url: string | null;
  colors: Colors;
  /** Extra CSS custom properties, `{"--var": "value"}`. */
  css: Record<string, string>;
}

/** GET /api/config. `question_engine` and `warehouse` are optional read-only info for Settings. */
export interface UiConfig {
  branding: Branding;
  lang_default: 'en' | 'es' | null;
  offline: boolean;
  version: string;
  question_engine?: string | null;
  warehouse?: string | null;
}

export interface Suggestions {
  suggestions: string[];
}

export interface AskRequest {
  question: string;
  conversation_id?: string | null;
  new_conversation?: boolean;
}

export interface SaveRequest {
  name: string;
  description?: string | null;
  question?: string | null;
  sql?: string | null;
  schedule?: string | null;
}

export type ExportFormat = 'csv' | 'xlsx' | 'png' | 'svg' | 'pdf';

/** What to export: one saved analysis or a whole dashboard. */
export type ExportTarget = { analysis: string } | { dashboard: string };

export interface Deleted {
  deleted: boolean;
}
