//! Encryption at rest of cached results: AES-256-GCM over each serialized result, a fresh random 96-bit nonce
//! per blob, and the owner and analysis (`tenant_id|user_id|analysis_id`) as associated data, so that a blob
//! copied into another row, user or tenant fails to decrypt instead of being served there.
//!
//! The app gives the key itself ([`CacheCipher::from_key`]; it lives in the OS keyring, see `inda-secrets`'
//! data keys); a [`CacheKeySource`] such as [`FileKeySource`] (`<data_dir>/keys/cache.key`) serves the
//! store's own tests and benchmarks. A missing, wrong or damaged key makes the cache
//! unreadable with a clear error, never garbage.

use crate::StoreError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use inda_core::{Error, Secret};
use rand::RngCore;
use std::path::{Path, PathBuf};

const NONCE_LEN: usize = 12;
pub(crate) const KEY_LEN: usize = 32;
/// Leading byte of every blob, so that a later format can be told apart.
const FORMAT_V1: u8 = 1;

/// Where the cache key comes from.
pub trait CacheKeySource: Send + Sync {
    /// The 256-bit key, creating it on first use when the source can.
    fn key(&self) -> Result<Secret<[u8; KEY_LEN]>, Error>;
}

/// The key in a file of 32 random bytes, readable by the owner only.
#[derive(Debug, Clone)]
pub struct FileKeySource {
    path: PathBuf,
}

impl FileKeySource {
    /// The key file of a data dir: `<root>/keys/cache.key`.
    pub fn in_data_dir(root: &Path) -> Self {
        FileKeySource { path: root.join("keys").join("cache.key") }
    }

    /// Where the key file is, or will be created on first use.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The key, `None` when the file does not exist yet, or why the file cannot be used (naming it).
    fn read(&self) -> Result<Option<Secret<[u8; KEY_LEN]>>, StoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                let key: [u8; KEY_LEN] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| StoreError::CacheKeyDamaged { path: self.path.clone(), len: bytes.len() })?;
                Ok(Some(Secret::new(key)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::CacheKeyUnreadable { path: self.path.clone(), source }),
        }
    }

    fn create(&self) -> Result<(), Error> {
        let cannot =
            |source: std::io::Error| StoreError::CacheKeyNotCreated { path: self.path.clone(), source };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(cannot)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(cannot)?;
            }
        }
        let mut key = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut key);
        // Created whole (owner-only from the start) and never replaced: of two processes racing to create
        // the key, the first one's stays and the other reads it.
        inda_core::fs::create_new(&self.path, &key, inda_core::fs::Perms::Private)?;
        Ok(())
    }
}

impl CacheKeySource for FileKeySource {
    fn key(&self) -> Result<Secret<[u8; KEY_LEN]>, Error> {
        if let Some(key) = self.read()? {
            return Ok(key);
        }
        self.create()?;
        // Another process may have won the race and still be writing its 32 bytes: wait briefly for them.
        for _ in 0..50 {
            match self.read() {
                Ok(Some(key)) => return Ok(key),
                Ok(None) => {}
                Err(StoreError::CacheKeyDamaged { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        Ok(self.read()?.ok_or(StoreError::CacheKeyMissing)?)
    }
}

/// Encrypts and decrypts cached-result blobs with one key.
pub struct CacheCipher {
    aead: Aes256Gcm,
}

impl std::fmt::Debug for CacheCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheCipher(<redacted>)")
    }
}

/// The associated data binding a blob to its row.
fn associated_data(tenant_id: &str, user_id: &str, analysis_id: &str) -> Vec<u8> {
    format!("{tenant_id}|{user_id}|{analysis_id}").into_bytes()
}

impl CacheCipher {
    /// A cipher with `source`'s key, creating the key on first use when the source can. Fails when the key
    /// cannot be read or created, or is not 256 bits.
    pub fn new(source: &dyn CacheKeySource) -> Result<CacheCipher, Error> {
        CacheCipher::from_key(&source.key()?)
    }

    /// A cipher with `key` (the installation's cache key, from the keyring).
    pub fn from_key(key: &Secret<[u8; KEY_LEN]>) -> Result<CacheCipher, Error> {
        let aead = Aes256Gcm::new_from_slice(key.expose()).map_err(|_| StoreError::CacheKeyWrongLength)?;
        Ok(CacheCipher { aead })
    }

    /// `version || nonce || ciphertext+tag`.
    pub fn encrypt(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = associated_data(tenant_id, user_id, analysis_id);
        let sealed = self
            .aead
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad: &aad })
            .map_err(|_| StoreError::CannotEncrypt)?;
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        blob.push(FORMAT_V1);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(blob)
    }

    /// The plaintext, or an error when the blob was altered, moved to another row, or sealed with another key.
    pub fn decrypt(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: &str,
        blob: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let unreadable = || Error::from(StoreError::CannotDecrypt);
        if blob.len() < 1 + NONCE_LEN + 16 || blob[0] != FORMAT_V1 {
            return Err(unreadable());
        }
        let (nonce, sealed) = blob[1..].split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| unreadable())?;
        let aad = associated_data(tenant_id, user_id, analysis_id);
        self.aead.decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad: &aad }).map_err(|_| unreadable())
    }
}
