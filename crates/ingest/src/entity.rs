//! The inDigital API's entities, the JSON fields of their records (the same names the Snowflake staging
//! views read from RAW, warehouse/snowflake/03_staging.sql), and the marts each one feeds.

use serde::Serialize;

/// One entity of the inDigital API (`GET /v1/<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// The tenant's contacts; feed `dim_contacts`.
    Users,
    /// What contacts did (`type`, `channel`, `occurred_at`); feed `fct_activities` with transactions.
    Events,
    /// Contacts' transactions, each an `amount` in a `currency`; feed `fct_activities` with events.
    Transactions,
    /// Messages sent to or received from contacts (`direction`), with delivery, read time and cost; feed
    /// `fct_messages`.
    Messages,
    /// The tenant's campaigns, fetched whole every run; feed `dim_campaigns`.
    Campaigns,
    /// Monthly exchange rates into the tenant's reporting currency.
    FxRates,
}

/// The type of a record field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A JSON string; when the field is required, a non-empty one.
    Str,
    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]`, no time zone (TIMESTAMP_NTZ); a trailing `Z` is accepted.
    Ts,
    /// `YYYY-MM-DD`.
    Date,
    /// A JSON `true` or `false` (not a string).
    Bool,
    /// A decimal with this precision and scale, as a JSON number or string.
    Dec(u8, i8),
}

/// One field of a record: JSON name, type, whether a record without it is invalid.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The record's JSON key, also the name of the RAW column it is extracted into.
    pub name: &'static str,
    /// What the value must parse as; one that does not makes the record invalid.
    pub kind: Kind,
    /// Whether a missing or null value (or, for a string, an empty one) makes the record invalid;
    /// otherwise it loads as NULL.
    pub required: bool,
}

const fn f(name: &'static str, kind: Kind, required: bool) -> Field {
    Field { name, kind, required }
}

use Kind::{Bool, Date, Dec, Str, Ts};

const USERS: &[Field] = &[
    f("id", Str, true),
    f("full_name", Str, true),
    f("email", Str, false),
    f("phone", Str, false),
    f("country", Str, true),
    f("city", Str, true),
    f("segment", Str, true),
    f("lifecycle_stage", Str, true),
    f("source_channel", Str, true),
    f("opted_in", Bool, false),
    f("created_at", Ts, true),
    f("updated_at", Ts, false),
];

const CAMPAIGNS: &[Field] = &[
    f("id", Str, true),
    f("name", Str, true),
    f("channel", Str, true),
    f("type", Str, true),
    f("status", Str, true),
    f("started_at", Ts, false),
    f("ended_at", Ts, false),
    f("budget", Dec(12, 2), false),
    f("updated_at", Ts, false),
];

const MESSAGES: &[Field] = &[
    f("id", Str, true),
    f("contact_id", Str, true),
    f("campaign_id", Str, false),
    f("channel", Str, true),
    f("direction", Str, true),
    f("status", Str, true),
    f("template_name", Str, false),
    f("sent_at", Ts, true),
    f("delivered_at", Ts, false),
    f("read_at", Ts, false),
    f("cost", Dec(10, 4), false),
    f("updated_at", Ts, true),
];

const EVENTS: &[Field] = &[
    f("id", Str, true),
    f("contact_id", Str, true),
    f("campaign_id", Str, false),
    f("type", Str, true),
    f("channel", Str, true),
    f("occurred_at", Ts, true),
    f("updated_at", Ts, true),
];

const TRANSACTIONS: &[Field] = &[
    f("id", Str, true),
    f("contact_id", Str, true),
    f("campaign_id", Str, false),
    f("type", Str, false),
    f("channel", Str, true),
    f("occurred_at", Ts, true),
    f("amount", Dec(12, 2), true),
    f("currency", Str, false),
    f("updated_at", Ts, true),
];

/// One rate per currency and month; `id` names both (`COP:2025-06-01`).
const FX_RATES: &[Field] = &[
    f("id", Str, true),
    f("currency", Str, true),
    f("month", Date, true),
    f("rate", Dec(18, 8), true),
    f("updated_at", Ts, false),
];

impl Entity {
    /// In sync order: dimensions first, the rates that convert the facts' amounts last.
    pub const ALL: [Entity; 6] = [
        Entity::Users,
        Entity::Campaigns,
        Entity::Messages,
        Entity::Events,
        Entity::Transactions,
        Entity::FxRates,
    ];

    /// The API's path segment (`/v1/<name>`), also the entity's name in manifests, RAW paths and reports.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Users => "users",
            Entity::Events => "events",
            Entity::Transactions => "transactions",
            Entity::Messages => "messages",
            Entity::Campaigns => "campaigns",
            Entity::FxRates => "fx_rates",
        }
    }

    /// The entity whose [`Entity::name`] is exactly `name`; `None` for any other.
    pub fn parse(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The record fields, `id` first.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Entity::Users => USERS,
            Entity::Events => EVENTS,
            Entity::Transactions => TRANSACTIONS,
            Entity::Messages => MESSAGES,
            Entity::Campaigns => CAMPAIGNS,
            Entity::FxRates => FX_RATES,
        }
    }

    /// Campaigns and exchange rates are small and may be deleted or restated upstream: every run fetches
    /// them all and replaces them.
    pub fn full_refresh(self) -> bool {
        matches!(self, Entity::Campaigns | Entity::FxRates)
    }

    /// The marts table this entity feeds.
    pub fn mart(self) -> &'static str {
        match self {
            Entity::Users => "dim_contacts",
            Entity::Campaigns => "dim_campaigns",
            Entity::Messages => "fct_messages",
            Entity::Events | Entity::Transactions => "fct_activities",
            Entity::FxRates => "fx_rates",
        }
    }

    /// The entities that feed a marts table.
    pub fn sources_of(mart: &str) -> &'static [Entity] {
        match mart {
            "dim_contacts" => &[Entity::Users],
            "dim_campaigns" => &[Entity::Campaigns],
            "fct_messages" => &[Entity::Messages],
            "fct_activities" => &[Entity::Events, Entity::Transactions],
            "fx_rates" => &[Entity::FxRates],
            _ => &[],
        }
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
