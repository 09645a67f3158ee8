//! What an interrupted command leaves behind: nothing.
//!
//! SIGINT, SIGTERM and SIGHUP are caught by a thread ([`install`]) that removes the temporary
//! files and folders registered here (a VCD being written, an RTL run directory), ends the FPGA
//! tools the command started (`snn_fpga::flow::end_running_tools`), and then lets the signal
//! end the process as it would have without a handler, so the caller still sees "killed by
//! SIGINT". Destructors do not run when a signal ends a process, hence the registry.
//!
//! SIGPIPE gets back its default action: a reader that goes away (`snn ... --json | head -1`)
//! ends the command quietly, as for any Unix tool, instead of a panic on the failed write.

use anyhow::{Context, Result};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// Paths to remove on a signal.
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set once a signal is being handled: the main thread then stays quiet about the errors the
/// ending tools cause, and lets the handler end the process.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Starts the signal thread and restores SIGPIPE's default action. Call once, first thing.
pub fn install() -> Result<()> {
    // SAFETY: setting a signal's disposition to its default is async-signal-safe and affects
    // no Rust state; Rust's runtime only set SIGPIPE to "ignore" at start-up.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let mut signals =
        Signals::new([SIGINT, SIGTERM, SIGHUP]).context("cannot install the signal handler")?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            INTERRUPTED.store(true, Ordering::SeqCst);
            snn_fpga::flow::end_running_tools();
            remove_temporaries();
            // Ends the process as the signal's default action would (exit status "killed by
            // SIGINT", 130 in a shell).
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

/// Whether the command is being ended by a signal.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn remove_temporaries() {
    let paths = std::mem::take(&mut *TEMPORARY.lock().unwrap_or_else(PoisonError::into_inner));
    for p in paths {
        if p.is_dir() {
            let _ = std::fs::remove_dir_all(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// A temporary file or folder that a signal removes; dropping the guard only forgets it (the
/// owner renames or removes it itself).
pub struct Temporary(PathBuf);

impl Temporary {
    /// Registers `path`, which `create` makes, under the registry's lock, so that a signal
    /// cannot come between the two.
    pub fn create<T>(create: impl FnOnce() -> Result<(T, PathBuf)>) -> Result<(T, Self)> {
        let mut paths = TEMPORARY.lock().unwrap_or_else(PoisonError::into_inner);
        let (made, path) = create()?;
        paths.push(path.clone());
        Ok((made, Temporary(path)))
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        TEMPORARY
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|p| p != &self.0);
    }
}
