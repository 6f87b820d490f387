//! Asking in plain language: question → plan (offline semantic engine) → the guard → the warehouse → chart
//! and summary; follow-ups continue a stored conversation.

use crate::sql::{Origin, round_ms};
use crate::{Answer, App};
use inda_core::{Error, Session};
use inda_providers::{ExplanationSink, NoSink};
use inda_semantic::{Intent, Plan, interpret};
use inda_store::{AuditAction, AuditOutcome};
use inda_warehouse::Cancel;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Instant;

/// Question engines: the offline semantic engine, or a language model (see `models`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// The semantic engine shipped with the app: no network, no account; answers what the semantic model
    /// covers.
    Offline,
    /// Anthropic's models (Claude), as `[ask]` configures them.
    Anthropic,
    /// Snowflake Cortex, on the Snowflake warehouse's own connection.
    Cortex,
    /// OpenAI's chat completions API (or a compatible endpoint), as `[ask]` configures it.
    OpenAi,
}

impl Provider {
    /// Reads a provider name in any case (`claude` also means `anthropic`); an unknown name is a usage error.
    pub fn parse(s: &str) -> Result<Provider, Error> {
        match s.to_ascii_lowercase().as_str() {
            "offline" => Ok(Provider::Offline),
            "anthropic" | "claude" => Ok(Provider::Anthropic),
            "cortex" => Ok(Provider::Cortex),
            "openai" => Ok(Provider::OpenAi),
            other => Err(Error::usage(format!(
                "unknown provider `{other}`: use offline, anthropic, cortex or openai"
            ))),
        }
    }
    /// The lower-case name used in JSON, the audit log and `--provider`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Offline => "offline",
            Provider::Anthropic => "anthropic",
            Provider::Cortex => "cortex",
            Provider::OpenAi => "openai",
        }
    }
}

/// By name, as [`Provider::parse`] reads it (any case; `claude` for `anthropic`).
impl<'de> Deserialize<'de> for Provider {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Provider::parse(&name).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// A question as the UI sends it (`POST /api/ask`, `/api/ask/stream`, the desktop's `ask` command).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct AskRequest {
    /// The question in English or Spanish, as the analyst typed it.
    pub question: String,
    /// The conversation a follow-up continues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Start a conversation and return its id even for a first question.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_conversation: bool,
    /// The question engine to start with; the offline engine when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// Drill into a cell of an answer: `question` is then the question of the answer clicked (its
    /// `question` field, not new text), which the offline engine reads again and narrows, whatever engine
    /// answered it (`provider` is not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<Drill>,
}

/// A click on a cell of an answer, to see the rows behind it: a breakdown's value narrows the answer to that
/// value; a period of a series (its start date) narrows it to that period, by the next finer bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Drill {
    /// The output column clicked, as the answer names it (`columns[].name`: `channel`, `country`, `mes`),
    /// normally the chart's x or series column.
    pub column: String,
    /// The cell's value as the answer's row holds it (`"whatsapp"`, `"CO"`, `"Black Friday 2025"`, or the
    /// period's start `"2026-03-01T00:00:00"`).
    #[ts(type = "Value")]
    pub value: serde_json::Value,
}

/// Where a question belongs: a new conversation, or a follow-up in an existing one.
#[derive(Debug, Clone, Default)]
pub struct AskOptions {
    /// The conversation a follow-up continues (its earlier questions give the context); `None` for a
    /// question on its own.
    pub conversation_id: Option<String>,
    /// Start a conversation and return its id even for a first question.
    pub new_conversation: bool,
}

impl App {
    /// [`App::ask_streaming`] for a request of the UI.
    pub async fn ask_request(
        &self,
        session: &Session,
        req: &AskRequest,
        cancel: &Cancel,
        explanation: &dyn ExplanationSink,
    ) -> Result<Answer, Error> {
        let provider = req.provider.unwrap_or(Provider::Offline);
        let opts = AskOptions {
            conversation_id: req.conversation_id.clone(),
            new_conversation: req.new_conversation,
        };
        if let Some(drill) = &req.drill {
            return self.ask_drill(session, &req.question, drill, &opts, cancel).await;
        }
        self.ask_streaming(session, &req.question, provider, &opts, cancel, explanation).await
    }

