// Generated from the Rust types by crates/app/tests/bindings.rs: do not edit by hand.
// Regenerate with `INDA_BLESS=1 cargo test -p inda-app --test bindings`.

/** One cell: numbers (integers, floats, decimals), ISO 8601 strings for dates and timestamps, booleans, null. */
export type Value = string | number | boolean | null;

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;

export type Column = { name: string, type: string, 
/**
 * ISO 4217 code of a money column (the tenant's reporting currency, or `USD` for messaging cost).
 */
currency?: string, 
/**
 * Display name in the question's language ("Mensajes enviados").
 */
label?: string, 
/**
 * Display names of the column's values in the question's language (`whatsapp` → "WhatsApp", `MX` →
 * "México"); the rows keep the stored values.
 */
values?: { [key in string]: string }, };

export type CaveatCode = "partial_period" | "truncated" | "missing_fx_rate";

export type Caveat = { code: CaveatCode, message: string, column?: string, 
/**
 * The marked cell as text (an ISO 8601 date for a time bucket).
 */
value?: string, };

export type ChartKind = "kpi" | "bar" | "line" | "area" | "pie" | "scatter" | "table";

export type ChartSpec = { kind: ChartKind, 
/**
 * Column on the x axis (category, time or first measure); absent for `kpi` and `table`.
 */
x?: string, 
/**
 * Measure columns drawn.
 */
y: Array<string>, 
/**
 * Column whose values split the measure into series, when there is one.
 */
series?: string, title?: string, 
/**
 * Measures that are fractions (rates), shown as percentages.
 */
percent?: Array<string>, };

export type ErrorCode = "usage" | "guard_rejected" | "auth" | "engine" | "not_understood" | "not_found" | "busy" | "internal";

export type ApiError = { code: ErrorCode, message: string, };

export type Answer = { question?: string, 
/**
 * The SQL that actually ran, after the guard.
 */
sql: string, columns: Array<Column>, 
/**
 * Cells as JSON scalars (see `Value` in the generated TypeScript).
 */
rows: Array<Array<Value>>, row_count: number, truncated: boolean, 
/**
 * What the reader must know to read the numbers right (partial period, truncation, missing rates).
 */
caveats: Array<Caveat>, chart: ChartSpec, summary?: string, engine: string, provider?: string, elapsed_ms: number, conversation_id?: string, 
/**
 * Language of the question (`en`, `es`), for the UI's number formats.
 */
lang?: string, title?: string, };

export type SavedAnswer = { analysis_id: string, name: string, 
/**
 * When the result was computed (ISO 8601, UTC).
 */
as_of: string, 
/**
 * Whether it was served from the local cache rather than run now.
 */
cached: boolean, 
/**
 * Set when the warehouse failed and the cached result was served instead.
 */
stale: boolean, 
/**
 * Why the result is stale (the warehouse's error), when it is.
 */
stale_reason?: string, question?: string, 
/**
 * The SQL that actually ran, after the guard.
 */
sql: string, columns: Array<Column>, 
/**
 * Cells as JSON scalars (see `Value` in the generated TypeScript).
 */
rows: Array<Array<Value>>, row_count: number, truncated: boolean, 
/**
 * What the reader must know to read the numbers right (partial period, truncation, missing rates).
 */
caveats: Array<Caveat>, chart: ChartSpec, summary?: string, engine: string, provider?: string, elapsed_ms: number, conversation_id?: string, 
/**
 * Language of the question (`en`, `es`), for the UI's number formats.
 */
lang?: string, title?: string, };

export type SavedAnalysis = { id: string, tenant_id: string, created_by: string, name: string, description: string | null, natural_language_query: string | null, generated_sql: string, chart_type: string | null, chart_config: JsonValue | null, refresh_schedule: string | null, last_refresh_at: string | null, next_refresh_at: string | null, is_active: boolean, created_at: string, updated_at: string, 
/**
 * Scheduled refreshes that failed in a row since the last successful one (or the last resume).
 */
refresh_failures: number, 
/**
 * The latest of those failures.
 */
last_failure: { kind: "error" | "interrupted", 
/**
 * The error's code (`internal` for an interrupted run).
 */
code: ErrorCode, message: string, 
/**
 * When it was recorded (ISO 8601, UTC).
 */
at: string, } | null, 
/**
 * Set when the scheduler stopped refreshing the analysis; saving its schedule again resumes it.
 */
schedule_paused: { 
/**
 * When (ISO 8601, UTC).
 */
at: string, reason: string, } | null, };

export type Execution = { id: string, analysis_id: string, started_at: string, finished_at: string | null, 
/**
 * `running`, `ok` or `error`.
 */
status: string, rows: number | null, error: string | null, 
/**
 * `manual` or `scheduled`.
 */
trigger: string, };

export type Dashboard = { id: string, name: string, created_at: string, updated_at: string, };

export type Tile = { analysis_id: string, 
/**
 * The analysis's name, for display.
 */
name: string, position: number, width: number, height: number, };

export type DashboardView = { tiles: Array<TileView>, id: string, name: string, created_at: string, updated_at: string, };

export type TileView = { 
/**
 * The tile's result (only from `show`).
 */
result?: SavedAnswer, 
/**
 * Why the tile has no result.
 */
error?: ApiError, analysis_id: string, 
/**
 * The analysis's name, for display.
 */
name: string, position: number, width: number, height: number, };

export type ExportSummary = { path: string, rows: number, bytes: number, };

export type SessionInfo = { tenant_id: string, user_id: string, partner_id: string, user_name: string | null, roles: Array<string>, 
/**
 * ISO 8601, UTC.
 */
expires_at: string, seconds_left: number, refresh_due: boolean, expired: boolean, 
/**
 * Where the CRM hands out a fresh deep link, when the issuer has one configured.
 */
refresh_url: string | null, 
/**
 * `keyring` (signed in) or `token` (`--token` / `INDA_TOKEN`).
 */
source: string, };

export type SignedInUser = { tenant_id: string, user_id: string, };

export type SignIn = { session: SessionInfo, 
/**
 * The tenant and user whose session this sign-in ended, when it was someone else.
 */
ended: SignedInUser | null, };

export type Colors = { primary: string, accent: string, background: string, surface: string, text: string, };

export type Branding = { name: string, 
/**
 * Where the UI fetches the logo (`/api/branding/logo`), when one is configured.
 */
logo_url: string | null, colors: Colors, 
/**
 * Every CSS custom property to set on `:root`.
 */
css: { [key in string]: string }, };
