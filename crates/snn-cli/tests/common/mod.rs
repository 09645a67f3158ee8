//! Running the `snn` binary from the integration tests.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `snn` in `dir` with MNIST auto-detection switched off, so results do not depend on the
/// machine.
pub fn snn(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_snn"))
        .args(args)
        .current_dir(dir)
        .env_remove("SNN_MNIST_DIR")
        .output()
        .expect("run snn")
}

/// Stdout of a run that must succeed.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = snn(dir, args);
    assert!(
        out.status.success(),
        "snn {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
