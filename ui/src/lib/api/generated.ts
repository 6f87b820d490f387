// Generated from the Rust types by crates/app/tests/bindings.rs: do not edit by hand.
// Regenerate with `INDA_BLESS=1 cargo test -p inda-app --test app bindings`.

/** One cell: numbers (integers, floats, decimals), ISO 8601 strings for dates and timestamps, booleans, null. */
export type Value = string | number | boolean | null;

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;

export type Column = { 
/**
 * The column name as the query returned it; charts and captions refer to columns by it.
 */
name: string, 
/**
 * The warehouse-neutral SQL type name (`BIGINT`, `DECIMAL(12,2)`, …), JSON `type`; see
 * [`Column::is_numeric`] and [`Column::is_temporal`].
 */
type: string, 
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
values?: { [key in string]: string }, 
/**
 * For the time column of a series, the period each value starts (`month`: `2026-03-01` is March 2026),
 * so that it is shown as the period, not as its first day.
 */
grain?: Grain, };

export type Grain = "day" | "week" | "month" | "quarter" | "year";

export type CaveatCode = "partial_period" | "truncated" | "missing_fx_rate" | "cross_company_join";

export type Caveat = { 
/**
 * What kind of caveat; the UI and scripts branch on it.
 */
code: CaveatCode, 
/**
 * The caveat as a sentence in the question's language, to show as is.
 */
message: string, 
/**
 * The column of the marked row's cell (the time bucket) for a partial period; absent otherwise.
 */
column?: string, 
/**
 * The marked cell as text (an ISO 8601 date for a time bucket).
 */
value?: string, };

export type ChartKind = "kpi" | "bar" | "line" | "area" | "pie" | "scatter" | "table";

export type ChartSpec = { 
/**
 * The kind of chart; `table` when no chart suits the result.
 */
kind: ChartKind, 
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
series?: string, 
/**
 * Heading above the chart (the plan's title of the question); absent for SQL typed by hand.
 */
title?: string, 
/**
 * Measures that are fractions (rates), shown as percentages.
 */
percent?: Array<string>, 
/**
 * Measures of `y` drawn against a second value axis on the right (a rate next to counts, say); the
 * others stay on the left. Ignored unless at least one measure of `y` stays on the left.
 */
y2?: Array<string>, };

export type ErrorCode = "usage" | "guard_rejected" | "auth" | "engine" | "not_understood" | "not_found" | "busy" | "internal";

export type ApiError = { 
/**
 * What kind of failure: the part callers branch on.
 */
code: ErrorCode, 
/**
 * One or two sentences for a person, in English, saying what to do where there is something to do;
 * never a secret or another tenant's data. Callers must not parse it.
 */
message: string, };

export type Answer = { 
/**
 * The question as asked; absent for SQL and for saved analyses.
 */
question?: string, 
/**
 * The SQL that actually ran, after the guard.
 */
sql: string, 
/**
 * The result's columns in order, with their types and, for a question, labels and currencies.
 */
columns: Array<Column>, 
/**
 * Cells as JSON scalars (see `Value` in the generated TypeScript).
 */
rows: Array<Array<Value>>, 
/**
 * The number of `rows`.
 */
row_count: number, 
/**
 * True when the row cap (`[query] max_rows`) cut the result short; more rows may exist.
 */
truncated: boolean, 
/**
 * What the reader must know to read the numbers right (partial period, truncation, missing rates).
 */
caveats: Array<Caveat>, 
/**
 * How to draw the rows (`table` when no chart suits them).
 */
chart: ChartSpec, 
/**
 * A sentence or two on the result in the question's language (a language model's first line of
 * explanation, at most 300 characters); absent for SQL and for saved analyses.
 */
summary?: string, 
/**
 * The warehouse that ran the query: `embedded` or `snowflake`.
 */
engine: string, 
/**
 * The question engine that wrote the SQL (`offline`, `anthropic`, `cortex`, `openai`); absent for SQL
 * and for saved analyses.
 */
provider?: string, 
/**
 * Time from the request to the answer in milliseconds, to 0.01 ms (for a cached result: the time to
 * serve it, not to compute it).
 */
elapsed_ms: number, 
/**
 * The conversation the question belongs to: send it with a follow-up. Absent when no conversation was
 * asked for.
 */
conversation_id?: string, 
/**
 * Language of the question (`en`, `es`), for the UI's number formats.
 */
lang?: string, 
/**
 * A heading for the answer: the plan's title, the first 80 characters of a question a model answered,
 * or the saved analysis's name; absent for SQL.
 */
title?: string, 
/**
 * What a drill-down did to the answer clicked, one line in the question's language ("Filtered to
 * channel = WhatsApp", "marzo de 2026 por día"); absent for anything but a drill.
 */
drilled?: string, };

