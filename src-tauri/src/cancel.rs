//! Cancelling long commands by the `requestId` the UI gives them: the UI's Cancel calls `cancel`, which trips
//! the running command's [`Cancel`], and the core stops the query. A command whose IPC future is dropped
//! (window closed) cancels its work too, as `inda serve` does when a client goes away.

use inda_warehouse::Cancel;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Cancels remembered for ids not (yet) running: `cancel` can overtake the command it cancels, because
/// async commands start on another thread. Bounded, because a cancel for an already finished request leaves
/// one behind that nothing removes.
const MAX_EARLY_CANCELS: usize = 256;

#[derive(Default)]
pub struct Cancels {
    running: Mutex<HashMap<String, Cancel>>,
}

/// A running command's cancel; leaving the registry (and cancelling the work) when dropped.
pub struct Registered<'a> {
    cancels: &'a Cancels,
    id: Option<String>,
    cancel: Cancel,
}

impl Registered<'_> {
    pub fn token(&self) -> &Cancel {
        &self.cancel
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(id) = &self.id {
            self.cancels.lock().remove(id);
        }
    }
}

impl Cancels {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Cancel>> {
        // A panic while holding the lock cannot leave the map inconsistent (single inserts and removes).
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a command under `id` (the UI sends none for commands it cannot cancel).
    pub fn register(&self, id: Option<String>) -> Registered<'_> {
        let cancel = match &id {
            Some(id) => self.lock().entry(id.clone()).or_default().clone(),
            None => Cancel::new(),
        };
        Registered { cancels: self, id, cancel }
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
        assert!(!r.token().is_cancelled());
        assert!(cancels.cancel("r1"));
        assert!(r.token().is_cancelled());
        drop(r);
        assert_eq!(cancels.len(), 0);
    }

    #[test]
    fn a_cancel_that_overtakes_its_command_still_cancels_it() {
        let cancels = Cancels::default();
        assert!(!cancels.cancel("r2"));
        let r = cancels.register(Some("r2".into()));
        assert!(r.token().is_cancelled());
    }

    #[test]
    fn dropping_cancels_the_work_and_early_cancels_are_bounded() {
        let cancels = Cancels::default();
        let token = {
            let r = cancels.register(None);
            r.token().clone()
        };
        assert!(token.is_cancelled());
        for i in 0..(MAX_EARLY_CANCELS + 10) {
            cancels.cancel(&format!("gone-{i}"));
        }
        assert_eq!(cancels.len(), MAX_EARLY_CANCELS);
    }
}
