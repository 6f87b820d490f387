//! fct_messages: campaign sends, one-to-one conversations and what contacts write back, day by day (rows
//! come out in time order, which keeps Parquet row-group statistics useful for time filters).
//!
//! Outcomes depend on the channel (WhatsApp is read a lot, SMS has no read receipts, e-mail is opened
//! rarely), improve slowly over the two years, and collapse on a few incident days. Costs follow each
//! channel's per-country price; inbound messages are free.

use super::Progress;
use super::calendar::{HOUR_US, LAST_SECOND_US, PEOPLE_HOURS, SECOND_US, SEND_HOURS};
use super::names::COUNTRIES;
use super::plan::TenantPlan;
use super::rng::{self, DemoRng, Weighted, chance, exponential};
use super::writer::{BATCH_ROWS, Output, ParquetSink, decimal_builder};
use datafusion::arrow::array::{ArrayRef, Decimal128Builder, StringBuilder, TimestampMicrosecondBuilder};
use inda_core::Error;
use rand::Rng;
use std::fmt::Write as _;
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
enum Template {
    None,
    Campaign(u32),
    Fixed(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Msg {
    sent_us: i64,
    contact: u32,
    campaign: Option<u32>,
    channel: &'static str,
    inbound: bool,
    status: &'static str,
    template: Template,
    delivered_us: Option<i64>,
    read_us: Option<i64>,
    /// 1/10000 of a USD.
    cost: i64,
}

/// Base outcome shares per channel: failed, sent (no receipt), delivered, read.
fn base_outcomes(channel: &str) -> [f64; 4] {
    match channel {
        "whatsapp" => [0.030, 0.040, 0.250, 0.680],
        "sms" => [0.060, 0.090, 0.850, 0.0],
        "email" => [0.025, 0.100, 0.680, 0.195],
        _ => [0.070, 0.130, 0.660, 0.140],
    }
}

struct Outbound<'a> {
    plan: &'a TenantPlan,
    end_us: i64,
}

impl Outbound<'_> {
    /// Status and receipt times of an outbound message sent at `sent_us` on day `d`.
    fn outcome(
        &self,
        rng: &mut DemoRng,
        d: u32,
        channel: &'static str,
        sent_us: i64,
        transactional: bool,
    ) -> (&'static str, Option<i64>, Option<i64>) {
        let [f0, s0, d0, r0] = base_outcomes(channel);
        // Delivery improves over the two years (list hygiene), and incidents make a channel fail for a day.
        let drift = 1.25 - 0.5 * f64::from(d) / f64::from(self.plan.window.days);
        let fail =
            (f0 * self.plan.profile.failure_factor * drift * self.plan.incident_factor(d, channel)).min(0.9);
        let k = (1.0 - fail) / (1.0 - f0);
        // People open transactional messages (codes, reminders, receipts) more than promotions: part of
        // "delivered" becomes "read" (the read share is what remains after failed, sent and delivered).
        let dl = if transactional && r0 > 0.0 { d0 * 0.85 } else { d0 };
        let u: f64 = rng.r#gen();
        let status = if u < fail {
            "failed"
        } else if u < fail + s0 * k {
            "sent"
        } else if u < fail + (s0 + dl) * k {
            "delivered"
        } else {
            "read"
        };
        if matches!(status, "failed" | "sent") {
            return (status, None, None);
        }
        let lag_ms = match channel {
            "whatsapp" => rng.gen_range(800..20_000),
            "sms" => rng.gen_range(2_000..60_000),
            "email" => rng.gen_range(500..10_000),
            _ => rng.gen_range(1_000..30_000),
        };
        // Receipts in whole seconds, as the messaging providers report them.
        let delivered = sent_us + ((lag_ms + 500) / 1000).max(1) * SECOND_US;
        if delivered > self.end_us {
            return ("sent", None, None);
        }
        if status == "delivered" {
            return (status, Some(delivered), None);
        }
        let mean_s = match channel {
            "whatsapp" => 45.0 * 60.0,
            "email" => 6.0 * 3600.0,
            _ => 2.0 * 3600.0,
        };
        let read = delivered + (exponential(rng, mean_s).min(3.0 * 86_400.0) as i64 + 1) * SECOND_US;
        if read > self.end_us {
            // Not read yet when the data ends.
            return ("delivered", Some(delivered), None);
        }
        ("read", Some(delivered), Some(read))
    }

