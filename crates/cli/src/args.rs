//! The command line of `cli.md`.

use crate::output::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "inda", version, about = "inDigital Analytics: ask your company's data in plain language")]
pub struct Cli {
    /// Where the embedded warehouse, the local cache and the config live.
    #[arg(long, global = true, env = "INDA_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The session token (JWT). The tenant always comes from it.
    #[arg(long, global = true, env = "INDA_TOKEN", value_name = "JWT", hide_env_values = true)]
    pub token: Option<String>,
    /// Narrow an admin's scope to these tenants (`acme_corp,globex`), on every command that reads data. A
    /// tenant beyond the token's role is refused, never dropped. Default: everything the role reaches.
    #[arg(long, global = true, env = "INDA_SCOPE", value_name = "TENANTS")]
    pub scope: Option<String>,
    /// Output format of commands that print results.
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,
    /// Serve saved analyses, dashboards and exports from the local cache only; never touch the warehouse.
    #[arg(long, global = true)]
    pub offline: bool,
    /// Log what happens to stderr.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    pub fn output_format(&self) -> Format {
        self.format.unwrap_or(Format::Table)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The embedded demo warehouse.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Development tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print the SQL that would run for the session's scope (the token's tenant, or an admin's tenants), or
    /// the rejection. Runs nothing.
    Guard { sql: String },
    /// Run SQL through the guard for the session's scope.
    Sql { sql: String },
    /// Ask a question in English or Spanish.
    Ask(AskArgs),
    /// Grade the question engine on a question file against its gold SQL.
    Eval(EvalArgs),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Conversations (follow-up questions).
    #[command(subcommand)]
    Conversation(ConversationCommand),
    /// Show the session: tenant, user, partner, roles and time left.
    Whoami,
    /// Sign in with a token read from stdin; it is kept in the OS keyring.
    Login,
    /// Sign out: remove this user's token and secrets from the OS keyring.
    Logout,
    /// Open a deep link (indigital-analytics://open?token=…[&analysis=ID|&question=TEXT]) as the desktop app would.
    Open { link: String },
    /// Serve the UI and its API to a browser or the CRM's iframe.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8765")]
        bind: std::net::SocketAddr,
    },
    /// Secrets in the OS keyring (API keys, warehouse passwords, private keys).
    #[command(subcommand)]
    Secret(SecretCommand),
    /// The configured warehouse (embedded, or a Snowflake profile).
    #[command(subcommand)]
    Warehouse(WarehouseCommand),
    /// Saved analyses.
    #[command(subcommand)]
    Saved(SavedCommand),
    /// Dashboards of saved analyses.
    #[command(subcommand)]
    Dashboard(DashboardCommand),
    /// Alerts on saved analyses, checked after each scheduled refresh and sent to a webhook.
    #[command(subcommand)]
    Alert(AlertCommand),
    /// Write a saved analysis or a dashboard to a file.
    Export(ExportArgs),
    /// The refresher of scheduled analyses.
    #[command(subcommand)]
    Scheduler(SchedulerCommand),
    /// Sync data from the inDigital API into the embedded warehouse (or export equivalent n8n workflows).
    Sync(SyncArgs),
    /// Check this installation: data dir permissions, files readable by others, config, keyring,
    /// warehouse data, store schema, free disk space. Exits 5 when a check finds a problem.
    Doctor {
        /// First make the data dir and everything in it owner-only (0700 folders, 0600 files).
        #[arg(long)]
        fix: bool,
    },
    /// Write the library (saved analyses, dashboards, conversations, cache, audit log) and the config to one
    /// passphrase-sealed file. The passphrase: `--passphrase-file`, else `INDA_BACKUP_PASSPHRASE`.
    Backup {
        /// The backup file to write (owner-only).
        #[arg(long)]
        out: std::path::PathBuf,
        /// A file whose first line is the passphrase (at least 12 characters).
        #[arg(long)]
        passphrase_file: Option<std::path::PathBuf>,
    },
    /// Replace the library and config with a backup's, once its passphrase, files, schema and audit chain
    /// check out; what it replaces is kept beside it. Stop the app and `inda serve` first.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
        /// A file whose first line is the passphrase.
        #[arg(long)]
        passphrase_file: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCommand>,
    /// Base URL of the inDigital API (e.g. https://api.indigital.com or a local `inda demo api`).
    #[arg(long, value_name = "URL")]
    pub api: Option<String>,
    /// Only these tenants (comma-separated); default: every active tenant the API lists.
    #[arg(long, value_delimiter = ',')]
    pub tenants: Option<Vec<String>>,
    /// Keep syncing at this interval (e.g. 15m) until Ctrl-C.
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,
    /// Records per page.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Write a master and per-entity n8n workflow JSON equivalent to the sync engine.
    ExportN8n {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The API base URL written into the workflows.
        #[arg(long, default_value = "https://api.indigital.com")]
        api: String,
        /// Schedule of the master workflow, in minutes.
        #[arg(long, default_value_t = 15)]
        every_minutes: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum WarehouseCommand {
    /// Check connectivity, role, warehouse, database, the marts, and whether they carry row access
    /// policies, as the signed-in user. Exits 5 when a check fails.
    Test,
    /// Push the signed-in user's saved analyses, executions and audit entries to Snowflake's ADMIN
    /// tables and take changes made on other devices (conflicts: the later `updated_at` wins, the other
    /// version is kept and reported). Runs by itself after saved-analysis commands when Snowflake is set.
    Mirror,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store a secret for the signed-in user; the value is read from stdin.
    Set { name: String },
    /// Delete a secret.
    Delete { name: String },
    /// List the names (never the values) of the user's secrets.
    List,
}

#[derive(Debug, Subcommand)]
pub enum SavedCommand {
    /// Save a question or a SQL statement.
    Save {
        #[arg(long)]
        name: String,
        /// A question, interpreted now by the offline engine.
        #[arg(long, conflicts_with = "sql", required_unless_present = "sql")]
        question: Option<String>,
        /// A SQL statement (checked by the guard now, and on every run).
        #[arg(long)]
        sql: Option<String>,
        /// Refresh schedule, cron (`0 8 * * 1`: Mondays at 08:00 UTC).
        #[arg(long, value_name = "CRON")]
        schedule: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Your saved analyses.
    List,
    /// The latest result (cached), or run it when there is none.
    Show { id: String },
    /// Run it now and cache the result.
    Run { id: String },
    /// Delete it, with its cached result and dashboard tiles.
    Delete { id: String },
    /// Set the refresh schedule (cron), or clear it with --off.
    Schedule {
        id: String,
        #[arg(value_name = "CRON", required_unless_present = "off", conflicts_with = "off")]
        cron: Option<String>,
        #[arg(long)]
        off: bool,
    },
    /// The runs of an analysis, newest first.
    History { id: String },
}

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Watch a saved analysis: after each scheduled refresh whose value meets the condition, post a message
    /// to a webhook (Slack-compatible JSON). The value: the row whose first column is `--row` (else the first
    /// row), column `--column` (else the chart's first measure, else the first numeric column).
    Create(AlertCreateArgs),
    /// Your alerts.
    List,
    /// Stop sending an alert's messages (it still notes each refresh's value).
    Pause { id: String },
    /// Send an alert's messages again.
    Resume { id: String },
    /// Delete an alert, with its webhook URL from the keyring.
    Delete { id: String },
    /// Send a test message to the alert's webhook now. Exits 5 when it fails.
    Test { id: String },
    /// The alerts that fired, and how their messages went, oldest first.
    Events {
        /// Only those fired after this timestamp (an event's `fired_at`).
        #[arg(long)]
        since: Option<String>,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("condition").required(true)))]
