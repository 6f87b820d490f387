//! dim_campaigns: a tenant's campaign calendar. Seasonal pushes (Black Friday, Hot Sale, Día de la Madre…),
//! monthly newsletters and promos, quarterly surveys and launches, and always-on programs (welcome series,
//! order confirmations, payment reminders), with statuses consistent with `as_of`.

use super::Progress;
use super::calendar::{self, MONTHS_EN, MONTHS_ES, Window, date_us, ymd};
use super::names::{self, country_index, currency_fx};
use super::plan::TenantPlan;
use super::rng::{DemoRng, Weighted, chance, lognormal};
use super::tenants::{Industry, TenantProfile};
use super::writer::{BATCH_ROWS, Output, ParquetSink, decimal_builder};
use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use datafusion::arrow::array::{ArrayRef, StringBuilder, TimestampMicrosecondBuilder};
use inda_core::Error;
use rand::Rng;
use rand::seq::SliceRandom;
use std::sync::Arc;

/// When a campaign may send: `[from_us, to_us]`, covering days `first_day..=last_day` of the window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SendWindow {
    pub from_us: i64,
    pub to_us: i64,
    pub first_day: u32,
    pub last_day: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Campaign {
    pub id: String,
    pub name: String,
    pub channel: &'static str,
    pub ctype: &'static str,
    pub status: &'static str,
    pub started_us: Option<i64>,
    pub ended_us: Option<i64>,
    /// Cents of the tenant's currency.
    pub budget: i128,
    pub template: String,
    /// Country the campaign targets (Hot Sale → MX), as an index into `names::COUNTRIES`.
    pub target_country: Option<u8>,
    pub reach: f64,
    /// `None` for drafts, which never send.
    pub sending: Option<SendWindow>,
}

impl Campaign {
    /// Relative send volume on day `d`: a broadcast goes to the whole audience in its first days, a drip
    /// trickles to whoever enters the flow, transactional messages follow what customers do.
    pub(crate) fn weight_on(&self, d: u32) -> f64 {
        let Some(w) = self.sending else { return 0.0 };
        if d < w.first_day || d > w.last_day {
            return 0.0;
        }
        let shape = match self.ctype {
            "broadcast" => match d - w.first_day {
                0 => 10.0,
                1 => 4.0,
                2 => 2.0,
                _ => 0.5,
            },
            "drip" => 0.25,
            _ => 0.6,
        };
        shape * self.reach
    }

    /// Weight of this campaign when crediting a purchase made on day `d`: big pushes get credit for more
    /// than their share of messages (an offer drives sales, a survey does not), transactional ones none.
    pub(crate) fn credit_on(&self, d: u32) -> f64 {
        match self.ctype {
            "broadcast" => 4.0 * self.weight_on(d),
            "drip" => self.weight_on(d),
            _ => 0.0,
        }
    }

    /// Promotional campaigns drive purchases and get them attributed; transactional ones do not.
    pub(crate) fn is_promo(&self) -> bool {
        self.ctype != "transactional"
    }
}

/// A yearly event: Spanish and English name, dates in a given year, target country, reach, who runs it.
struct Event {
    es: &'static str,
    en: &'static str,
    dates: fn(i32) -> Option<(NaiveDate, NaiveDate)>,
    target: Option<&'static str>,
    reach: f64,
    industries: &'static [Industry],
}

const ALL: &[Industry] =
    &[Industry::Retail, Industry::Telco, Industry::Fintech, Industry::Health, Industry::Industrial];
const SHOPS: &[Industry] = &[Industry::Retail, Industry::Telco];

fn days_around(center: Option<NaiveDate>, before: i64, after: i64) -> Option<(NaiveDate, NaiveDate)> {
    center.map(|c| (c - TimeDelta::days(before), c + TimeDelta::days(after)))
}

fn fixed(y: i32, m1: u32, d1: u32, m2: u32, d2: u32) -> Option<(NaiveDate, NaiveDate)> {
    Some((ymd(y, m1, d1)?, ymd(y, m2, d2)?))
}

