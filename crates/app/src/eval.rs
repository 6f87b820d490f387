//! The evaluation harness: runs a question file (JSON lines with `id`, `question`, gold `sql` without tenant
//! filter, `ordered`) through `ask` and compares each answer with the gold SQL's result for the same tenant,
//! graded like the held-out set: every gold column must appear in the answer (any name, any position), with
//! the same rows (in order only when `ordered`), numbers equal within 1e-6 relative, midnight timestamps
//! equal to dates.

use crate::{App, AskOptions, Provider};
use inda_core::{Error, ErrorCode, Session, Value};
use inda_warehouse::Cancel;
use serde::{Deserialize, Serialize};

/// One line of a question file.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuestion {
    /// The question's id in its file, reported with a failure.
    pub id: String,
    /// The question, as an analyst would ask it.
    pub question: String,
    /// The gold SQL; absent for a question the engine must refuse.
    #[serde(default)]
    pub sql: Option<String>,
    /// Whether row order counts (the question asks for an order); otherwise rows compare as a multiset.
    #[serde(default)]
    pub ordered: bool,
    /// What a right answer is, when it is not the gold SQL's result.
    #[serde(default)]
    pub expect: Option<Expectation>,
}

/// The right outcome of a question without gold SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// A word changes the question and is outside the contract: the engine must say it did not understand.
    NotUnderstood,
}

/// A question one tenant did not get right.
#[derive(Debug, Clone, Serialize)]
pub struct EvalFailure {
    /// The tenant it was asked for.
    pub tenant: String,
    /// The question's id.
    pub id: String,
    /// The question.
    pub question: String,
    /// What went wrong: `ANSWERED WRONG: …` for a wrong answer, `gold SQL failed: …`, or the error's code
    /// and message.
    pub why: String,
}

/// The grade of one provider on a question set, over every tenant.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Questions asked: questions × tenants.
    pub total: usize,
    /// Right outcomes: the gold result, or the refusal expected.
    pub correct: usize,
    /// `correct / total`, from 0 to 1 (0 when nothing was asked).
    pub accuracy: f64,
    /// Answers given (exit 0) that are not the right one: the worst outcome.
    pub answered_wrong: usize,
    /// Every question not answered right, in the order asked (tenant by tenant).
    pub failures: Vec<EvalFailure>,
}

/// Reads a question file: one JSON object per line, blank lines skipped. A bad line is a usage error with
/// its number (blank lines not counted).
pub fn parse_questions(text: &str) -> Result<Vec<EvalQuestion>, Error> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::usage(format!("question file line {}: {e}", i + 1)))
        })
        .collect()
}

/// The tenants graded when none are named: two of the demo's, with different currencies and sizes.
const DEFAULT_TENANTS: [&str; 2] = ["acme_corp", "umbrella"];

impl App {
    /// Sessions of an evaluation user for each tenant (the demo's default two when `tenants` is empty),
    /// with tokens minted by the data dir's development key.
    pub async fn eval_sessions(&mut self, tenants: &[String]) -> Result<Vec<Session>, Error> {
        let tenants: Vec<String> = if tenants.is_empty() {
            DEFAULT_TENANTS.iter().map(|t| t.to_string()).collect()
        } else {
            tenants.to_vec()
        };
        let mut sessions = Vec::new();
        for t in tenants {
            let req = inda_auth::MintRequest {
                user_id: "eval@indigital.local".into(),
                partner_id: self.partner_of(&t)?.unwrap_or_else(|| "indigital".into()),
                tenant_id: t,
                user_name: None,
                roles: vec![],
                ttl_seconds: 3600,
            };
            let token = self.mint_token(&req)?;
            sessions.push(self.session(Some(&token), None).await?);
        }
        Ok(sessions)
    }

