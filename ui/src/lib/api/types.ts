// Types of the API and IPC payloads, matching the JSON the core prints (`inda … --format json`).

// The payloads that cross the boundary are generated from the Rust types (crates/app/tests/bindings.rs
// renders them into ./generated.ts and CI fails when that file is stale); only UI-side shapes live here.
export type {
  Answer,
  ApiError,
  Branding,
  Caveat,
  CaveatCode,
  ChartKind,
  ChartSpec,
  Colors,
  Column,
  Dashboard,
  DashboardView,
  ErrorCode,
  Execution,
  SavedAnalysis,
  SavedAnswer,
  SessionInfo,
  Tile,
  TileView,
  Value,
} from './generated';
import type { Branding } from './generated';

/** `inda_app::ExportSummary`. Over HTTP the file is downloaded by the browser; `path` is then the file name. */
export interface ExportSummary {
  path: string;
  rows: number;
  bytes?: number;
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
