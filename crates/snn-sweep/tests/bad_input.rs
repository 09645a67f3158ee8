//! Bad sweeps fail before any point runs, naming the key or flag, and a folder holding another
//! sweep's results is refused rather than mixed in.

mod common;

use common::*;
use snn_sweep::{run, Shard, Spec};

fn parse_err(text: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    format!("{:#}", Spec::from_file(&path).unwrap_err())
}

/// The error of running `text`; nothing may have been written to the output folder.
fn run_err(text: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path(), text);
    let out = tmp.path().join("out");
    let e = format!(
        "{:#}",
        run(&spec, "builtin", &out, &opts(1, None)).unwrap_err()
    );
    assert!(
        !out.exists(),
        "{e}: nothing is written before every point is checked"
    );
    e
}

const DATA: &str = "[data]\ntrain = 20\ntest = 10\n";

#[test]
fn unknown_key() {
    let e = run_err(&format!("{DATA}[vary]\nneurons = [4]\nsigmaa = [0.1]\n"));
    assert!(
        e.contains("[vary] sigmaa = 0.1") && e.contains("unknown field `sigmaa`"),
        "{e}"
    );
    let e = run_err(&format!("{DATA}[vary]\nfixed.weight_bitz = [8]\n"));
    assert!(e.contains("fixed.weight_bitz"), "{e}");
    let e = parse_err(&format!(
        "{DATA}[vary]\nneurons = [4]\n[measures]\ncycles = 1\n"
    ));
    assert!(e.contains("measures"), "{e}");
}

#[test]
fn empty_range() {
    let e = parse_err(&format!(
        "{DATA}[vary]\nsigma = {{ from = 0.2, to = 0.1, steps = 3 }}\n"
    ));
    assert!(e.contains("[vary] sigma: empty range"), "{e}");
    let e = parse_err(&format!("{DATA}[vary]\nneurons = []\n"));
    assert!(e.contains("[vary] neurons: empty list"), "{e}");
}

#[test]
fn value_the_config_rejects() {
    let e = run_err(&format!("{DATA}[vary]\nneurons = [4, 0]\n"));
    assert!(
        e.contains("[vary] neurons = 0") && e.contains("neurons must be at least 1"),
        "{e}"
    );
    // Valid alone, invalid together: named by point.
    let e = run_err(&format!(
        "{DATA}[vary]\nw_min = [-1.0, 0.5]\nw_init = [[0.0, 0.4]]\n"
    ));
    assert!(e.contains("w_min = 0.5") && e.contains("w_init"), "{e}");
    let e = parse_err(&format!("{DATA}[vary]\nheight = [10]\n"));
    assert!(e.contains("[vary] height"), "{e}");
}

#[test]
fn unknown_target() {
    let e = parse_err(&format!(
        "{DATA}[measure]\nsynth = [\"ice41\"]\n[vary]\nneurons = [4]\n"
    ));
    assert!(e.contains("ice41") && e.contains("ice40-hx8k"), "{e}");
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spec(tmp.path(), &format!("{DATA}[vary]\nneurons = [4]\n"));
    let e = format!(
        "{:#}",
        s.add_measures(&["virtex".into()], false).unwrap_err()
    );
    assert!(
        e.contains("--synth virtex") && e.contains("unknown FPGA target"),
        "{e}"
    );
}

#[test]
fn bad_shards() {
    for (s, want) in [
        ("3/2", "--shard 3/2: I/N needs 1 <= I <= N"),
        ("0/2", "1 <= I"),
        ("1/0", "--shard 1/0"),
        ("2", "expected I/N"),
    ] {
        let e = format!("{:#}", s.parse::<Shard>().unwrap_err());
        assert!(e.contains(want), "{s}: {e}");
    }
}

#[test]
fn too_few_images() {
    let e = run_err("[data]\ntrain = 5000\ntest = 10\n[vary]\nneurons = [4]\n");
    assert!(
        e.contains("[data] train = 5000") && e.contains("only 2000"),
        "{e}"
    );
}

#[test]
fn results_of_another_sweep_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let a = spec(tmp.path(), &format!("{DATA}[vary]\nneurons = [4, 5]\n"));
    run_into(&a, &out, 1, None);
    let before = std::fs::read_to_string(out.join("results.jsonl")).unwrap();
    let b = spec(tmp.path(), &format!("{DATA}[vary]\nneurons = [4, 6]\n"));
    let e = format!(
        "{:#}",
        run(&b, "builtin", &out, &opts(1, None)).unwrap_err()
    );
    assert!(
        e.contains("sweep.json: holds results of a different sweep"),
        "{e}"
    );
    // A results file without its sweep.json is judged line by line.
    std::fs::remove_file(out.join("sweep.json")).unwrap();
    let e = format!(
        "{:#}",
        run(&b, "builtin", &out, &opts(1, None)).unwrap_err()
    );
    assert!(
        e.contains("results.jsonl: holds results of a different sweep"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("results.jsonl")).unwrap(),
        before,
        "not mixed in"
    );
    // Nor do two sweeps merge.
    let (x, y) = (tmp.path().join("x"), tmp.path().join("y"));
    run_into(&a, &x, 1, None);
    run_into(&b, &y, 1, None);
    let e = format!(
        "{:#}",
        snn_sweep::merge(&[x, y], &tmp.path().join("m")).unwrap_err()
    );
    assert!(e.contains("different sweep"), "{e}");
}
