//! Language models as question engines (`[ask] providers`): the prompt from the semantic model, the router
//! over the configured providers, one self-repair round when the guard or the engine refuses the SQL, the
//! monthly budget, and an audit entry for every call with provider, model, tokens and cost (their sum over
//! tenants is also kept in memory for `/metrics`, see `provider_usage`).
//!
//! The model's SQL is never trusted: it runs through the same guard as everything else, which alone decides
//! tenant scope. Keys come from the ecosystem's variables (`ANTHROPIC_API_KEY`, `OPENAI_API_KEY`) or the
//! user's keyring entries (`inda secret set anthropic|openai`), never from config.

use crate::{App, Provider};
use inda_core::{Error, ResultSet, Session};
use inda_guard::Guarded;
use inda_providers::{
    AnthropicProvider, AskConfig, Attempt, AttemptOutcome, CortexProvider, ExplanationSink,
    GenerationRequest, OpenAiCompatibleProvider, PriorQuestion, PromptInput, ProviderKind, Router,
    build_request, check_budget, env_api_key, month_start, repair_request,
};
use inda_semantic::Lang;
use inda_store::{AuditAction, AuditOutcome};
use inda_warehouse::Cancel;
use serde_json::json;
use std::sync::Arc;

/// What a model answered, after the guard and the warehouse accepted it.
pub(crate) struct ModelAnswer {
    /// The SQL as the model wrote it (before the guard): what a follow-up's prompt may show.
    pub model_sql: String,
    pub guarded: Guarded,
    pub rows: ResultSet,
    pub explanation: String,
    pub chart: inda_core::ChartKind,
    pub provider: String,
    pub model: String,
}

fn kind_of(p: Provider) -> Option<ProviderKind> {
    match p {
        Provider::Offline => None,
        Provider::Anthropic => Some(ProviderKind::Anthropic),
        Provider::Cortex => Some(ProviderKind::Cortex),
        Provider::OpenAi => Some(ProviderKind::OpenAi),
    }
}

impl App {
    fn ask_config(&self) -> &AskConfig {
        &self.config.ask
    }

    /// Whether a question the offline engine did not understand may go to a model.
    pub(crate) fn has_models(&self) -> bool {
        !self.ask_config().providers.is_empty()
    }

    fn api_key(&self, session: &Session, env: &str, entry: &str) -> Result<Option<inda_core::Secret>, Error> {
        if let Some(k) = env_api_key(env) {
            return Ok(Some(k));
        }
        // A missing keyring is "no key" here: the env variable is the documented alternative.
        match self.keyring() {
            Ok(_) => self.secret(session, entry),
            Err(_) => Ok(None),
        }
    }

    /// The router over the providers to try: the one forced by `--provider`, else `[ask] providers`.
    fn model_router(&self, session: &Session, forced: Option<ProviderKind>) -> Result<Router, Error> {
        let cfg = self.ask_config();
        let kinds: Vec<ProviderKind> = match forced {
            Some(k) => vec![k],
            None => cfg.providers.clone(),
        };
        let mut providers: Vec<Arc<dyn inda_providers::Provider>> = Vec::new();
        let mut missing = Vec::new();
        for kind in kinds {
            match kind {
                ProviderKind::Anthropic => match self.api_key(session, "ANTHROPIC_API_KEY", "anthropic")? {
                    Some(key) => providers.push(Arc::new(
                        AnthropicProvider::new(cfg.anthropic_config(key)).map_err(Error::from)?,
                    )),
                    None => missing.push(
                        "anthropic: no key (set ANTHROPIC_API_KEY or run `inda secret set anthropic`)"
                            .to_string(),
                    ),
                },
                ProviderKind::OpenAi => {
                    // Local servers (Ollama, llama.cpp) need no key.
                    let key = self.api_key(session, "OPENAI_API_KEY", "openai")?;
                    providers.push(Arc::new(
                        OpenAiCompatibleProvider::new(cfg.openai_config(key)).map_err(Error::from)?,
                    ));
                }
                ProviderKind::Cortex => match &self.snowflake {
                    // On the analyst's own Snowflake session, so Cortex sees what their role may see.
                    Some(sf) => providers.push(Arc::new(CortexProvider::new(
                        sf.cortex(session.clone(), self.limits()),
                        cfg.cortex_config(),
                    ))),
                    None => missing.push(
                        "cortex: runs inside Snowflake, and this data dir uses the embedded warehouse"
                            .to_string(),
                    ),
                },
            }
        }
        if providers.is_empty() {
            return Err(Error::engine(format!("no question engine is available: {}", missing.join("; "))));
        }
        Ok(Router::new(providers, cfg.route_policy()))
    }

