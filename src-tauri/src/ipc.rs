//! Requests of the UI's contract (`inda_app::AskRequest`, `SaveRequest`, `ExportQuery`) as command arguments:
//! read from the whole of the command's arguments, as `inda serve` reads them from a body or a query.
//!
//! Tauri names each argument in the UI's camelCase (`conversationId`); the request's fields are the
//! snake_case of the same names (`conversation_id`), so the top-level names are converted before the request
//! is read. Arguments the request does not have (`requestId`, a channel) are left to their own parameters.

use crate::CmdError;
use inda_core::Error;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tauri::Runtime;
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError};

/// A request read from all of a command's arguments; dereferences to it.
pub struct Args<T>(pub T);

impl<T> std::ops::Deref for Args<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, R: Runtime, T: DeserializeOwned> CommandArg<'de, R> for Args<T> {
    fn from_command(item: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let InvokeBody::Json(Value::Object(args)) = item.message.payload() else {
            return Err(invalid(item.name, "the arguments are not a JSON object").into());
        };
        let args: Map<String, Value> = args.iter().map(|(k, v)| (snake_case(k), v.clone())).collect();
        serde_json::from_value(Value::Object(args))
            .map(Args)
            .map_err(|e| invalid(item.name, &e.to_string()).into())
    }
}

/// A `usage` error, as the server's rejection of a body that is not valid.
fn invalid(command: &str, why: &str) -> CmdError {
    Error::usage(format!("the arguments of `{command}` are not valid: {why}")).into()
}

/// `conversationId` → `conversation_id`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_arguments_become_the_requests_fields() {
        assert_eq!(snake_case("conversationId"), "conversation_id");
        assert_eq!(snake_case("newConversation"), "new_conversation");
        assert_eq!(snake_case("question"), "question");
    }
}