const EVENTS: &[Event] = &[
    Event {
        es: "Black Friday",
        en: "Black Friday",
        dates: |y| days_around(calendar::black_friday(y), 4, 1),
        target: None,
        reach: 3.0,
        industries: ALL,
    },
    Event {
        es: "Cyber Monday",
        en: "Cyber Monday",
        dates: |y| days_around(calendar::black_friday(y), -3, 4),
        target: None,
        reach: 2.0,
        industries: &[Industry::Retail, Industry::Telco, Industry::Industrial],
    },
    Event {
        es: "Navidad",
        en: "Holiday Season",
        dates: |y| fixed(y, 12, 1, 12, 24),
        target: None,
        reach: 2.0,
        industries: ALL,
    },
    Event {
        es: "Rebajas de enero",
        en: "New Year Sale",
        dates: |y| fixed(y, 1, 2, 1, 20),
        target: None,
        reach: 1.5,
        industries: &[Industry::Retail, Industry::Industrial],
    },
    Event {
        es: "San Valentín",
        en: "Valentine's Day",
        dates: |y| fixed(y, 2, 1, 2, 14),
        target: None,
        reach: 1.2,
        industries: SHOPS,
    },
    Event {
        es: "Regreso a clases",
        en: "Back to School",
        dates: |y| fixed(y, 1, 15, 2, 15),
        target: None,
        reach: 1.2,
        industries: SHOPS,
    },
    Event {
        es: "Día de la Madre",
        en: "Mother's Day",
        dates: |y| fixed(y, 4, 28, 5, 10),
        target: None,
        reach: 2.0,
        industries: &[Industry::Retail, Industry::Telco, Industry::Health],
    },
    Event {
        es: "Día del Padre",
        en: "Father's Day",
        dates: |y| days_around(calendar::nth_weekday(y, 6, Weekday::Sun, 3), 12, 0),
        target: None,
        reach: 1.5,
        industries: SHOPS,
    },
    Event {
        es: "Hot Sale",
        en: "Hot Sale",
        dates: calendar::hot_sale,
        target: Some("MX"),
        reach: 2.5,
        industries: &[Industry::Retail, Industry::Telco, Industry::Fintech],
    },
    Event {
        es: "Buen Fin",
        en: "Buen Fin",
        dates: calendar::buen_fin,
        target: Some("MX"),
        reach: 2.2,
        industries: SHOPS,
    },
    Event {
        es: "Amor y Amistad",
        en: "Amor y Amistad",
        dates: |y| days_around(calendar::nth_weekday(y, 9, Weekday::Sat, 3), 10, 0),
        target: Some("CO"),
        reach: 1.8,
        industries: SHOPS,
    },
    Event {
        es: "CyberDay",
        en: "CyberDay",
        dates: |y| days_around(calendar::nth_weekday(y, 6, Weekday::Mon, 1), 0, 2),
        target: Some("CL"),
        reach: 1.8,
        industries: &[Industry::Retail, Industry::Fintech],
    },
    Event {
        es: "Cyber Wow",
        en: "Cyber Wow",
        dates: |y| fixed(y, 7, 14, 7, 17),
        target: Some("PE"),
        reach: 1.8,
        industries: &[Industry::Retail, Industry::Fintech],
    },
    Event {
        es: "Fiestas Patrias",
        en: "Fiestas Patrias",
        dates: |y| fixed(y, 9, 8, 9, 18),
        target: Some("CL"),
        reach: 1.2,
        industries: &[Industry::Retail, Industry::Fintech],
    },
    Event {
        es: "Gratificación de julio",
        en: "July Bonus",
        dates: |y| fixed(y, 7, 1, 7, 20),
        target: Some("PE"),
        reach: 1.2,
        industries: &[Industry::Fintech],
    },
    Event {
        es: "Halloween",
        en: "Halloween",
        dates: |y| fixed(y, 10, 20, 10, 31),
        target: None,
        reach: 1.0,
        industries: &[Industry::Retail],
    },
    Event {
        es: "Día del Niño",
        en: "Children's Day",
        dates: |y| fixed(y, 4, 20, 4, 30),
        target: Some("MX"),
        reach: 1.2,
        industries: &[Industry::Retail],
    },
    Event {
        es: "Campaña de vacunación",
        en: "Flu Shot Campaign",
        dates: |y| fixed(y, 4, 1, 5, 31),
        target: None,
        reach: 1.8,
        industries: &[Industry::Health],
    },
    Event {
        es: "Día Mundial de la Salud",
        en: "World Health Day",
        dates: |y| fixed(y, 4, 1, 4, 7),
        target: None,
        reach: 1.2,
        industries: &[Industry::Health],
    },
    Event {
        es: "Octubre Rosa",
        en: "Breast Cancer Awareness",
        dates: |y| fixed(y, 10, 1, 10, 31),
        target: None,
        reach: 1.5,
        industries: &[Industry::Health],
    },
    Event {
        es: "Movember",
        en: "Movember",
        dates: |y| fixed(y, 11, 1, 11, 30),
        target: None,
        reach: 1.2,
        industries: &[Industry::Health],
    },
    Event {
        es: "Chequeo preventivo",
        en: "Annual Checkup",
        dates: |y| fixed(y, 1, 10, 2, 28),
        target: None,
        reach: 1.5,
        industries: &[Industry::Health],
    },
    Event {
        es: "Semana de la Seguridad",
        en: "Safety Week",
        dates: |y| days_around(calendar::nth_weekday(y, 5, Weekday::Mon, 1), 0, 6),
        target: None,
        reach: 1.2,
        industries: &[Industry::Industrial],
    },
    Event {
        es: "Feria Industrial de Primavera",
        en: "Spring Trade Show Follow-up",
        dates: |y| fixed(y, 3, 10, 3, 31),
        target: None,
        reach: 1.5,
        industries: &[Industry::Industrial],
    },
    Event {
        es: "Feria Industrial de Otoño",
        en: "Fall Trade Show Follow-up",
        dates: |y| fixed(y, 9, 15, 10, 5),
        target: None,
        reach: 1.5,
        industries: &[Industry::Industrial],
    },
    Event {
        es: "Cierre de año",
        en: "Year-End Clearance",
        dates: |y| fixed(y, 12, 1, 12, 20),
        target: None,
        reach: 2.0,
        industries: &[Industry::Industrial],
    },
];

