//! Integration tests of the demo crate's data generator: contract schemas, per-tenant determinism, value
//! domains, time range, referential consistency, exchange rates for every amount, atomic replacement, and
//! that the analysts' questions have answers. Also the one marts schema (`inda_core::marts`) held against
//! the semantic model (`semantic/model.yaml`) and the deployable Snowflake DDL
//! (`warehouse/snowflake/05_marts.sql`).
//! Small scales keep them fast in debug builds.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, TimeUnit, TimestampMicrosecondType,
};
use inda_core::{ErrorCode, marts};
use inda_demo::{self as demo, DemoOptions, DemoSummary, Progress};
use inda_warehouse::marts_schema;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const SCALE: f64 = 0.05;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 15).expect("valid date")
}

fn opts(tenants: Option<&[&str]>, seed: u64) -> DemoOptions {
    DemoOptions {
        scale: SCALE,
        seed,
        as_of: as_of(),
        tenants: tenants.map(|t| t.iter().map(|s| s.to_string()).collect()),
    }
}

fn generate(dir: &Path, opts: &DemoOptions) -> DemoSummary {
    demo::generate(dir, opts, &|_| {}).unwrap_or_else(|e| panic!("generate failed: {e:?}"))
}

/// One full generation shared by the read-only tests (generating once keeps the suite fast).
fn full() -> &'static (PathBuf, DemoSummary) {
    static FULL: OnceLock<(PathBuf, DemoSummary)> = OnceLock::new();
    FULL.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("inda-demo-full");
        let summary = generate(&dir, &opts(None, 42));
        (dir, summary)
    })
}

fn tenant_ids() -> Vec<&'static str> {
    demo::all_tenants().into_iter().map(|t| t.0).collect()
}

fn table_files(root: &Path, table: &str, tenant: &str) -> Vec<PathBuf> {
    let dir = root.join("marts").join(table).join(tenant);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no parquet files in {}", dir.display());
    files
}

/// All rows of one table of one tenant, as a single batch.
fn read(root: &Path, table: &str, tenant: &str) -> RecordBatch {
    let schema = marts_schema(table).expect("known table");
    let mut batches = Vec::new();
    for f in table_files(root, table, tenant) {
        let file = std::fs::File::open(&f).expect("open parquet");
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet reader").build().expect("reader");
        for b in reader {
            batches.push(b.expect("batch"));
        }
    }
    concat_batches(&schema, &batches).expect("concat")
}

fn strs<'a>(b: &'a RecordBatch, col: &str) -> Vec<Option<&'a str>> {
    b.column_by_name(col).unwrap_or_else(|| panic!("column {col}")).as_string::<i32>().iter().collect()
}

fn ts(b: &RecordBatch, col: &str) -> Vec<Option<i64>> {
    b.column_by_name(col)
        .unwrap_or_else(|| panic!("column {col}"))
        .as_primitive::<TimestampMicrosecondType>()
        .iter()
        .collect()
}

fn dec(b: &RecordBatch, col: &str) -> Vec<Option<i128>> {
    b.column_by_name(col)
        .unwrap_or_else(|| panic!("column {col}"))
        .as_primitive::<Decimal128Type>()
        .iter()
        .collect()
}

fn micros(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp_micros()
}

fn window_us() -> (i64, i64) {
    let start = as_of().checked_sub_months(Months::new(24)).expect("date");
    let lo = micros(start.and_hms_opt(0, 0, 0).expect("time"));
    let hi = micros(as_of().and_hms_opt(23, 59, 59).expect("time"));
    (lo, hi)
}

fn day_us(d: NaiveDate) -> (i64, i64) {
    let lo = micros(d.and_hms_opt(0, 0, 0).expect("time"));
    (lo, lo + 86_400_000_000)
}

fn set(items: &[&'static str]) -> HashSet<&'static str> {
    items.iter().copied().collect()
}

/// A column as the contract states it: name, Arrow type, nullable.
type ColumnSpec<'a> = (&'a str, DataType, bool);

/// What the consistency checks need of a campaign: channel, status, started_at, ended_at.
type CampaignInfo<'a> = (&'a str, &'a str, Option<i64>, Option<i64>);

#[test]
fn schemas_match_the_contract() {
    use DataType::{Boolean, Date32, Decimal128, Timestamp, Utf8};
    let t = || Timestamp(TimeUnit::Microsecond, None);
    let expected: Vec<(&str, Vec<ColumnSpec>)> = vec![
        (
            "dim_contacts",
            vec![
                ("tenant_id", Utf8, false),
                ("contact_id", Utf8, false),
                ("full_name", Utf8, false),
                ("email", Utf8, true),
                ("phone", Utf8, true),
                ("country", Utf8, false),
                ("city", Utf8, false),
                ("segment", Utf8, false),
                ("lifecycle_stage", Utf8, false),
                ("source_channel", Utf8, false),
                ("opted_in", Boolean, false),
                ("created_at", t(), false),
                ("updated_at", t(), false),
            ],
        ),
        (
            "dim_campaigns",
            vec![
                ("tenant_id", Utf8, false),
                ("campaign_id", Utf8, false),
                ("campaign_name", Utf8, false),
                ("channel", Utf8, false),
                ("campaign_type", Utf8, false),
                ("status", Utf8, false),
                ("started_at", t(), true),
                ("ended_at", t(), true),
                ("budget", Decimal128(12, 2), false),
            ],
        ),
        (
            "fct_messages",
            vec![
                ("tenant_id", Utf8, false),
                ("message_id", Utf8, false),
                ("contact_id", Utf8, false),
                ("campaign_id", Utf8, true),
                ("channel", Utf8, false),
                ("direction", Utf8, false),
                ("status", Utf8, false),
                ("template_name", Utf8, true),
                ("sent_at", t(), false),
                ("delivered_at", t(), true),
                ("read_at", t(), true),
                ("cost", Decimal128(10, 4), false),
            ],
        ),
        (
            "fct_activities",
            vec![
                ("tenant_id", Utf8, false),
                ("activity_id", Utf8, false),
                ("contact_id", Utf8, false),
                ("campaign_id", Utf8, true),
                ("activity_type", Utf8, false),
                ("channel", Utf8, false),
                ("occurred_at", t(), false),
                ("amount", Decimal128(12, 2), true),
                ("currency", Utf8, true),
            ],
        ),
        (
            "fx_rates",
            vec![
                ("tenant_id", Utf8, false),
                ("currency", Utf8, false),
                ("month", Date32, false),
                ("rate", Decimal128(18, 8), false),
            ],
        ),
    ];
    assert_eq!(marts::names().collect::<Vec<_>>(), expected.iter().map(|(t, _)| *t).collect::<Vec<_>>());
    assert!(marts_schema("staging_anything").is_none());

    let (root, _) = full();
    for (table, cols) in &expected {
        let schema = marts_schema(table).expect("schema");
        let got: Vec<ColumnSpec> = schema
            .fields()
            .iter()
            .map(|f| (f.name().as_str(), f.data_type().clone(), f.is_nullable()))
            .collect();
        assert_eq!(&got, cols, "marts_schema({table})");
        // What is on disk is exactly that schema, for every tenant and file.
        for tenant in tenant_ids() {
            for f in table_files(root, table, tenant) {
                let file = std::fs::File::open(&f).expect("open");
                let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("reader");
                let on_disk: Vec<ColumnSpec> = builder
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| (f.name().as_str(), f.data_type().clone(), f.is_nullable()))
                    .collect();
                assert_eq!(&on_disk, cols, "{}", f.display());
            }
        }
    }
}