export type Scope = Array<string>;

export type SavedAnswer = { 
/**
 * The saved analysis this is the result of.
 */
analysis_id: string, 
/**
 * The analysis's name.
 */
name: string, 
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
stale_reason?: string, 
/**
 * The question as asked; absent for SQL and for saved analyses.
 */
question?: string, 
/**
 * The SQL that actually ran, after the guard.
 */
sql: string, 
/**
 * The result's columns in order, with their types and, for a question, labels and currencies.
 */
columns: Array<Column>, 
/**
 * Cells as JSON scalars (see `Value` in the generated TypeScript).
 */
rows: Array<Array<Value>>, 
/**
 * The number of `rows`.
 */
row_count: number, 
/**
 * True when the row cap (`[query] max_rows`) cut the result short; more rows may exist.
 */
truncated: boolean, 
/**
 * What the reader must know to read the numbers right (partial period, truncation, missing rates).
 */
caveats: Array<Caveat>, 
/**
 * How to draw the rows (`table` when no chart suits them).
 */
chart: ChartSpec, 
/**
 * A sentence or two on the result in the question's language (a language model's first line of
 * explanation, at most 300 characters); absent for SQL and for saved analyses.
 */
summary?: string, 
/**
 * The warehouse that ran the query: `embedded` or `snowflake`.
 */
engine: string, 
/**
 * The question engine that wrote the SQL (`offline`, `anthropic`, `cortex`, `openai`); absent for SQL
 * and for saved analyses.
 */
provider?: string, 
/**
 * Time from the request to the answer in milliseconds, to 0.01 ms (for a cached result: the time to
 * serve it, not to compute it).
 */
elapsed_ms: number, 
/**
 * The conversation the question belongs to: send it with a follow-up. Absent when no conversation was
 * asked for.
 */
conversation_id?: string, 
/**
 * Language of the question (`en`, `es`), for the UI's number formats.
 */
lang?: string, 
/**
 * A heading for the answer: the plan's title, the first 80 characters of a question a model answered,
 * or the saved analysis's name; absent for SQL.
 */
title?: string, 
/**
 * What a drill-down did to the answer clicked, one line in the question's language ("Filtered to
 * channel = WhatsApp", "marzo de 2026 por día"); absent for anything but a drill.
 */
drilled?: string, };

export type SavedAnalysis = { 
/**
 * A random UUID, stable for the analysis's life and the same in Snowflake's `ADMIN.saved_analyses`.
 */
id: string, 
/**
 * The owner's tenant.
 */
tenant_id: string, 
/**
 * The owner: the only user who can see, run or change it.
 */
created_by: string, 
/**
 * Shown in lists and on tiles; at most 255 characters.
 */
name: string, 
/**
 * Free text from the owner; `None` when they gave none.
 */
description: string | null, 
/**
 * The question it was saved from; `None` for an analysis saved as SQL.
 */
natural_language_query: string | null, 
/**
 * The SQL as submitted, before the guard: every run guards it again under the caller's tenant.
 */
generated_sql: string, 
/**
 * The chart to draw; `None` when unset or a kind this version does not draw (each run chooses one).
 */
chart_type: ChartKind | null, 
/**
 * Chart settings as JSON: `{"plan": …}` for an analysis saved from a question, or a chart spec; `None`:
 * chosen from each result.
 */
chart_config: JsonValue | null, 
/**
 * The refresh schedule as a normalized cron expression (seconds first); `None`: refreshed only by hand.
 */
refresh_schedule: string | null, 
/**
 * When it last ran, by hand or on schedule, successfully or not (store timestamp); `None`: never.
 */
last_refresh_at: string | null, 
/**
 * When the scheduler runs it next (store timestamp); `None` when unscheduled or paused.
 */
next_refresh_at: string | null, 
/**
 * `false` only in a copy read from Snowflake of an analysis deleted there (`ADMIN.saved_analyses` keeps
 * deleted rows, inactive): a local delete removes the row. The scheduler runs active ones only.
 */
is_active: boolean, 
/**
 * When it was saved (store timestamp: ISO 8601, UTC, milliseconds).
 */
created_at: string, 
/**
 * When it was last changed (store timestamp); the admin mirror settles conflicts by it, the later one
 * winning.
 */
updated_at: string, 
/**
 * The tenants every run reads: the scope it was saved with (the owner's tenant for an analyst). A run
 * is refused when the user's current session does not cover it.
 */
scope: Scope, 
/**
 * The chart its owner chose and kept (`PUT /api/saved/{id}/chart`, or when saving): every result of the
 * analysis is drawn, shown and exported with it. Absent: the engine chooses for each result.
 */
chart?: ChartSpec, 
/**
 * Scheduled refreshes that failed in a row since the last successful one (or the last resume).
 */
refresh_failures: number, 
/**
 * The latest of those failures.
 */
last_failure: { 
/**
 * Whether the run failed or never finished.
 */
kind: "error" | "interrupted", 
/**
 * The error's code (`internal` for an interrupted run).
 */
code: ErrorCode, 
/**
 * The error's message (at most 2,000 characters), for the owner.
 */
message: string, 
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
at: string, 
/**
 * Why, for the owner: how many refreshes failed in a row and the last error.
 */
reason: string, } | null, };