    /// Price of an outbound message to a contact in `country`: WhatsApp charges marketing more than
    /// utility and nothing for failures; SMS charges every attempt; e-mail is nearly free; push is free.
    fn cost(&self, channel: &str, country: u8, marketing: bool, status: &str) -> i64 {
        let c = &COUNTRIES[country as usize];
        let f = self.plan.profile.price_factor;
        match channel {
            "whatsapp" if status == "failed" => 0,
            "whatsapp" => ((if marketing { c.wa_marketing } else { c.wa_utility }) as f64 * f)
                .round()
                .clamp(50.0, 800.0) as i64,
            "sms" => (c.sms as f64 * f).round().clamp(100.0, 500.0) as i64,
            "email" => 5,
            _ => 0,
        }
    }
}

struct Columns {
    id: StringBuilder,
    contact: StringBuilder,
    campaign: StringBuilder,
    channel: StringBuilder,
    direction: StringBuilder,
    status: StringBuilder,
    template: StringBuilder,
    sent: TimestampMicrosecondBuilder,
    delivered: TimestampMicrosecondBuilder,
    read: TimestampMicrosecondBuilder,
    cost: Decimal128Builder,
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
            channel: StringBuilder::with_capacity(n, n * 8),
            direction: StringBuilder::with_capacity(n, n * 8),
            status: StringBuilder::with_capacity(n, n * 9),
            template: StringBuilder::with_capacity(n, n * 24),
            sent: TimestampMicrosecondBuilder::with_capacity(n),
            delivered: TimestampMicrosecondBuilder::with_capacity(n),
            read: TimestampMicrosecondBuilder::with_capacity(n),
            cost: decimal_builder(n, 10, 4)?,
            len: 0,
            buf: String::with_capacity(16),
        })
    }

    fn push(&mut self, plan: &TenantPlan, m: &Msg, id: u64) {
        self.buf.clear();
        let _ = write!(self.buf, "msg_{id:010}");
        self.id.append_value(&self.buf);
        self.contact.append_value(&plan.contact_ids[m.contact as usize]);
        self.campaign.append_option(m.campaign.map(|c| plan.campaigns[c as usize].id.as_str()));
        self.channel.append_value(m.channel);
        self.direction.append_value(if m.inbound { "inbound" } else { "outbound" });
        self.status.append_value(m.status);
        match m.template {
            Template::None => self.template.append_null(),
            Template::Campaign(c) => self.template.append_value(&plan.campaigns[c as usize].template),
            Template::Fixed(t) => self.template.append_value(t),
        }
        self.sent.append_value(m.sent_us);
        self.delivered.append_option(m.delivered_us);
        self.read.append_option(m.read_us);
        self.cost.append_value(i128::from(m.cost));
        self.len += 1;
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        vec![
            Arc::new(self.id.finish()),
            Arc::new(self.contact.finish()),
            Arc::new(self.campaign.finish()),
            Arc::new(self.channel.finish()),
            Arc::new(self.direction.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.template.finish()),
            Arc::new(self.sent.finish()),
            Arc::new(self.delivered.finish()),
            Arc::new(self.read.finish()),
            Arc::new(self.cost.finish()),
        ]
    }
}

fn hour_weights(w: &[f64; 24]) -> Weighted<i64> {
    Weighted::new(&w.iter().enumerate().map(|(h, x)| (h as i64, *x)).collect::<Vec<_>>())
}

