//! Tests that cannot run. A test needing a tool or a data set that is missing says so and skips
//! on a developer's machine; under `CI=true` (what CI services set, and `.ci/run`) it fails, so
//! a CI run cannot pass by skipping.

use std::path::Path;

/// Whether this is a CI run: `CI` is `true` or `1`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Test `test` cannot run because of `why`: panics under CI, else prints `skipping TEST: WHY`.
/// Returns `false`, for `if !... { return; }`.
pub fn cannot_run(test: &str, why: &str) -> bool {
    decide(in_ci(), test, why)
}

fn decide(ci: bool, test: &str, why: &str) -> bool {
    assert!(!ci, "{test} cannot run under CI=true: {why}");
    eprintln!("skipping {test}: {why}");
    false
}

/// `ok`, or [`cannot_run`] because `what` is not available.
pub fn available(test: &str, ok: bool, what: &str) -> bool {
    ok || cannot_run(
        test,
        &format!("{what} is not available (run scripts/install-tools.sh)"),
    )
}

/// Whether every tool is an executable file on `PATH`; otherwise [`cannot_run`].
pub fn tools(test: &str, tools: &[&str]) -> bool {
    match tools.iter().find(|t| !on_path(t)) {
        Some(missing) => available(test, false, missing),
        None => true,
    }
}

fn on_path(tool: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(Path::new(&dir).join(tool))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "cannot run under CI=true: yosys is not available")]
    fn under_ci_a_missing_tool_fails() {
        decide(true, "a test", "yosys is not available");
    }

    #[test]
    fn elsewhere_it_skips() {
        assert!(!decide(false, "a test", "no data"));
    }

    /// Run by [`ci_decides_through_the_environment`] in a child process: a test whose tool is
    /// missing. Does nothing when run directly.
    #[test]
    fn child_needing_a_missing_tool() {
        if std::env::var_os("SNN_TESTKIT_CHILD").is_some() {
            assert!(!tools("child", &["surely-not-a-tool-here"]));
        }
    }

    /// The same test binary with `CI=true` fails that test and without `CI` passes it, saying
    /// it skipped.
    #[test]
    fn ci_decides_through_the_environment() {
        let run = |ci: Option<&str>| {
            let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
            cmd.args([
                "--exact",
                "skip::tests::child_needing_a_missing_tool",
                "--nocapture",
            ])
            .env("SNN_TESTKIT_CHILD", "1")
            .env_remove("CI");
            if let Some(v) = ci {
                cmd.env("CI", v);
            }
            let out = cmd.output().unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let (ok, err) = run(Some("true"));
        assert!(
            !ok && err.contains("child cannot run under CI=true: surely-not-a-tool-here"),
            "{err}"
        );
        let (ok, err) = run(None);
        assert!(
            ok && err.contains("skipping child: surely-not-a-tool-here"),
            "{err}"
        );
    }

    #[test]
    fn tools_are_found_on_path() {
        assert!(on_path("sh"));
        assert!(!on_path("surely-not-a-tool-here"));
    }
}
