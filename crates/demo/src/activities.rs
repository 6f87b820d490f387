//! fct_activities: what contacts do (visits, logins, chats, forms, purchases, refunds, support tickets),
//! day by day in time order. Purchases rise with promotional pressure and get attributed to the running
//! campaign; refunds come days later and give back an earlier purchase's amount; incident days bring
//! support tickets.

use super::Progress;
use super::calendar::PEOPLE_HOURS;
use super::contacts::people_time;
use super::names::{COUNTRIES, Naming};
use super::plan::TenantPlan;
use super::rng::{self, DemoRng, Weighted, chance, exponential, lognormal};
use super::tenants::Industry;
use super::writer::{BATCH_ROWS, Output, ParquetSink, decimal_builder};
use datafusion::arrow::array::{ArrayRef, Decimal128Builder, StringBuilder, TimestampMicrosecondBuilder};
use inda_core::Error;
use rand::Rng;
use std::fmt::Write as _;
use std::sync::Arc;

const KINDS: [&str; 6] = ["page_view", "login", "chat_started", "form_submit", "purchase", "support_ticket"];
const PURCHASE: usize = 4;
const SUPPORT: usize = 5;

/// Activity mix per industry, in the order of [`KINDS`] (refunds follow purchases).
fn mix(industry: Industry) -> [f64; 6] {
    match industry {
        Industry::Retail => [0.42, 0.10, 0.08, 0.06, 0.19, 0.05],
        Industry::Telco => [0.28, 0.27, 0.12, 0.05, 0.16, 0.12],
        Industry::Fintech => [0.24, 0.42, 0.07, 0.07, 0.14, 0.06],
        Industry::Health => [0.30, 0.14, 0.13, 0.18, 0.15, 0.10],
        Industry::Industrial => [0.40, 0.12, 0.06, 0.15, 0.17, 0.10],
    }
}

/// Where purchases happen per industry.
fn purchase_channels(industry: Industry) -> &'static [(&'static str, f64)] {
    match industry {
        Industry::Retail => &[("web", 0.45), ("store", 0.35), ("whatsapp", 0.12), ("instagram", 0.08)],
        Industry::Telco => &[("web", 0.50), ("store", 0.30), ("whatsapp", 0.20)],
        Industry::Fintech => &[("web", 0.70), ("whatsapp", 0.30)],
        Industry::Health => &[("store", 0.50), ("web", 0.35), ("whatsapp", 0.15)],
        Industry::Industrial => &[("email", 0.40), ("web", 0.35), ("store", 0.25)],
    }
}

#[derive(Debug, Clone, Copy)]
struct Refund {
    contact: u32,
    /// Positive cents, given back as a negative amount.
    amount: i128,
    channel: &'static str,
    currency: &'static str,
}

#[derive(Debug, Clone, Copy)]
struct Act {
    occurred_us: i64,
    contact: u32,
    campaign: Option<u32>,
    kind: &'static str,
    channel: &'static str,
    amount: Option<i128>,
    currency: Option<&'static str>,
}

struct Columns {
    id: StringBuilder,
    contact: StringBuilder,
    campaign: StringBuilder,
    kind: StringBuilder,
    channel: StringBuilder,
    occurred: TimestampMicrosecondBuilder,
    amount: Decimal128Builder,
    currency: StringBuilder,
    len: usize,
    buf: String,
}

impl Columns {
    fn new() -> Result<Self, Error> {
        let n = BATCH_ROWS;
        Ok(Columns {
            id: StringBuilder::with_capacity(n, n * 14),
            contact: StringBuilder::with_capacity(n, n * 9),
            campaign: StringBuilder::with_capacity(n, n * 7),
            kind: StringBuilder::with_capacity(n, n * 10),
            channel: StringBuilder::with_capacity(n, n * 6),
            occurred: TimestampMicrosecondBuilder::with_capacity(n),
            amount: decimal_builder(n, 12, 2)?,
            currency: StringBuilder::with_capacity(n, n),
            len: 0,
            buf: String::with_capacity(16),
        })
    }

