//! Running the `snn` binary from the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// The `snn` command in `dir` with MNIST auto-detection switched off, so results do not depend
/// on the machine.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_snn"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("SNN_MNIST_DIR")
        .env_remove("SNN_FPGA_BUILD");
    cmd
}

/// Runs `snn` in `dir` (see [`command`]).
pub fn snn(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("run snn")
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

/// The JSON report of a run that must succeed.
pub fn ok_json(dir: &Path, args: &[&str]) -> Value {
    let text = ok(dir, args);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("snn {args:?} printed no JSON ({e}):\n{text}"))
}

/// Stderr of a run that must fail cleanly: exit code 1, one `Error:` message naming every string
/// of `names`, no panic, no Rust debug text (`Some(..)`), and every flag the message mentions is
/// one the command has (a hint must be followable).
pub fn fails(dir: &Path, args: &[&str], names: &[&str]) -> String {
    let out = snn(dir, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "snn {args:?} should fail with exit 1; stderr:\n{err}"
    );
    assert!(err.starts_with("Error: "), "snn {args:?}: {err}");
    assert!(!err.contains("panicked"), "snn {args:?} panicked: {err}");
    for debug in ["Some(", "None", "Ok(", "Err("] {
        assert!(
            !err.contains(debug),
            "snn {args:?}: Rust debug text in {err}"
        );
    }
    for n in names {
        assert!(
            err.contains(n),
            "snn {args:?}: error should name {n:?}: {err}"
        );
    }
    let help = command_help(dir, args);
    for flag in flags_in(&err) {
        assert!(
            help.contains(&flag),
            "snn {args:?}: the message names {flag}, which the command does not have: {err}"
        );
    }
    err
}

/// `--help` of the (sub)command that `args` runs.
fn command_help(dir: &Path, args: &[&str]) -> String {
    let depth = if args.first() == Some(&"data") { 2 } else { 1 };
    let mut help_args: Vec<&str> = args.iter().take(depth).copied().collect();
    help_args.push("--help");
    ok(dir, &help_args)
}

/// The `--flag` words of a message.
fn flags_in(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.len() > 2 && w.starts_with("--") && w.as_bytes()[2].is_ascii_alphabetic())
        .map(|w| w.trim_end_matches('-').to_string())
        .collect()
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Trains `neurons` neurons on `limit` built-in digits in fixed point into `out`.
pub fn train_fixed(dir: &Path, neurons: &str, limit: &str, out: &str) {
    ok(
        dir,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            limit,
            "--neurons",
            neurons,
            "--arith",
            "fixed",
            "--out",
            out,
        ],
    );
}

/// The example of `heading` in docs/JSON.md: the first ```json block after the line that starts
/// with `heading`.
pub fn documented(heading: &str) -> Value {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/JSON.md"))
        .expect("docs/JSON.md");
    let start = doc
        .lines()
        .position(|l| l.starts_with(heading))
        .unwrap_or_else(|| panic!("docs/JSON.md has no section {heading:?}"));
    let rest: Vec<&str> = doc.lines().skip(start).collect();
    let open = rest
        .iter()
        .position(|l| *l == "```json")
        .expect("a JSON example");
    let close = open
        + rest[open..]
            .iter()
            .position(|l| *l == "```")
            .expect("closed");
    let text = rest[open + 1..close].join("\n");
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("docs/JSON.md, {heading}: the example is not JSON: {e}"))
}

/// Fails unless `actual` has exactly the keys of the example of `heading` in docs/JSON.md, at
/// every level (see [`same_keys`]).
pub fn assert_documented(heading: &str, actual: &Value) {
    same_keys(&documented(heading), actual, heading);
}

/// Objects have the same keys, recursively; each element of a list has the keys of the
/// example's first element; `null` on either side matches anything (a value that does not
/// apply), and an example object `{"...": ...}` stands for any object.
pub fn same_keys(doc: &Value, actual: &Value, at: &str) {
    match (doc, actual) {
        (Value::Object(d), _) if d.len() == 1 && d.contains_key("...") => {}
        (Value::Object(d), Value::Object(a)) => {
            let (mut dk, mut ak): (Vec<&String>, Vec<&String>) =
                (d.keys().collect(), a.keys().collect());
            dk.sort();
            ak.sort();
            assert_eq!(ak, dk, "keys of {at} differ from docs/JSON.md");
            for (k, v) in d {
                same_keys(v, &a[k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(d), Value::Array(a)) => {
            if let Some(first) = d.first() {
                for (k, v) in a.iter().enumerate() {
                    same_keys(first, v, &format!("{at}[{k}]"));
                }
            }
        }
        (Value::Null, _) | (_, Value::Null) => {}
        (d, a) => assert!(
            d.is_object() == a.is_object() && d.is_array() == a.is_array(),
            "{at}: docs/JSON.md shows {d}, the command printed {a}"
        ),
    }
}
