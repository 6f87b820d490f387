//! The operating system's keyring, through keyring-core and the store crate of each platform.

use crate::SecretsError;
use inda_core::Secret;
use keyring_core::{CredentialStore, Entry};
use std::sync::Arc;

#[cfg(target_os = "linux")]
pub const NAME: &str = "Secret Service";
#[cfg(target_os = "macos")]
pub const NAME: &str = "macOS Keychain";
#[cfg(target_os = "windows")]
pub const NAME: &str = "Windows Credential Manager";
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
pub const NAME: &str = "none";

/// The platform's store, or why there is none. On Linux this needs a session bus with a Secret Service
/// provider (gnome-keyring, KWallet, KeePassXC) running and unlocked.
pub fn store() -> Result<Arc<CredentialStore>, String> {
    #[cfg(target_os = "linux")]
    {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
            && std::env::var_os("XDG_RUNTIME_DIR").is_none()
        {
            return Err("there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)".into());
        }
        let store = zbus_secret_service_keyring_store::Store::new()
            .map_err(|e| format!("the Secret Service is not reachable: {}", describe(&e)))?;
        let store: Arc<CredentialStore> = store;
        // Opening a connection succeeds without a provider on the bus; a harmless lookup proves one answers.
        match Entry::new_in_store(&store, crate::SERVICE, "probe").and_then(|e| e.get_password()) {
            Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(store),
            Err(e) => Err(format!("the Secret Service does not answer: {}", describe(&e))),
        }
    }
    #[cfg(target_os = "macos")]
    {
        apple_native_keyring_store::keychain::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(|e| format!("the Keychain is not available: {}", describe(&e)))
    }
    #[cfg(target_os = "windows")]
    {
        windows_native_keyring_store::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(|e| format!("the Credential Manager is not available: {}", describe(&e)))
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    {
        Err("this platform has no supported keyring".into())
    }
}

pub fn get(store: &Arc<CredentialStore>, account: &str) -> Result<Option<Secret>, SecretsError> {
    let entry = Entry::new_in_store(store, crate::SERVICE, account).map_err(keyring_error)?;
    match entry.get_password() {
        Ok(value) => Ok(Some(Secret::new(value))),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_error(e)),
    }
}

pub fn set(store: &Arc<CredentialStore>, account: &str, value: &Secret) -> Result<(), SecretsError> {
    let entry = Entry::new_in_store(store, crate::SERVICE, account).map_err(keyring_error)?;
    entry.set_password(value.expose()).map_err(keyring_error)
}

pub fn delete(store: &Arc<CredentialStore>, account: &str) -> Result<bool, SecretsError> {
    let entry = Entry::new_in_store(store, crate::SERVICE, account).map_err(keyring_error)?;
    match entry.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring_core::Error::NoEntry) => Ok(false),
        Err(e) => Err(keyring_error(e)),
    }
}

pub fn keyring_error(e: keyring_core::Error) -> SecretsError {
    SecretsError::Os(describe(&e))
}

/// A description that never includes a stored value: some variants carry the bytes they could not decode.
fn describe(e: &keyring_core::Error) -> String {
    use keyring_core::Error as E;
    match e {
        E::BadEncoding(_) => "a stored value is not valid UTF-8".into(),
        E::BadDataFormat(_, _) => "a stored value is not in the expected format".into(),
        E::NoEntry => "no such entry".into(),
        E::PlatformFailure(inner) | E::NoStorageAccess(inner) => inner.to_string(),
        other => {
            // Remaining variants describe names and limits, not values.
            let text = other.to_string();
            text.chars().take(300).collect()
        }
    }
}