export type ExecutionStatus = "running" | "ok" | "error";

export type Trigger = "manual" | "scheduled";

export type Execution = { 
/**
 * The execution id (a random UUID).
 */
id: string, 
/**
 * The analysis that ran.
 */
analysis_id: string, 
/**
 * When it started (store timestamp: ISO 8601, UTC, milliseconds).
 */
started_at: string, 
/**
 * When it finished (store timestamp); `None` while it runs, or when its process died mid-run.
 */
finished_at: string | null, 
/**
 * How the run stands.
 */
status: ExecutionStatus, 
/**
 * Rows in the result, once it succeeded; `None` while it runs or when it failed.
 */
rows: number | null, 
/**
 * Why it failed (at most 2,000 characters); `None` unless it failed.
 */
error: string | null, 
/**
 * Whether a person or the scheduler started it.
 */
trigger: Trigger, };

export type Dashboard = { 
/**
 * A random UUID.
 */
id: string, 
/**
 * As the owner named it, at most 255 characters.
 */
name: string, 
/**
 * When it was created (store timestamp: ISO 8601, UTC, milliseconds).
 */
created_at: string, 
/**
 * When it or its tiles last changed (store timestamp).
 */
updated_at: string, 
/**
 * The tenants it was made for (the session's scope at creation): showing it is refused when the
 * user's current session does not cover it.
 */
scope: Scope, };

export type Tile = { 
/**
 * The tile's id on its dashboard: the analysis id for an analysis tile, `text-<uuid>` for text.
 */
id: string, 
/**
 * The saved analysis shown, owned by the dashboard's owner (at most one tile per analysis); absent
 * for a text tile.
 */
analysis_id?: string, 
/**
 * A text tile's plain text; absent for an analysis tile.
 */
text?: string, 
/**
 * The analysis's name, for display ("" for a text tile).
 */
name: string, 
/**
 * Its place in the dashboard's order: 1, 2, 3… without gaps.
 */
position: number, 
/**
 * Width in grid columns of the UI (6 for a new tile).
 */
width: number, 
/**
 * Height in grid rows of the UI (4 for a new tile).
 */
height: number, };

export type DashboardView = { 
/**
 * What its analysis tiles are narrowed to (empty: nothing).
 */
filters: DashboardFilters, 
/**
 * The tiles in position order; only [`App::show_dashboard`] and [`App::refresh_dashboard`] fill in
 * their results.
 */
tiles: Array<TileView>, 
/**
 * A random UUID.
 */
id: string, 
/**
 * As the owner named it, at most 255 characters.
 */
name: string, 
/**
 * When it was created (store timestamp: ISO 8601, UTC, milliseconds).
 */
created_at: string, 
/**
 * When it or its tiles last changed (store timestamp).
 */
updated_at: string, 
/**
 * The tenants it was made for (the session's scope at creation): showing it is refused when the
 * user's current session does not cover it.
 */
scope: Scope, };

