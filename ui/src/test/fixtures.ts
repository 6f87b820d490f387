// Trimmed copies of real `inda … --format json` output (demo data), used by the unit tests.
import type { Answer, DashboardView, Execution, SavedAnalysis, SavedAnswer, ScopeChoice, SessionInfo } from '../lib/api/types';

export const barAnswer: Answer = {
  question: 'messages by channel last month',
  sql: "SELECT channel, COUNT(*) AS messages FROM (SELECT * FROM marts.fct_messages WHERE tenant_id = 'acme_corp') AS fct_messages GROUP BY channel ORDER BY messages DESC, channel ASC LIMIT 10000",
  columns: [
    { name: 'channel', type: 'VARCHAR' },
    { name: 'messages', type: 'BIGINT' },
  ],
  rows: [
    ['whatsapp', 12524],
    ['email', 3621],
    ['sms', 2178],
  ],
  row_count: 3,
  truncated: false,
  caveats: [],
  chart: { kind: 'bar', x: 'channel', y: ['messages'], title: 'Messages by channel, last month' },
  summary: 'whatsapp leads with 12,524 messages (68.4%).',
  engine: 'embedded',
  provider: 'offline',
  elapsed_ms: 314.46,
  lang: 'en',
  title: 'Messages by channel, last month',
};

export const lineAnswer: Answer = {
  question: 'messages per week',
  sql: 'SELECT …',
  columns: [
    { name: 'week', type: 'TIMESTAMP' },
    { name: 'messages', type: 'BIGINT' },
  ],
  rows: [
    ['2024-11-25T00:00:00', 177],
    ['2024-12-02T00:00:00', 614],
    ['2024-12-09T00:00:00', 864],
  ],
  row_count: 3,
  truncated: false,
  caveats: [],
  chart: { kind: 'line', x: 'week', y: ['messages'], title: 'Messages by week' },
  summary: 'Messages rose.',
  engine: 'embedded',
  provider: 'offline',
  elapsed_ms: 4.8,
  lang: 'en',
  title: 'Messages by week',
};

export const seriesAnswer: Answer = {
  question: 'messages by channel per month',
  sql: 'SELECT …',
  columns: [
    { name: 'month', type: 'TIMESTAMP' },
    { name: 'channel', type: 'VARCHAR' },
    { name: 'messages', type: 'BIGINT' },
  ],
  rows: [
    ['2024-11-01T00:00:00', 'email', 2],
    ['2024-11-01T00:00:00', 'sms', 4],
    ['2024-11-01T00:00:00', 'whatsapp', 101],
    ['2024-12-01T00:00:00', 'email', 514],
    ['2024-12-01T00:00:00', 'whatsapp', 300],
  ],
  row_count: 5,
  truncated: false,
  caveats: [],
  chart: { kind: 'line', x: 'month', y: ['messages'], series: 'channel', title: 'Messages by month and channel' },
  engine: 'embedded',
  elapsed_ms: 793.75,
};

export const rateAnswer: Answer = {
  sql: 'SELECT …',
  columns: [
    { name: 'channel', type: 'VARCHAR' },
    { name: 'delivery_rate', type: 'DOUBLE' },
  ],
  rows: [
    ['whatsapp', 0.9341690927455291],
    ['email', 0.8749464000311854],
  ],
  row_count: 2,
  truncated: false,
  caveats: [],
  chart: { kind: 'bar', x: 'channel', y: ['delivery_rate'], title: 'Delivery rate by channel, this year', percent: ['delivery_rate'] },
  engine: 'embedded',
  elapsed_ms: 750.97,
};

export const kpiAnswer: Answer = {
  question: 'total revenue',
  sql: 'SELECT SUM(amount) AS revenue FROM …',
  columns: [{ name: 'revenue', type: 'DECIMAL(22,2)' }],
  rows: [[6032153798.84]],
  row_count: 1,
  truncated: false,
  caveats: [],
  chart: { kind: 'kpi', y: ['revenue'], title: 'Revenue' },
  summary: 'Revenue: 6,032,153,798.84.',
  engine: 'embedded',
  provider: 'offline',
  elapsed_ms: 325.45,
  lang: 'en',
  title: 'Revenue',
};

/** "ingresos mensuales este año" on 2026-12-02: money in the tenant's currency, December still running. */
export const revenueAnswer: Answer = {
  question: 'ingresos mensuales este año',
  sql: 'SELECT …',
  columns: [
    { name: 'month', type: 'TIMESTAMP', label: 'Mes' },
    { name: 'revenue', type: 'DECIMAL(38,2)', currency: 'COP', label: 'Ingresos' },
  ],
  rows: [
    ['2026-10-01T00:00:00', 1234567.5],
    ['2026-11-01T00:00:00', 2345678.25],
    ['2026-12-01T00:00:00', 98765.4],
  ],
  row_count: 3,
  truncated: false,
  caveats: [{ code: 'partial_period', message: 'Diciembre de 2026 va en curso (2 de 31 días)', column: 'month', value: '2026-12-01' }],
  chart: { kind: 'line', x: 'month', y: ['revenue'], title: 'Ingresos por mes, este año' },
  summary: 'Los ingresos de noviembre fueron COP 2,345,678.25.',
  engine: 'embedded',
  provider: 'offline',
  elapsed_ms: 12.5,
  lang: 'es',
  title: 'Ingresos por mes, este año',
};

/**
 * "mensajes por país y canal el mes pasado": category columns carry the display names of their values in the
 * question's language; the rows keep the stored values (`sms` has no name and shows as stored).
 */
