//! dim_contacts: who the tenant talks to. Planning fixes what the other tables depend on (sign-up time,
//! country, segment, lifecycle, consent, engagement); writing adds the personal details (name, e-mail,
//! phone, city) from a separate stream, so they never shift the facts.

use super::Progress;
use super::calendar::{self, HOUR_US, PEOPLE_HOURS, SECOND_US, Window};
use super::names::{self, COUNTRIES, country_index};
use super::plan::TenantPlan;
use super::rng::{self, DemoRng, Weighted, chance, lognormal};
use super::tenants::{Industry, TenantProfile};
use super::writer::{BATCH_ROWS, Output, ParquetSink};
use datafusion::arrow::array::{ArrayRef, BooleanBuilder, StringBuilder, TimestampMicrosecondBuilder};
use inda_core::Error;
use rand::Rng;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub created_day: u32,
    pub created_us: i64,
    /// Index into `names::COUNTRIES`.
    pub country: u8,
    pub segment: &'static str,
    pub lifecycle: &'static str,
    pub source: &'static str,
    pub opted_in: bool,
    /// How much this contact messages and acts, relative to others.
    pub engagement: f64,
}

impl Contact {
    /// Weight as a buyer: customers buy, VIPs much more; churned ones bought before leaving.
    pub(crate) fn buyer_weight(&self) -> f64 {
        let seg = match self.segment {
            "vip" => 5.0,
            "regular" => 1.2,
            "new" => 1.0,
            _ => 0.5,
        };
        match self.lifecycle {
            "customer" => seg,
            "churned" => 0.15 * seg,
            _ => 0.0,
        }
    }
}

/// A random time of day on day `d`, in the hours people are active.
pub(crate) fn people_time(rng: &mut DemoRng, hours: &Weighted<i64>, window: &Window, d: u32) -> i64 {
    window.day_start_us(d) + hours.sample(rng) * HOUR_US + rng.gen_range(0..3600) * SECOND_US
}

/// Lifecycle and segment: recent sign-ups are new leads; older contacts follow the tenant's mix.
fn classify(rng: &mut DemoRng, profile: &TenantProfile, age_days: u32) -> (&'static str, &'static str) {
    if age_days < 45 {
        let life = Weighted::new(&[("lead", 0.5), ("prospect", 0.3), ("customer", 0.2)]).sample(rng);
        let seg = if chance(rng, 0.85) { "new" } else { "regular" };
        return (life, seg);
    }
    let [lead, prospect, customer, churned] = profile.lifecycle;
    let life = Weighted::new(&[
        ("lead", lead),
        ("prospect", prospect),
        ("customer", customer),
        ("churned", churned),
    ])
    .sample(rng);
    let seg = match life {
        "customer" => Weighted::new(&[("vip", 0.16), ("regular", 0.66), ("at_risk", 0.18)]).sample(rng),
        "churned" => Weighted::new(&[("at_risk", 0.55), ("regular", 0.45)]).sample(rng),
        _ if age_days < 120 && chance(rng, 0.3) => "new",
        _ => "regular",
    };
    (life, seg)
}

/// Plans the contacts of a tenant, sorted by sign-up time (ids follow that order).
pub(crate) fn plan(profile: &TenantProfile, window: &Window, scale: f64, rng: &mut DemoRng) -> Vec<Contact> {
    let n = ((profile.contacts * scale).round() as usize).max(10);
    let last = window.last();
    let hours =
        Weighted::new(&PEOPLE_HOURS.iter().enumerate().map(|(h, w)| (h as i64, *w)).collect::<Vec<_>>());

    // Sign-ups grow over the two years, follow the week and the season; a tenant's onboarding import
    // brings a first wave in its first two weeks.
    let mut cdf = Vec::with_capacity(window.days as usize);
    let mut acc = 0.0;
    for d in 0..window.days {
        let date = window.date(d);
        let t = f64::from(d) / f64::from(last.max(1));
        acc += (0.35 + 0.65 * t)
            * calendar::weekday_factor(profile.industry, date)
            * calendar::season_factor(profile, date);
        cdf.push(acc);
    }
    let import_days = window.days.min(14);
    let mut created: Vec<i64> = (0..n)
        .map(|_| {
            let d = if chance(rng, 0.12) {
                rng.gen_range(0..import_days)
            } else {
                let u = rng.r#gen::<f64>() * acc;
                (cdf.partition_point(|c| *c <= u) as u32).min(last)
            };
            people_time(rng, &hours, window, d)
        })
        .collect();
    created.sort_unstable();
    // "New contacts today / yesterday" must never be empty.
    let day_of = |us: i64| ((us - window.day_start_us(0)) / calendar::DAY_US) as u32;
    for target in [last, last.saturating_sub(1)] {
        if !created.iter().any(|us| day_of(*us) == target) {
            if let Some(i) = created.iter().rposition(|us| day_of(*us) < target) {
                created[i] = people_time(rng, &hours, window, target);
            }
            created.sort_unstable();
        }
    }

    let countries =
        Weighted::new(&profile.countries.iter().map(|(c, w)| (country_index(c), *w)).collect::<Vec<_>>());
    created
        .into_iter()
        .map(|created_us| {
            let created_day = day_of(created_us);
            let country = countries.sample(rng);
            let (lifecycle, segment) = classify(rng, profile, last - created_day);
            let mut source = Weighted::new(COUNTRIES[country as usize].source_channels).sample(rng);
            if profile.industry == Industry::Industrial && chance(rng, 0.35) {
                source = if chance(rng, 0.5) { "web" } else { "email" };
            }
            let mut p_opt = profile.opt_in_rate;
            if source == "whatsapp" {
                p_opt += 0.05;
            }
            if lifecycle == "churned" {
                p_opt -= 0.30;
            }
            let opted_in = chance(rng, p_opt);
            let seg_w = match segment {
                "vip" => 3.5,
                "new" => 1.3,
                "at_risk" => 0.5,
                _ => 1.0,
            };
            let life_w = match lifecycle {
                "churned" => 0.25,
                "lead" => 0.6,
                _ => 1.0,
            };
            let engagement = seg_w * life_w * lognormal(rng, 0.6);
            Contact { created_day, created_us, country, segment, lifecycle, source, opted_in, engagement }
        })
        .collect()
}