/// The semantic model reads only marts columns, each with the schema's type. Its own validation already
/// holds every metric, dimension, join, rate and list column to its `tables` section, so checking that
/// section covers everything it references.
#[test]
fn the_semantic_model_reads_only_marts_columns_of_their_types() {
    let model = inda_semantic::SemanticModel::builtin().expect("the shipped semantic model");
    assert!(!model.tables().is_empty());
    for t in model.tables() {
        assert_eq!(t.schema, "marts", "semantic table {}", t.name);
        let table = marts::table(&t.name).unwrap_or_else(|| panic!("semantic table {} is no mart", t.name));
        for c in &t.columns {
            let column = table
                .column(&c.name)
                .unwrap_or_else(|| panic!("semantic column {}.{} is no mart column", t.name, c.name));
            assert_eq!(
                marts::ColumnType::parse(&c.data_type),
                Some(column.data_type),
                "{}.{}: the model says {}, the marts schema {}",
                t.name,
                c.name,
                c.data_type,
                column.data_type
            );
        }
    }
}

/// One column of a `CREATE TABLE` of the deployable DDL: name, type as written, nullable.
type DdlColumn = (String, String, bool);

/// The `CREATE TABLE … MARTS.<table> (…)` statements of `warehouse/snowflake/05_marts.sql`, in file order:
/// lower-case table name and its columns.
fn snowflake_marts() -> Vec<(String, Vec<DdlColumn>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../warehouse/snowflake/05_marts.sql");
    let sql = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut tables: Vec<(String, Vec<DdlColumn>)> = Vec::new();
    let mut open = false;
    for line in sql.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("CREATE TABLE IF NOT EXISTS MARTS.") {
            let name = rest.trim_end_matches('(').trim().to_ascii_lowercase();
            tables.push((name, Vec::new()));
            open = true;
        } else if open && line.starts_with(')') {
            open = false;
        } else if open && let Some((_, columns)) = tables.last_mut() {
            let line = line.trim_end_matches(',');
            let (name, rest) =
                line.split_once(' ').unwrap_or_else(|| panic!("a column without a type: {line}"));
            let (data_type, nullable) = match rest.strip_suffix(" NOT NULL") {
                Some(t) => (t, false),
                None => (rest, true),
            };
            columns.push((name.to_ascii_lowercase(), data_type.trim().to_string(), nullable));
        }
    }
    assert!(!open, "a CREATE TABLE without its closing parenthesis");
    tables
}

/// A Snowflake column type of the DDL as the contract's type: `TIMESTAMP_NTZ` is `TIMESTAMP`, `NUMBER(p, s)`
/// is `DECIMAL(p,s)`.
fn contract_type(snowflake: &str) -> Option<marts::ColumnType> {
    let upper = snowflake.to_ascii_uppercase();
    match upper.as_str() {
        "TIMESTAMP_NTZ" => Some(marts::ColumnType::Timestamp),
        "VARCHAR" | "BOOLEAN" | "DATE" => marts::ColumnType::parse(&upper),
        _ => marts::ColumnType::parse(&format!("DECIMAL{}", upper.strip_prefix("NUMBER")?)),
    }
}

/// The deployable Snowflake DDL creates the same marts, with the same columns in the same order, of the same
/// types and nullability.
#[test]
fn the_snowflake_ddl_creates_the_same_marts() {
    let ddl = snowflake_marts();
    assert_eq!(
        ddl.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        marts::names().collect::<Vec<_>>(),
        "the marts of 05_marts.sql, in file order"
    );
    for ((name, columns), table) in ddl.iter().zip(marts::tables()) {
        let ours: Vec<DdlColumn> =
            table.columns.iter().map(|c| (c.name.to_string(), c.data_type.to_string(), c.nullable)).collect();
        let theirs: Vec<DdlColumn> = columns
            .iter()
            .map(|(c, t, nullable)| {
                let data_type =
                    contract_type(t).unwrap_or_else(|| panic!("MARTS.{name}.{c}: unknown type {t}"));
                (c.clone(), data_type.to_string(), *nullable)
            })
            .collect();
        assert_eq!(theirs, ours, "MARTS.{name}");
    }
}

