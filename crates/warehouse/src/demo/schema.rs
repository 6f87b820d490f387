//! The Arrow schemas of the marts tables, exactly as the data-model contract lists them: same names, same
//! order, `tenant_id` first, nullable only where the contract says so.

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::sync::Arc;

/// The marts tables the generator writes, in dependency order.
pub const MARTS_TABLES: [&str; 4] = ["dim_contacts", "dim_campaigns", "fct_messages", "fct_activities"];

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
        _ => return None,
    };
    Some(Arc::new(Schema::new(fields)))
}