/// Writes dim_contacts of one tenant; returns the rows written.
pub(crate) fn write(
    plan: &TenantPlan,
    out: &Output,
    seed: u64,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<u64, Error> {
    let mut rng = rng::stream(seed, plan.profile.id, "contact_details");
    let cities: Vec<Weighted<&'static str>> = COUNTRIES.iter().map(|c| Weighted::new(c.cities)).collect();
    let domains: Vec<Weighted<&'static str>> =
        COUNTRIES.iter().map(|c| Weighted::new(c.email_domains)).collect();
    let end_us = plan.window.end_us();
    let mut sink = ParquetSink::create(out, "dim_contacts", plan.profile.id, progress)?;
    let (mut full, mut mail, mut tel) = (String::new(), String::new(), String::new());

    for (chunk_no, chunk) in plan.contacts.chunks(BATCH_ROWS).enumerate() {
        let n = chunk.len();
        let mut id = StringBuilder::with_capacity(n, n * 10);
        let mut name = StringBuilder::with_capacity(n, n * 24);
        let mut email = StringBuilder::with_capacity(n, n * 28);
        let mut phone = StringBuilder::with_capacity(n, n * 14);
        let mut country = StringBuilder::with_capacity(n, n * 2);
        let mut city = StringBuilder::with_capacity(n, n * 12);
        let mut segment = StringBuilder::with_capacity(n, n * 8);
        let mut lifecycle = StringBuilder::with_capacity(n, n * 8);
        let mut source = StringBuilder::with_capacity(n, n * 8);
        let mut opted = BooleanBuilder::with_capacity(n);
        let mut created = TimestampMicrosecondBuilder::with_capacity(n);
        let mut updated = TimestampMicrosecondBuilder::with_capacity(n);
        for (k, c) in chunk.iter().enumerate() {
            let co = &COUNTRIES[c.country as usize];
            let person = names::person(&mut rng, co);
            person.write_full(&mut full);
            // Contacts who arrived by e-mail always have an address; chat-first ones more often lack one.
            let p_no_email = match c.source {
                "email" => 0.0,
                "whatsapp" | "instagram" => 0.14,
                _ => 0.08,
            };
            let p_no_phone = match c.source {
                "whatsapp" | "sms" => 0.0,
                "instagram" => 0.06,
                _ => 0.10,
            };
            let index = chunk_no * BATCH_ROWS + k;
            id.append_value(&plan.contact_ids[index]);
            // The random draws above happen either way: a hostile name changes no other value.
            name.append_value(names::hostile(index).unwrap_or(&full));
            if chance(&mut rng, p_no_email) {
                email.append_null();
            } else {
                names::email(&mut rng, &person, &domains[c.country as usize], &mut mail);
                email.append_value(&mail);
            }
            if chance(&mut rng, p_no_phone) {
                phone.append_null();
            } else {
                names::phone(&mut rng, co, &mut tel);
                phone.append_value(&tel);
            }
            country.append_value(co.code);
            city.append_value(cities[c.country as usize].sample(&mut rng));
            segment.append_value(c.segment);
            lifecycle.append_value(c.lifecycle);
            source.append_value(c.source);
            opted.append_value(c.opted_in);
            created.append_value(c.created_us);
            // Profiles get touched after sign-up; churned and at-risk ones were re-scored later on.
            let u: f64 = rng.r#gen();
            let skew = if c.lifecycle == "churned" || c.segment == "at_risk" { 0.6 } else { 2.0 };
            let span = (end_us - c.created_us).max(0) as f64;
            let up = c.created_us + ((span * u.powf(skew)) as i64 / SECOND_US) * SECOND_US;
            updated.append_value(up.clamp(c.created_us, end_us));
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(id.finish()),
            Arc::new(name.finish()),
            Arc::new(email.finish()),
            Arc::new(phone.finish()),
            Arc::new(country.finish()),
            Arc::new(city.finish()),
            Arc::new(segment.finish()),
            Arc::new(lifecycle.finish()),
            Arc::new(source.finish()),
            Arc::new(opted.finish()),
            Arc::new(created.finish()),
            Arc::new(updated.finish()),
        ];
        sink.write(columns)?;
    }
    sink.finish()
}