#[test]
fn one_tenant_alone_gives_the_same_rows_as_a_full_generation() {
    let (root, summary) = full();
    let tmp = tempfile::tempdir().expect("tempdir");
    let alone = tmp.path().join("wh");
    let s = generate(&alone, &opts(Some(&["acme_corp"]), 42));
    assert_eq!(s.tenants.len(), 1);
    assert_eq!(s.tenants[0], summary.tenants[0], "acme_corp summary");
    for table in marts::names() {
        assert_eq!(read(&alone, table, "acme_corp"), read(root, table, "acme_corp"), "{table} rows");
        // Byte-identical files, too.
        for (a, b) in
            table_files(&alone, table, "acme_corp").iter().zip(table_files(root, table, "acme_corp"))
        {
            assert_eq!(std::fs::read(a).expect("read"), std::fs::read(&b).expect("read"), "{table} bytes");
        }
    }
    assert!(!alone.join("marts/fct_messages/globex").exists());
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    let only = Some(&["initech"][..]);
    let sa = generate(&a, &opts(only, 42));
    let sb = generate(&b, &opts(only, 42));
    let sc = generate(&c, &opts(only, 7));
    assert_eq!(sa.tenants, sb.tenants);
    for table in marts::names() {
        assert_eq!(read(&a, table, "initech"), read(&b, table, "initech"), "{table} with the same seed");
    }
    assert_ne!(read(&a, "fct_messages", "initech"), read(&c, "fct_messages", "initech"));
    assert_ne!(read(&a, "dim_contacts", "initech"), read(&c, "dim_contacts", "initech"));
    assert_ne!(sa.tenants[0].messages, sc.tenants[0].messages);
}

#[test]
fn values_stay_in_their_domains() {
    let (root, _) = full();
    let segments = set(&["vip", "regular", "new", "at_risk"]);
    let stages = set(&["lead", "prospect", "customer", "churned"]);
    let sources = set(&["whatsapp", "sms", "email", "web", "instagram"]);
    let countries = set(&["CO", "MX", "US", "PE", "CL", "AR", "BR", "EC"]);
    let msg_channels = set(&["whatsapp", "sms", "email", "push"]);
    let camp_types = set(&["broadcast", "drip", "transactional"]);
    let camp_status = set(&["draft", "active", "paused", "completed"]);
    let out_status = set(&["sent", "delivered", "read", "failed"]);
    let kinds =
        set(&["page_view", "form_submit", "chat_started", "purchase", "refund", "support_ticket", "login"]);
    let act_channels = set(&["whatsapp", "sms", "email", "web", "instagram", "store"]);
    let currencies = set(&["COP", "MXN", "PEN", "CLP", "ARS", "USD", "BRL"]);

    for tenant in tenant_ids() {
        let c = read(root, "dim_contacts", tenant);
        for table in marts::names() {
            let b = read(root, table, tenant);
            assert!(
                strs(&b, "tenant_id").iter().all(|t| *t == Some(tenant)),
                "{table} tenant_id of {tenant}"
            );
        }
        let n = c.num_rows();
        assert_eq!(strs(&c, "contact_id").into_iter().collect::<HashSet<_>>().len(), n, "unique contact ids");
        assert!(strs(&c, "segment").iter().all(|s| segments.contains(s.expect("segment"))));
        assert!(strs(&c, "lifecycle_stage").iter().all(|s| stages.contains(s.expect("stage"))));
        assert!(strs(&c, "source_channel").iter().all(|s| sources.contains(s.expect("source"))));
        assert!(strs(&c, "country").iter().all(|s| countries.contains(s.expect("country"))));
        assert!(strs(&c, "full_name").iter().all(|s| s.is_some_and(|s| s.contains(' '))));
        assert!(strs(&c, "email").iter().flatten().all(|e| e.contains('@') && e.is_ascii()));
        assert!(
            strs(&c, "phone")
                .iter()
                .flatten()
                .all(|p| p.starts_with('+') && p[1..].bytes().all(|b| b.is_ascii_digit()))
        );
        let no_email = c.column_by_name("email").expect("email").null_count() as f64 / n as f64;
        let no_phone = c.column_by_name("phone").expect("phone").null_count() as f64 / n as f64;
        assert!((0.02..0.2).contains(&no_email), "{tenant} e-mail null share {no_email}");
        assert!(no_phone < 0.12, "{tenant} phone null share {no_phone}");
        let opted =
            c.column_by_name("opted_in").expect("opted_in").as_boolean().true_count() as f64 / n as f64;
        assert!((0.6..0.92).contains(&opted), "{tenant} opted-in share {opted}");
        for (cr, up) in ts(&c, "created_at").iter().zip(ts(&c, "updated_at")) {
            assert!(up >= *cr, "updated_at before created_at");
        }

        let k = read(root, "dim_campaigns", tenant);
        assert!((8..=400).contains(&k.num_rows()), "{tenant} campaigns {}", k.num_rows());
        assert_eq!(strs(&k, "campaign_id").into_iter().collect::<HashSet<_>>().len(), k.num_rows());
        assert!(strs(&k, "channel").iter().all(|s| msg_channels.contains(s.expect("channel"))));
        assert!(strs(&k, "campaign_type").iter().all(|s| camp_types.contains(s.expect("type"))));
        let status = strs(&k, "status");
        let (started, ended) = (ts(&k, "started_at"), ts(&k, "ended_at"));
        for i in 0..k.num_rows() {
            let s = status[i].expect("status");
            assert!(camp_status.contains(s));
            assert_eq!(s == "draft", started[i].is_none(), "drafts and only drafts have no start");
            assert_eq!(
                s == "completed",
                ended[i].is_some(),
                "completed campaigns and only those have an end"
            );
            if let (Some(a), Some(b)) = (started[i], ended[i]) {
                assert!(b > a);
            }
        }
        for s in ["draft", "active", "completed"] {
            assert!(status.contains(&Some(s)), "{tenant} has {s} campaigns");
        }
        assert!(dec(&k, "budget").iter().all(|b| b.is_some_and(|b| b > 0)));

        let m = read(root, "fct_messages", tenant);
        assert_eq!(strs(&m, "message_id").into_iter().collect::<HashSet<_>>().len(), m.num_rows());
        let (ch, dir, st, camp) =
            (strs(&m, "channel"), strs(&m, "direction"), strs(&m, "status"), strs(&m, "campaign_id"));
        let (tpl, sent, dlv, rd, cost) = (
            strs(&m, "template_name"),
            ts(&m, "sent_at"),
            ts(&m, "delivered_at"),
            ts(&m, "read_at"),
            dec(&m, "cost"),
        );
        for i in 0..m.num_rows() {
            let (ch, st, cost) = (ch[i].expect("channel"), st[i].expect("status"), cost[i].expect("cost"));
            assert!(msg_channels.contains(ch));
            match dir[i].expect("direction") {
                "inbound" => {
                    assert_eq!(st, "received");
                    assert_eq!(cost, 0, "inbound messages are free");
                    assert!(camp[i].is_none() && tpl[i].is_none() && dlv[i].is_none() && rd[i].is_none());
                }
                "outbound" => {
                    assert!(out_status.contains(st), "outbound status {st}");
                    assert_eq!(
                        dlv[i].is_some(),
                        st == "delivered" || st == "read",
                        "delivered_at iff delivered/read"
                    );
                    assert_eq!(rd[i].is_some(), st == "read", "read_at iff read");
                    if let Some(d) = dlv[i] {
                        assert!(d > sent[i].expect("sent"));
                    }
                    if let (Some(d), Some(r)) = (dlv[i], rd[i]) {
                        assert!(r > d);
                    }
                    assert!(!(ch == "sms" && st == "read"), "SMS has no read receipts");
                    assert!((0..=800).contains(&cost), "cost {cost}");
                    match ch {
                        "push" => assert_eq!(cost, 0),
                        "email" => assert_eq!(cost, 5),
                        "sms" => assert!((100..=500).contains(&cost)),
                        _ => assert!(st == "failed" || (50..=800).contains(&cost)),
                    }
                }
                other => panic!("direction {other}"),
            }
        }

        let a = read(root, "fct_activities", tenant);
        assert_eq!(strs(&a, "activity_id").into_iter().collect::<HashSet<_>>().len(), a.num_rows());
        let (kind, ach, amount, cur) =
            (strs(&a, "activity_type"), strs(&a, "channel"), dec(&a, "amount"), strs(&a, "currency"));
        for i in 0..a.num_rows() {
            let kd = kind[i].expect("kind");
            assert!(kinds.contains(kd), "kind {kd}");
            assert!(act_channels.contains(ach[i].expect("channel")));
            match kd {
                "purchase" => assert!(amount[i].is_some_and(|x| x > 0), "purchases are positive"),
                "refund" => assert!(amount[i].is_some_and(|x| x < 0), "refunds are negative"),
                _ => assert!(amount[i].is_none(), "{kd} has no amount"),
            }
            assert_eq!(cur[i].is_some(), amount[i].is_some());
            if let Some(c) = cur[i] {
                assert!(currencies.contains(c));
            }
        }
        for k in ["purchase", "refund", "page_view", "login", "support_ticket"] {
            assert!(kind.contains(&Some(k)), "{tenant} has {k}");
        }
    }
}