/// Always-on programs: (Spanish name, English name, type, channel, reach).
fn evergreen(industry: Industry) -> &'static [(&'static str, &'static str, &'static str, &'static str, f64)] {
    match industry {
        Industry::Retail => &[
            ("Bienvenida", "Welcome Series", "drip", "whatsapp", 1.2),
            ("Carrito abandonado", "Abandoned Cart", "drip", "whatsapp", 1.5),
            ("Confirmación de pedido", "Order Confirmation", "transactional", "whatsapp", 1.6),
            ("Estado de envío", "Shipping Update", "transactional", "sms", 1.2),
            ("Reactivación clientes inactivos", "Win-back", "drip", "email", 0.8),
            ("Programa de puntos", "Loyalty Program", "drip", "email", 0.8),
            ("Encuesta de satisfacción", "Satisfaction Survey", "drip", "whatsapp", 0.6),
        ],
        Industry::Telco => &[
            ("Bienvenida", "Welcome Series", "drip", "whatsapp", 1.0),
            ("Aviso de factura", "Bill Ready", "transactional", "sms", 1.8),
            ("Recordatorio de pago", "Payment Reminder", "transactional", "sms", 1.6),
            ("Consumo de datos al 80%", "Data Usage Alert", "transactional", "sms", 1.4),
            ("Portabilidad", "Number Portability", "drip", "whatsapp", 1.0),
            ("Retención clientes", "Retention", "drip", "whatsapp", 0.8),
            ("Upgrade 5G", "5G Upgrade", "drip", "email", 0.7),
        ],
        Industry::Fintech => &[
            ("Bienvenida", "Welcome Series", "drip", "whatsapp", 1.0),
            ("Onboarding KYC", "KYC Onboarding", "drip", "email", 0.9),
            ("Recordatorio de pago", "Payment Reminder", "transactional", "whatsapp", 1.8),
            ("Alerta de transacción", "Transaction Alert", "transactional", "sms", 1.6),
            ("Código de verificación", "Verification Code", "transactional", "sms", 1.2),
            ("Tarjeta sin cuota de manejo", "No-Fee Card", "drip", "email", 0.7),
        ],
        Industry::Health => &[
            ("Bienvenida", "Welcome Series", "drip", "whatsapp", 1.0),
            ("Recordatorio de cita", "Appointment Reminder", "transactional", "whatsapp", 2.0),
            ("Resultados de laboratorio", "Lab Results", "transactional", "email", 1.2),
            ("Renovación de póliza", "Policy Renewal", "drip", "email", 0.8),
            ("Seguimiento post consulta", "Post-visit Follow-up", "drip", "whatsapp", 1.0),
            ("Telemedicina 24/7", "24/7 Telehealth", "drip", "push", 0.6),
        ],
        Industry::Industrial => &[
            ("Bienvenida", "Welcome Series", "drip", "email", 0.8),
            ("Confirmación de pedido", "Order Confirmation", "transactional", "email", 1.5),
            ("Aviso de envío", "Shipping Notification", "transactional", "sms", 1.0),
            ("Seguimiento de cotización", "Quote Follow-up", "drip", "email", 1.0),
            ("Recordatorio de mantenimiento", "Maintenance Reminder", "transactional", "whatsapp", 1.0),
        ],
    }
}

