//! The Arrow schemas of the marts tables, exactly as the data-model contract lists them: same names, same
//! order, `tenant_id` first, nullable only where the contract says so; and the columns that identify a row
//! within a tenant.

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::sync::Arc;

/// The marts tables the generator writes, in dependency order (fx_rates follows from the activities).
pub const MARTS_TABLES: [&str; 5] =
    ["dim_contacts", "dim_campaigns", "fct_messages", "fct_activities", "fx_rates"];

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn ts(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Timestamp(TimeUnit::Microsecond, None), nullable)
}

/// The Arrow schema of a marts table, or `None` for any other name.
pub fn marts_schema(table: &str) -> Option<SchemaRef> {
    let fields = match table {
        "dim_contacts" => vec![
            utf8("tenant_id", false),
            utf8("contact_id", false),
            utf8("full_name", false),
            utf8("email", true),
            utf8("phone", true),
            utf8("country", false),
            utf8("city", false),
            utf8("segment", false),
            utf8("lifecycle_stage", false),
            utf8("source_channel", false),
            Field::new("opted_in", DataType::Boolean, false),
            ts("created_at", false),
            ts("updated_at", false),
        ],
        "dim_campaigns" => vec![
            utf8("tenant_id", false),
            utf8("campaign_id", false),
            utf8("campaign_name", false),
            utf8("channel", false),
            utf8("campaign_type", false),
            utf8("status", false),
            ts("started_at", true),
            ts("ended_at", true),
            Field::new("budget", DataType::Decimal128(12, 2), false),
        ],
        "fct_messages" => vec![
            utf8("tenant_id", false),
            utf8("message_id", false),
            utf8("contact_id", false),
            utf8("campaign_id", true),
            utf8("channel", false),
            utf8("direction", false),
            utf8("status", false),
            utf8("template_name", true),
            ts("sent_at", false),
            ts("delivered_at", true),
            ts("read_at", true),
            Field::new("cost", DataType::Decimal128(10, 4), false),
        ],
        "fct_activities" => vec![
            utf8("tenant_id", false),
            utf8("activity_id", false),
            utf8("contact_id", false),
            utf8("campaign_id", true),
            utf8("activity_type", false),
            utf8("channel", false),
            ts("occurred_at", false),
            Field::new("amount", DataType::Decimal128(12, 2), true),
            utf8("currency", true),
        ],
        "fx_rates" => vec![
            utf8("tenant_id", false),
            utf8("currency", false),
            Field::new("month", DataType::Date32, false),
            Field::new("rate", DataType::Decimal128(18, 8), false),
        ],
        _ => return None,
    };
    Some(Arc::new(Schema::new(fields)))
}

/// The columns that identify a row of a marts table within its tenant (the order rows are written in), or
/// `None` for any other name. Every table but fx_rates has an id column, second after `tenant_id`.
pub fn marts_key(table: &str) -> Option<&'static [&'static str]> {
    Some(match table {
        "dim_contacts" => &["contact_id"],
        "dim_campaigns" => &["campaign_id"],
        "fct_messages" => &["message_id"],
        "fct_activities" => &["activity_id"],
        "fx_rates" => &["currency", "month"],
        _ => return None,
    })
}
