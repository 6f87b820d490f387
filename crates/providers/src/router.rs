//! Which provider answers: an ordered list tried in turn. Failures that another provider may not share
//! (timeout, rate limit, server error, unreachable, malformed answer) move on to the next; failures that
//! would repeat anywhere (a refused key, a refused request) stop with that error, since trying on would only
//! hide the cause.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{ErrorKind, ProviderError};
use crate::generation::{ExplanationSink, Generation, GenerationRequest, Usage};
use crate::provider::Provider;

/// How long the router waits: for each provider's answer, and for a rate limit to pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoutePolicy {
    /// Longest wait for one provider's answer (streaming included).
    pub timeout: Duration,
    /// A 429 whose `retry-after` is at most this is waited out once on the same provider; a longer one (or
    /// none) moves on at once, because the analyst is waiting.
    pub max_retry_wait: Duration,
}

impl Default for RoutePolicy {
    fn default() -> Self {
        RoutePolicy { timeout: Duration::from_secs(60), max_retry_wait: Duration::from_secs(5) }
    }
}

/// One call to one provider, for the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The provider's short name (`anthropic`, `openai`, `cortex`).
    pub provider: String,
    /// The model that answered as the provider reported it, or the configured one when the call failed.
    pub model: String,
    /// Wall time of the call, streaming included; a rate-limit wait before a retry is not part of it.
    pub elapsed: Duration,
    /// Whether it answered, with its usage and cost, or how it failed.
    pub outcome: AttemptOutcome,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptOutcome {
    /// The provider answered (its SQL is still to be guarded).
    Answered {
        /// Tokens the call took.
        usage: Usage,
        /// Its estimated cost in US dollars.
        cost_usd: f64,
    },
    /// The provider failed with this error.
    Failed(ProviderError),
}

/// An answer and every attempt it took.
#[derive(Debug, Clone)]
pub struct Routed {
    /// The answer used: that of the first provider that succeeded.
    pub generation: Generation,
    /// Every call made, in order, the successful one last: for the audit log and the budget.
    pub attempts: Vec<Attempt>,
}

/// No answer: the error that decided it, and every attempt made.
#[derive(Debug, Clone)]
pub struct RouteFailure {
    /// The error that decided it: the first one no other provider could avoid, else the last provider's
    /// (`NotConfigured` when there was none).
    pub error: ProviderError,
    /// Every call made, in order; empty when no provider is configured.
    pub attempts: Vec<Attempt>,
}

impl RouteFailure {
    /// Whether the router stopped on an error that no other provider would avoid.
    pub fn stopped_early(&self) -> bool {
        !self.error.kind.is_transient()
    }
}

impl fmt::Display for RouteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.stopped_early() || self.attempts.len() <= 1 {
            return write!(f, "{}", self.error);
        }
        let failures: Vec<String> = self
            .attempts
            .iter()
            .filter_map(|a| match &a.outcome {
                AttemptOutcome::Failed(e) => Some(e.to_string()),
                AttemptOutcome::Answered { .. } => None,
            })
            .collect();
        write!(f, "no question engine could answer: {}", failures.join("; "))
    }
}

impl std::error::Error for RouteFailure {}

impl From<RouteFailure> for inda_core::Error {
    fn from(f: RouteFailure) -> Self {
        let message = f.to_string();
        let mut e = inda_core::Error::from(f.error);
        e.message = message;
        e
    }
}

/// Tries providers in order until one answers (see the module documentation for when it moves on).
pub struct Router {
    providers: Vec<Arc<dyn Provider>>,
    policy: RoutePolicy,
}

impl Router {
    /// `providers` in the order to try them.
    pub fn new(providers: Vec<Arc<dyn Provider>>, policy: RoutePolicy) -> Self {
        Router { providers, policy }
    }

    /// A router over just the provider called `name` (`inda ask --provider`), if it is configured.
    pub fn only(&self, name: &str) -> Option<Router> {
        let provider = self.providers.iter().find(|p| p.name() == name)?;
        Some(Router { providers: vec![provider.clone()], policy: self.policy })
    }

    /// The providers' short names, in the order they are tried.
    pub fn provider_names(&self) -> Vec<&str> {
        self.providers.iter().map(|p| p.name()).collect()
    }

    /// Asks each provider in turn until one answers, streaming the explanation into `sink` (restarted
    /// whenever the router moves on). A failure no other provider could avoid stops at once; a rate limit
    /// asking for at most `max_retry_wait` is waited out once per provider.
    pub async fn generate(
        &self,
        req: &GenerationRequest,
        sink: &dyn ExplanationSink,
    ) -> Result<Routed, RouteFailure> {
        let mut attempts = Vec::new();
        let mut last_error = None;
        for provider in &self.providers {
            let mut waited = false;
            loop {
                if !attempts.is_empty() {
                    sink.restart();
                }
                let started = Instant::now();
                let result =
                    match tokio::time::timeout(self.policy.timeout, provider.generate_streaming(req, sink))
                        .await
                    {
                        Ok(result) => result,
                        Err(_) => Err(ProviderError::new(
                            provider.name(),
                            ErrorKind::Timeout,
                            format!("no answer within {}s", self.policy.timeout.as_secs_f64()),
                        )),
                    };
                let elapsed = started.elapsed();
                match result {
                    Ok(generation) => {
                        attempts.push(Attempt {
                            provider: generation.provider.clone(),
                            model: generation.model.clone(),
                            elapsed,
                            outcome: AttemptOutcome::Answered {
                                usage: generation.usage,
                                cost_usd: generation.cost_usd,
                            },
                        });
                        return Ok(Routed { generation, attempts });
                    }
                    Err(error) => {
                        tracing::warn!(provider = provider.name(), %error, "question engine failed");
                        attempts.push(Attempt {
                            provider: provider.name().to_string(),
                            model: provider.model().to_string(),
                            elapsed,
                            outcome: AttemptOutcome::Failed(error.clone()),
                        });
                        if !error.kind.is_transient() {
                            return Err(RouteFailure { error, attempts });
                        }
                        if let ErrorKind::RateLimited { retry_after: Some(wait) } = error.kind
                            && !waited
                            && wait <= self.policy.max_retry_wait
                        {
                            waited = true;
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        last_error = Some(error);
                        break;
                    }
                }
            }
        }
        let error = last_error.unwrap_or_else(|| {
            ProviderError::new("router", ErrorKind::NotConfigured, "no question engine is configured")
        });
        Err(RouteFailure { error, attempts })
    }
}