    /// Grades `provider` on `questions` for each session (one per tenant).
    pub async fn evaluate(
        &self,
        sessions: &[Session],
        questions: &[EvalQuestion],
        provider: Provider,
    ) -> Result<EvalReport, Error> {
        let cancel = Cancel::new();
        let mut failures = Vec::new();
        let mut total = 0;
        let mut answered_wrong = 0;
        for session in sessions {
            for q in questions {
                total += 1;
                let fail = |why: String| EvalFailure {
                    tenant: session.tenant_id.clone(),
                    id: q.id.clone(),
                    question: q.question.clone(),
                    why,
                };
                let opts = AskOptions::default();
                let asked = self.ask(session, &q.question, provider, &opts, &cancel);
                let Some(sql) = &q.sql else {
                    match (q.expect, asked.await) {
                        (Some(Expectation::NotUnderstood), Err(e)) if e.code == ErrorCode::NotUnderstood => {}
                        (_, Ok(got)) => {
                            answered_wrong += 1;
                            failures.push(fail(format!(
                                "ANSWERED WRONG: should be refused, answered {}",
                                got.sql
                            )));
                        }
                        (_, Err(e)) => failures.push(fail(format!("{}: {}", e.code.as_str(), e.message))),
                    }
                    continue;
                };
                let gold = match self.run_sql(session, sql, &cancel).await {
                    Ok(a) => a,
                    Err(e) => {
                        failures.push(fail(format!("gold SQL failed: {}", e.message)));
                        continue;
                    }
                };
                match asked.await {
                    Ok(got) => {
                        if let Err(why) = same_result(
                            &gold.rows,
                            gold.columns.len(),
                            &got.rows,
                            got.columns.len(),
                            q.ordered,
                        ) {
                            answered_wrong += 1;
                            failures.push(fail(format!("ANSWERED WRONG: {why}")));
                        }
                    }
                    Err(e) => failures.push(fail(format!("{}: {}", e.code.as_str(), e.message))),
                }
            }
        }
        let correct = total - failures.len();
        Ok(EvalReport {
            total,
            correct,
            accuracy: correct as f64 / total.max(1) as f64,
            answered_wrong,
            failures,
        })
    }
}

/// A normalized cell: numbers as floats, midnight timestamps as dates.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Bool(bool),
    Num(f64),
    Text(String),
}

fn norm(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Timestamp(t) if t.time() == chrono::NaiveTime::MIN => {
            Cell::Text(t.date().format("%Y-%m-%d").to_string())
        }
        Value::Text(s) => {
            s.trim().parse::<f64>().map(Cell::Num).unwrap_or_else(|_| Cell::Text(s.trim().to_string()))
        }
        other => other.as_f64().map(Cell::Num).unwrap_or_else(|| Cell::Text(other.to_text())),
    }
}

fn close(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Num(x), Cell::Num(y)) => (x - y).abs() <= 1e-9_f64.max(1e-6 * x.abs().max(y.abs())),
        _ => a == b,
    }
}

