//! Progress bars on stderr for work that takes longer than a second.
//!
//! The bar starts hidden and only appears once a second has passed, so quick commands print
//! nothing extra; it never appears when stderr is not a terminal (logs, pipes, tests) or when the
//! command was asked for `--json` (the caller is a program).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How long work may run before its bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    /// Still allowed to appear (a terminal, no `--json`, not shown yet).
    pending: bool,
}

impl Progress {
    pub fn new(len: u64, what: &str, json: bool) -> Self {
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
            pending: !json && std::io::stderr().is_terminal(),
        }
    }

    pub fn inc(&mut self, n: u64) {
        self.bar.inc(n);
        if self.pending && self.start.elapsed() > SHOW_AFTER {
            self.pending = false;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
