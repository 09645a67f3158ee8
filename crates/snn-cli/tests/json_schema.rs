//! Every `--json` report has the keys docs/JSON.md documents, at every level, whatever the
//! options: values that do not apply are `null`, never missing keys.

mod common;
use common::{assert_documented, ok, ok_json, read_json};
use serde_json::Value;

#[test]
fn reports_have_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let train = ok_json(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "20",
            "--neurons",
            "3",
            "--arith",
            "fixed",
            "--out",
            "w.json",
            "--json",
        ],
    );
    assert_documented("## `snn train", &train);
    assert!(train["trace"].is_null());
    let traced = ok_json(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "5",
            "--neurons",
            "3",
            "--out",
            "w2.json",
            "--trace",
            "t.json",
            "--json",
        ],
    );
    assert_documented("## `snn train", &traced);
    assert_documented("### The trace file", &read_json(&d.join("t.json")));
    // The weights file leaves out the optional keys it does not know: a subset of the example,
    // with the four required keys.
    let doc = common::documented("## The weights file");
    let w = read_json(&d.join("w.json"));
    for key in w.as_object().unwrap().keys() {
        assert!(
            doc.get(key).is_some(),
            "weights file key {key} is not in docs/JSON.md"
        );
    }
    for key in ["height", "width", "neurons", "weights"] {
        assert!(w.get(key).is_some(), "{key}");
    }

    for arith in ["float", "fixed"] {
        let e = ok_json(d, &["encode", "builtin", "--arith", arith, "--json"]);
        assert_documented("## `snn encode", &e);
    }
    let e = ok_json(
        d,
        &[
            "eval",
            "--weights",
            "w.json",
            "--data",
            "builtin",
            "--limit",
            "20",
            "--json",
        ],
    );
    assert_documented("## `snn eval", &e);
    let r = ok_json(
        d,
        &[
            "reconstruct",
            "--weights",
            "w.json",
            "--out",
            "pics",
            "--json",
        ],
    );
    assert_documented("## `snn reconstruct", &r);
    let p = ok_json(
        d,
        &[
            "plot",
            "--weights",
            "w.json",
            "--image",
            "builtin",
            "--out",
            "p.png",
            "--json",
        ],
    );
    assert_documented("## `snn plot", &p);

    // One schema for every level: the same keys, `null` where a level has no clock.
    for level in ["golden", "golden-fixed", "cycle"] {
        let s = ok_json(
            d,
            &[
                "simulate",
                "--level",
                level,
                "--weights",
                "w.json",
                "--data",
                "builtin",
                "--limit",
                "3",
                "--json",
            ],
        );
        assert_documented("## `snn simulate", &s);
        let clocked = level == "cycle";
        assert_eq!(s["mean_cycles"].is_null(), !clocked, "{level}");
        assert!(s["images"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["cycles"].is_null() != clocked));
    }
    let c = ok_json(
        d,
        &[
            "compare",
            "--weights",
            "w.json",
            "--data",
            "builtin",
            "--limit",
            "3",
            "--json",
        ],
    );
    assert_documented("## `snn compare", &c);
    assert_eq!(c["first_mismatch"], Value::Null);

    let a = ok_json(
        d,
        &[
            "agree",
            "--data",
            "builtin",
            "--train-limit",
            "20",
            "--limit",
            "20",
            "--json",
        ],
    );
    assert_documented("## `snn agree", &a);
}

#[test]
fn the_documented_examples_are_consistent() {
    // The compare example shows a mismatch whose values are JSON lists, as the command prints.
    let c = common::documented("## `snn compare");
    assert!(c["first_mismatch"]["value"].is_array());
    // Sections exist for every command with --json.
    let dir = tempfile::tempdir().unwrap();
    let top = ok(dir.path(), &["--help"]);
    for cmd in [
        "encode",
        "train",
        "eval",
        "reconstruct",
        "plot",
        "simulate",
        "compare",
        "agree",
        "fpga",
        "demo",
    ] {
        assert!(top.contains(cmd));
        if ok(dir.path(), &[cmd, "--help"]).contains("--json") {
            common::documented(&format!("## `snn {cmd}"));
        }
    }
    common::documented("## `snn data fetch");
}

/// A watched run under homeostasis (every key filled in), its curve file and the curve's plot.
#[test]
fn watched_training_has_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let train = ok_json(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "40",
            "--neurons",
            "3",
            "--arith",
            "fixed",
            "--preset",
            "default",
            "--out",
            "w.json",
            "--eval-every",
            "20",
            "--label-data",
            "builtin",
            "--eval-limit",
            "40",
            "--curve",
            "curve.json",
            "--json",
        ],
    );
    assert!(train["theta"].is_object() && train["accuracy"].is_number());
    assert_documented("## `snn train", &train);
    let curve = read_json(&d.join("curve.json"));
    assert!(curve["points"][0]["theta"].is_object());
    assert_documented("### The learning curve", &curve);
    let p = ok_json(
        d,
        &["plot", "--curve", "curve.json", "--out", "c.png", "--json"],
    );
    assert_documented("### `snn plot --curve", &p);
}