struct Candidate {
    /// Candidates of one family (an event and its reminders) are kept or dropped together; `None` stands
    /// alone.
    family: Option<u32>,
    name: String,
    channel: &'static str,
    ctype: &'static str,
    start: NaiveDate,
    end: Option<NaiveDate>,
    keep: bool,
    target: Option<&'static str>,
    reach: f64,
}

fn month_starts(window: &Window) -> impl Iterator<Item = (i32, u32)> {
    let (y0, m0) = (window.start.year(), window.start.month());
    let (y1, m1) = (window.as_of.year(), window.as_of.month());
    let n = (y1 - y0) * 12 + m1 as i32 - m0 as i32 + 2; // one month past as_of, for drafts
    (0..n.max(0)).map(move |k| {
        let idx = y0 * 12 + (m0 as i32 - 1) + k;
        (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1)
    })
}

fn candidates(profile: &TenantProfile, window: &Window, rng: &mut DemoRng) -> Vec<Candidate> {
    let mix = Weighted::new(profile.campaign_channels);
    let en = profile.english;
    let mut out = Vec::new();
    let mut family = 0u32;

    for ev in EVENTS {
        if !ev.industries.contains(&profile.industry)
            || ev.target.is_some_and(|t| profile.country_share(t) <= 0.0)
        {
            continue;
        }
        for y in window.start.year()..=window.as_of.year() + 1 {
            let Some((s, e)) = (ev.dates)(y) else { continue };
            family += 1;
            let base = format!("{} {y}", if en { ev.en } else { ev.es });
            let len = (e - s).num_days();
            let push = |out: &mut Vec<Candidate>, name: String, channel, start, reach| {
                out.push(Candidate {
                    family: Some(family),
                    name,
                    channel,
                    ctype: "broadcast",
                    start,
                    end: Some(e),
                    keep: false,
                    target: ev.target,
                    reach,
                });
            };
            push(&mut out, base.clone(), mix.sample(rng), s, ev.reach);
            if len >= 4 && chance(rng, 0.55) {
                let name = format!("{base} - {}", if en { "Reminder" } else { "Recordatorio" });
                push(&mut out, name, mix.sample(rng), s + TimeDelta::days(len / 2), ev.reach * 0.6);
            }
            if len >= 3 && chance(rng, 0.35) {
                let name = format!("{base} - {}", if en { "Last Chance" } else { "Última oportunidad" });
                push(&mut out, name, mix.sample(rng), e - TimeDelta::days(1), ev.reach * 0.5);
            }
        }
    }

    for (y, m) in month_starts(window) {
        let (es, en_m) = (MONTHS_ES[m as usize - 1], MONTHS_EN[m as usize - 1]);
        if let Some(s) = calendar::nth_weekday(y, m, Weekday::Tue, 1) {
            let name = match profile.industry {
                Industry::Retail => format!("Newsletter {es} {y}"),
                Industry::Telco => format!("Novedades {es} {y}"),
                Industry::Fintech => format!("Educación financiera: {es} {y}"),
                Industry::Health => format!("Boletín Bienestar {es} {y}"),
                Industry::Industrial => format!("Distributor Newsletter {en_m} {y}"),
            };
            out.push(Candidate {
                family: None,
                name,
                channel: "email",
                ctype: "broadcast",
                start: s,
                end: Some(s + TimeDelta::days(2)),
                keep: false,
                target: None,
                reach: 1.0,
            });
        }
        let promo = match profile.industry {
            Industry::Retail => Some((format!("Promo del mes: {es} {y}"), mix.sample(rng))),
            Industry::Telco => Some((format!("Recarga doble {es} {y}"), "sms")),
            _ => None,
        };
        if let (Some((name, channel)), Some(s)) = (promo, calendar::nth_weekday(y, m, Weekday::Thu, 2)) {
            out.push(Candidate {
                family: None,
                name,
                channel,
                ctype: "broadcast",
                start: s,
                end: Some(s + TimeDelta::days(3)),
                keep: false,
                target: None,
                reach: 0.8,
            });
        }
        if m % 3 == 1 {
            let q = m / 3 + 1;
            if let Some(s) = calendar::nth_weekday(y, m, Weekday::Mon, 2) {
                let (name, channel) = if en {
                    (format!("NPS Survey Q{q} {y}"), "email")
                } else {
                    (format!("Encuesta NPS Q{q} {y}"), "whatsapp")
                };
                out.push(Candidate {
                    family: None,
                    name,
                    channel,
                    ctype: "drip",
                    start: s,
                    end: Some(s + TimeDelta::days(14)),
                    keep: false,
                    target: None,
                    reach: 0.5,
                });
            }
            let launch = match profile.industry {
                Industry::Industrial => {
                    Some((format!("New Product Launch Q{q} {y}"), "email", "broadcast", 10))
                }
                Industry::Fintech => Some((format!("Crédito de consumo Q{q} {y}"), "whatsapp", "drip", 21)),
                Industry::Health => Some((format!("Jornada de salud Q{q} {y}"), "sms", "broadcast", 7)),
                _ => None,
            };
            if let (Some((name, channel, ctype, len)), Some(s)) =
                (launch, calendar::nth_weekday(y, m + 1, Weekday::Tue, 3))
            {
                out.push(Candidate {
                    family: None,
                    name,
                    channel,
                    ctype,
                    start: s,
                    end: Some(s + TimeDelta::days(len)),
                    keep: false,
                    target: None,
                    reach: 1.2,
                });
            }
        }
    }

    // Always-on programs start with the tenant's onboarding; some were relaunched as a "v2" midway.
    let days = i64::from(window.days);
    for (es, en_name, ctype, channel, reach) in evergreen(profile.industry) {
        let name = if en { *en_name } else { *es };
        let start = window.start + TimeDelta::days(rng.gen_range(0..21));
        let relaunch = days > 420 && chance(rng, 0.3);
        if relaunch {
            let split = window.start + TimeDelta::days(rng.gen_range(200..days - 150));
            out.push(Candidate {
                family: None,
                name: name.to_string(),
                channel,
                ctype,
                start,
                end: Some(split),
                keep: true,
                target: None,
                reach: *reach,
            });
            let start2 = split + TimeDelta::days(1);
            out.push(Candidate {
                family: None,
                name: format!("{name} v2"),
                channel,
                ctype,
                start: start2,
                end: None,
                keep: true,
                target: None,
                reach: *reach,
            });
        } else {
            out.push(Candidate {
                family: None,
                name: name.to_string(),
                channel,
                ctype,
                start,
                end: None,
                keep: true,
                target: None,
                reach: *reach,
            });
        }
    }

    // Every real account has a half-finished draft.
    let s = window.as_of + TimeDelta::days(rng.gen_range(3..25));
    let name = if en { "Untitled campaign" } else { "Campaña sin título" };
    out.push(Candidate {
        family: None,
        name: name.to_string(),
        channel: mix.sample(rng),
        ctype: "broadcast",
        start: s,
        end: Some(s + TimeDelta::days(7)),
        keep: true,
        target: None,
        reach: 1.0,
    });
    out
}

