//! Cancelling long commands by the `requestId` the UI gives them: the UI's Cancel calls `cancel`, which trips
//! the running command's [`Cancel`], and the core stops the query. A command whose IPC future is dropped
//! (window closed) cancels its work too, as `inda serve` does when a client goes away.
//!
//! A long command takes a [`Running`] argument named `request_id`: it reads the UI's `requestId`, registers
//! the command under it while it runs, and dereferences to the [`Cancel`] the use case takes.

use crate::{CmdError, Shell};
use inda_app::Cancel;
use inda_core::Error;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use tauri::ipc::{CommandArg, CommandItem, InvokeError};
use tauri::{Manager, Runtime};
use tokio_util::sync::DropGuard;

/// Cancels remembered for ids not (yet) running: `cancel` can overtake the command it cancels, because
/// async commands start on another thread. Bounded, because a cancel for an already finished request leaves
/// one behind that nothing removes.
const MAX_EARLY_CANCELS: usize = 256;

#[derive(Default)]
pub struct Cancels {
    running: Mutex<HashMap<String, Cancel>>,
}

/// A running command's cancel: in the registry under its id while the command runs; when dropped it leaves
/// the registry, and its guard cancels the work.
pub struct Running<'a> {
    cancels: &'a Cancels,
    id: Option<String>,
    cancel: Cancel,
    _on_drop: DropGuard,
}

impl Running<'_> {
    /// The UI's `requestId`, when it gave one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl std::ops::Deref for Running<'_> {
    type Target = Cancel;
    fn deref(&self) -> &Cancel {
        &self.cancel
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Some(id) = &self.id {
            self.cancels.lock().remove(id);
        }
    }
}

/// The command's `requestId` argument (optional), registered with the shell's [`Cancels`].
impl<'de, R: Runtime> CommandArg<'de, R> for Running<'de> {
    fn from_command(item: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let shell = item
            .message
            .webview_ref()
            .try_state::<Shell>()
            .ok_or_else(|| CmdError::from(Error::internal("the shell's state is not managed")))?;
        let id = Option::<String>::deserialize(item)
            .map_err(|e| CmdError::from(Error::usage(format!("the requestId is not valid: {e}"))))?;
        Ok(shell.inner().cancels.register(id))
    }
}

impl Cancels {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Cancel>> {
        // A panic while holding the lock cannot leave the map inconsistent (single inserts and removes).
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a command under `id` (the UI sends none for commands it cannot cancel).
    pub fn register(&self, id: Option<String>) -> Running<'_> {
        let cancel = match &id {
            Some(id) => self.lock().entry(id.clone()).or_default().clone(),
            None => Cancel::new(),
        };
        Running { cancels: self, id, _on_drop: cancel.clone().drop_guard(), cancel }
    }

    /// Cancels the command running under `id`; `true` when it was running.
    pub fn cancel(&self, id: &str) -> bool {
        let mut running = self.lock();
        if let Some(c) = running.get(id) {
            c.cancel();
            return true;
        }
        if running.len() < MAX_EARLY_CANCELS {
            let c = Cancel::new();
            c.cancel();
            running.insert(id.to_string(), c);
        }
        false
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_trips_the_running_command_and_drop_unregisters() {
        let cancels = Cancels::default();
        let r = cancels.register(Some("r1".into()));
        assert!(!r.is_cancelled());
        assert!(cancels.cancel("r1"));
        assert!(r.is_cancelled());
        drop(r);
        assert_eq!(cancels.len(), 0);
    }

    #[test]
    fn a_cancel_that_overtakes_its_command_still_cancels_it() {
        let cancels = Cancels::default();
        assert!(!cancels.cancel("r2"));
        let r = cancels.register(Some("r2".into()));
        assert!(r.is_cancelled());
    }

    #[test]
    fn dropping_cancels_the_work_and_early_cancels_are_bounded() {
        let cancels = Cancels::default();
        let token = {
            let r = cancels.register(None);
            Cancel::clone(&r)
        };
        assert!(token.is_cancelled());
        for i in 0..(MAX_EARLY_CANCELS + 10) {
            cancels.cancel(&format!("gone-{i}"));
        }
        assert_eq!(cancels.len(), MAX_EARLY_CANCELS);
    }
}
