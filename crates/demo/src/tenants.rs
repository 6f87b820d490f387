//! The five demo tenants and their two partners: who they are and how their data differs (size, countries,
//! channel mix, behaviour), so that any aggregate leaking across tenants shows.

use crate::DemoError;
use inda_core::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Industry {
    Retail,
    Telco,
    Fintech,
    Health,
    Industrial,
}

impl Industry {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Industry::Retail => "retail",
            Industry::Telco => "telco",
            Industry::Fintech => "fintech",
            Industry::Health => "health",
            Industry::Industrial => "industrial",
        }
    }
}

/// Everything that makes one tenant's data its own. Volumes are per contact at scale 1.0.
#[derive(Debug)]
pub(crate) struct TenantProfile {
    pub id: &'static str,
    pub name: &'static str,
    pub partner_id: &'static str,
    /// The tenant's id in the inDigital system (admin.tenants.source_tenant_id).
    pub source_tenant_id: &'static str,
    pub industry: Industry,
    /// Currency of campaign budgets.
    pub currency: &'static str,
    pub timezone: &'static str,
    pub locale: &'static str,
    /// Campaign names in English rather than Spanish.
    pub english: bool,
    /// Contact countries (ISO 3166-1 alpha-2) and their shares.
    pub countries: &'static [(&'static str, f64)],
    /// Contacts at scale 1.0.
    pub contacts: f64,
    pub messages_per_contact: f64,
    pub activities_per_contact: f64,
    /// Campaigns at scale 1.0 (they grow sub-linearly with scale).
    pub campaigns: f64,
    /// Channel mix of campaigns whose channel is not fixed by their nature.
    pub campaign_channels: &'static [(&'static str, f64)],
    pub opt_in_rate: f64,
    /// Lifecycle mix of contacts older than a few weeks: lead, prospect, customer, churned.
    pub lifecycle: [f64; 4],
    /// Share of messages that are inbound.
    pub inbound_share: f64,
    /// Share of outbound messages that are conversational (no campaign).
    pub conversational_share: f64,
    /// Multiplies every channel's failure rate (list hygiene, sender reputation).
    pub failure_factor: f64,
    /// Multiplies WhatsApp/SMS prices (negotiated rates).
    pub price_factor: f64,
    /// Share of purchases refunded later.
    pub refund_rate: f64,
    /// Typical order value in USD before the country's exchange rate.
    pub order_usd: f64,
}

impl TenantProfile {
    pub(crate) fn country_share(&self, code: &str) -> f64 {
        self.countries.iter().find(|(c, _)| *c == code).map_or(0.0, |(_, s)| *s)
    }
}

pub(crate) struct Partner {
    pub id: &'static str,
    pub name: &'static str,
    pub primary_color: &'static str,
    pub logo_text: &'static str,
}

pub(crate) const PARTNERS: [Partner; 2] = [
    Partner { id: "indigital", name: "inDigital", primary_color: "#5B2C83", logo_text: "inDigital" },
    Partner { id: "other_partner", name: "Other Partner", primary_color: "#0F6E5A", logo_text: "OtherCRM" },
];

