//! A tenant's plan: contacts, campaigns and the exact number of messages and activities per day, decided
//! before any row is written so that progress knows its total and volumes follow growth, the week, the
//! season and the campaign calendar.

use super::calendar::{self, Window};
use super::campaigns::{self, Campaign};
use super::contacts::{self, Contact};
use super::fx_rates::FxPlan;
use super::rng::{self, DemoRng, lognormal, round_stochastic};
use super::tenants::TenantProfile;
use rand::Rng;

/// Contacts eligible for something, in sign-up order, with cumulative weights for weighted picks among
/// those who had signed up before a given day.
pub(crate) struct Pool {
    members: Vec<u32>,
    days: Vec<u32>,
    cum: Vec<f64>,
}

impl Pool {
    fn build(contacts: &[Contact], weight: impl Fn(&Contact) -> f64) -> Pool {
        let mut pool = Pool { members: Vec::new(), days: Vec::new(), cum: Vec::new() };
        let mut acc = 0.0;
        for (i, c) in contacts.iter().enumerate() {
            let w = weight(c);
            if w > 0.0 {
                acc += w;
                pool.members.push(i as u32);
                pool.days.push(c.created_day);
                pool.cum.push(acc);
            }
        }
        pool
    }

    /// How many members signed up before day `d` (they form a prefix, contacts being in sign-up order).
    pub(crate) fn eligible(&self, d: u32) -> usize {
        self.days.partition_point(|x| *x < d)
    }