    /// Drills into a cell of the answer to `question`: the intent of that answer (the conversation's turn
    /// for it, else the question read again by the offline engine) narrowed by the click, planned, guarded
    /// and run like any question, as a turn of the conversation so that follow-ups continue from it. The
    /// answer's `question` and `title` are the narrowed intent's title, `drilled` says what changed.
    /// `not_understood` when the offline engine cannot read the question; `usage` for a column that is not
    /// a breakdown or the time axis of that answer, or a value that does not fit it.
    pub async fn ask_drill(
        &self,
        session: &Session,
        question: &str,
        drill: &Drill,
        opts: &AskOptions,
        cancel: &Cancel,
    ) -> Result<Answer, Error> {
        let started = Instant::now();
        let store = self.store()?;
        let model = self.semantic_for(session).await?;
        // The intent stored with the answer's turn is exactly what was answered (a follow-up's text alone,
        // "and by country?", is not); an answer of a language model stored none, so its text is read again.
        let (asked, previous) = match &opts.conversation_id {
            Some(id) => {
                let turns = store.conversation_turns(&session.tenant_id, &session.user_id, id)?;
                let intent_of = |t: &inda_store::Turn| -> Option<Intent> {
                    serde_json::from_value(t.intent.clone()?).ok()
                };
                let asked = turns.iter().rev().filter(|t| t.question == question).find_map(intent_of);
                (asked, turns.iter().rev().find_map(intent_of))
            }
            None => (None, None),
        };
        let today = chrono::Utc::now().date_naive();
        let drilled = match &asked {
            Some(intent) => inda_semantic::drill(&model, intent, &drill.column, &drill.value),
            None => inda_semantic::drill_question(
                &model,
                question,
                previous.as_ref(),
                today,
                &drill.column,
                &drill.value,
            ),
        };
        let audited = json!({
            "question": question.chars().take(500).collect::<String>(),
            "drill": {
                "column": drill.column.chars().take(200).collect::<String>(),
                "value": drill.value.to_string().chars().take(500).collect::<String>(),
            },
        });
        let drilled = match drilled {
            Ok(d) => d,
            Err(e) => {
                let err: Error = e.into();
                let outcome = match err.code {
                    inda_core::ErrorCode::NotUnderstood => AuditOutcome::NotUnderstood,
                    _ => AuditOutcome::of_error(&err),
                };
                let mut details = audited;
                details["message"] = json!(err.message);
                self.audit(session, AuditAction::Ask, outcome, details)?;
                return Err(err);
            }
        };
        let title = drilled.plan.title.clone();
        let mut extra = audited;
        extra["provider"] = json!(Provider::Offline.name());
        extra["drilled"] = json!(title);
        let mut answer =
            self.answer_plan(session, &title, drilled.plan, extra, opts, cancel, started).await?;
        answer.drilled = Some(drilled.description);
        Ok(answer)
    }

    /// Answers a question for the session's tenant: with `provider`, or with the offline engine first and a
    /// configured language model for what it does not understand. The SQL goes through the guard like any
    /// other and the attempt is audited; `not_understood` when no engine could turn it into a query.
    pub async fn ask(
        &self,
        session: &Session,
        question: &str,
        provider: Provider,
        opts: &AskOptions,
        cancel: &Cancel,
    ) -> Result<Answer, Error> {
        self.ask_streaming(session, question, provider, opts, cancel, &NoSink).await
    }