#[command(group(clap::ArgGroup::new("webhook").required(true)))]
pub struct AlertCreateArgs {
    /// The saved analysis to watch.
    #[arg(long, value_name = "ID")]
    pub analysis: String,
    /// Fire when the value is above N.
    #[arg(long, value_name = "N", group = "condition", allow_negative_numbers = true)]
    pub above: Option<f64>,
    /// Fire when the value is below N.
    #[arg(long, value_name = "N", group = "condition", allow_negative_numbers = true)]
    pub below: Option<f64>,
    /// Fire when the value rose by at least PCT percent since the previous successful scheduled refresh.
    #[arg(long, value_name = "PCT", group = "condition")]
    pub change_up: Option<f64>,
    /// Fire when the value fell by at least PCT percent since the previous successful scheduled refresh.
    #[arg(long, value_name = "PCT", group = "condition")]
    pub change_down: Option<f64>,
    /// Fire when the value rose or fell by at least PCT percent since the previous successful scheduled
    /// refresh.
    #[arg(long, value_name = "PCT", group = "condition")]
    pub change: Option<f64>,
    /// The column to watch (default: the chart's first measure, else the first numeric column).
    #[arg(long)]
    pub column: Option<String>,
    /// The row to watch: the first whose first column reads this, ignoring case (default: the first row).
    #[arg(long, value_name = "VALUE")]
    pub row: Option<String>,
    /// A file whose first line is the webhook URL (https, or http to localhost). Kept in the OS keyring.
    #[arg(long, value_name = "FILE", group = "webhook")]
    pub webhook_url_file: Option<PathBuf>,
    /// An environment variable holding the webhook URL. Never the URL itself as a flag: the shell's
    /// history and `ps` would show it.
    #[arg(long, value_name = "VAR", group = "webhook")]
    pub webhook_url_env: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DashboardCommand {
    /// Create an empty dashboard.
    Create {
        #[arg(long)]
        name: String,
    },
    /// Append a saved analysis as a tile.
    Add { dashboard_id: String, analysis_id: String },
    /// Remove a tile.
    Remove { dashboard_id: String, analysis_id: String },
    /// Every tile with its result.
    Show { id: String },
    /// Your dashboards.
    List,
    /// Rename a dashboard.
    Rename {
        id: String,
        #[arg(long)]
        name: String,
    },
    /// Delete a dashboard and its tiles (the analyses stay).
    Delete { id: String },
    /// Append a text tile (plain text, at most 2,000 characters).
    Text {
        id: String,
        #[arg(long)]
        text: String,
    },
    /// Move a tile (its id: the analysis id, or `text-…`) to a position; the others shift.
    Move {
        id: String,
        tile: String,
        /// The new position, 1 = first.
        #[arg(long, value_name = "P")]
        to: i64,
    },
    /// Resize a tile: width 3-12 grid columns, height 2-8 rows.
    Resize {
        id: String,
        tile: String,
        #[arg(long, value_name = "W")]
        width: Option<i64>,
        #[arg(long, value_name = "H")]
        height: Option<i64>,
    },
    /// Set the dashboard's filters (each given one replaces that dimension; an empty value clears it), or
    /// clear them all with --clear. Without options, shows them.
    Filter {
        id: String,
        /// First day included (YYYY-MM-DD).
        #[arg(long, value_name = "D")]
        from: Option<String>,
        /// Last day included (YYYY-MM-DD).
        #[arg(long, value_name = "D")]
        to: Option<String>,
        /// Channels, comma-separated.
        #[arg(long, value_name = "A,B", value_delimiter = ',')]
        channel: Option<Vec<String>>,
        /// Contact countries, comma-separated.
        #[arg(long, value_name = "A,B", value_delimiter = ',')]
        country: Option<Vec<String>>,
        /// Contact segments, comma-separated.
        #[arg(long, value_name = "A,B", value_delimiter = ',')]
        segment: Option<Vec<String>>,
        /// Campaign names, comma-separated.
        #[arg(long, value_name = "A,B", value_delimiter = ',')]
        campaign: Option<Vec<String>>,
        /// Remove every filter first.
        #[arg(long)]
        clear: bool,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, conflicts_with = "dashboard", required_unless_present = "dashboard")]
    pub analysis: Option<String>,
    #[arg(long)]
    pub dashboard: Option<String>,
    /// csv, xlsx, png, svg or pdf.
    #[arg(long, value_name = "FORMAT")]
    pub to: String,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum SchedulerCommand {
    /// Refresh due analyses: once, or every 30 s until Ctrl-C.
    Run {
        #[arg(long)]
        once: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Serve the demo tenants' records as a local inDigital API (for sync tests and demos).
    Api {
        #[arg(long, default_value = "127.0.0.1:8088")]
        bind: std::net::SocketAddr,
        #[command(flatten)]
        data: DemoData,
        /// Fault knobs, e.g. `slow=50ms,429=5,500=7,drop=11,dup=3,update=2`.
        #[arg(long, default_value = "")]
        faults: String,
    },
    /// Create or replace the embedded warehouse with demo data.
    Init {
        #[command(flatten)]
        data: DemoData,
    },
}

/// Which demo data: `demo init` writes it, `demo api` serves the same records.
#[derive(Debug, Args)]
pub struct DemoData {
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Last day of data (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Only these tenants (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tenants: Option<Vec<String>>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a token signed by the development key of the data dir.
    Mint {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        /// The tenant's partner; default: the one `admin.tenants` lists for the tenant, else `indigital`.
        #[arg(long)]
        partner: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_delimiter = ',')]
        roles: Option<Vec<String>>,
        /// Lifetime, e.g. 30m, 1h, 2d.
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
}

#[derive(Debug, Args)]
pub struct AskArgs {
    pub question: String,
    #[arg(long, default_value = "offline")]
    pub provider: String,
    /// Continue this conversation (a follow-up refines its last question).
    #[arg(long)]
    pub conversation: Option<String>,
    /// Start a conversation and print its id.
    #[arg(long)]
    pub new_conversation: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Question file (JSON lines: id, question, sql, ordered).
    #[arg(long)]
    pub set: PathBuf,
    /// Tenants to grade (default: acme_corp and umbrella).
    #[arg(long = "tenant")]
    pub tenants: Vec<String>,
    #[arg(long, default_value = "offline")]
    pub provider: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Your latest audit entries.
    List {
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Check the whole chain for edited or deleted entries.
    Verify,
    /// Entries for compliance, oldest first: JSON (the default) or CSV with `--format csv`. An analyst gets
    /// their own; an admin every user's of the tenants in scope.
    Export {
        /// Only entries recorded on or after this date (`2026-01-31`) or timestamp.
        #[arg(long)]
        since: Option<String>,
        /// Write to this file (atomically, owner-only) instead of stdout.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConversationCommand {
    /// Your conversations.
    List,
    /// The turns of one conversation.
    Show { id: String },
}
