//! A sweep's results do not depend on how it ran: interrupted and resumed, split in shards and
//! merged, or on one or two worker threads, the lines are the same (order and wall times aside).

mod common;

use common::*;
use snn_sweep::{merge, Shard};
use std::io::Write;

#[test]
fn one_job_two_jobs_shards_and_resume_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec(tmp.path(), SPEC);
    let whole = tmp.path().join("whole");
    let s = run_into(&spec, &whole, 1, None);
    assert_eq!((s.points, s.in_shard, s.skipped, s.ran), (16, 16, 0, 16));
    let reference = canonical(&whole);
    assert_eq!(reference.len(), 16);
    // Every point trained and scored, and the keys reached the configuration: N = 4 points
    // report 4 neurons.
    for line in &reference {
        assert!(line["accuracy"].as_f64().is_some(), "{line}");
        assert_eq!(line["neurons"], line["point"]["neurons"]);
        assert_eq!(line["per_class"].as_array().unwrap().len(), 10);
        assert!(
            line["cycles"]["inference"].as_f64().unwrap() > 0.0,
            "{line}"
        );
    }
    // The points measure different things (their measures, not only their keys, differ).
    let distinct: std::collections::BTreeSet<String> = reference
        .iter()
        .map(|l| {
            let mut m = l.clone();
            let o = m.as_object_mut().unwrap();
            o.remove("index");
            o.remove("point");
            m.to_string()
        })
        .collect();
    assert!(
        distinct.len() > 8,
        "points should differ: {} distinct of 16",
        distinct.len()
    );

    let two = tmp.path().join("two-jobs");
    run_into(&spec, &two, 2, None);
    assert_eq!(canonical(&two), reference, "2 jobs = 1 job");

    let (a, b) = (tmp.path().join("shard1"), tmp.path().join("shard2"));
    let s1 = run_into(&spec, &a, 2, Some("1/2".parse().unwrap()));
    let s2 = run_into(&spec, &b, 1, Some(Shard { index: 2, count: 2 }));
    assert_eq!((s1.in_shard, s2.in_shard), (8, 8));
    assert!(canonical(&a)
        .iter()
        .all(|l| l["index"].as_u64().unwrap() % 2 == 0));
    let merged = tmp.path().join("merged");
    assert_eq!(merge(&[a.clone(), b.clone()], &merged).unwrap(), 16);
    assert_eq!(
        canonical(&merged),
        reference,
        "merged shards = the unsharded run"
    );
    // Merging again into the same folder (it takes part) changes nothing.
    assert_eq!(merge(&[a, b], &merged).unwrap(), 16);
    assert_eq!(canonical(&merged), reference);

    // A run that stopped after 5 points, in the middle of writing the 6th line.
    let cut = tmp.path().join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    std::fs::copy(whole.join("sweep.json"), cut.join("sweep.json")).unwrap();
    let text = std::fs::read_to_string(whole.join("results.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut f = std::fs::File::create(cut.join("results.jsonl")).unwrap();
    for l in &lines[..5] {
        writeln!(f, "{l}").unwrap();
    }
    f.write_all(&lines[5].as_bytes()[..lines[5].len() / 2])
        .unwrap();
    drop(f);
    let s = run_into(&spec, &cut, 2, None);
    assert_eq!((s.skipped, s.ran), (5, 11), "the torn point runs again");
    assert_eq!(canonical(&cut), reference, "resumed = uninterrupted");
    // Finished: a third run does nothing.
    let s = run_into(&spec, &cut, 1, None);
    assert_eq!((s.skipped, s.ran), (16, 0));
    assert_eq!(canonical(&cut), reference);

    // The report reads it all.
    let rep = tmp.path().join("report");
    let w = snn_sweep::report::report(&cut, &rep, None).unwrap();
    for f in [
        "results.csv",
        "README.md",
        "accuracy-vs-sigma.png",
        "heatmap-preset-neurons.png",
        "pareto-cycles.png",
    ] {
        assert!(w.files.iter().any(|x| x == f), "{f} in {:?}", w.files);
        assert!(rep.join(f).is_file(), "{f}");
    }
    let csv = std::fs::read_to_string(rep.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 17);
    assert!(
        csv.starts_with("index,preset,neurons,fixed.lut_frac_bits,sigma,accuracy,"),
        "{}",
        csv.lines().next().unwrap()
    );
}

#[test]
fn random_points_are_seeded_and_within_their_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"
random = 6
seed = 7
[data]
train = 50
test = 0
[measure]
cycles = 0
[vary]
sigma = { from = 0.01, to = 0.2, log = true }
neurons = { from = 2, to = 12 }
encoding = ["rate", "pixel"]
"#;
    let spec = spec(tmp.path(), text);
    let points = snn_sweep::points::expand(&spec).unwrap();
    assert_eq!(
        points,
        snn_sweep::points::expand(&spec).unwrap(),
        "same seed, same points"
    );
    assert_eq!(points.len(), 6);
    for p in &points {
        let sigma = p.values[0].1.as_float().unwrap();
        let n = p.values[1].1.as_integer().unwrap();
        assert!(
            (0.01..=0.2).contains(&sigma) && (2..=12).contains(&n),
            "{p:?}"
        );
    }
    let out = tmp.path().join("out");
    run_into(&spec, &out, 2, None);
    let lines = canonical(&out);
    assert_eq!(lines.len(), 6);
    // test = 0: learning measures only.
    assert!(lines
        .iter()
        .all(|l| l.get("accuracy").is_none() && l["presentations"] == 50));
}

#[test]
fn mnist_subset_learns() {
    let Some(dir) = snn_testkit::mnist_dir("mnist_subset_learns") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // The seed's own run (SPEC section 1 with the original depression rule, float): the frozen
    // preset that learns, so the bound below does not move when `default` is retuned.
    let text = "base = \"seed\"\n[set]\ndepression_bound = \"abs_w_min\"\n[data]\ntrain = 1000\ntest = 300\narith = \"float\"\n[measure]\ncycles = 0\n[vary]\nneurons = [10]\n";
    let spec = spec(tmp.path(), text);
    run(&spec, dir.to_str().unwrap(), &tmp.path().join("out"));
    let lines = canonical(&tmp.path().join("out"));
    let acc = lines[0]["accuracy"].as_f64().unwrap();
    assert_eq!(lines[0]["tested"], 300);
    // Chance is 10%.
    assert!(acc > 0.2, "accuracy {acc}");
    assert_eq!(lines[0]["presentations"], 1000);

    fn run(spec: &snn_sweep::Spec, data: &str, out: &std::path::Path) {
        snn_sweep::run(spec, data, out, &opts(1, None)).unwrap();
    }
}
