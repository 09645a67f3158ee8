//! Progress on stderr for work that takes longer than a second; stdout stays for results (and
//! `--json` reports), so progress shows whatever the output format.
//!
//! Two kinds: [`Progress`], a bar over a known number of items (images), which starts hidden and
//! only appears on a terminal once a second has passed, so quick commands print nothing extra;
//! and [`Steps`], for a few long steps of unknown length (building a simulator, synthesis, place
//! and route): on a terminal a line with the step and a running clock, elsewhere (logs, CI) one
//! line per step with the elapsed time, so a log shows where minutes went.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How long work may run before its bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    /// Still allowed to appear (a terminal, not shown yet).
    pending: bool,
}

impl Progress {
    pub fn new(len: u64, what: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:40}] {human_pos}/{human_len} ({rate}, eta {eta})",
            )
            .expect("valid template")
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", s.per_sec());
            })
            .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        Progress {
            bar,
            start: Instant::now(),
            pending: std::io::stderr().is_terminal(),
        }
    }

    pub fn inc(&mut self, n: u64) {
        self.set(self.bar.position() + n);
    }

    /// Moves the bar to `done` items.
    pub fn set(&mut self, done: u64) {
        self.bar.set_position(done);
        if self.pending && self.start.elapsed() > SHOW_AFTER {
            self.pending = false;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Replaces the text before the bar (e.g. the latest accuracy of a run being watched).
    pub fn note(&self, what: &str) {
        self.bar.set_message(what.to_string());
    }

    /// Runs `f` (which prints on stderr) with the bar out of the way, shown or not.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// Long steps with the time since the first one (see the module doc). Cheap to clone; the
/// clones report on the same line.
#[derive(Clone)]
pub struct Steps {
    /// The spinner on a terminal, `None` elsewhere.
    spinner: Option<ProgressBar>,
    start: Instant,
    what: String,
}

impl Steps {
    /// Steps of `what` ("fpga", "verilator", ...), which prefixes every line.
    pub fn new(what: &str) -> Self {
        let spinner = std::io::stderr().is_terminal().then(|| {
            let s = ProgressBar::new_spinner();
            s.set_style(
                ProgressStyle::with_template("[{elapsed_precise}] {spinner} {msg}")
                    .expect("valid template"),
            );
            s.enable_steady_tick(Duration::from_millis(200));
            s
        });
        Steps {
            spinner,
            start: Instant::now(),
            what: what.to_string(),
        }
    }

    /// Reports that `step` begins.
    pub fn step(&self, step: &str) {
        let line = format!("{}: {step}", self.what);
        match &self.spinner {
            Some(s) => s.set_message(line),
            None => eprintln!("[{}] {line}", clock(self.start.elapsed())),
        }
    }

    /// Ends the steps: the spinner line is cleared, a log gets the total time.
    pub fn finish(&self) {
        match &self.spinner {
            Some(s) => s.finish_and_clear(),
            None => eprintln!("[{}] {}: done", clock(self.start.elapsed()), self.what),
        }
    }
}

/// `H:MM:SS`.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_reads_hours_minutes_seconds() {
        use std::time::Duration;
        assert_eq!(super::clock(Duration::from_secs(3725)), "1:02:05");
        assert_eq!(super::clock(Duration::from_millis(900)), "0:00:00");
    }
}
