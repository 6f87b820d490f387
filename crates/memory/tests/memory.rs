//! Handing back, measured on this process's own resident memory with mimalloc as its allocator, as in the
//! binaries.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// This process's anonymous resident memory (the heap; code pages are file-backed), in MiB.
fn heap_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:")?.split_whitespace().next()?.parse().ok())
        .expect("RssAnon");
    kib / 1024
}

#[test]
fn freed_memory_leaves_the_process_once_handed_back() {
    let start = heap_mib();
    // Many mid-sized buffers, as a query's batches are, written so that their pages are resident.
    let buffers: Vec<Vec<u8>> = (0..256).map(|i| vec![i as u8; 1 << 20]).collect();
    assert!(heap_mib() >= start + 200, "256 MiB written: {} MiB from {start}", heap_mib());
    drop(buffers);
    let kept = heap_mib();
    inda_memory::hand_back_freed();
    let after = heap_mib();
    assert!(after < start + 64, "{after} MiB after handing back ({kept} MiB before, {start} MiB at start)");
}