    fn push(&mut self, plan: &TenantPlan, a: &Act, id: u64) {
        self.buf.clear();
        let _ = write!(self.buf, "act_{id:010}");
        self.id.append_value(&self.buf);
        self.contact.append_value(&plan.contact_ids[a.contact as usize]);
        self.campaign.append_option(a.campaign.map(|c| plan.campaigns[c as usize].id.as_str()));
        self.kind.append_value(a.kind);
        self.channel.append_value(a.channel);
        self.occurred.append_value(a.occurred_us);
        self.amount.append_option(a.amount);
        self.currency.append_option(a.currency);
        self.len += 1;
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        vec![
            Arc::new(self.id.finish()),
            Arc::new(self.contact.finish()),
            Arc::new(self.campaign.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.channel.finish()),
            Arc::new(self.occurred.finish()),
            Arc::new(self.amount.finish()),
            Arc::new(self.currency.finish()),
        ]
    }
}

/// Channel of an activity nobody attributed to a campaign.
fn channel_for(
    rng: &mut DemoRng,
    kind: usize,
    industry: Industry,
    country: u8,
    chans: &Channels,
) -> &'static str {
    let ch = match kind {
        0 => chans.page_view.sample(rng),
        1 => "web",
        2 => {
            if chance(rng, 0.75) {
                chans.conversation[country as usize].sample(rng)
            } else if chance(rng, 0.6) {
                "instagram"
            } else {
                "web"
            }
        }
        3 => chans.form.sample(rng),
        PURCHASE => chans.purchase.sample(rng),
        _ => chans.support.sample(rng),
    };
    // WhatsApp is a Latin American habit; US contacts text or use the web instead.
    if ch == "whatsapp"
        && COUNTRIES[country as usize].lang == Naming::English
        && industry != Industry::Fintech
    {
        if chance(rng, 0.5) { "sms" } else { "web" }
    } else {
        ch
    }
}

struct Channels {
    page_view: Weighted<&'static str>,
    form: Weighted<&'static str>,
    purchase: Weighted<&'static str>,
    support: Weighted<&'static str>,
    conversation: Vec<Weighted<&'static str>>,
}