export type TileView = { 
/**
 * The tile's result (only from `show` and `refresh`, only for an analysis tile).
 */
result?: SavedAnswer, 
/**
 * Why the tile has no result.
 */
error?: ApiError, 
/**
 * Filters of the dashboard that do not reach this tile's data (`date`, `channel`, `country`,
 * `segment`, `campaign`): its result is not narrowed by them.
 */
unfiltered?: Array<string>, 
/**
 * The tile's id on its dashboard: the analysis id for an analysis tile, `text-<uuid>` for text.
 */
id: string, 
/**
 * The saved analysis shown, owned by the dashboard's owner (at most one tile per analysis); absent
 * for a text tile.
 */
analysis_id?: string, 
/**
 * A text tile's plain text; absent for an analysis tile.
 */
text?: string, 
/**
 * The analysis's name, for display ("" for a text tile).
 */
name: string, 
/**
 * Its place in the dashboard's order: 1, 2, 3… without gaps.
 */
position: number, 
/**
 * Width in grid columns of the UI (6 for a new tile).
 */
width: number, 
/**
 * Height in grid rows of the UI (4 for a new tile).
 */
height: number, };

export type DashboardFilters = { 
/**
 * First day included, `YYYY-MM-DD`.
 */
from?: string, 
/**
 * Last day included, `YYYY-MM-DD`.
 */
to?: string, 
/**
 * Channels, exactly as in the data (`whatsapp`, `sms`…).
 */
channel?: Array<string>, 
/**
 * Contact countries (`CO`, `MX`…).
 */
country?: Array<string>, 
/**
 * Contact segments.
 */
segment?: Array<string>, 
/**
 * Campaign names.
 */
campaign?: Array<string>, };

export type TileUpdate = { 
/**
 * Where to move it: 1 is first; the tiles between shift by one.
 */
position?: number, 
/**
 * Width in grid columns, 3 to 12.
 */
width?: number, 
/**
 * Height in grid rows, 2 to 8.
 */
height?: number, 
/**
 * New text of a text tile (plain, at most 2,000 characters).
 */
text?: string, };

export type FilterDimension = "channel" | "country" | "segment" | "campaign";

export type FilterChoice = { 
/**
 * Which dimension.
 */
dimension: FilterDimension, 
/**
 * Distinct values, sorted, at most 500.
 */
values: Array<string>, };

export type FilterChoices = { 
/**
 * One entry per dimension that reaches every analysis tile, in the order channel, country, segment,
 * campaign; none when the dashboard has no analysis tile.
 */
dimensions: Array<FilterChoice>, };

export type ExportSummary = { 
/**
 * The file written, as the request named it.
 */
path: string, 
/**
 * Data rows written (for images: rows the charts were drawn from), over all items.
 */
rows: number, 
/**
 * Size of the file, in bytes.
 */
bytes: number, };

export type Role = "analyst" | "partner_admin" | "platform_admin";

export type SessionInfo = { 
/**
 * The tenant the token grants.
 */
tenant_id: string, 
/**
 * The user within the tenant.
 */
user_id: string, 
/**
 * The partner, which picks the branding.
 */
partner_id: string, 
/**
 * The name to greet the user by, when the token has one.
 */
user_name: string | null, 
/**
 * The token's `roles` claim as issued.
 */
roles: Array<string>, 
/**
 * What the token grants here: `analyst`, `partner_admin` or `platform_admin`.
 */
role: Role, 
/**
 * ISO 8601, UTC.
 */
expires_at: string, 
/**
 * Seconds until the token expires; negative once it has.
 */
seconds_left: number, 
/**
 * Under [`REFRESH_DUE_SECONDS`] left (or expired): time to ask the CRM for a fresh link.
 */
refresh_due: boolean, 
/**
 * Expired beyond the leeway: live work is refused, but the signed-in user can still read their cached
 * results.
 */
expired: boolean, 
/**
 * Where the CRM hands out a fresh deep link, when the issuer has one configured.
 */
refresh_url: string | null, 
/**
 * `keyring` (signed in) or `token` (`--token` / `INDA_TOKEN`).
 */
source: string, };

export type SignedInUser = { 
/**
 * The signed-in user's tenant.
 */
tenant_id: string, 
/**
 * The signed-in user; with the tenant, the owner of the keyring entries.
 */
user_id: string, };

export type SignIn = { 
/**
 * The session now signed in.
 */
session: SessionInfo, 
/**
 * The tenant and user whose session this sign-in ended, when it was someone else.
 */
ended: SignedInUser | null, };