#[test]
fn data_stays_inside_the_24_month_window_and_reaches_as_of() {
    let (root, _) = full();
    let (lo, hi) = window_us();
    let (today, yesterday) = (day_us(as_of()), day_us(as_of().pred_opt().expect("date")));
    let in_day = |t: i64, d: (i64, i64)| t >= d.0 && t < d.1;
    let cols: [(&str, &[&str]); 4] = [
        ("dim_contacts", &["created_at", "updated_at"]),
        ("dim_campaigns", &["started_at", "ended_at"]),
        ("fct_messages", &["sent_at", "delivered_at", "read_at"]),
        ("fct_activities", &["occurred_at"]),
    ];
    for tenant in tenant_ids() {
        for (table, names) in cols {
            let b = read(root, table, tenant);
            for col in names {
                for t in ts(&b, col).into_iter().flatten() {
                    assert!(t >= lo && t <= hi, "{tenant}.{table}.{col} = {t} outside the window");
                }
            }
        }
        let m = read(root, "fct_messages", tenant);
        let (sent, dir) = (ts(&m, "sent_at"), strs(&m, "direction"));
        let inbound_yesterday = sent
            .iter()
            .zip(&dir)
            .filter(|(t, d)| in_day(t.expect("sent"), yesterday) && **d == Some("inbound"))
            .count();
        assert!(inbound_yesterday > 0, "{tenant}: messages received yesterday");
        assert!(sent.iter().any(|t| in_day(t.expect("sent"), today)), "{tenant}: messages today");
        let a = read(root, "fct_activities", tenant);
        let occ = ts(&a, "occurred_at");
        let kinds = strs(&a, "activity_type");
        for day in [today, yesterday] {
            assert!(
                occ.iter()
                    .zip(&kinds)
                    .any(|(t, k)| in_day(t.expect("occurred"), day) && *k == Some("purchase")),
                "{tenant}: purchases on as_of and the day before"
            );
        }
        let c = read(root, "dim_contacts", tenant);
        let created = ts(&c, "created_at");
        for day in [today, yesterday] {
            assert!(
                created.iter().any(|t| in_day(t.expect("created"), day)),
                "{tenant}: new contacts on as_of and the day before"
            );
        }
        // Data starts near the beginning of the window, too.
        let first = sent.iter().flatten().min().copied().unwrap_or(hi);
        assert!(first < lo + 40 * 86_400_000_000, "{tenant}: messages start within the first weeks");
    }
}

