//! The closed sets the store records as text: what an audit entry says happened and how it ended, how a run
//! of an analysis went and what started it, what an alert watches for and how its message went. Each is an
//! enum whose text is the column's value, the JSON's and the TypeScript type's, so the three cannot drift apart.

/// An enum stored as one of a fixed set of lower-case words: `as_str`, `FromStr`, SQLite conversions, serde
/// and ts-rs all use the same word. Comparing with a `&str` compares the word.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The word stored and shown for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = inda_core::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::StoreError::UnknownWord {
                        word: other.to_string(),
                        kind: stringify!($name),
                    }
                    .into()),
                }
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                v.as_str()?.parse().map_err(|e: inda_core::Error| {
                    rusqlite::types::FromSqlError::Other(e.message.into())
                })
            }
        }
    };
}

text_enum! {
    /// What an audit entry records.
    AuditAction {
        /// SQL typed by a person (`inda sql`, the SQL editor).
        Query = "query",
        /// A question in plain language.
        Ask = "ask",
        /// A statement checked and printed by `inda guard`.
        Guard = "guard",
        /// A call to a language model.
        ModelCall = "model_call",
        /// A saved analysis, dashboard or alert created or changed.
        Save = "save",
        /// A saved analysis, dashboard or alert deleted.
        Delete = "delete",
        /// A refresh schedule set, cleared or paused.
        Schedule = "schedule",
        /// A run of a saved analysis.
        Run = "run",
        /// A result written to a file (CSV, XLSX, ...).
        Export = "export",
        /// A token verified and stored in the keyring (`inda login`, `inda open`, a deep link).
        SignIn = "sign_in",
        /// A user signed out: their secrets removed from the keyring.
        SignOut = "sign_out",
        /// A named secret (API key, warehouse password) stored in the keyring; the details name it, never
        /// hold it.
        SecretSet = "secret_set",
        /// A named secret removed from the keyring.
        SecretDelete = "secret_delete",
        /// The local library mirrored to Snowflake's ADMIN tables.
        Mirror = "mirror",
        /// A run of `inda sync` for one tenant.
        Sync = "sync",
        /// An alert's message sent (or not) to its webhook; the details name the alert, the analysis, the
        /// run and the attempts, never the webhook's URL.
        Alert = "alert",
    }
}

text_enum! {
    /// How an audited action ended.
    AuditOutcome {
        /// The action completed.
        Ok = "ok",
        /// The action failed for a reason other than the guard (warehouse, model, store, I/O).
        Error = "error",
        /// The guard refused the statement.
        Rejected = "rejected",
        /// The question was not understood; nothing ran.
        NotUnderstood = "not_understood",
        /// A run was cut short (the process stopped while it ran).
        Interrupted = "interrupted",
        /// A schedule was paused after repeated failures.
        Paused = "paused",
        /// Both sides of the mirror changed the same analysis.
        Conflict = "conflict",
    }
}

text_enum! {
    /// How a run of an analysis stands.
    ExecutionStatus {
        /// Started and not finished yet, or its process died mid-run (a scheduled one is marked `error`
        /// once its claim's lease runs out).
        Running = "running",
        /// Finished with a result, which replaced the cached one.
        Ok = "ok",
        /// Finished with an error; the previous cached result is kept.
        Error = "error",
    }
}

text_enum! {
    /// What an alert watches for in the value of each scheduled refresh of its analysis (see `threshold`).
    ConditionKind {
        /// The value is above the threshold.
        Above = "above",
        /// The value is below the threshold.
        Below = "below",
        /// The value rose by at least the threshold, in percent, since the previous successful refresh.
        ChangeUp = "change_up",
        /// The value fell by at least the threshold, in percent, since the previous successful refresh.
        ChangeDown = "change_down",
        /// The value rose or fell by at least the threshold, in percent, since the previous successful refresh.
        ChangeEither = "change_either",
    }
}

text_enum! {
    /// How one alert's message for one run stands.
    DeliveryStatus {
        /// Claimed and being sent: no other process sends it. Left behind by a process that stopped, it is
        /// marked `failed` once its lease runs out, never sent again.
        Sending = "sending",
        /// The webhook accepted it (a 2xx answer).
        Sent = "sent",
        /// Every attempt failed, or the process sending it stopped; the event's `error` says which.
        Failed = "failed",
    }
}

text_enum! {
    /// What started a run of an analysis.
    Trigger {
        /// A person (`inda saved run`, Refresh in the UI).
        Manual = "manual",
        /// The scheduler.
        Scheduled = "scheduled",
    }
}

impl AuditOutcome {
    /// The outcome of an action that failed with `e`: `rejected` when the guard refused it, else `error`.
    pub fn of_error(e: &inda_core::Error) -> AuditOutcome {
        if e.code == inda_core::ErrorCode::GuardRejected {
            AuditOutcome::Rejected
        } else {
            AuditOutcome::Error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value's word parses back to it, and is what serde writes: the column, the JSON and the
    /// TypeScript type cannot disagree.
    fn round_trips<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::str::FromStr + serde::Serialize,
        T: std::fmt::Display,
    {
        for v in all {
            let word = v.to_string();
            assert_eq!(word.parse::<T>().ok(), Some(*v), "{word}");
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::Value::String(word));
        }
    }

    #[test]
    fn every_value_round_trips_through_its_word() {
        round_trips(AuditAction::ALL);
        round_trips(AuditOutcome::ALL);
        round_trips(ExecutionStatus::ALL);
        round_trips(Trigger::ALL);
        round_trips(ConditionKind::ALL);
        round_trips(DeliveryStatus::ALL);
        assert!("launch".parse::<AuditAction>().is_err());
        assert!(AuditAction::ModelCall == "model_call");
    }

    #[test]
    fn sqlite_stores_the_word() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let word: String = conn.query_row("SELECT ?1", [Trigger::Scheduled], |r| r.get(0)).unwrap();
        assert_eq!(word, "scheduled");
        let back: ExecutionStatus = conn.query_row("SELECT 'running'", [], |r| r.get(0)).unwrap();
        assert_eq!(back, ExecutionStatus::Running);
        assert!(conn.query_row("SELECT 'done'", [], |r| r.get::<_, ExecutionStatus>(0)).is_err());
    }
}
