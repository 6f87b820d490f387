//! Developer aid: prints the plan for each question on the command line, each one a follow-up of the one
//! before (`cargo run -p inda-semantic --example ask -- "revenue by channel" "and by country?"`).
use chrono::NaiveDate;
fn main() {
    let model = match inda_semantic::SemanticModel::builtin() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    let today = NaiveDate::from_ymd_opt(2026, 5, 15).unwrap_or_default();
    let mut prev: Option<inda_semantic::Intent> = None;
    for q in std::env::args().skip(1) {
        match inda_semantic::interpret(&model, &q, prev.as_ref(), today) {
            Ok(p) => {
                println!("{q}\n  {}\n  [{}] {}", p.sql, p.lang.as_str(), p.title);
                prev = Some(p.intent);
            }
            Err(e) => println!("{q}\n  NOT UNDERSTOOD: {}", e.message),
        }
    }
}