#[test]
fn facts_reference_their_dimensions_consistently() {
    let (root, _) = full();
    let end = window_us().1;
    for tenant in tenant_ids() {
        let c = read(root, "dim_contacts", tenant);
        let created: HashMap<&str, i64> = strs(&c, "contact_id")
            .into_iter()
            .zip(ts(&c, "created_at"))
            .map(|(id, t)| (id.expect("id"), t.expect("created")))
            .collect();
        let k = read(root, "dim_campaigns", tenant);
        let campaigns: HashMap<&str, CampaignInfo> = (0..k.num_rows())
            .map(|i| {
                (
                    strs(&k, "campaign_id")[i].expect("id"),
                    (
                        strs(&k, "channel")[i].expect("ch"),
                        strs(&k, "status")[i].expect("st"),
                        ts(&k, "started_at")[i],
                        ts(&k, "ended_at")[i],
                    ),
                )
            })
            .collect();
        let within = |id: &str, t: i64| {
            let (_, status, start, stop) = campaigns[id];
            assert_ne!(status, "draft", "drafts never send nor get credit");
            assert!(
                t >= start.expect("start") && t <= stop.unwrap_or(end),
                "{tenant}: {id} activity outside its run"
            );
        };

        let m = read(root, "fct_messages", tenant);
        let (contact, camp, ch, sent) =
            (strs(&m, "contact_id"), strs(&m, "campaign_id"), strs(&m, "channel"), ts(&m, "sent_at"));
        let mut campaign_msgs = 0;
        for i in 0..m.num_rows() {
            let t = sent[i].expect("sent");
            let cr = created[contact[i].expect("contact")];
            assert!(t >= cr, "{tenant}: message before its contact signed up");
            if let Some(id) = camp[i] {
                campaign_msgs += 1;
                assert_eq!(
                    campaigns[id].0,
                    ch[i].expect("ch"),
                    "campaign messages use the campaign's channel"
                );
                within(id, t);
            }
        }
        assert!(campaign_msgs * 3 > m.num_rows(), "{tenant}: most messages belong to campaigns");

        let a = read(root, "fct_activities", tenant);
        let (contact, camp, kind, occ, amount, cur) = (
            strs(&a, "contact_id"),
            strs(&a, "campaign_id"),
            strs(&a, "activity_type"),
            ts(&a, "occurred_at"),
            dec(&a, "amount"),
            strs(&a, "currency"),
        );
        let mut purchases: HashMap<(&str, &str), Vec<(i64, i128)>> = HashMap::new();
        let mut attributed = 0;
        for i in 0..a.num_rows() {
            let t = occ[i].expect("occurred");
            assert!(t >= created[contact[i].expect("contact")], "{tenant}: activity before sign-up");
            if let Some(id) = camp[i] {
                attributed += 1;
                within(id, t);
            }
            if kind[i] == Some("purchase") {
                purchases
                    .entry((contact[i].expect("c"), cur[i].expect("cur")))
                    .or_default()
                    .push((t, amount[i].expect("amt")));
            }
        }
        assert!(attributed > 0, "{tenant}: some activity is attributed to campaigns");
        for i in 0..a.num_rows() {
            if kind[i] == Some("refund") {
                let (t, back) = (occ[i].expect("t"), -amount[i].expect("amount"));
                let earlier = purchases
                    .get(&(contact[i].expect("c"), cur[i].expect("cur")))
                    .expect("refund of a buyer");
                assert!(
                    earlier.iter().any(|(pt, amt)| *pt < t && *amt >= back),
                    "{tenant}: refund without an earlier purchase"
                );
            }
        }
    }
}

#[test]
fn tenants_differ_in_size_and_mix() {
    let (root, summary) = full();
    let by_id: HashMap<&str, &demo::TenantSummary> =
        summary.tenants.iter().map(|t| (t.tenant_id.as_str(), t)).collect();
    assert_eq!(by_id.len(), 5);
    let order = ["umbrella", "acme_corp", "globex", "stark_ind", "initech"];
    for w in order.windows(2) {
        assert!(by_id[w[0]].contacts > by_id[w[1]].contacts, "{} has more contacts than {}", w[0], w[1]);
    }
    let msgs: HashSet<u64> = summary.tenants.iter().map(|t| t.messages).collect();
    let acts: HashSet<u64> = summary.tenants.iter().map(|t| t.activities).collect();
    assert_eq!(msgs.len(), 5);
    assert_eq!(acts.len(), 5);
    assert_eq!(summary.rows, summary.tenants.iter().map(|t| t.rows()).sum::<u64>());
    // Channel mixes differ: globex leans on SMS, acme on WhatsApp.
    let share = |tenant: &str, channel: &str| {
        let m = read(root, "fct_messages", tenant);
        let ch = strs(&m, "channel");
        ch.iter().filter(|c| **c == Some(channel)).count() as f64 / ch.len() as f64
    };
    assert!(share("globex", "sms") > share("acme_corp", "sms"));
    assert!(share("acme_corp", "whatsapp") > share("stark_ind", "whatsapp"));
    // Files match the summary.
    for t in &summary.tenants {
        assert_eq!(read(root, "fct_messages", &t.tenant_id).num_rows() as u64, t.messages);
        assert_eq!(read(root, "fct_activities", &t.tenant_id).num_rows() as u64, t.activities);
        assert_eq!(read(root, "dim_contacts", &t.tenant_id).num_rows() as u64, t.contacts);
        assert_eq!(read(root, "dim_campaigns", &t.tenant_id).num_rows() as u64, t.campaigns);
        assert_eq!(read(root, "fx_rates", &t.tenant_id).num_rows() as u64, t.fx_rates);
    }
}

#[test]
fn progress_reports_exact_totals() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let events = Mutex::new(Vec::new());
    let record = |p: Progress| events.lock().expect("lock").push(p);
    let summary = demo::generate(&tmp.path().join("wh"), &opts(Some(&["initech", "stark_ind"]), 42), &record)
        .expect("generate");
    let events = events.into_inner().expect("lock");
    assert_eq!(events.first(), Some(&Progress::Start { total_rows: summary.rows }));
    assert_eq!(events.last(), Some(&Progress::Done));
    let advanced: u64 = events.iter().map(|e| if let Progress::Advance(n) = e { *n } else { 0 }).sum();
    assert_eq!(advanced, summary.rows);
    assert_eq!(events.iter().filter(|e| matches!(e, Progress::Start { .. } | Progress::Done)).count(), 2);
}