fn time_on(rng: &mut DemoRng, date: NaiveDate, hours: std::ops::RangeInclusive<i64>) -> i64 {
    date_us(date) + rng.gen_range(hours) * calendar::HOUR_US + rng.gen_range(0..60) * 60 * calendar::SECOND_US
}

/// Plans the tenant's campaigns; ids follow start dates.
pub(crate) fn plan(profile: &TenantProfile, window: &Window, scale: f64, rng: &mut DemoRng) -> Vec<Campaign> {
    let mut cands = candidates(profile, window, rng);
    let as_of = window.as_of;
    let horizon = as_of + TimeDelta::days(45);
    cands.retain(|c| c.start >= window.start && c.start <= horizon);
    // Group into families (an event with its reminders) so a reminder never runs without its campaign.
    let mut families: Vec<Vec<Candidate>> = Vec::new();
    let mut index: std::collections::BTreeMap<u32, usize> = std::collections::BTreeMap::new();
    for c in cands {
        match c.family.and_then(|f| index.get(&f).copied()) {
            Some(i) => families[i].push(c),
            None => {
                if let Some(f) = c.family {
                    index.insert(f, families.len());
                }
                families.push(vec![c]);
            }
        }
    }
    // Recent and upcoming campaigns always stay, so "this month" and drafts are never empty.
    let recent = as_of - TimeDelta::days(75);
    let (kept, mut rest): (Vec<_>, Vec<_>) =
        families.into_iter().partition(|f| f.iter().any(|c| c.keep || c.start >= recent));
    rest.shuffle(rng);
    let target = ((profile.campaigns * scale.powf(0.35)).round() as usize).clamp(8, 400);
    let mut chosen: Vec<Candidate> = kept.into_iter().flatten().collect();
    for family in rest {
        if chosen.len() + family.len() > target {
            continue;
        }
        chosen.extend(family);
    }
    chosen.sort_by(|a, b| (a.start, &a.name).cmp(&(b.start, &b.name)));

    let (fx, rounding) = currency_fx(profile.currency);
    let size = (profile.contacts * scale / 5000.0).max(0.05).powf(0.7);
    chosen
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let id = format!("cp_{:04}", i + 1);
            let template = names::slug(&c.name);
            let target_country = c.target.map(country_index);
            let duration = c.end.map_or(120, |e| (e - c.start).num_days() + 1).clamp(1, 120) as f64;
            let channel_usd = match c.channel {
                "whatsapp" => 1500.0,
                "sms" => 900.0,
                "email" => 300.0,
                _ => 150.0,
            };
            let usd = channel_usd * c.reach * (duration / 7.0).sqrt() * size * lognormal(rng, 0.35);
            let step = (rounding * 1000).max(1000); // budgets are round numbers: 10 units, or 10,000 COP
            let budget = ((usd * fx * 100.0) as i128 / step).max(1) * step;

            let (status, started_us, ended_us, sending) = if c.start > as_of {
                ("draft", None, None, None)
            } else {
                let started = time_on(rng, c.start, 8..=11);
                let first_day = window.index_of(c.start).unwrap_or(0);
                let running = c.end.is_none_or(|e| e >= as_of);
                if running {
                    // Paused campaigns stopped sending at some point and have no end yet.
                    let span = (as_of - c.start).num_days();
                    let min_run = if c.end.is_none() { 60 } else { 1 };
                    let p_pause = if c.end.is_none() { 0.12 } else { 0.10 };
                    if span > min_run + 7 && chance(rng, p_pause) {
                        let pause_date = c.start + TimeDelta::days(rng.gen_range(min_run..span - 3));
                        let paused = time_on(rng, pause_date, 9..=17);
                        let w = SendWindow {
                            from_us: started,
                            to_us: paused,
                            first_day,
                            last_day: window.clamp_index(pause_date),
                        };
                        ("paused", Some(started), None, Some(w))
                    } else {
                        let w = SendWindow {
                            from_us: started,
                            to_us: window.end_us(),
                            first_day,
                            last_day: window.last(),
                        };
                        ("active", Some(started), None, Some(w))
                    }
                } else {
                    let end = c.end.unwrap_or(as_of);
                    let ended = time_on(rng, end, 18..=23).max(started + calendar::HOUR_US);
                    let w = SendWindow {
                        from_us: started,
                        to_us: ended,
                        first_day,
                        last_day: window.clamp_index(end),
                    };
                    ("completed", Some(started), Some(ended), Some(w))
                }
            };
            Campaign {
                id,
                name: c.name,
                channel: c.channel,
                ctype: c.ctype,
                status,
                started_us,
                ended_us,
                budget,
                template,
                target_country,
                reach: c.reach,
                sending,
            }
        })
        .collect()
}

