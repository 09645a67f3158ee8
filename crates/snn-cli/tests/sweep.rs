//! `snn sweep` end to end: a sweep killed mid-way (SIGKILL) and re-run ends with the results of an
//! uninterrupted run; shards merge; bad input fails with exit 1 before any point runs; the report
//! is written.

mod common;
use common::{ok, snn};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// 24 points on the built-in digits, each a few tens of milliseconds: long enough to be killed in
/// the middle, short enough for CI.
const SPEC: &str = r#"
base = "default"
[data]
train = 600
test = 200
arith = "fixed"
[vary]
neurons = [10, 20]
sigma = { from = 0.02, to = 0.1, steps = 4, log = true }
threshold_divisor = [2, 3, 4]
"#;

/// Results without wall times, sorted by point.
fn canonical(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("results.jsonl")).unwrap();
    let mut v: Vec<serde_json::Value> = text
        .lines()
        .map(|l| {
            let mut j: serde_json::Value = serde_json::from_str(l).unwrap();
            j.as_object_mut().unwrap().remove("seconds");
            j
        })
        .collect();
    v.sort_by_key(|l| l["index"].as_u64());
    v
}

fn lines(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("results.jsonl")).map_or(0, |t| t.matches('\n').count())
}

#[test]
fn killed_sweep_resumes_to_the_uninterrupted_result() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("s.toml"), SPEC).unwrap();
    let run = [
        "sweep", "--spec", "s.toml", "--data", "builtin", "--jobs", "2", "--out",
    ];
    let out = ok(d, &[&run[..], &["whole"]].concat());
    assert!(out.contains("24 point(s) in the sweep"), "{out}");
    let reference = canonical(&d.join("whole"));
    assert_eq!(reference.len(), 24);

    // Kill -9 as soon as a few points are written: the points in flight are lost, nothing else.
    let mut child = Command::new(env!("CARGO_BIN_EXE_snn"))
        .args([&run[..], &["killed"]].concat())
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while lines(&d.join("killed")) < 3 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done = lines(&d.join("killed"));
    assert!(
        (3..24).contains(&done),
        "killed after {done} of 24 points: the test should kill mid-way"
    );
    let out = ok(d, &[&run[..], &["killed"]].concat());
    assert!(out.contains("already finished"), "{out}");
    assert_eq!(
        canonical(&d.join("killed")),
        reference,
        "resumed = uninterrupted"
    );

    // Shards 1/2 and 2/2, merged.
    ok(d, &[&run[..], &["s1", "--shard", "1/2"]].concat());
    ok(d, &[&run[..], &["s2", "--shard", "2/2"]].concat());
    assert!(
        ok(d, &["sweep", "merge", "s1", "s2", "--out", "merged"]).contains("merged 24 point(s)")
    );
    assert_eq!(canonical(&d.join("merged")), reference);

    let rep = ok(
        d,
        &[
            "sweep",
            "report",
            "merged",
            "--out",
            "report",
            "--heatmap",
            "sigma,threshold_divisor",
        ],
    );
    assert!(rep.contains("heatmap-sigma-threshold_divisor.png"), "{rep}");
    let md = std::fs::read_to_string(d.join("report/README.md")).unwrap();
    assert!(
        md.contains("## Best points") && md.contains("accuracy-vs-threshold_divisor.png"),
        "{md}"
    );
}

/// Runs a failing sweep: exit 1, one `Error:` naming every string of `names`, no output folder.
fn refused(d: &Path, spec: &str, extra: &[&str], names: &[&str]) {
    std::fs::write(d.join("bad.toml"), spec).unwrap();
    let args = [
        &[
            "sweep", "--spec", "bad.toml", "--data", "builtin", "--out", "bad-out",
        ][..],
        extra,
    ]
    .concat();
    let o = snn(d, &args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
    assert!(
        err.starts_with("Error: ") && !err.contains("panicked"),
        "{args:?}: {err}"
    );
    for n in names {
        assert!(err.contains(n), "{args:?}: should name {n:?}: {err}");
    }
    assert!(!d.join("bad-out").exists(), "{args:?}: nothing written");
}

#[test]
fn bad_input_fails_before_any_point_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let data = "[data]\ntrain = 20\ntest = 10\n";
    refused(
        d,
        &format!("{data}[vary]\nneuronz = [4]\n"),
        &[],
        &["bad.toml", "[vary] neuronz", "unknown field"],
    );
    refused(
        d,
        &format!("{data}[vary]\nsigma = {{ from = 0.1, to = 0.2, steps = 0 }}\n"),
        &[],
        &["[vary] sigma: empty range"],
    );
    refused(
        d,
        &format!("{data}[vary]\nsigma = [0.1, -0.5]\n"),
        &[],
        &["[vary] sigma = -0.5", "sigma must be"],
    );
    refused(
        d,
        &format!("{data}[vary]\nneurons = [4]\n"),
        &["--synth", "ice99"],
        &["--synth ice99", "unknown FPGA target"],
    );
    refused(
        d,
        &format!("{data}[vary]\nneurons = [4]\n"),
        &["--shard", "3/2"],
        &["--shard 3/2"],
    );
    refused(
        d,
        &format!("{data}[vary]\nneurons = [4]\n"),
        &["--jobs", "0"],
        &["--jobs 0"],
    );

    // A results folder of another sweep is refused, its file untouched.
    std::fs::write(d.join("a.toml"), format!("{data}[vary]\nneurons = [4]\n")).unwrap();
    ok(
        d,
        &[
            "sweep", "--spec", "a.toml", "--data", "builtin", "--out", "taken",
        ],
    );
    let before = std::fs::read_to_string(d.join("taken/results.jsonl")).unwrap();
    std::fs::write(d.join("b.toml"), format!("{data}[vary]\nneurons = [5]\n")).unwrap();
    let o = snn(
        d,
        &[
            "sweep", "--spec", "b.toml", "--data", "builtin", "--out", "taken",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("holds results of a different sweep"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("taken/results.jsonl")).unwrap(),
        before
    );
}