export type Colors = { 
/**
 * Main colour (`--brand-primary`).
 */
primary: string, 
/**
 * Accent colour (`--brand-accent`).
 */
accent: string, 
/**
 * Page background (`--brand-background`).
 */
background: string, 
/**
 * Background of cards and inputs (`--brand-surface`).
 */
surface: string, 
/**
 * Text colour (`--brand-text`).
 */
text: string, };

export type Branding = { 
/**
 * The product name to show: the partner's, else `inDigital Analytics`.
 */
name: string, 
/**
 * Where the UI fetches the logo (`/api/branding/logo`), when one is configured.
 */
logo_url: string | null, 
/**
 * The five colours, resolved and checked.
 */
colors: Colors, 
/**
 * Every CSS custom property to set on `:root`.
 */
css: { [key in string]: string }, };

export type Lang = "en" | "es";

export type Provider = "offline" | "anthropic" | "cortex" | "openai";

export type AskRequest = { 
/**
 * The question in English or Spanish, as the analyst typed it.
 */
question: string, 
/**
 * The conversation a follow-up continues.
 */
conversation_id?: string | null, 
/**
 * Start a conversation and return its id even for a first question.
 */
new_conversation?: boolean, 
/**
 * The question engine to start with; the offline engine when absent.
 */
provider?: Provider | null, 
/**
 * Drill into a cell of an answer: `question` is then the question of the answer clicked (its
 * `question` field, not new text), which the offline engine reads again and narrows, whatever engine
 * answered it (`provider` is not used).
 */
drill?: Drill | null, };

export type Drill = { 
/**
 * The output column clicked, as the answer names it (`columns[].name`: `channel`, `country`, `mes`),
 * normally the chart's x or series column.
 */
column: string, 
/**
 * The cell's value as the answer's row holds it (`"whatsapp"`, `"CO"`, `"Black Friday 2025"`, or the
 * period's start `"2026-03-01T00:00:00"`).
 */
value: Value, };

export type SaveRequest = { 
/**
 * The analysis's name, shown in lists and as its title; trimmed, and must not be empty.
 */
name: string, 
/**
 * Free text kept with the analysis.
 */
description?: string | null, 
/**
 * A question to save: understood now by the offline engine (refused if it is not) and planned again
 * on every run.
 */
question?: string | null, 
/**
 * A statement to save as typed: checked by the guard now (a refused one is not saved) and on every run.
 */
sql?: string | null, 
/**
 * A cron expression (5 or 6 fields).
 */
schedule?: string | null, 
/**
 * The chart shown when saving (kind, columns, second axis), kept so every result of the analysis is drawn
 * with it; absent: the engine chooses for each result.
 */
chart?: ChartSpec, };

export type ExportFormat = "csv" | "xlsx" | "png" | "svg" | "pdf";

export type ExportTarget = { "analysis": string } | { "dashboard": string };

export type ExportAnswerRequest = { 
/**
 * The answer as the UI has it (an [`Answer`], or a saved one's; other fields are ignored).
 */
answer: Answer, 
/**
 * The file format.
 */
to: ExportFormat, 
/**
 * The UI's language; absent or null: the answer's question's.
 */
lang?: Lang, };

export type WarehouseKind = "embedded" | "snowflake";

export type UiConfig = { 
/**
 * The look of the session's partner.
 */
branding: Branding, 
/**
 * The UI's language from `[app] lang`; `null`: follow the browser or the OS.
 */
lang_default: Lang | null, 
/**
 * Served from the local cache only (`--offline`, `[app] offline`).
 */
offline: boolean, 
/**
 * The app's version (the workspace's Cargo version).
 */
version: string, 
/**
 * Whether the front end has the UI to serve (`inda serve` built without `ui/dist` has none).
 */
ui_built: boolean, 
/**
 * The configured warehouse (`[warehouse] kind`).
 */
warehouse: WarehouseKind, 
/**
 * The engine a question goes to first; configured language models take what it does not understand.
 */
question_engine: Provider, };

export type Suggestions = { 
/**
 * Up to 12 questions in the asked language, from the semantic model.
 */
suggestions: Array<string>, };

export type Deleted = { 
/**
 * Always `true`: deleting what is missing (or someone else's) is a `not_found` error instead.
 */
deleted: boolean, };

export type ScopeChoice = { 
/**
 * The tenant id.
 */
tenant_id: string, 
/**
 * The company's name.
 */
tenant_name: string, 
/**
 * Its reporting currency, when known.
 */
currency: string | null, 
/**
 * Whether the session's current scope holds it.
 */
selected: boolean, };

