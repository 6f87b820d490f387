//! What can go wrong with the keyring, and the one place each failure gets its boundary code.

use inda_core::Error;
use std::path::PathBuf;

/// Why a secret could not be read, stored or deleted. Messages never carry a stored value.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// No OS keyring, and the user has not opted into the file fallback. `why` says what is missing.
    #[error(
        "no OS keyring is available ({why}). Start one (e.g. gnome-keyring or KeePassXC with Secret Service), \
         or opt into a 0600 file in the data dir with `[secrets] fallback = \"file\"` in config.toml"
    )]
    NoKeyring {
        /// A sentence for the user: no D-Bus session, no Secret Service answering, an unsupported platform.
        why: String,
    },
    /// The OS keyring failed. Holds a description made to leave out values (some keyring errors carry the
    /// bytes they could not decode), not the keyring's error itself, so that not even `{:?}` shows a value.
    #[error("OS keyring: {0}")]
    Os(String),
    /// [`Keyring::set`](crate::Keyring::set) was given an empty value.
    #[error("the secret is empty")]
    Empty,
    #[error("the secret is longer than {max} bytes")]
    /// [`Keyring::set`](crate::Keyring::set) was given a value larger than every platform's keyring can hold.
    TooLong {
        /// The limit, in bytes of UTF-8.
        max: usize,
    },
    /// `name` is already cut to 80 characters.
    #[error("`{name}` is not a valid secret name: use lower-case letters, digits, `-` and `_` (at most 64)")]
    InvalidName {
        /// The rejected name as given (at most its first 80 characters), shown so the user can fix it.
        name: String,
    },
    #[error("cannot create {}: {source}", path.display())]
    /// The data dir could not be created to hold the installation's id.
    CreateDir {
        /// The data dir.
        path: PathBuf,
        /// The OS's reason (permissions, a file in the way, a full disk).
        source: std::io::Error,
    },
    #[error("cannot read {}: {source}", path.display())]
    /// A file of the data dir (the installation id, the names index, the fallback file) exists but cannot be
    /// read. A missing index or fallback file is not an error: it means no entries yet.
    Read {
        /// The file.
        path: PathBuf,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// The names index does not parse. It holds names only, so the parse error may be shown.
    #[error("{} is damaged: {source}", path.display())]
    IndexDamaged {
        /// The index, `secret-names.json` in the data dir.
        path: PathBuf,
        /// Where and why it does not parse.
        source: serde_json::Error,
    },
    /// The fallback file does not parse. No parse error: it could quote the file's contents (the secrets).
    #[error("{} is damaged", path.display())]
    FileDamaged {
        /// The fallback file, `secrets.json` in the data dir.
        path: PathBuf,
    },
    /// The in-memory names index (of [`Keyring::in_memory`](crate::Keyring::in_memory)) was left poisoned
    /// by a thread that panicked while updating it.
    #[error("secret index poisoned")]
    IndexPoisoned,
    /// The names index or the fallback file could not be encoded as JSON (both are maps of strings: not
    /// expected to happen).
    #[error("{0}")]
    Serialize(serde_json::Error),
    /// A data key's file in `keys/` is not 32 bytes: cut short, or still being written by another process.
    #[error("the key {} is damaged ({len} bytes, expected 32): the data it protects cannot be read", .path.display())]
    KeyFileDamaged {
        /// The key file.
        path: PathBuf,
        /// Its length.
        len: usize,
    },
    /// A data key's keyring entry does not hold 32 bytes in base64 (edited by hand, or another app's).
    #[error("a data key in the keyring is damaged: the data it protects cannot be read")]
    KeyEntryDamaged,
    /// A data key was moved to the keyring (or the opted-in file), which this process cannot reach.
    #[error(
        "the key of {what} is kept in {home}, which is not reachable now ({why}). Run the app where that \
         keyring is available (a desktop session), or start a Secret Service"
    )]
    KeyUnreachable {
        /// What the key protects.
        what: &'static str,
        /// Where it was moved.
        home: String,
        /// Why the keyring is not reachable.
        why: String,
    },
    /// A data key written to the keyring did not read back the same.
    #[error("the key of {what} could not be kept in the keyring (it did not read back)")]
    KeyNotKept {
        /// What the key protects.
        what: &'static str,
    },
    /// Writing a file (`inda_core::fs`) failed; that error already has its code and message.
    #[error(transparent)]
    Write(#[from] Error),
}

impl From<SecretsError> for Error {
    fn from(e: SecretsError) -> Self {
        match e {
            SecretsError::Empty | SecretsError::TooLong { .. } | SecretsError::InvalidName { .. } => {
                Error::usage(e.to_string())
            }
            SecretsError::Write(e) => e,
            SecretsError::NoKeyring { .. }
            | SecretsError::Os(_)
            | SecretsError::CreateDir { .. }
            | SecretsError::Read { .. }
            | SecretsError::IndexDamaged { .. }
            | SecretsError::FileDamaged { .. }
            | SecretsError::IndexPoisoned
            | SecretsError::KeyFileDamaged { .. }
            | SecretsError::KeyEntryDamaged
            | SecretsError::KeyUnreachable { .. }
            | SecretsError::KeyNotKept { .. }
            | SecretsError::Serialize(_) => Error::internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::ErrorCode;

    #[test]
    fn each_failure_keeps_its_code_and_text() {
        let e = Error::from(SecretsError::NoKeyring { why: "no bus".into() });
        assert_eq!(e.code, ErrorCode::Internal);
        assert_eq!(
            e.message,
            "no OS keyring is available (no bus). Start one (e.g. gnome-keyring or KeePassXC with Secret Service), \
             or opt into a 0600 file in the data dir with `[secrets] fallback = \"file\"` in config.toml"
        );
        let e = Error::from(SecretsError::TooLong { max: 16 });
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::Usage, "the secret is longer than 16 bytes"));
        let e = Error::from(SecretsError::from(Error::not_found("gone")));
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::NotFound, "gone"));
    }
}
