//! Conversations: the questions of one analyst in order, with the understood intent of each, so that a
//! follow-up ("¿y el mes anterior?") can refine the previous question, also after a restart.

use crate::{Store, StoreError, db_error, query_all};
use inda_core::Error;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

pub(crate) const MIGRATION_2: &str = "
CREATE TABLE conversations (
    conversation_id TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    title           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX conversations_owner ON conversations (tenant_id, user_id, updated_at);
CREATE TABLE conversation_turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (conversation_id) ON DELETE CASCADE,
    turn            INTEGER NOT NULL,
    question        TEXT NOT NULL,
    intent          TEXT,
    sql             TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (conversation_id, turn)
);
";

/// A conversation of one analyst: the thread a follow-up question refines.
#[derive(Debug, Clone, Serialize)]
pub struct Conversation {
    /// A random UUID, the handle the UI and `--conversation` pass back.
    pub id: String,
    /// For lists: the first question's title, at most 200 characters.
    pub title: String,
    /// When it was started (ISO 8601, UTC, milliseconds).
    pub created_at: String,
    /// When its last turn was added (ISO 8601, UTC, milliseconds); lists are newest first by it.
    pub updated_at: String,
}

/// One question of a conversation, with what it was understood as.
#[derive(Debug, Clone, Serialize)]
pub struct Turn {
    /// Its place in the conversation: 1, 2, 3…
    pub turn: i64,
    /// The question as the analyst typed it.
    pub question: String,
    /// What it was understood as (the offline engine's intent, or the model's SQL and provider), as JSON;
    /// `None` when it was not understood, so a follow-up refines the last turn that was.
    pub intent: Option<serde_json::Value>,
    /// The guarded SQL that ran for it; `None` when nothing ran.
    pub sql: Option<String>,
    /// When it was asked (ISO 8601, UTC, milliseconds).
    pub created_at: String,
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl Store {
    /// Starts a conversation owned by the caller.
    pub fn conversation_create(
        &self,
        tenant_id: &str,
        user_id: &str,
        title: &str,
    ) -> Result<Conversation, Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let at = now();
        let title: String = title.chars().take(200).collect();
        self.with(|c| {
            c.execute(
                "INSERT INTO conversations (conversation_id, tenant_id, user_id, title, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![id, tenant_id, user_id, title, at],
            )
            .map_err(db_error)?;
            Ok(Conversation { id, title, created_at: at.clone(), updated_at: at })
        })
    }

    /// The caller's conversation, or not-found (also when it belongs to someone else).
    pub fn conversation_get(&self, tenant_id: &str, user_id: &str, id: &str) -> Result<Conversation, Error> {
        self.with(|c| {
            c.query_row(
                "SELECT conversation_id, title, created_at, updated_at FROM conversations
                 WHERE conversation_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![id, tenant_id, user_id],
                |r| {
                    Ok(Conversation {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        created_at: r.get(2)?,
                        updated_at: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(db_error)?
            .ok_or_else(|| StoreError::ConversationNotFound(id.to_string()).into())
        })
    }

    /// The last turn that was understood (has an intent), for follow-ups.
    pub fn conversation_last_intent(
        &self,
        tenant_id: &str,
        user_id: &str,
        id: &str,
    ) -> Result<Option<serde_json::Value>, Error> {
        self.conversation_get(tenant_id, user_id, id)?;
        self.with(|c| {
            let intent: Option<String> = c
                .query_row(
                    "SELECT intent FROM conversation_turns WHERE conversation_id = ?1 AND intent IS NOT NULL
                     ORDER BY turn DESC LIMIT 1",
                    params![id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error)?;
            Ok(intent.and_then(|s| serde_json::from_str(&s).ok()))
        })
    }

    /// Appends a turn to the caller's conversation.
    pub fn conversation_add_turn(
        &self,
        tenant_id: &str,
        user_id: &str,
        id: &str,
        question: &str,
        intent: Option<&serde_json::Value>,
        sql: Option<&str>,
    ) -> Result<i64, Error> {
        self.conversation_get(tenant_id, user_id, id)?;
        let at = now();
        self.with(|c| {
            // Immediate: this reads the last turn and then writes, and a deferred transaction that another
            // connection wrote past in between cannot upgrade (SQLITE_BUSY, whatever the busy timeout).
            let tx =
                c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            let turn: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(turn), 0) + 1 FROM conversation_turns WHERE conversation_id = ?1",
                    params![id],
                    |r| r.get(0),
                )
                .map_err(db_error)?;
            tx.execute(
                "INSERT INTO conversation_turns (conversation_id, turn, question, intent, sql, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, turn, question, intent.map(|i| i.to_string()), sql, at],
            )
            .map_err(db_error)?;
            tx.execute(
                "UPDATE conversations SET updated_at = ?2 WHERE conversation_id = ?1",
                params![id, at],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)?;
            Ok(turn)
        })
    }

    /// The turns of the caller's conversation, in order; not-found (also when it belongs to someone else).
    pub fn conversation_turns(&self, tenant_id: &str, user_id: &str, id: &str) -> Result<Vec<Turn>, Error> {
        self.conversation_get(tenant_id, user_id, id)?;
        self.with(|c| {
            query_all(
                c,
                "SELECT turn, question, intent, sql, created_at FROM conversation_turns
                     WHERE conversation_id = ?1 ORDER BY turn",
                params![id],
                |r| {
                    let intent: Option<String> = r.get(2)?;
                    Ok(Turn {
                        turn: r.get(0)?,
                        question: r.get(1)?,
                        intent: intent.and_then(|s| serde_json::from_str(&s).ok()),
                        sql: r.get(3)?,
                        created_at: r.get(4)?,
                    })
                },
            )
        })
    }

    /// The caller's conversations, most recent first.
    pub fn conversation_list(&self, tenant_id: &str, user_id: &str) -> Result<Vec<Conversation>, Error> {
        self.with(|c| {
            query_all(
                c,
                "SELECT conversation_id, title, created_at, updated_at FROM conversations
                     WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY updated_at DESC",
                params![tenant_id, user_id],
                |r| {
                    Ok(Conversation {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        created_at: r.get(2)?,
                        updated_at: r.get(3)?,
                    })
                },
            )
        })
    }
}