export type Embedding = { 
/**
 * `[serve] frame_ancestors` without the entries that are not origins, in CSP syntax: exact origins, or a
 * `*` wildcard host (`https://*.crm.example`).
 */
frame_ancestors: Array<string>, };

export type AvailableUpdate = { 
/**
 * The version offered.
 */
version: string, 
/**
 * This installation's version.
 */
current_version: string, 
/**
 * The release notes, as the server wrote them.
 */
notes: string | null, 
/**
 * When it was published (RFC 3339), if the manifest says.
 */
published: string | null, };

export type UpdateCheck = { "status": "not_configured" } | { "status": "unsupported", 
/**
 * This installation's version.
 */
current_version: string, } | { "status": "up_to_date", 
/**
 * This installation's version.
 */
current_version: string, } | { "status": "available" } & AvailableUpdate;

export type ConditionKind = "above" | "below" | "change_up" | "change_down" | "change_either";

export type DeliveryStatus = "sending" | "sent" | "failed";

export type Alert = { 
/**
 * A random UUID.
 */
id: string, 
/**
 * The saved analysis it watches (the owner's own).
 */
analysis_id: string, 
/**
 * What it watches for.
 */
condition: ConditionKind, 
/**
 * The value's bound for `above`/`below`, the change in percent for the `change_*` kinds.
 */
threshold: number, 
/**
 * The column whose value is watched; `None`: the first numeric column of the row.
 */
column: string | null, 
/**
 * The row watched: the first one whose first column has this value; `None`: the first row.
 */
row: string | null, 
/**
 * Whether it is paused: a paused alert still notes each refresh's value, and sends nothing.
 */
paused: boolean, 
/**
 * When it was paused (store timestamp); `None` when active.
 */
paused_at: string | null, 
/**
 * The value seen at the latest scheduled refresh (or in the result it was created over).
 */
last_value: number | null, 
/**
 * When that value was seen (store timestamp); `None` before the first scheduled refresh.
 */
last_checked_at: string | null, 
/**
 * When it was created (store timestamp).
 */
created_at: string, 
/**
 * When it was last changed (store timestamp).
 */
updated_at: string, };

export type AlertRequest = { 
/**
 * The saved analysis to watch (one of the caller's).
 */
analysis_id: string, 
/**
 * What to watch for.
 */
condition: ConditionKind, 
/**
 * The bound for `above`/`below`; the change in percent (above 0) for the `change_*` kinds.
 */
threshold: number, 
/**
 * The column to watch; absent: the chart's first measure, else the first numeric column.
 */
column?: string, 
/**
 * The row to watch: the first whose first column reads this (ignoring case); absent: the first row.
 */
row?: string, 
/**
 * Where messages go: `https://…` (a Slack incoming webhook or any endpoint taking JSON), or `http` to
 * localhost. Kept in the OS keyring only.
 */
webhook_url: string, };

export type AlertDelivery = { 
/**
 * The alert.
 */
alert_id: string, 
/**
 * The refresh it fired at; `None` for a test message.
 */
execution_id: string | null, 
/**
 * `sent`, or `failed` with `error`.
 */
status: DeliveryStatus, 
/**
 * Tries made.
 */
attempts: number, 
/**
 * The last try's error (never the URL), when it failed.
 */
error?: string, 
/**
 * The text sent, in the analysis's language.
 */
message: string, };

export type AlertEvent = { 
/**
 * The alert that fired.
 */
alert_id: string, 
/**
 * Its analysis.
 */
analysis_id: string, 
/**
 * The refresh it fired at.
 */
execution_id: string, 
/**
 * How its message stands.
 */
status: DeliveryStatus, 
/**
 * Attempts made to send it so far.
 */
attempts: number, 
/**
 * The value that met the condition.
 */
value: number | null, 
/**
 * The value of the previous successful refresh, when there was one.
 */
previous: number | null, 
/**
 * The message's text, in the analysis's language.
 */
message: string, 
/**
 * Why it was not sent (the last attempt's error, or an interruption); absent unless `failed`.
 */
error?: string, 
/**
 * When it fired (store timestamp): the cursor to ask for the events after it.
 */
fired_at: string, 
/**
 * When its sending ended (store timestamp); `None` while `sending`.
 */
finished_at: string | null, };