#[test]
fn admin_files_and_manifest_describe_the_warehouse() {
    let (root, summary) = full();
    let read_json = |p: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(root.join(p)).expect("read json")).expect("parse json")
    };
    let partners = read_json("admin/partners.json");
    let ids: Vec<&str> =
        partners.as_array().expect("array").iter().map(|p| p["partner_id"].as_str().expect("id")).collect();
    assert_eq!(ids, ["indigital", "other_partner"]);
    assert!(partners[0]["branding"]["primary_color"].as_str().is_some_and(|c| c.starts_with('#')));
    assert!(partners[0]["branding"]["logo_text"].is_string());
    let tenants = read_json("admin/tenants.json");
    let tenants = tenants.as_array().expect("array");
    assert_eq!(tenants.len(), 5);
    for (t, (id, name, partner)) in tenants.iter().zip(demo::all_tenants()) {
        assert_eq!(t["tenant_id"], id);
        assert_eq!(t["tenant_name"], name);
        assert_eq!(t["partner_id"], partner);
        assert_eq!(t["is_active"], true);
        assert!(t["source_tenant_id"].is_string() && t["created_at"].is_string() && t["config"].is_object());
    }
    let manifest = read_json("manifest.json");
    assert_eq!(manifest["as_of"], "2026-05-15");
    assert_eq!(manifest["seed"], 42);
    assert_eq!(manifest["rows"], summary.rows);
    assert_eq!(manifest["tenants"].as_array().map(Vec::len), Some(5));
    assert_eq!(manifest["tenants"][4]["partner_id"], "other_partner");
}

#[test]
fn generation_replaces_the_warehouse_atomically() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let wh = tmp.path().join("warehouse");
    generate(&wh, &opts(Some(&["initech", "stark_ind"]), 42));
    assert!(wh.join("marts/dim_contacts/stark_ind/data.parquet").exists());

    let second = generate(&wh, &opts(Some(&["globex"]), 42));
    assert_eq!(second.tenants.len(), 1);
    for table in marts::names() {
        let tenants: Vec<String> = std::fs::read_dir(wh.join("marts").join(table))
            .expect("table dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(tenants, ["globex"], "{table} holds only the new tenants");
    }
    let partners = std::fs::read_to_string(wh.join("admin/partners.json")).expect("partners");
    assert!(!partners.contains("other_partner"));

    let manifest_before = std::fs::read(wh.join("manifest.json")).expect("manifest");
    let err =
        demo::generate(&wh, &opts(Some(&["globex", "wayne_ent"]), 42), &|_| {}).expect_err("unknown tenant");
    assert_eq!(err.code, ErrorCode::Usage);
    assert!(err.message.contains("wayne_ent"));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let o = DemoOptions { scale: bad, ..opts(None, 42) };
        assert_eq!(
            demo::generate(&wh, &o, &|_| {}).map_err(|e| e.code).err(),
            Some(ErrorCode::Usage),
            "scale {bad}"
        );
    }
    let empty = DemoOptions { tenants: Some(Vec::new()), ..opts(None, 42) };
    assert_eq!(demo::generate(&wh, &empty, &|_| {}).map_err(|e| e.code).err(), Some(ErrorCode::Usage));
    assert_eq!(
        std::fs::read(wh.join("manifest.json")).expect("manifest"),
        manifest_before,
        "previous warehouse intact"
    );
    assert!(wh.join("marts/fct_messages/globex/data.parquet").exists());

    // Nothing but the warehouse is left next to it.
    let siblings: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(siblings, ["warehouse"]);
}

#[test]
fn tiny_scales_and_odd_dates_still_work() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // A leap day as of, and so few rows that only the guarantees keep today and yesterday populated.
    let o = DemoOptions {
        scale: 0.002,
        seed: 1,
        as_of: NaiveDate::from_ymd_opt(2028, 2, 29).expect("date"),
        tenants: Some(vec!["initech".into(), " stark_ind ".into(), "initech".into()]),
    };
    let s = generate(&tmp.path().join("wh"), &o);
    assert_eq!(s.tenants.iter().map(|t| t.tenant_id.as_str()).collect::<Vec<_>>(), ["initech", "stark_ind"]);
    for t in &s.tenants {
        assert!(t.contacts >= 10 && t.campaigns >= 8 && t.messages > 0 && t.activities > 0, "{t:?}");
    }
    let far = DemoOptions { as_of: NaiveDate::from_ymd_opt(250_000, 1, 1).expect("date"), ..o };
    assert_eq!(
        demo::generate(&tmp.path().join("wh2"), &far, &|_| {}).map_err(|e| e.code).err(),
        Some(ErrorCode::Usage)
    );
    assert!(!tmp.path().join("wh2").exists());
}

#[test]
fn defaults_and_tenant_list() {
    let d = DemoOptions::default();
    assert_eq!((d.scale, d.seed, d.tenants), (1.0, 42, None));
    let t = demo::all_tenants();
    assert_eq!(
        t,
        [
            ("acme_corp", "Acme Corp", "indigital"),
            ("globex", "Globex", "indigital"),
            ("initech", "Initech", "indigital"),
            ("umbrella", "Umbrella Health", "indigital"),
            ("stark_ind", "Stark Industries", "other_partner"),
        ]
    );
}

fn dates(b: &RecordBatch, col: &str) -> Vec<NaiveDate> {
    let epoch = NaiveDate::default();
    b.column_by_name(col)
        .unwrap_or_else(|| panic!("column {col}"))
        .as_primitive::<Date32Type>()
        .iter()
        .map(|d| epoch + chrono::TimeDelta::days(i64::from(d.expect("month"))))
        .collect()
}

fn month_of(us: i64) -> NaiveDate {
    let date = chrono::DateTime::from_timestamp_micros(us).expect("timestamp").date_naive();
    date.with_day(1).expect("first of month")
}