/// Writes dim_campaigns of one tenant; returns the rows written.
pub(crate) fn write(
    plan: &TenantPlan,
    out: &Output,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<u64, Error> {
    let mut sink = ParquetSink::create(out, "dim_campaigns", plan.profile.id, progress)?;
    for chunk in plan.campaigns.chunks(BATCH_ROWS) {
        let mut id = StringBuilder::new();
        let mut name = StringBuilder::new();
        let mut channel = StringBuilder::new();
        let mut ctype = StringBuilder::new();
        let mut status = StringBuilder::new();
        let mut started = TimestampMicrosecondBuilder::with_capacity(chunk.len());
        let mut ended = TimestampMicrosecondBuilder::with_capacity(chunk.len());
        let mut budget = decimal_builder(chunk.len(), 12, 2)?;
        for c in chunk {
            id.append_value(&c.id);
            name.append_value(&c.name);
            channel.append_value(c.channel);
            ctype.append_value(c.ctype);
            status.append_value(c.status);
            started.append_option(c.started_us);
            ended.append_option(c.ended_us);
            budget.append_value(c.budget);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(id.finish()),
            Arc::new(name.finish()),
            Arc::new(channel.finish()),
            Arc::new(ctype.finish()),
            Arc::new(status.finish()),
            Arc::new(started.finish()),
            Arc::new(ended.finish()),
            Arc::new(budget.finish()),
        ];
        sink.write(columns)?;
    }
    sink.finish()
}