    /// [`App::ask`], handing a language model's explanation to `explanation` while the model writes it
    /// (the UI shows it before the SQL has run). The offline engine's answers arrive whole, so nothing is
    /// streamed for them; after a fallback to another provider the sink is told to start over.
    pub async fn ask_streaming(
        &self,
        session: &Session,
        question: &str,
        provider: Provider,
        opts: &AskOptions,
        cancel: &Cancel,
        explanation: &dyn ExplanationSink,
    ) -> Result<Answer, Error> {
        let started = Instant::now();
        let store = self.store()?;
        if provider != Provider::Offline {
            return self
                .answer_from_model(session, question, provider, opts, cancel, started, explanation)
                .await;
        }
        let previous: Option<Intent> = match &opts.conversation_id {
            Some(id) => store
                .conversation_last_intent(&session.tenant_id, &session.user_id, id)?
                .and_then(|v| serde_json::from_value(v).ok()),
            None => None,
        };
        let model = self.semantic_for(session).await?;
        let today = chrono::Utc::now().date_naive();
        let plan = match interpret(&model, question, previous.as_ref(), today) {
            Ok(plan) => plan,
            Err(_) if self.has_models() => {
                // The offline engine answers what the semantic model covers; anything else goes to a model.
                return self
                    .answer_from_model(session, question, provider, opts, cancel, started, explanation)
                    .await;
            }
            Err(not_understood) => {
                let err: Error = not_understood.into();
                self.audit(
                    session,
                    AuditAction::Ask,
                    AuditOutcome::NotUnderstood,
                    json!({"question": question.chars().take(500).collect::<String>(), "message": err.message}),
                )?;
                if let Some(id) = &opts.conversation_id {
                    store.conversation_add_turn(
                        &session.tenant_id,
                        &session.user_id,
                        id,
                        question,
                        None,
                        None,
                    )?;
                }
                return Err(err);
            }
        };
        let extra =
            json!({"question": question.chars().take(500).collect::<String>(), "provider": provider.name()});
        self.answer_plan(session, question, plan, extra, opts, cancel, started).await
    }

    /// The answer to `question` from the offline engine's `plan`: guarded, run and audited (with `extra`),
    /// presented, and kept as a turn of the conversation `opts` names or starts.
    // The plan and its context, and the hooks of the running request: a struct would be unpacked at once.
    #[allow(clippy::too_many_arguments)]
    async fn answer_plan(
        &self,
        session: &Session,
        question: &str,
        plan: Plan,
        extra: serde_json::Value,
        opts: &AskOptions,
        cancel: &Cancel,
        started: Instant,
    ) -> Result<Answer, Error> {
        let store = self.store()?;
        let outcome = self.guard_and_run(session, &plan.sql, cancel).await;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        self.audit_query(session, Origin::Question, &plan.sql, &outcome, ms, Some(extra))?;
        let (guarded, mut rs) = outcome?;
        let shown = self.present(session, &plan, &mut rs, cancel).await?;
        let intent = serde_json::to_value(&plan.intent).ok();
        let conversation_id = match (&opts.conversation_id, opts.new_conversation) {
            (Some(id), _) => Some(id.clone()),
            (None, true) => {
                Some(store.conversation_create(&session.tenant_id, &session.user_id, &plan.title)?.id)
            }
            (None, false) => None,
        };
        if let Some(id) = &conversation_id {
            store.conversation_add_turn(
                &session.tenant_id,
                &session.user_id,
                id,
                question,
                intent.as_ref(),
                Some(&guarded.sql),
            )?;
        }
        Ok(Answer {
            question: Some(question.to_string()),
            sql: guarded.sql,
            row_count: rs.rows.len(),
            columns: rs.columns,
            rows: rs.rows,
            truncated: rs.truncated,
            caveats: shown.caveats,
            chart: shown.chart,
            summary: Some(shown.summary),
            engine: self.warehouse().engine().to_string(),
            provider: Some(Provider::Offline.name().to_string()),
            elapsed_ms: round_ms(ms),
            conversation_id,
            lang: Some(match plan.lang {
                inda_semantic::Lang::En => "en".into(),
                inda_semantic::Lang::Es => "es".into(),
            }),
            title: Some(plan.title),
            drilled: None,
        })
    }

