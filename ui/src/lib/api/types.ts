// Types of the API and IPC payloads, matching the JSON the core prints (`inda … --format json`).

// Every payload that crosses the boundary, requests and responses, is generated from the Rust types
// (crates/app/tests/bindings.rs renders them into ./generated.ts and CI fails when that file is stale). Over
// HTTP an export is downloaded by the browser: its `ExportSummary.path` is then the file name.
export type {
  Answer,
  ApiError,
  AskRequest,
  Branding,
  Caveat,
  CaveatCode,
  ChartKind,
  ChartSpec,
  Colors,
  Column,
  Dashboard,
  DashboardView,
  Deleted,
  ErrorCode,
  Execution,
  ExecutionStatus,
  ExportFormat,
  ExportSummary,
  ExportTarget,
  Lang,
  Provider,
  SaveRequest,
  SavedAnalysis,
  SavedAnswer,
  SessionInfo,
  Suggestions,
  Tile,
  TileView,
  Trigger,
  UiConfig,
  Value,
  WarehouseKind,
} from './generated';
