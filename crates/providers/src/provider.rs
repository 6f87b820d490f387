//! The one trait every question engine backed by a language model implements.

use futures_util::future::BoxFuture;

use crate::error::ProviderError;
use crate::generation::{ExplanationSink, Generation, GenerationRequest};

/// A language model that turns a [`GenerationRequest`] into SQL, a chart choice and an explanation.
///
/// Its SQL is never trusted: the app runs it through the guard like any other SQL, which is what scopes it
/// to the caller's tenant.
pub trait Provider: Send + Sync {
    /// Short name for audit lines and `--provider` (`anthropic`, `openai`, `cortex`).
    fn name(&self) -> &str;

    /// The configured model.
    fn model(&self) -> &str;

    /// Asks for the whole answer at once.
    fn generate<'a>(&'a self, req: &'a GenerationRequest)
    -> BoxFuture<'a, Result<Generation, ProviderError>>;

    /// Asks for the answer and hands the explanation to `sink` while it is being written. Providers that
    /// cannot stream deliver the explanation in one piece when the answer is complete.
    fn generate_streaming<'a>(
        &'a self,
        req: &'a GenerationRequest,
        sink: &'a dyn ExplanationSink,
    ) -> BoxFuture<'a, Result<Generation, ProviderError>> {
        Box::pin(async move {
            let generation = self.generate(req).await?;
            sink.text(&generation.answer.explanation);
            Ok(generation)
        })
    }
}