/// Writes fct_activities of one tenant; returns the rows written.
pub(crate) fn write(
    plan: &TenantPlan,
    out: &Output,
    seed: u64,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<u64, Error> {
    let rng = &mut rng::stream(seed, plan.profile.id, "activities");
    let profile = plan.profile;
    let window = &plan.window;
    let hours =
        Weighted::new(&PEOPLE_HOURS.iter().enumerate().map(|(h, w)| (h as i64, *w)).collect::<Vec<_>>());
    let chans = Channels {
        page_view: Weighted::new(if profile.industry == Industry::Retail {
            &[("web", 0.7), ("instagram", 0.3)]
        } else {
            &[("web", 0.85), ("instagram", 0.15)]
        }),
        form: Weighted::new(&[("web", 0.75), ("whatsapp", 0.15), ("instagram", 0.10)]),
        purchase: Weighted::new(purchase_channels(profile.industry)),
        support: Weighted::new(&[("whatsapp", 0.45), ("email", 0.30), ("web", 0.20), ("sms", 0.05)]),
        conversation: COUNTRIES.iter().map(|c| Weighted::new(c.conversation_channels)).collect(),
    };
    let base_mix = mix(profile.industry);
    let last = window.last();

    let mut sink = ParquetSink::create(out, "fct_activities", profile.id, progress)?;
    let mut cols = Columns::new()?;
    let mut pending: Vec<Vec<Refund>> = vec![Vec::new(); window.days as usize];
    let mut day: Vec<Act> = Vec::new();
    let mut next_id: u64 = 1;

    for d in 0..window.days {
        let n = plan.activities[d as usize] as usize;
        let mut due = std::mem::take(&mut pending[d as usize]);
        if due.len() > n {
            // More refunds than activity slots today: the rest are processed tomorrow.
            let later = due.split_off(n);
            if let Some(next) = pending.get_mut(d as usize + 1) {
                next.extend(later);
            }
        }
        if n == 0 {
            continue;
        }
        day.clear();
        let n_all = plan.all.eligible(d);
        let n_buyers = plan.buyers.eligible(d);

        for r in &due {
            day.push(Act {
                occurred_us: people_time(rng, &hours, window, d),
                contact: r.contact,
                campaign: None,
                kind: "refund",
                channel: r.channel,
                amount: Some(-r.amount),
                currency: Some(r.currency),
            });
        }

        // Promotions lift purchases and get credit for some of what happens while they run.
        let pressure = plan.pressure[d as usize];
        let mut weights = base_mix;
        weights[PURCHASE] *= 0.75 + 0.25 * pressure.min(3.0);
        if plan.is_incident_day(d) {
            weights[SUPPORT] *= 2.5;
        }
        let kinds = Weighted::new(&weights.iter().enumerate().map(|(k, w)| (k, *w)).collect::<Vec<_>>());
        let promos: Vec<(u32, f64)> = plan
            .campaigns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let w = c.credit_on(d);
                (w > 0.0).then_some((i as u32, w))
            })
            .collect();
        let promo_pick = (!promos.is_empty()).then(|| Weighted::new(&promos));
        let p_attr = 0.45 * pressure / (1.0 + pressure);

        for k in 0..n - due.len() {
            // Today and yesterday always see a purchase, so "revenue today" is never empty.
            let kind = if k == 0 && d + 1 >= last && n_buyers > 0 { PURCHASE } else { kinds.sample(rng) };
            let pool =
                if kind == PURCHASE && n_buyers > 0 { (&plan.buyers, n_buyers) } else { (&plan.all, n_all) };
            let Some(contact) = pool.0.pick(pool.1, rng) else { break };
            let c = &plan.contacts[contact as usize];
            let attr_factor = match kind {
                PURCHASE => 1.0,
                0 | 3 => 0.6,
                2 => 0.4,
                _ => 0.0,
            };
            let campaign = match &promo_pick {
                Some(w) if attr_factor > 0.0 && chance(rng, p_attr * attr_factor) => Some(w.sample(rng)),
                _ => None,
            };
            let mut occurred_us = people_time(rng, &hours, window, d);
            let channel = match campaign {
                Some(ci) => {
                    let camp = &plan.campaigns[ci as usize];
                    if let Some(sw) = camp.sending {
                        // Attributed activity happens while the campaign runs.
                        let lo = sw.from_us.max(window.day_start_us(d));
                        let hi = sw.to_us.min(window.day_start_us(d) + super::calendar::LAST_SECOND_US);
                        if occurred_us < lo || occurred_us > hi {
                            occurred_us = lo + rng.gen_range(0..=(hi - lo).max(0) / 1_000_000) * 1_000_000;
                        }
                    }
                    if camp.channel == "push" { "web" } else { camp.channel }
                }
                None => channel_for(rng, kind, profile.industry, c.country, &chans),
            };
            let (amount, currency) = if kind == PURCHASE {
                let co = &COUNTRIES[c.country as usize];
                let seg = match c.segment {
                    "vip" => 1.8,
                    "at_risk" => 0.8,
                    "new" => 0.9,
                    _ => 1.0,
                };
                let promo = if campaign.is_some() { 0.9 } else { 1.0 };
                let usd = profile.order_usd * lognormal(rng, 0.7) * seg * promo;
                let r = co.cash_rounding;
                let cents = (((usd * co.usd_fx * 100.0) as i128 + r / 2) / r).max(1) * r;
                if chance(rng, profile.refund_rate) {
                    let later = d as usize + 1 + exponential(rng, 8.0).min(45.0) as usize;
                    let partial = chance(rng, 0.15) && cents / 2 >= r;
                    let back = if partial { cents / 2 / r * r } else { cents };
                    if let Some(slot) = pending.get_mut(later) {
                        slot.push(Refund { contact, amount: back, channel, currency: co.currency });
                    }
                }
                (Some(cents), Some(co.currency))
            } else {
                (None, None)
            };
            day.push(Act { occurred_us, contact, campaign, kind: KINDS[kind], channel, amount, currency });
        }

        day.sort_by_key(|a| a.occurred_us);
        for a in &day {
            cols.push(plan, a, next_id);
            next_id += 1;
            if cols.len >= BATCH_ROWS {
                sink.write(cols.finish())?;
            }
        }
    }
    if cols.len > 0 {
        sink.write(cols.finish())?;
    }
    sink.finish()
}