    /// A question answered by a language model (forced with `--provider`, or after the offline engine).
    // The question, its context, and the two hooks of a running request (cancel, explanation stream): a
    // struct for them would only be unpacked again on the next line.
    #[allow(clippy::too_many_arguments)]
    async fn answer_from_model(
        &self,
        session: &Session,
        question: &str,
        provider: Provider,
        opts: &AskOptions,
        cancel: &Cancel,
        started: Instant,
        explanation: &dyn ExplanationSink,
    ) -> Result<Answer, Error> {
        let store = self.store()?;
        let lang = inda_semantic::detect_lang(&*self.semantic()?, question);
        // Earlier questions of the conversation with the SQL the model wrote for them (before the guard, so
        // no tenant id reaches the prompt).
        let history: Vec<inda_providers::PriorQuestion> = match &opts.conversation_id {
            Some(id) => store
                .conversation_turns(&session.tenant_id, &session.user_id, id)?
                .into_iter()
                .filter_map(|t| {
                    let sql = t.intent.as_ref()?.get("model_sql")?.as_str()?.to_string();
                    Some(inda_providers::PriorQuestion { question: t.question, sql })
                })
                .collect(),
            None => Vec::new(),
        };
        let answered = self.ask_model(session, question, lang, &history, provider, cancel, explanation).await;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let a = match answered {
            Ok(a) => a,
            Err(e) => {
                if let Some(id) = &opts.conversation_id {
                    store.conversation_add_turn(
                        &session.tenant_id,
                        &session.user_id,
                        id,
                        question,
                        None,
                        None,
                    )?;
                }
                return Err(e);
            }
        };
        let outcome = Ok((a.guarded.clone(), a.rows.clone()));
        let extra = json!({
            "question": question.chars().take(500).collect::<String>(),
            "provider": a.provider, "model": a.model,
        });
        self.audit_query(session, Origin::Question, &a.model_sql, &outcome, ms, Some(extra))?;
        self.check_statement_rates(session, lang, &a.model_sql, cancel).await?;
        let mut rs = a.rows;
        let mut caveats = self.present_statement(session, &a.guarded.sql, &mut rs, lang).await;
        let mut chart = inda_semantic::choose_chart(&rs, None);
        // The model may ask for a plain table; other kinds follow the data's shape, which the chart
        // chooser knows better than a model that never saw the rows.
        if a.chart == inda_core::ChartKind::Table {
            chart.kind = inda_core::ChartKind::Table;
        }
        let title: String = question.chars().take(80).collect();
        chart.title = Some(title.clone());
        let summary = a.explanation.lines().next().unwrap_or("").chars().take(300).collect::<String>();
        let summary = if summary.trim().is_empty() {
            inda_semantic::summarize(&rs, &chart, lang, Default::default())
        } else {
            summary
        };
        let conversation_id = match (&opts.conversation_id, opts.new_conversation) {
            (Some(id), _) => Some(id.clone()),
            (None, true) => Some(store.conversation_create(&session.tenant_id, &session.user_id, &title)?.id),
            (None, false) => None,
        };
        if let Some(id) = &conversation_id {
            let intent = json!({"model_sql": a.model_sql, "provider": a.provider});
            store.conversation_add_turn(
                &session.tenant_id,
                &session.user_id,
                id,
                question,
                Some(&intent),
                Some(&a.guarded.sql),
            )?;
        }
        if a.guarded.crosses_tenants {
            caveats.push(inda_semantic::cross_company_caveat(lang));
        }
        Ok(Answer {
            question: Some(question.to_string()),
            sql: a.guarded.sql,
            row_count: rs.rows.len(),
            columns: rs.columns,
            rows: rs.rows,
            truncated: rs.truncated,
            caveats,
            chart,
            summary: Some(summary),
            engine: self.warehouse().engine().to_string(),
            provider: Some(a.provider),
            elapsed_ms: round_ms(ms),
            conversation_id,
            lang: Some(match lang {
                inda_semantic::Lang::En => "en".into(),
                inda_semantic::Lang::Es => "es".into(),
            }),
            title: Some(title),
            drilled: None,
        })
    }
}