    /// A weighted pick among the first `n` members.
    pub(crate) fn pick(&self, n: usize, rng: &mut DemoRng) -> Option<u32> {
        let n = n.min(self.members.len());
        if n == 0 {
            return None;
        }
        let u = rng.r#gen::<f64>() * self.cum[n - 1];
        let i = self.cum[..n].partition_point(|c| *c <= u).min(n - 1);
        Some(self.members[i])
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DayMessages {
    pub campaign: u32,
    pub conversational: u32,
    pub inbound: u32,
}

impl DayMessages {
    pub(crate) fn total(&self) -> u32 {
        self.campaign + self.conversational + self.inbound
    }
}

/// A delivery incident: one channel failing far more than usual for a day (a carrier outage, a blocked
/// sender), and support tickets piling up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Incident {
    pub day: u32,
    pub channel: &'static str,
    pub factor: f64,
}

pub(crate) struct TenantPlan {
    pub profile: &'static TenantProfile,
    pub window: Window,
    pub contacts: Vec<Contact>,
    pub contact_ids: Vec<String>,
    /// Everyone, weighted by engagement.
    pub all: Pool,
    /// Marketing audience: opted-in contacts.
    pub opted: Pool,
    /// Contacts who buy.
    pub buyers: Pool,
    pub campaigns: Vec<Campaign>,
    pub messages: Vec<DayMessages>,
    pub activities: Vec<u32>,
    /// Promotional pressure per day (1.0 = a typical day's campaign activity).
    pub pressure: Vec<f64>,
    pub incidents: Vec<Incident>,
    /// Which exchange rates the tenant gets.
    pub fx: FxPlan,
}

/// Scales `raw` so that it sums to `target`, then rounds each day without bias.
fn distribute(raw: &[f64], target: f64, rng: &mut DemoRng) -> Vec<u32> {
    let sum: f64 = raw.iter().sum();
    let k = if sum > 0.0 { target / sum } else { 0.0 };
    raw.iter().map(|x| round_stochastic(rng, x * k)).collect()
}

impl TenantPlan {
    pub(crate) fn build(
        profile: &'static TenantProfile,
        window: &Window,
        seed: u64,
        scale: f64,
    ) -> TenantPlan {
        let contacts = contacts::plan(profile, window, scale, &mut rng::stream(seed, profile.id, "contacts"));
        let campaigns =
            campaigns::plan(profile, window, scale, &mut rng::stream(seed, profile.id, "campaigns"));
        let rng = &mut rng::stream(seed, profile.id, "volumes");
        let contact_ids = (1..=contacts.len()).map(|i| format!("ct_{i:06}")).collect();
        let all = Pool::build(&contacts, |c| c.engagement);
        let opted = Pool::build(&contacts, |c| if c.opted_in { c.engagement } else { 0.0 });
        let buyers = Pool::build(&contacts, Contact::buyer_weight);

        let days = window.days as usize;
        let n = contacts.len() as f64;
        let mut base = vec![0.0; days];
        let mut sends = vec![0.0; days];
        let mut promo = vec![0.0; days];
        for d in 0..window.days {
            let i = d as usize;
            let date = window.date(d);
            let growth = all.eligible(d) as f64 / n;
            base[i] = growth
                * calendar::weekday_factor(profile.industry, date)
                * calendar::season_factor(profile, date)
                * lognormal(rng, 0.08);
            for c in &campaigns {
                sends[i] += c.weight_on(d);
                promo[i] += c.credit_on(d);
            }
        }
        let live: Vec<usize> = (0..days).filter(|i| base[*i] > 0.0).collect();
        let mean = |v: &[f64]| {
            let s: f64 = live.iter().map(|i| v[*i]).sum();
            if live.is_empty() || s <= 0.0 { 1.0 } else { s / live.len() as f64 }
        };
        let (mean_sends, mean_promo) = (mean(&sends), mean(&promo));
        let pressure: Vec<f64> = promo.iter().map(|p| p / mean_promo).collect();

        // Campaign sends follow the calendar; replies rise with them; activity rises with promotions.
        let camp_raw: Vec<f64> = (0..days)
            .map(|i| if sends[i] > 0.0 { base[i] * (0.3 + 0.7 * sends[i] / mean_sends) } else { 0.0 })
            .collect();
        let in_raw: Vec<f64> = (0..days).map(|i| base[i] * (1.0 + 0.25 * sends[i] / mean_sends)).collect();
        let act_raw: Vec<f64> = (0..days).map(|i| base[i] * (0.8 + 0.2 * pressure[i].min(3.0))).collect();

        let total = n * profile.messages_per_contact;
        let inbound = total * profile.inbound_share;
        let conversational = (total - inbound) * profile.conversational_share;
        let campaign = total - inbound - conversational;
        let camp = distribute(&camp_raw, campaign, rng);
        let conv = distribute(&base, conversational, rng);
        let inb = distribute(&in_raw, inbound, rng);
        let mut activities = distribute(&act_raw, n * profile.activities_per_contact, rng);
        let mut messages: Vec<DayMessages> = (0..days)
            .map(|i| DayMessages { campaign: camp[i], conversational: conv[i], inbound: inb[i] })
            .collect();

        // Today and yesterday always have data, whatever the scale: "messages received yesterday",
        // "purchases today" and "delivery rate this week" must never come back empty.
        for d in [window.last().saturating_sub(1), window.last()] {
            let i = d as usize;
            if all.eligible(d) == 0 {
                continue;
            }
            let m = &mut messages[i];
            m.inbound = m.inbound.max(3);
            m.conversational = m.conversational.max(2);
            if sends[i] > 0.0 {
                m.campaign = m.campaign.max(3);
            }
            activities[i] = activities[i].max(5);
        }

        let channels = ["sms", "whatsapp", "email", "sms"];
        let incidents = if window.days > 60 {
            (0..3)
                .map(|_| Incident {
                    day: rng.gen_range(30..window.days - 7),
                    channel: channels[rng.gen_range(0..channels.len())],
                    factor: rng.gen_range(5.0..9.0),
                })
                .collect()
        } else {
            Vec::new()
        };

        let fx = FxPlan::build(window, &contacts);
        TenantPlan {
            profile,
            window: *window,
            contacts,
            contact_ids,
            all,
            opted,
            buyers,
            campaigns,
            messages,
            activities,
            pressure,
            incidents,
            fx,
        }
    }

    pub(crate) fn total_rows(&self) -> u64 {
        let msgs: u64 = self.messages.iter().map(|m| u64::from(m.total())).sum();
        let acts: u64 = self.activities.iter().map(|a| u64::from(*a)).sum();
        self.contacts.len() as u64 + self.campaigns.len() as u64 + msgs + acts + self.fx.rows()
    }

    /// How much more often `channel` fails on day `d`.
    pub(crate) fn incident_factor(&self, d: u32, channel: &str) -> f64 {
        self.incidents
            .iter()
            .filter(|i| i.day == d && i.channel == channel)
            .map(|i| i.factor)
            .fold(1.0, f64::max)
    }

    pub(crate) fn is_incident_day(&self, d: u32) -> bool {
        self.incidents.iter().any(|i| i.day == d)
    }
}