/// Writes fct_messages of one tenant; returns the rows written.
pub(crate) fn write(
    plan: &TenantPlan,
    target: &Output,
    seed: u64,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<u64, Error> {
    let rng = &mut rng::stream(seed, plan.profile.id, "messages");
    let window = &plan.window;
    let out = Outbound { plan, end_us: window.end_us() };
    let send_hours = hour_weights(&SEND_HOURS);
    let people_hours = hour_weights(&PEOPLE_HOURS);
    let conv_channels: Vec<Weighted<&'static str>> =
        COUNTRIES.iter().map(|c| Weighted::new(c.conversation_channels)).collect();
    let quick_replies: &[&'static str] = if plan.profile.english {
        &["follow_up", "quick_reply", "order_status", "service_survey"]
    } else {
        &["seguimiento_conversacion", "respuesta_rapida", "estado_pedido", "encuesta_atencion"]
    };

    let mut sink = ParquetSink::create(target, "fct_messages", plan.profile.id, progress)?;
    let mut cols = Columns::new()?;
    let mut day: Vec<Msg> = Vec::new();
    let mut next_id: u64 = 1;

    for d in 0..window.days {
        let counts = plan.messages[d as usize];
        if counts.total() == 0 {
            continue;
        }
        day.clear();
        let n_all = plan.all.eligible(d);
        let n_opted = plan.opted.eligible(d);
        let day_start = window.day_start_us(d);
        let day_end = day_start + LAST_SECOND_US;
        let at = |rng: &mut DemoRng, hours: &Weighted<i64>| {
            day_start + hours.sample(rng) * HOUR_US + rng.gen_range(0..3600) * SECOND_US
        };

        let active: Vec<(u32, f64)> = plan
            .campaigns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let w = c.weight_on(d);
                (w > 0.0).then_some((i as u32, w))
            })
            .collect();
        if !active.is_empty() {
            let by_weight = Weighted::new(&active);
            for _ in 0..counts.campaign {
                let ci = by_weight.sample(rng);
                let c = &plan.campaigns[ci as usize];
                let Some(sw) = c.sending else { continue };
                // Promotions go to the opted-in audience; transactional messages to whoever needs them.
                let (pool, n) =
                    if c.is_promo() && n_opted > 0 { (&plan.opted, n_opted) } else { (&plan.all, n_all) };
                let Some(mut contact) = pool.pick(n, rng) else { continue };
                if let Some(target) = c.target_country {
                    for _ in 0..4 {
                        if plan.contacts[contact as usize].country == target {
                            break;
                        }
                        contact = pool.pick(n, rng).unwrap_or(contact);
                    }
                }
                let (lo, hi) = (day_start.max(sw.from_us), day_end.min(sw.to_us));
                let mut sent_us = at(rng, &send_hours);
                if sent_us < lo || sent_us > hi {
                    sent_us = lo + rng.gen_range(0..=(hi - lo).max(0) / SECOND_US) * SECOND_US;
                }
                let (status, delivered_us, read_us) = out.outcome(rng, d, c.channel, sent_us, !c.is_promo());
                let template = match c.channel {
                    "push" if chance(rng, 0.5) => Template::None,
                    "sms" if chance(rng, 0.15) => Template::None,
                    _ => Template::Campaign(ci),
                };
                let cost = out.cost(c.channel, plan.contacts[contact as usize].country, c.is_promo(), status);
                day.push(Msg {
                    sent_us,
                    contact,
                    campaign: Some(ci),
                    channel: c.channel,
                    inbound: false,
                    status,
                    template,
                    delivered_us,
                    read_us,
                    cost,
                });
            }
        }

        for _ in 0..counts.conversational {
            let Some(contact) = plan.all.pick(n_all, rng) else { break };
            let country = plan.contacts[contact as usize].country;
            let channel = conv_channels[country as usize].sample(rng);
            let sent_us = at(rng, &people_hours);
            let (status, delivered_us, read_us) = out.outcome(rng, d, channel, sent_us, true);
            let template = if chance(rng, 0.25) {
                Template::Fixed(quick_replies[rng.gen_range(0..quick_replies.len())])
            } else {
                Template::None
            };
            let cost = out.cost(channel, country, false, status);
            day.push(Msg {
                sent_us,
                contact,
                campaign: None,
                channel,
                inbound: false,
                status,
                template,
                delivered_us,
                read_us,
                cost,
            });
        }

        for _ in 0..counts.inbound {
            let Some(contact) = plan.all.pick(n_all, rng) else { break };
            let country = plan.contacts[contact as usize].country;
            let channel = conv_channels[country as usize].sample(rng);
            let sent_us = at(rng, &people_hours);
            day.push(Msg {
                sent_us,
                contact,
                campaign: None,
                channel,
                inbound: true,
                status: "received",
                template: Template::None,
                delivered_us: None,
                read_us: None,
                cost: 0,
            });
        }

        // Time order within the day; the sort is stable, so ties keep generation order (deterministic).
        day.sort_by_key(|m| m.sent_us);
        for m in &day {
            cols.push(plan, m, next_id);
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
