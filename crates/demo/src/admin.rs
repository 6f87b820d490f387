//! The admin files of the demo warehouse: `admin/partners.json` and `admin/tenants.json`, for the partners
//! and tenants that were generated.

use super::calendar::Window;
use super::tenants::{PARTNERS, TenantProfile};
use super::writer::write_json;
use crate::DemoError;
use chrono::NaiveDateTime;
use inda_core::Error;
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct Branding {
    primary_color: &'static str,
    logo_text: &'static str,
}

#[derive(Serialize)]
struct PartnerRow {
    partner_id: &'static str,
    partner_name: &'static str,
    branding: Branding,
}

#[derive(Serialize)]
struct TenantConfig {
    industry: &'static str,
    default_currency: &'static str,
    timezone: &'static str,
    locale: &'static str,
    countries: Vec<&'static str>,
}

#[derive(Serialize)]
struct TenantRow {
    tenant_id: &'static str,
    tenant_name: &'static str,
    partner_id: &'static str,
    source_tenant_id: &'static str,
    is_active: bool,
    created_at: NaiveDateTime,
    config: TenantConfig,
}

pub(crate) fn write(root: &Path, profiles: &[&'static TenantProfile], window: &Window) -> Result<(), Error> {
    let dir = root.join("admin");
    std::fs::create_dir_all(&dir).map_err(|e| DemoError::file(&dir, "create", e))?;
    let partners: Vec<PartnerRow> = PARTNERS
        .iter()
        .filter(|p| profiles.iter().any(|t| t.partner_id == p.id))
        .map(|p| PartnerRow {
            partner_id: p.id,
            partner_name: p.name,
            branding: Branding { primary_color: p.primary_color, logo_text: p.logo_text },
        })
        .collect();
    // Tenants were onboarded when their data begins.
    let created_at = window.start.and_hms_opt(9, 0, 0).unwrap_or_default();
    let tenants: Vec<TenantRow> = profiles
        .iter()
        .map(|p| TenantRow {
            tenant_id: p.id,
            tenant_name: p.name,
            partner_id: p.partner_id,
            source_tenant_id: p.source_tenant_id,
            is_active: true,
            created_at,
            config: TenantConfig {
                industry: p.industry.as_str(),
                default_currency: p.currency,
                timezone: p.timezone,
                locale: p.locale,
                countries: p.countries.iter().map(|(c, _)| *c).collect(),
            },
        })
        .collect();
    write_json(&dir.join("partners.json"), &partners)?;
    write_json(&dir.join("tenants.json"), &tenants)
}
