//! Backups of an installation's library: a consistent copy of the store (SQLite's `VACUUM INTO` reads one
//! snapshot while other processes keep writing) and the small files next to it, sealed with a passphrase into
//! one file. The passphrase goes through scrypt to an AES-256-GCM key; the salt and nonce are fresh for each
//! backup. Opening checks the passphrase (the GCM tag covers everything) and then each file's SHA-256 against
//! the manifest, before anything is returned.
//!
//! Not here: which files make a backup and where a restore puts them (the app decides), whether the copy's
//! audit chain holds (the caller opens the copy and verifies it), and keys: cached results stay encrypted with
//! the installation's cache key, which a backup never carries.

use crate::{Store, StoreError, db_error};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use inda_core::{Error, Secret};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The first bytes of every backup file, the format's version included.
const MAGIC: &[u8; 8] = b"INDABAK1";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
/// scrypt's cost: 2^15 rounds, 8 × 128 bytes per block (32 MiB, about a tenth of a second): OWASP's floor for
/// interactive use, high enough that guessing a passphrase from a stolen file is slow.
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
/// Shorter passphrases are refused: the file may travel where anyone can try them offline.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// One file of a backup, by its name relative to the data dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFile {
    /// `store.sqlite`, `config.toml`, …: a plain file name, never a path.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What a backup says about itself, readable once opened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupManifest {
    /// When it was written (UTC, ISO 8601).
    pub created_at: String,
    /// The app version that wrote it.
    pub app_version: String,
    /// The store's schema version in the backup.
    pub schema_version: i64,
    /// The files, in the order their bytes follow the manifest.
    pub files: Vec<ManifestEntry>,
}

/// One file of the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// As [`BackupFile::name`].
    pub name: String,
    /// Its length in bytes.
    pub len: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

impl Store {
    /// Writes a consistent copy of the whole store to `path` (which must not exist yet): one read snapshot,
    /// vacuumed, while other connections keep working.
    pub fn snapshot_to(&self, path: &Path) -> Result<(), Error> {
        let target = path.to_str().ok_or_else(|| Error::usage("the snapshot path is not valid UTF-8"))?;
        self.with(|c| c.execute("VACUUM INTO ?1", [target]).map(|_| ()).map_err(db_error))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn key_from(passphrase: &Secret, salt: &[u8]) -> Result<Secret<[u8; 32]>, Error> {
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32)
        .map_err(|e| Error::internal(format!("scrypt parameters: {e}")))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(passphrase.expose().as_bytes(), salt, &params, &mut key)
        .map_err(|e| Error::internal(format!("scrypt: {e}")))?;
    Ok(Secret::new(key))
}

/// Seals `files` under `passphrase`, with their manifest (`schema_version` and `app_version` as given).
pub fn seal(
    files: &[BackupFile],
    passphrase: &Secret,
    schema_version: i64,
    app_version: &str,
) -> Result<Vec<u8>, Error> {
    if passphrase.expose().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(StoreError::WeakPassphrase { min: MIN_PASSPHRASE_CHARS }.into());
    }
    let manifest = BackupManifest {
        created_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        app_version: app_version.to_string(),
        schema_version,
        files: files
            .iter()
            .map(|f| ManifestEntry {
                name: f.name.clone(),
                len: f.bytes.len() as u64,
                sha256: sha256_hex(&f.bytes),
            })
            .collect(),
    };
    let head = serde_json::to_vec(&manifest).map_err(|e| Error::internal(format!("backup manifest: {e}")))?;
    let mut plain = Vec::with_capacity(8 + head.len() + files.iter().map(|f| f.bytes.len()).sum::<usize>());
    plain.extend_from_slice(&(head.len() as u64).to_be_bytes());
    plain.extend_from_slice(&head);
    for f in files {
        plain.extend_from_slice(&f.bytes);
    }
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let key = key_from(passphrase, &salt)?;
    let cipher = Aes256Gcm::new_from_slice(key.expose()).map_err(|_| StoreError::CacheKeyWrongLength)?;
    let mut out = Vec::with_capacity(MAGIC.len() + SALT_LEN + NONCE_LEN + plain.len() + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    // The header is authenticated too: a salt or nonce changed in the file fails like a wrong passphrase.
    let aad = out.clone();
    let sealed = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg: &plain, aad: &aad })
        .map_err(|_| Error::internal("the backup could not be encrypted"))?;
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a sealed backup: the passphrase must be right and the file intact, and every file must match the
/// manifest. Returns the manifest and the files in its order.
pub fn open(sealed: &[u8], passphrase: &Secret) -> Result<(BackupManifest, Vec<BackupFile>), Error> {
    let header = MAGIC.len() + SALT_LEN + NONCE_LEN;
    if sealed.len() < header + 16 || &sealed[..MAGIC.len()] != MAGIC {
        return Err(StoreError::NotABackup.into());
    }
    let salt = &sealed[MAGIC.len()..MAGIC.len() + SALT_LEN];
    let nonce: [u8; NONCE_LEN] =
        sealed[MAGIC.len() + SALT_LEN..header].try_into().map_err(|_| StoreError::NotABackup)?;
    let key = key_from(passphrase, salt)?;
    let cipher = Aes256Gcm::new_from_slice(key.expose()).map_err(|_| StoreError::CacheKeyWrongLength)?;
    let plain = cipher
        .decrypt(&Nonce::from(nonce), Payload { msg: &sealed[header..], aad: &sealed[..header] })
        .map_err(|_| StoreError::BackupUnreadable)?;
    let damaged = || Error::from(StoreError::BackupDamaged);
    let head_len = plain
        .get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
        .ok_or_else(damaged)?;
    let head_end = usize::try_from(head_len).ok().and_then(|n| n.checked_add(8)).ok_or_else(damaged)?;
    let manifest: BackupManifest =
        serde_json::from_slice(plain.get(8..head_end).ok_or_else(damaged)?).map_err(|_| damaged())?;
    let mut at = head_end;
    let mut files = Vec::with_capacity(manifest.files.len());
    for entry in &manifest.files {
        let end = usize::try_from(entry.len).ok().and_then(|n| at.checked_add(n)).ok_or_else(damaged)?;
        let bytes = plain.get(at..end).ok_or_else(damaged)?;
        let plain_name = !entry.name.is_empty() && !entry.name.contains(['/', '\\']) && entry.name != "..";
        if !plain_name || sha256_hex(bytes) != entry.sha256 {
            return Err(damaged());
        }
        files.push(BackupFile { name: entry.name.clone(), bytes: bytes.to_vec() });
        at = end;
    }
    if at != plain.len() {
        return Err(damaged());
    }
    Ok((manifest, files))
}