/// A tenant's rates: (currency, month) → units of the reporting currency (1e-8) for one unit.
fn rates(root: &Path, tenant: &str) -> HashMap<(String, NaiveDate), i128> {
    let f = read(root, "fx_rates", tenant);
    let keys = strs(&f, "currency").into_iter().zip(dates(&f, "month"));
    keys.zip(dec(&f, "rate"))
        .map(|((c, m), r)| ((c.expect("currency").to_string(), m), r.expect("rate")))
        .collect()
}

/// The tenant's `default_currency` in admin/tenants.json.
fn reporting_currency(root: &Path, tenant: &str) -> String {
    let text = std::fs::read(root.join("admin/tenants.json")).expect("tenants.json");
    let tenants: serde_json::Value = serde_json::from_slice(&text).expect("json");
    let t = tenants.as_array().expect("array").iter().find(|t| t["tenant_id"] == tenant).expect("tenant");
    t["config"]["default_currency"].as_str().expect("default_currency").to_string()
}

#[test]
fn fx_rates_cover_every_amount_and_every_month_of_usd() {
    let (root, _) = full();
    let months: Vec<NaiveDate> = {
        let first = as_of().checked_sub_months(Months::new(24)).expect("date").succ_opt().expect("date");
        let mut m = first.with_day(1).expect("date");
        let mut out = Vec::new();
        while m <= as_of() {
            out.push(m);
            m = m.checked_add_months(Months::new(1)).expect("date");
        }
        out
    };
    assert_eq!(months.len(), 25);
    for tenant in tenant_ids() {
        let fx = rates(root, tenant);
        let reporting = reporting_currency(root, tenant);
        let f = read(root, "fx_rates", tenant);
        let keys: Vec<(String, NaiveDate)> = strs(&f, "currency")
            .into_iter()
            .zip(dates(&f, "month"))
            .map(|(c, m)| (c.expect("currency").to_string(), m))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted, "{tenant}: one row per currency and month, in that order");
        for m in &months {
            assert!(fx.contains_key(&("USD".to_string(), *m)), "{tenant}: no USD rate for {m}");
        }
        assert!(keys.iter().all(|(_, m)| months.contains(m)), "{tenant}: a rate outside the window");

        let a = read(root, "fct_activities", tenant);
        let (kind, occ, amount, cur) =
            (strs(&a, "activity_type"), ts(&a, "occurred_at"), dec(&a, "amount"), strs(&a, "currency"));
        let mut used = HashSet::new();
        for i in 0..a.num_rows() {
            if matches!(kind[i], Some("purchase" | "refund")) {
                assert!(
                    amount[i].is_some() && cur[i].is_some(),
                    "{tenant}: money without amount or currency"
                );
                used.insert((cur[i].expect("currency").to_string(), month_of(occ[i].expect("occurred"))));
            }
        }
        let missing: Vec<_> = used.iter().filter(|k| !fx.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{tenant}: currency-months without a rate: {missing:?}");
        assert!(used.len() > 25, "{tenant}: activities in more than one currency or month");

        for ((currency, month), rate) in &fx {
            assert!(*rate > 0, "{tenant}: {currency} {month}");
            if *currency == reporting {
                assert_eq!(*rate, 100_000_000, "{tenant}: its own currency converts at exactly 1");
            }
        }
        assert!(fx.keys().any(|(c, _)| *c == reporting), "{tenant}: rates for its own currency");
    }
}

#[test]
fn fx_rates_follow_the_price_rates_with_a_small_monthly_drift() {
    let (root, _) = full();
    // acme_corp reports in COP (4100 per USD), and sells in MXN (18 per USD), among others.
    let fx = rates(root, "acme_corp");
    let series = |currency: &str| -> Vec<f64> {
        let mut s: Vec<(NaiveDate, f64)> =
            fx.iter().filter(|((c, _), _)| c == currency).map(|((_, m), r)| (*m, *r as f64 / 1e8)).collect();
        s.sort_by_key(|(m, _)| *m);
        s.into_iter().map(|(_, r)| r).collect()
    };
    let usd = series("USD");
    assert!(usd.iter().all(|r| (r / 4100.0 - 1.0).abs() < 0.1), "{usd:?}");
    assert!(usd.windows(2).any(|w| w[0] != w[1]), "rates move from month to month");
    let mxn = series("MXN");
    assert!(mxn.iter().all(|r| (r / (4100.0 / 18.0) - 1.0).abs() < 0.2), "{mxn:?}");
    // Tenants reporting in USD convert USD at 1 every month.
    assert!(rates(root, "stark_ind").iter().filter(|((c, _), _)| c == "USD").all(|(_, r)| *r == 100_000_000));
}

