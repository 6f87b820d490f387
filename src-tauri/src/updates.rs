//! The installed app's updates, through Tauri's updater plugin: the manifest comes from `[updates]
//! endpoint` (none by default), the package must carry a minisign signature made with the key whose public
//! half is in `tauri.conf.json` (`plugins.updater.pubkey`), only a strictly newer version is offered (never
//! a downgrade), and nothing is installed until the user agrees in the UI.
//!
//! Only a `.deb` installation replaces itself (the plugin runs `dpkg -i` through pkexec or sudo); a
//! development build or an `.rpm` says that its updates come from the package manager.
//!
//! Not here: the rules on the endpoint (`inda_app::UpdatesConfig`) or any UI text.

use inda_app::{AvailableUpdate, UpdateCheck};
use inda_core::Error;
use std::sync::Mutex;
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};
use url::Url;

/// The manifest's platform key for a `.deb` installation: `linux-x86_64-deb` (the plugin's own key, with
/// the package kind, so one manifest can also serve AppImages or `.rpm`s).
pub fn manifest_target() -> Option<String> {
    tauri_plugin_updater::target().map(|t| format!("{t}-deb"))
}

/// The offer the user was shown, kept until they agree (or a later check replaces it).
#[derive(Default)]
pub struct Pending(Mutex<Option<Update>>);

impl Pending {
    fn put(&self, update: Option<Update>) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = update;
    }

    /// The pending update if it is the version the user agreed to.
    fn take(&self, version: &str) -> Option<Update> {
        let mut pending = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match pending.as_ref() {
            Some(u) if u.version == version => pending.take(),
            _ => None,
        }
    }
}

/// Asks the update server, keeping a newer version in `pending` for [`install`].
pub async fn check<R: Runtime>(
    handle: &AppHandle<R>,
    endpoint: Option<Url>,
    pending: &Pending,
) -> Result<UpdateCheck, Error> {
    let current_version = handle.package_info().version.to_string();
    let Some(endpoint) = endpoint else { return Ok(UpdateCheck::NotConfigured) };
    if !installed_from_deb() {
        return Ok(UpdateCheck::Unsupported { current_version });
    }
    let update = offer(handle, endpoint).await?;
    let check = match &update {
        Some(u) => UpdateCheck::Available(available(u)),
        None => UpdateCheck::UpToDate { current_version },
    };
    pending.put(update);
    Ok(check)
}

/// What the server offers, if newer than this version: the manifest read and its version compared, the
/// package not fetched yet.
pub async fn offer<R: Runtime>(handle: &AppHandle<R>, endpoint: Url) -> Result<Option<Update>, Error> {
    let target =
        manifest_target().ok_or_else(|| Error::usage("updates are not available on this platform"))?;
    let updater = handle
        .updater_builder()
        .target(target)
        .endpoints(vec![endpoint])
        .map_err(fail)?
        .timeout(std::time::Duration::from_secs(30))
        // Strictly newer only: the plugin's default says the same, but a downgrade must never depend on one.
        .version_comparator(|current, release| release.version > current)
        .build()
        .map_err(fail)?;
    updater.check().await.map_err(fail)
}

/// The package of `update`, downloaded and its signature verified against the app's public key.
pub async fn download(update: &Update) -> Result<Vec<u8>, Error> {
    update.download(|_, _| {}, || {}).await.map_err(fail)
}

/// Installs the version the user agreed to (it must be the one last offered), then restarts the app.
pub async fn install<R: Runtime>(
    handle: &AppHandle<R>,
    version: &str,
    pending: &Pending,
) -> Result<(), Error> {
    let update = pending.take(version).ok_or_else(|| {
        Error::usage(format!("version {version} is not the update on offer: check for updates again"))
    })?;
    let bytes = download(&update).await?;
    tracing::info!(version, bytes = bytes.len(), "update verified; installing");
    // dpkg (through pkexec or sudo) blocks: off the async workers.
    tauri::async_runtime::spawn_blocking(move || update.install(bytes))
        .await
        .map_err(|e| Error::internal(format!("the update's installer stopped: {e}")))?
        .map_err(fail)?;
    handle.restart()
}

fn available(u: &Update) -> AvailableUpdate {
    AvailableUpdate {
        version: u.version.clone(),
        current_version: u.current_version.clone(),
        notes: u.body.clone().filter(|b| !b.trim().is_empty()),
        // As the manifest wrote it (RFC 3339).
        published: u.raw_json.get("pub_date").and_then(|d| d.as_str()).map(str::to_string),
    }
}

/// Whether this binary was installed by dpkg (the plugin's own test: a path under `/usr` that dpkg owns).
fn installed_from_deb() -> bool {
    let Ok(exe) = std::env::current_exe() else { return false };
    exe.starts_with("/usr/")
        && std::process::Command::new("dpkg")
            .arg("-S")
            .arg(&exe)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// The plugin's errors in the one error shape; a signature that does not verify says so plainly.
fn fail(e: tauri_plugin_updater::Error) -> Error {
    use tauri_plugin_updater::Error as E;
    match e {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => Error::engine(
            "the downloaded update is not signed with inDigital's key (its signature does not verify): nothing was installed",
        ),
        E::Reqwest(e) => Error::engine(format!("cannot reach the update server: {e}")),
        E::Network(m) => Error::engine(format!("cannot reach the update server: {m}")),
        E::ReleaseNotFound | E::Serialization(_) | E::TargetNotFound(_) => {
            Error::engine(format!("the update server's answer is not a valid update manifest: {e}"))
        }
        E::InsecureTransportProtocol => Error::usage(e.to_string()),
        other => Error::internal(format!("the update failed: {other}")),
    }
}
