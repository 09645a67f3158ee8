//! Helpers shared by the sweep tests: small sweeps on the built-in digits, and canonical results.
#![allow(dead_code)] // each test binary uses a different subset

use snn_sweep::record::without_times;
use snn_sweep::{run, RunOptions, Shard, Spec};
use std::path::Path;

/// A 12-point grid on the built-in digits: fast (well under a second per run) but with every
/// kind of key: a preset, a nested key, a float range and an integer list.
pub const SPEC: &str = r#"
base = "default"
[data]
train = 200
test = 100
epochs = 1
arith = "fixed"
[measure]
cycles = 5
[vary]
preset = ["seed", "default"]
neurons = [4, 10]
fixed.lut_frac_bits = [14, 16]
sigma = { from = 0.05, to = 0.1, steps = 2 }
"#;

/// Writes `text` as `dir/sweep.toml` and parses it.
pub fn spec(dir: &Path, text: &str) -> Spec {
    let path = dir.join("sweep.toml");
    std::fs::write(&path, text).unwrap();
    Spec::from_file(&path).unwrap()
}

pub fn opts(jobs: usize, shard: Option<Shard>) -> RunOptions {
    RunOptions {
        jobs,
        shard,
        progress: false,
    }
}

/// Runs `spec` on the built-in digits into `out`.
pub fn run_into(spec: &Spec, out: &Path, jobs: usize, shard: Option<Shard>) -> snn_sweep::Summary {
    run(spec, "builtin", out, &opts(jobs, shard)).unwrap()
}

/// The results of `dir` without wall times, sorted by point: what two runs must agree on.
pub fn canonical(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("results.jsonl")).unwrap();
    assert!(text.ends_with('\n'), "every line is complete");
    let mut v: Vec<serde_json::Value> = text
        .lines()
        .map(|l| without_times(&serde_json::from_str(l).unwrap()))
        .collect();
    v.sort_by_key(|l| l["index"].as_u64());
    v
}