/// Cells in a total order: nulls, booleans, numbers by value, texts. Numbers sort by value, not by a rounded
/// rendering: two averages equal to six places but not within tolerance would otherwise keep their rows'
/// order, and the same answer in another row order would fail (0.02662291 and 0.02662309 did).
fn order(a: &Cell, b: &Cell) -> std::cmp::Ordering {
    let rank = |c: &Cell| match c {
        Cell::Null => 0,
        Cell::Bool(_) => 1,
        Cell::Num(_) => 2,
        Cell::Text(_) => 3,
    };
    match (a, b) {
        (Cell::Num(x), Cell::Num(y)) => x.total_cmp(y),
        (Cell::Bool(x), Cell::Bool(y)) => x.cmp(y),
        (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn column(rows: &[Vec<Value>], i: usize) -> Vec<Cell> {
    rows.iter().map(|r| r.get(i).map(norm).unwrap_or(Cell::Null)).collect()
}

/// Grades one answer against the gold result; `Err` says why it differs.
pub fn same_result(
    gold: &[Vec<Value>],
    gold_cols: usize,
    got: &[Vec<Value>],
    got_cols: usize,
    ordered: bool,
) -> Result<(), String> {
    if gold.len() != got.len() {
        return Err(format!("{} rows, expected {}", got.len(), gold.len()));
    }
    let sorted = |mut v: Vec<Cell>| {
        v.sort_by(order);
        v
    };
    let mut candidates = Vec::with_capacity(gold_cols);
    for gi in 0..gold_cols {
        let g = sorted(column(gold, gi));
        let c: Vec<usize> = (0..got_cols)
            .filter(|&ai| {
                let a = sorted(column(got, ai));
                a.len() == g.len() && a.iter().zip(&g).all(|(x, y)| close(x, y))
            })
            .collect();
        if c.is_empty() {
            return Err(format!("no column matches gold column {}", gi + 1));
        }
        candidates.push(c);
    }
    let mut mapping = Vec::new();
    if try_assign(&candidates, 0, &mut mapping, gold, got, ordered) {
        Ok(())
    } else {
        Err("values differ".into())
    }
}

fn try_assign(
    candidates: &[Vec<usize>],
    i: usize,
    mapping: &mut Vec<usize>,
    gold: &[Vec<Value>],
    got: &[Vec<Value>],
    ordered: bool,
) -> bool {
    if i == candidates.len() {
        return rows_match(mapping, gold, got, ordered);
    }
    for &ai in &candidates[i] {
        if mapping.contains(&ai) {
            continue;
        }
        mapping.push(ai);
        if try_assign(candidates, i + 1, mapping, gold, got, ordered) {
            return true;
        }
        mapping.pop();
    }
    false
}

fn rows_match(mapping: &[usize], gold: &[Vec<Value>], got: &[Vec<Value>], ordered: bool) -> bool {
    let g: Vec<Vec<Cell>> = gold
        .iter()
        .map(|r| (0..mapping.len()).map(|i| r.get(i).map(norm).unwrap_or(Cell::Null)).collect())
        .collect();
    let a: Vec<Vec<Cell>> = got
        .iter()
        .map(|r| mapping.iter().map(|&i| r.get(i).map(norm).unwrap_or(Cell::Null)).collect())
        .collect();
    let row_eq = |p: &Vec<Cell>, q: &Vec<Cell>| p.iter().zip(q).all(|(x, y)| close(x, y));
    if ordered {
        return g.iter().zip(&a).all(|(p, q)| row_eq(p, q));
    }
    // Greedy multiset matching: tolerant to float formatting that upsets a sort.
    let mut left: Vec<&Vec<Cell>> = a.iter().collect();
    for p in &g {
        match left.iter().position(|q| row_eq(p, q)) {
            Some(k) => {
                left.swap_remove(k);
            }
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_match_by_value_in_any_position() {
        let gold = vec![
            vec![Value::Text("sms".into()), Value::Int(3)],
            vec![Value::Text("wa".into()), Value::Int(9)],
        ];
        let got = vec![
            vec![Value::Float(9.0), Value::Text("wa".into()), Value::Int(1)],
            vec![Value::Float(3.0), Value::Text("sms".into()), Value::Int(1)],
        ];
        assert!(same_result(&gold, 2, &got, 3, false).is_ok());
        assert!(same_result(&gold, 2, &got, 3, true).is_err());
    }

    #[test]
    fn midnight_timestamps_equal_dates() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let gold = vec![vec![Value::Timestamp(d.and_hms_opt(0, 0, 0).unwrap())]];
        let got = vec![vec![Value::Date(d)]];
        assert!(same_result(&gold, 1, &got, 1, true).is_ok());
    }
    #[test]
    fn numbers_equal_to_six_places_match_in_any_row_order() {
        let row = |name: &str, v: f64| vec![Value::Text(name.into()), Value::Float(v)];
        let gold = vec![row("a", 0.02662291), row("b", 0.02662309), row("c", 0.5)];
        let got = vec![row("c", 0.5), row("b", 0.02662309), row("a", 0.02662291)];
        assert!(same_result(&gold, 2, &got, 2, false).is_ok());
        let wrong = vec![row("c", 0.5), row("b", 0.02662291), row("a", 0.02662309)];
        assert!(same_result(&gold, 2, &wrong, 2, false).is_err());
    }
}
