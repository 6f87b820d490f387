//! `indigital-analytics`: the desktop app. Everything is in the library (`inda_desktop`); this only sets up
//! logging and reports a start-up failure.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// DataFusion, the Parquet reader and sqlparser allocate and free at a high rate; mimalloc keeps freed
/// memory in its own pages where glibc hands large buffers back to the kernel and faults them in again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    software_rendering_without_gpu();
    // Logs go to stderr, filtered by INDA_LOG (e.g. `INDA_LOG=debug`); warnings only by default.
    let filter = tracing_subscriber::EnvFilter::try_from_env("INDA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Each command's span reports its duration when it closes (`time.busy`), which is how the IPC share of
    // the submit-to-chart time is read (`INDA_LOG=info`).
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = inda_desktop::run() {
        eprintln!("inDigital Analytics could not start: {} ({})", e.message, e.code.as_str());
        std::process::exit(e.code.exit_code());
    }
}

/// WebKitGTK draws through DMA-BUF buffers and GL by default. With no GPU render node (a VM, a remote
/// desktop, Xvfb) that GL is Mesa's software rasteriser, and every frame costs far more than WebKit's own
/// Cairo path: measured under Xvfb here, a chart took 454 ms from submit to drawn with DMA-BUF and 171 ms
/// without. So, when the machine has no `/dev/dri/renderD*` and the user has not chosen, the DMA-BUF
/// renderer is turned off. (It is also the usual cure for blank windows on some drivers, which users set
/// themselves; a value already in the environment is left alone.)
fn software_rendering_without_gpu() {
    #[cfg(target_os = "linux")]
    {
        const VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
        let has_render_node = std::fs::read_dir("/dev/dri")
            .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
            .unwrap_or(false);
        if std::env::var_os(VAR).is_none() && !has_render_node {
            // SAFETY: first statement of `main`, before any thread exists (logging, GTK and the async
            // runtime all start after), so no other thread can be reading the environment.
            #[allow(unsafe_code)]
            unsafe {
                std::env::set_var(VAR, "1")
            };
        }
    }
}