/// The analysts' questions (nl-dev) have non-trivial answers on the demo data, through DataFusion over
/// the on-disk layout. `CURRENT_DATE` is pinned to `as_of`.
#[tokio::test]
async fn analyst_questions_have_interesting_answers() {
    use datafusion::prelude::{ParquetReadOptions, SessionContext};
    let (root, _) = full();
    let ctx = SessionContext::new();
    for table in marts::names() {
        let dir = root.join("marts").join(table).join("acme_corp");
        let url = format!("{}/", dir.display());
        ctx.register_parquet(table, &url, ParquetReadOptions::default()).await.expect("register");
    }
    let today = "DATE '2026-05-15'";
    let q = |sql: &str| {
        let sql = sql.replace("CURRENT_DATE", today);
        let ctx = ctx.clone();
        async move {
            let df = ctx.sql(&sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            let batches = df.collect().await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            let schema = batches.first().map(|b| b.schema()).expect("a batch");
            concat_batches(&schema, &batches).expect("concat")
        }
    };
    let count =
        |b: &RecordBatch| b.column(0).as_primitive::<datafusion::arrow::datatypes::Int64Type>().value(0);

    let b = q("SELECT COUNT(*) FROM fct_messages WHERE direction = 'inbound' AND sent_at >= CURRENT_DATE - INTERVAL '1 day' AND sent_at < CURRENT_DATE").await;
    assert!(count(&b) > 0, "messages received yesterday");
    let b = q("SELECT COUNT(*) FROM fct_activities WHERE activity_type = 'purchase' AND occurred_at >= CURRENT_DATE - INTERVAL '30 days'").await;
    assert!(count(&b) > 0, "purchases in the last 30 days");
    let b = q("SELECT channel, COUNT(*) FROM fct_messages WHERE direction = 'outbound' AND sent_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '1 month' AND sent_at < DATE_TRUNC('month', CURRENT_DATE) GROUP BY channel").await;
    assert!(b.num_rows() >= 3, "messages sent by channel last month");
    let b = q("SELECT DATE_TRUNC('month', occurred_at) AS month, SUM(amount) FROM fct_activities WHERE activity_type IN ('purchase','refund') AND occurred_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '11 months' GROUP BY 1 ORDER BY 1").await;
    assert_eq!(b.num_rows(), 12, "monthly revenue over the last 12 months");
    let b = q("SELECT c.campaign_name, SUM(a.amount) AS revenue FROM fct_activities a JOIN dim_campaigns c ON a.campaign_id = c.campaign_id WHERE a.activity_type IN ('purchase','refund') GROUP BY c.campaign_name ORDER BY revenue DESC LIMIT 5").await;
    assert_eq!(b.num_rows(), 5, "top 5 campaigns by revenue");
    let b = q("SELECT DATE_TRUNC('week', created_at), COUNT(*) FROM dim_contacts WHERE created_at >= DATE_TRUNC('quarter', CURRENT_DATE) GROUP BY 1").await;
    assert!(b.num_rows() >= 4, "weekly new contacts this quarter");
    let b = q("SELECT COUNT(*) FROM dim_campaigns WHERE status = 'active'").await;
    assert!(count(&b) > 0, "active campaigns");
    let b = q("SELECT DATE_TRUNC('quarter', occurred_at), SUM(amount) FROM fct_activities WHERE activity_type IN ('purchase','refund') AND occurred_at >= DATE_TRUNC('year', CURRENT_DATE) - INTERVAL '1 year' AND occurred_at < DATE_TRUNC('year', CURRENT_DATE) GROUP BY 1").await;
    assert_eq!(b.num_rows(), 4, "quarterly revenue last year");
    let b = q("SELECT COUNT(*) FROM fct_messages WHERE direction = 'outbound' AND sent_at >= DATE_TRUNC('week', CURRENT_DATE)").await;
    assert!(count(&b) > 0, "messages sent this week");

    // Revenue in the reporting currency (semantics.md, Money): every amount finds its month's rate.
    let fx_join = "FROM fct_activities a LEFT JOIN fx_rates f ON f.currency = a.currency \
                   AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) \
                   WHERE a.activity_type IN ('purchase','refund')";
    let b = q(&format!("SELECT COUNT(*) {fx_join} AND f.rate IS NULL")).await;
    assert_eq!(count(&b), 0, "activities without a rate");
    let b = q(&format!("SELECT SUM(a.amount * f.rate) > 0 {fx_join}")).await;
    assert!(b.column(0).as_boolean().value(0), "revenue in COP");

    // Rates are believable and differ by channel: WhatsApp is read far more than e-mail; SMS never.
    let b = q("SELECT channel, SUM(CASE WHEN status = 'read' THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS read_rate, SUM(CASE WHEN status IN ('delivered','read') THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS delivery_rate FROM fct_messages WHERE direction = 'outbound' GROUP BY channel").await;
    // DataFusion reads Parquet strings as Utf8View; normalise before downcasting.
    let names = datafusion::arrow::compute::cast(b.column(0), &DataType::Utf8).expect("cast");
    let names = names.as_string::<i32>();
    let read_rate = b.column(1).as_primitive::<datafusion::arrow::datatypes::Float64Type>();
    let delivery = b.column(2).as_primitive::<datafusion::arrow::datatypes::Float64Type>();
    let rate: HashMap<&str, (f64, f64)> =
        (0..b.num_rows()).map(|i| (names.value(i), (read_rate.value(i), delivery.value(i)))).collect();
    assert!(rate["whatsapp"].0 > 0.5 && rate["email"].0 < 0.35 && rate["sms"].0 == 0.0, "{rate:?}");
    assert!(rate.values().all(|(_, d)| (0.7..0.99).contains(d)), "{rate:?}");

    // Black Friday week sells more than the weeks around it.
    let b = q("SELECT SUM(CASE WHEN occurred_at >= DATE '2025-11-24' AND occurred_at < DATE '2025-12-01' THEN 1 ELSE 0 END) AS bf, SUM(CASE WHEN occurred_at >= DATE '2025-10-27' AND occurred_at < DATE '2025-11-03' THEN 1 ELSE 0 END) AS before FROM fct_activities WHERE activity_type = 'purchase'").await;
    let (bf, before) =
        (count(&b), b.column(1).as_primitive::<datafusion::arrow::datatypes::Int64Type>().value(0));
    assert!(bf > before, "Black Friday week {bf} vs late October {before}");
}

/// Times a generation of at least 10 million messages (scale from `INDA_DEMO_SCALE`, default 12):
/// `cargo test -p inda-demo --release --test demo -- --ignored --nocapture ten_million`.
#[test]
#[ignore = "heavy: run by hand, preferably in release"]
fn ten_million_messages() {
    let scale: f64 = std::env::var("INDA_DEMO_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(12.0);
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = DemoOptions { scale, ..opts(None, 42) };
    let started = std::time::Instant::now();
    let s = generate(&tmp.path().join("wh"), &o);
    let messages: u64 = s.tenants.iter().map(|t| t.messages).sum();
    println!(
        "scale {scale}: {} rows, {messages} messages in {:.1} s",
        s.rows,
        started.elapsed().as_secs_f64()
    );
    for t in &s.tenants {
        println!(
            "  {:<10} contacts {:>7} campaigns {:>4} messages {:>9} activities {:>9}",
            t.tenant_id, t.contacts, t.campaigns, t.messages, t.activities
        );
    }
    if scale >= 12.0 {
        assert!(messages >= 10_000_000, "{messages} messages");
    }
}