export const namedValuesAnswer: Answer = {
  question: 'mensajes por país y canal el mes pasado',
  sql: 'SELECT …',
  columns: [
    { name: 'country', type: 'VARCHAR', label: 'País', values: { CO: 'Colombia', MX: 'México' } },
    { name: 'channel', type: 'VARCHAR', label: 'Canal', values: { email: 'Correo electrónico', whatsapp: 'WhatsApp' } },
    { name: 'messages', type: 'BIGINT', label: 'Mensajes' },
  ],
  rows: [
    ['MX', 'whatsapp', 1200],
    ['MX', 'email', 300],
    ['CO', 'whatsapp', 900],
    ['CO', 'sms', 150],
  ],
  row_count: 4,
  truncated: false,
  caveats: [],
  chart: { kind: 'bar', x: 'country', y: ['messages'], series: 'channel', title: 'Mensajes por país y canal, el mes pasado' },
  summary: 'México lidera con 1.500 mensajes (58,8 %).',
  engine: 'embedded',
  provider: 'offline',
  elapsed_ms: 9.1,
  lang: 'es',
  title: 'Mensajes por país y canal, el mes pasado',
};

/** "clientes por segmento": a pie of stored segment codes with Spanish names. */
export const segmentAnswer: Answer = {
  question: 'clientes por segmento',
  sql: 'SELECT …',
  columns: [
    { name: 'segment', type: 'VARCHAR', label: 'Segmento', values: { at_risk: 'En riesgo', champions: 'Campeones', churned: 'Perdidos' } },
    { name: 'customers', type: 'BIGINT', label: 'Clientes' },
  ],
  rows: [
    ['champions', 420],
    ['at_risk', 130],
    ['churned', 55],
  ],
  row_count: 3,
  truncated: false,
  caveats: [],
  chart: { kind: 'pie', x: 'segment', y: ['customers'], title: 'Clientes por segmento' },
  engine: 'embedded',
  elapsed_ms: 3.2,
  lang: 'es',
  title: 'Clientes por segmento',
};

export const savedAnswer: SavedAnswer = {
  ...lineAnswer,
  title: 'Weekly msgs',
  analysis_id: '0299c5fb-30f6-4108-bf27-844245637e34',
  name: 'Weekly msgs',
  as_of: '2026-11-26T08:27:28.479Z',
  cached: true,
  stale: false,
};

export const session: SessionInfo = {
  tenant_id: 'acme_corp',
  user_id: 'ana',
  partner_id: 'indigital',
  user_name: 'Ana',
  roles: ['analyst'],
  role: 'analyst',
  expires_at: '2026-11-26T09:27:23Z',
  seconds_left: 3599,
  refresh_due: false,
  expired: false,
  refresh_url: null,
  source: 'token',
};

/** A partner admin of indigital (`--roles partner_admin`): its session reads every company of the partner. */
export const adminSession: SessionInfo = { ...session, user_id: 'pat', user_name: 'Pat', roles: ['partner_admin'], role: 'partner_admin' };

/** `GET /api/scope` for that admin after narrowing to Acme Corp and Globex. */
export const scopeChoices: ScopeChoice[] = [
  { tenant_id: 'acme_corp', tenant_name: 'Acme Corp', currency: 'COP', selected: true },
  { tenant_id: 'globex', tenant_name: 'Globex', currency: 'MXN', selected: true },
  { tenant_id: 'initech', tenant_name: 'Initech', currency: 'USD', selected: false },
  { tenant_id: 'umbrella', tenant_name: 'Umbrella Health', currency: 'USD', selected: false },
];

export const analysis: SavedAnalysis = {
  id: '0299c5fb-30f6-4108-bf27-844245637e34',
  tenant_id: 'acme_corp',
  created_by: 'ana',
  name: 'Weekly msgs',
  description: null,
  natural_language_query: 'messages per week',
  generated_sql: "SELECT DATE_TRUNC('week', sent_at) AS week, COUNT(*) AS messages FROM marts.fct_messages GROUP BY 1 ORDER BY week ASC",
  chart_type: 'line',
  chart_config: { plan: { title: 'Messages by week' } },
  refresh_schedule: '0 0 8 * * MON',
  last_refresh_at: '2026-11-26T08:27:28.480Z',
  next_refresh_at: '2026-11-30T08:00:00.000Z',
  is_active: true,
  created_at: '2026-11-26T08:27:26.866Z',
  updated_at: '2026-11-26T08:27:26.866Z',
  scope: ['acme_corp'],
  refresh_failures: 0,
  last_failure: null,
  schedule_paused: null,
};

export const execution: Execution = {
  id: '842f8d42-5b0e-4909-a2a8-c6322c4f83ae',
  analysis_id: analysis.id,
  started_at: '2026-11-26T08:27:27.830Z',
  finished_at: '2026-11-26T08:27:28.480Z',
  status: 'ok',
  rows: 105,
  error: null,
  trigger: 'manual',
};

export const dashboard: DashboardView = {
  id: '7306b1b9-4494-4285-9fc1-a0d0054c406c',
  name: 'Dash',
  created_at: '2026-11-26T08:27:28.963Z',
  updated_at: '2026-11-26T08:27:29.485Z',
  scope: ['acme_corp'],
  filters: {},
  tiles: [{ id: analysis.id, analysis_id: analysis.id, name: 'Weekly msgs', position: 1, width: 6, height: 4, result: savedAnswer }],
};