pub(crate) static PROFILES: [TenantProfile; 5] = [
    TenantProfile {
        id: "acme_corp",
        name: "Acme Corp",
        partner_id: "indigital",
        source_tenant_id: "idg-10231",
        industry: Industry::Retail,
        currency: "COP",
        timezone: "America/Bogota",
        locale: "es-CO",
        english: false,
        countries: &[("CO", 0.58), ("MX", 0.32), ("PE", 0.05), ("EC", 0.05)],
        contacts: 6000.0,
        messages_per_contact: 44.0,
        activities_per_contact: 30.0,
        campaigns: 110.0,
        campaign_channels: &[("whatsapp", 0.50), ("email", 0.25), ("sms", 0.15), ("push", 0.10)],
        opt_in_rate: 0.80,
        lifecycle: [0.16, 0.16, 0.52, 0.16],
        inbound_share: 0.28,
        conversational_share: 0.18,
        failure_factor: 1.0,
        price_factor: 1.0,
        refund_rate: 0.07,
        order_usd: 45.0,
    },
    TenantProfile {
        id: "globex",
        name: "Globex",
        partner_id: "indigital",
        source_tenant_id: "idg-10277",
        industry: Industry::Telco,
        currency: "MXN",
        timezone: "America/Mexico_City",
        locale: "es-MX",
        english: false,
        countries: &[("MX", 0.55), ("US", 0.25), ("CO", 0.20)],
        contacts: 3500.0,
        messages_per_contact: 50.0,
        activities_per_contact: 22.0,
        campaigns: 75.0,
        campaign_channels: &[("sms", 0.40), ("whatsapp", 0.35), ("email", 0.15), ("push", 0.10)],
        opt_in_rate: 0.72,
        lifecycle: [0.10, 0.12, 0.58, 0.20],
        inbound_share: 0.24,
        conversational_share: 0.22,
        failure_factor: 1.35,
        price_factor: 0.7,
        refund_rate: 0.04,
        order_usd: 22.0,
    },
    TenantProfile {
        id: "initech",
        name: "Initech",
        partner_id: "indigital",
        source_tenant_id: "idg-10309",
        industry: Industry::Fintech,
        currency: "PEN",
        timezone: "America/Lima",
        locale: "es-PE",
        english: false,
        countries: &[("PE", 0.50), ("CL", 0.30), ("CO", 0.20)],
        contacts: 1500.0,
        messages_per_contact: 32.0,
        activities_per_contact: 35.0,
        campaigns: 45.0,
        campaign_channels: &[("whatsapp", 0.45), ("email", 0.30), ("sms", 0.15), ("push", 0.10)],
        opt_in_rate: 0.84,
        lifecycle: [0.20, 0.20, 0.50, 0.10],
        inbound_share: 0.22,
        conversational_share: 0.15,
        failure_factor: 0.7,
        price_factor: 1.1,
        refund_rate: 0.05,
        order_usd: 120.0,
    },
    TenantProfile {
        id: "umbrella",
        name: "Umbrella Health",
        partner_id: "indigital",
        source_tenant_id: "idg-10342",
        industry: Industry::Health,
        currency: "USD",
        timezone: "America/Bogota",
        locale: "es-419",
        english: false,
        countries: &[
            ("CO", 0.24),
            ("MX", 0.24),
            ("AR", 0.20),
            ("CL", 0.14),
            ("PE", 0.08),
            ("BR", 0.06),
            ("EC", 0.04),
        ],
        contacts: 8000.0,
        messages_per_contact: 38.0,
        activities_per_contact: 20.0,
        campaigns: 100.0,
        campaign_channels: &[("whatsapp", 0.55), ("sms", 0.20), ("email", 0.20), ("push", 0.05)],
        opt_in_rate: 0.78,
        lifecycle: [0.12, 0.13, 0.62, 0.13],
        inbound_share: 0.32,
        conversational_share: 0.20,
        failure_factor: 0.9,
        price_factor: 0.9,
        refund_rate: 0.045,
        order_usd: 60.0,
    },
    TenantProfile {
        id: "stark_ind",
        name: "Stark Industries",
        partner_id: "other_partner",
        source_tenant_id: "ocrm-7781",
        industry: Industry::Industrial,
        currency: "USD",
        timezone: "America/Chicago",
        locale: "en-US",
        english: true,
        countries: &[("US", 0.60), ("MX", 0.40)],
        contacts: 2500.0,
        messages_per_contact: 30.0,
        activities_per_contact: 18.0,
        campaigns: 50.0,
        campaign_channels: &[("email", 0.50), ("sms", 0.20), ("whatsapp", 0.20), ("push", 0.10)],
        opt_in_rate: 0.70,
        lifecycle: [0.25, 0.30, 0.38, 0.07],
        inbound_share: 0.18,
        conversational_share: 0.25,
        failure_factor: 1.15,
        price_factor: 1.0,
        refund_rate: 0.05,
        order_usd: 900.0,
    },
];

/// The profiles to generate, in canonical order, or a usage error naming the unknown tenant.
pub(crate) fn select(requested: Option<&[String]>) -> Result<Vec<&'static TenantProfile>, Error> {
    let Some(requested) = requested else {
        return Ok(PROFILES.iter().collect());
    };
    if requested.is_empty() {
        return Err(DemoError::NoTenants.into());
    }
    for name in requested {
        let name = name.trim();
        if !PROFILES.iter().any(|p| p.id == name) {
            let known: Vec<&str> = PROFILES.iter().map(|p| p.id).collect();
            return Err(DemoError::UnknownTenant { name: name.to_string(), known: known.join(", ") }.into());
        }
    }
    Ok(PROFILES.iter().filter(|p| requested.iter().any(|r| r.trim() == p.id)).collect())
}
