//! Ctrl-C and SIGTERM: instead of dying mid-write, a run notices the signal, stops, removes its
//! staging folder (the previous output stays untouched) and exits with 130 or 143.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

static FLAG: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

fn flag() -> &'static Arc<AtomicUsize> {
    FLAG.get_or_init(|| Arc::new(AtomicUsize::new(0)))
}

/// Catches SIGINT and SIGTERM from now on (the CLI calls this once).
pub fn install() -> std::io::Result<()> {
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_usize(sig, Arc::clone(flag()), sig as usize)?;
    }
    Ok(())
}

/// The signal received, if any.
#[inline]
pub fn received() -> Option<i32> {
    match flag().load(Ordering::Relaxed) {
        0 => None,
        s => Some(s as i32),
    }
}