    /// Asks the configured (or forced) model, runs its SQL through the guard, and repairs once on failure.
    // The question, its context, and the two hooks of a running request (cancel, explanation stream): a
    // struct for them would only be unpacked again on the next line.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn ask_model(
        &self,
        session: &Session,
        question: &str,
        lang: Lang,
        history: &[PriorQuestion],
        forced: Provider,
        cancel: &Cancel,
        explanation: &dyn ExplanationSink,
    ) -> Result<ModelAnswer, Error> {
        let cfg = self.ask_config();
        let today = chrono::Utc::now().date_naive();
        if let Some(budget) = cfg.monthly_budget_usd {
            let since = format!("{}T00:00:00.000Z", month_start(today).format("%Y-%m-%d"));
            let spent = self.store()?.model_cost_since(&session.tenant_id, &since)?;
            if !check_budget(spent, Some(budget)).allows() {
                return Err(Error::not_understood(format!(
                    "this month's question-engine budget (US${budget:.2}) is spent, so only the offline engine \
                     answers until next month; try a question from the suggestions"
                )));
            }
        }
        let router = self.model_router(session, kind_of(forced))?;
        // The scope's model: for an admin's several companies the prompt names them and their rules.
        let model = self.semantic_for(session).await?;
        let input = PromptInput { question, lang, today, history, max_examples: cfg.max_examples };
        let mut request: GenerationRequest = build_request(&model, &input);
        let mut repaired = false;
        loop {
            let routed = router.generate(&request, explanation).await;
            let generation = match routed {
                Ok(r) => {
                    self.audit_attempts(session, &r.attempts, request.is_repair)?;
                    r.generation
                }
                Err(f) => {
                    self.audit_attempts(session, &f.attempts, request.is_repair)?;
                    return Err(Error::engine(format!("the question engine failed: {f}")));
                }
            };
            let sql = generation.answer.sql.clone();
            match self.guard_and_run(session, &sql, cancel).await {
                Ok((guarded, rows)) => {
                    return Ok(ModelAnswer {
                        model_sql: sql,
                        guarded,
                        rows,
                        explanation: generation.answer.explanation.clone(),
                        chart: generation.answer.chart,
                        provider: generation.provider.clone(),
                        model: generation.model.clone(),
                    });
                }
                Err(e) if cancel.is_cancelled() => return Err(e),
                Err(e) => {
                    self.audit(
                        session,
                        AuditAction::Ask,
                        AuditOutcome::of_error(&e),
                        json!({
                            "question": question.chars().take(500).collect::<String>(),
                            "provider": generation.provider,
                            "model": generation.model,
                            "submitted": sql.chars().take(4000).collect::<String>(),
                            "error": e.code.as_str(),
                            "message": e.message.chars().take(500).collect::<String>(),
                            "repair": repaired,
                        }),
                    )?;
                    let next = if repaired {
                        None
                    } else {
                        repair_request(&request, &generation.answer, &e.message, &[&session.tenant_id])
                    };
                    match next {
                        Some(r) => {
                            // The repaired answer brings its own explanation.
                            explanation.restart();
                            request = r;
                            repaired = true;
                        }
                        None => return Err(e),
                    }
                }
            }
        }
    }

    fn audit_attempts(&self, session: &Session, attempts: &[Attempt], repair: bool) -> Result<(), Error> {
        for a in attempts {
            // Counted before the audit entry is written: the call was made (and paid for) either way.
            self.provider_usage.record(a);
            let (outcome, details) = match &a.outcome {
                AttemptOutcome::Answered { usage, cost_usd } => (
                    AuditOutcome::Ok,
                    json!({
                        "provider": a.provider, "model": a.model, "repair": repair,
                        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                        "cost_usd": cost_usd, "elapsed_ms": a.elapsed.as_millis() as u64,
                    }),
                ),
                AttemptOutcome::Failed(e) => (
                    AuditOutcome::Error,
                    json!({
                        "provider": a.provider, "model": a.model, "repair": repair,
                        "error": format!("{:?}", e.kind), "message": e.message.chars().take(300).collect::<String>(),
                        "cost_usd": 0.0, "elapsed_ms": a.elapsed.as_millis() as u64,
                    }),
                ),
            };
            self.audit(session, AuditAction::ModelCall, outcome, details)?;
        }
        Ok(())
    }
}
