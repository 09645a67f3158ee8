//! Test support shared by every crate's tests (a dev-dependency only): reproducible test vectors
//! ([`rng`]), fresh work folders ([`workdir`]), the MNIST files ([`mnist`]) and the one rule for a
//! test that cannot run because a tool or a data set is missing ([`skip`]): under `CI=true` it
//! fails, elsewhere it prints why and skips.

pub mod mnist;
pub mod rng;
pub mod skip;

pub use mnist::{mnist_dir, mnist_images};
pub use rng::{Lcg, XorShift};
pub use skip::{available, cannot_run, in_ci, tools};

use std::path::PathBuf;

/// A fresh, empty folder `name` (may contain `/`) for one test's files, under cargo's folder for
/// test files (`target/tmp`, found from the test executable, which cargo puts in
/// `target/<profile>/deps`), else under the system's temporary folder.
pub fn workdir(name: &str) -> PathBuf {
    let exe = std::env::current_exe().ok();
    let target = exe
        .as_deref()
        .and_then(|e| e.parent())
        .filter(|deps| deps.ends_with("deps"))
        .and_then(|deps| deps.parent()?.parent())
        .map(|t| t.join("tmp"));
    let dir = target.unwrap_or_else(std::env::temp_dir).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workdir_is_fresh_and_under_target() {
        let d = workdir("snn-testkit/fresh");
        std::fs::write(d.join("x"), "1").unwrap();
        let d2 = workdir("snn-testkit/fresh");
        assert_eq!(d, d2);
        assert!(!d.join("x").exists());
        assert!(d.to_string_lossy().contains("target"), "{}", d.display());
    }
}
