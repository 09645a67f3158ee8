//! Learning you can watch (issue 15): `snn train` reports per epoch, measures the test accuracy
//! every K images, writes the learning curve that `snn plot --curve` draws, and warns when
//! learning has stopped; the adaptive thresholds survive `snn export` / `snn import`. Small
//! built-in subsets under `--preset default` (homeostasis) keep each test to about a second.

mod common;
use common::{fails, ok, ok_json, read_json, snn};
use serde_json::Value;
use std::path::Path;

/// Trains 10 neurons in fixed point under `--preset default` on `limit` built-in digits into
/// `out`, with the extra arguments `more`; returns the JSON report.
fn train_default(dir: &Path, limit: &str, out: &str, more: &[&str]) -> Value {
    let mut args = vec![
        "train",
        "--data",
        "builtin",
        "--limit",
        limit,
        "--neurons",
        "10",
        "--arith",
        "fixed",
        "--preset",
        "default",
        "--out",
        out,
        "--json",
    ];
    args.extend_from_slice(more);
    ok_json(dir, &args)
}

fn theta(v: &Value) -> (f64, f64, f64) {
    let f = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("theta.{k} in {v}"));
    (f("min"), f("mean"), f("max"))
}

/// `--eval-every 100` over two epochs of 200 images: a point at 100, 200, 300, 400, the last
/// one being the report's final figures, and its accuracy that of `snn eval` on the same
/// 200 labelling and 200 test images.
#[test]
fn train_measures_every_k_images_and_writes_the_curve() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let report = train_default(
        d,
        "200",
        "w.json",
        &[
            "--epochs",
            "2",
            "--eval-every",
            "100",
            "--label-data",
            "builtin",
            "--eval-limit",
            "200",
            "--curve",
            "curve.json",
        ],
    );
    let curve = read_json(&d.join("curve.json"));
    assert_eq!(curve["eval_every"], 100);
    assert_eq!(
        (curve["images"].as_u64(), curve["epochs"].as_u64()),
        (Some(200), Some(2))
    );
    assert_eq!(
        (
            curve["label_images"].as_u64(),
            curve["test_images"].as_u64()
        ),
        (Some(200), Some(200))
    );
    let points = curve["points"].as_array().unwrap();
    let seen: Vec<u64> = points
        .iter()
        .map(|p| p["images_seen"].as_u64().unwrap())
        .collect();
    assert_eq!(seen, [100, 200, 300, 400]);
    let epochs: Vec<u64> = points
        .iter()
        .map(|p| p["epoch"].as_u64().unwrap())
        .collect();
    assert_eq!(epochs, [0, 0, 1, 1]);
    for p in points {
        let a = p["accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&a), "{p}");
        assert_eq!(p["window"], 100);
        let (min, mean, max) = theta(&p["theta"]);
        assert!(0.0 <= min && min <= mean && mean <= max, "{p}");
    }
    // Homeostasis raises some threshold while the network learns.
    assert!(theta(&points[3]["theta"]).2 > 0.0, "{curve}");

    let per_epoch = report["per_epoch"].as_array().unwrap();
    assert_eq!(per_epoch.len(), 2);
    for (k, e) in per_epoch.iter().enumerate() {
        assert_eq!(e["epoch"], k);
        assert_eq!(e["presentations"], 200);
        assert_eq!(e["accuracy"], points[2 * k + 1]["accuracy"]);
        assert_eq!(e["theta"], points[2 * k + 1]["theta"]);
    }
    let no_winner: u64 = per_epoch
        .iter()
        .map(|e| e["no_winner"].as_u64().unwrap())
        .sum();
    assert_eq!(report["no_winner"], no_winner);
    assert_eq!(report["theta"], points[3]["theta"]);
    assert_eq!(report["accuracy"], points[3]["accuracy"]);
    assert_eq!(report["never_won"], points[3]["never_won"]);

    let eval = ok_json(
        d,
        &[
            "eval",
            "--weights",
            "w.json",
            "--data",
            "builtin",
            "--label-data",
            "builtin",
            "--limit",
            "200",
            "--json",
        ],
    );
    assert_eq!(eval["accuracy"], report["accuracy"], "{eval}");
    // Watching measures, it does not change what is learned.
    train_default(d, "200", "plain.json", &["--epochs", "2"]);
    let (watched, plain) = (
        read_json(&d.join("w.json")),
        read_json(&d.join("plain.json")),
    );
    assert_eq!(watched["weights"], plain["weights"]);
    assert_eq!(watched["theta"], plain["theta"]);

    // The text report: one line per epoch, with theta and the accuracy.
    let text = ok(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "100",
            "--neurons",
            "10",
            "--arith",
            "fixed",
            "--preset",
            "default",
            "--out",
            "w2.json",
            "--epochs",
            "2",
            "--eval-every",
            "50",
            "--label-data",
            "builtin",
            "--eval-limit",
            "100",
        ],
    );
    for line in [
        "epoch 1: ",
        "epoch 2: ",
        "theta min ",
        "test accuracy ",
        "never won",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
}

/// `snn plot --curve` draws the curve `snn train --curve` wrote, as a PNG.
#[test]
fn plot_draws_the_learning_curve() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_default(
        d,
        "100",
        "w.json",
        &[
            "--eval-every",
            "50",
            "--label-data",
            "builtin",
            "--eval-limit",
            "100",
            "--curve",
            "c.json",
        ],
    );
    let plot = ok_json(
        d,
        &[
            "plot",
            "--curve",
            "c.json",
            "--out",
            "plots/c.png",
            "--json",
        ],
    );
    assert_eq!(plot["points"], 2);
    let png = std::fs::read(d.join("plots/c.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let legend: Vec<&str> = plot["legend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(legend[0].starts_with("test accuracy, last "), "{legend:?}");
    assert!(
        legend[0].ends_with("(labelled on 100, scored on 100 images)"),
        "{legend:?}"
    );
    assert_eq!(legend[1], "no winner, share of the last 50 presentations");
    // --preset default has homeostasis: theta on the right-hand axis.
    assert_eq!(
        legend[2..],
        [
            "theta mean, right axis (potential units)",
            "theta min and max"
        ]
    );
}

/// The seed constants with the corrected STDP rule stop learning within a few dozen images:
/// `snn train` says so once, naming what to change, and reports no theta (no homeostasis).
#[test]
fn train_warns_when_learning_has_stalled() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "train",
        "--data",
        "builtin",
        "--limit",
        "1000",
        "--neurons",
        "10",
        "--arith",
        "fixed",
        "--preset",
        "seed",
        "--out",
        "w.json",
    ];
    let out = snn(d, &args);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("of the last 1000 presentations had no winner"),
        "{err}"
    );
    assert!(warnings[0].contains("try --preset default"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("epoch 1: ") && !text.contains("theta"),
        "{text}"
    );

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let report = ok_json(d, &json_args);
    assert!(
        report["theta"].is_null() && report["accuracy"].is_null(),
        "{report}"
    );
    assert_eq!(report["warnings"].as_array().unwrap().len(), 1);
    assert!(report["no_winner"].as_u64().unwrap() > 500, "{report}");

    // A network that keeps finding winners is not warned about.
    let out = snn(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "300",
            "--neurons",
            "10",
            "--arith",
            "fixed",
            "--preset",
            "default",
            "--out",
            "w2.json",
        ],
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("warning"), "{err}");
}

/// `snn export` then `snn import` keeps the thresholds of a core with homeostasis, so `snn
/// eval` gives the same result for the imported file as for the trained one, in every format.
#[test]
fn theta_survives_export_and_import() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_default(d, "300", "w.json", &[]);
    let trained = read_json(&d.join("w.json"));
    let theta = trained["theta"].as_array().unwrap();
    assert!(theta.iter().any(|t| t.as_f64().unwrap() > 0.0), "{trained}");
    let eval = |w: &str| {
        let mut e = ok_json(
            d,
            &[
                "eval",
                "--weights",
                w,
                "--data",
                "builtin",
                "--limit",
                "200",
                "--json",
            ],
        );
        e.as_object_mut().unwrap().remove("weights");
        e
    };
    let want = eval("w.json");
    for ext in ["mem", "coe", "mif"] {
        let image = format!("x/w.{ext}");
        ok(d, &["export", "--weights", "w.json", "--out", &image]);
        assert!(d.join(format!("x/w.theta.{ext}")).is_file(), "{ext}");
        let back = format!("back-{ext}.json");
        ok(d, &["import", &image, "--out", &back]);
        let imported = read_json(&d.join(&back));
        assert_eq!(imported["theta"], trained["theta"], "{ext}");
        assert_eq!(imported["weights"], trained["weights"], "{ext}");
        assert_eq!(eval(&back), want, "{ext}");
    }
}

/// A theta image of the wrong depth or width, or none beside a weight image that needs one:
/// an error naming the file, exit 1, no weights file written.
#[test]
fn a_bad_theta_image_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_default(d, "100", "w.json", &[]);
    ok(d, &["export", "--weights", "w.json", "--out", "x/w.mem"]);
    let good = std::fs::read_to_string(d.join("x/w.theta.mem")).unwrap();
    let words: Vec<&str> = good.lines().filter(|l| !l.starts_with("//")).collect();
    assert_eq!(words.len(), 10, "{good}");
    let cases: [(&str, String, &[&str]); 4] = [
        (
            "short",
            words[..9].join("\n"),
            &["w.theta.mem", "9 words, expected 10"],
        ),
        (
            "long",
            format!("{good}00000\n"),
            &["w.theta.mem", "has 10 words"],
        ),
        (
            "wide",
            format!("fffff\n{}", words[1..].join("\n")),
            &["w.theta.mem:1", "17 bits"],
        ),
        (
            "above",
            format!("1ffff\n{}", words[1..].join("\n")),
            &["w.theta.mem", "theta_max"],
        ),
    ];
    for (name, text, names) in cases {
        std::fs::create_dir_all(d.join(name)).unwrap();
        std::fs::copy(d.join("x/w.mem"), d.join(name).join("w.mem")).unwrap();
        std::fs::write(d.join(name).join("w.theta.mem"), text).unwrap();
        fails(
            d,
            &["import", &format!("{name}/w.mem"), "--out", "out.json"],
            names,
        );
        assert!(!d.join("out.json").exists(), "{name}");
    }
    std::fs::remove_file(d.join("x/w.theta.mem")).unwrap();
    fails(
        d,
        &["import", "x/w.mem", "--out", "out.json"],
        &["x/w.theta.mem", "missing"],
    );
    assert!(!d.join("out.json").exists());
}

/// The measurement flags go together and K is at least 1; a curve file that is not one is
/// named. Nothing is written.
#[test]
fn bad_watch_flags_and_curves_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let train = |more: &[&str]| -> Vec<String> {
        let mut args = vec![
            "train",
            "--data",
            "builtin",
            "--limit",
            "20",
            "--neurons",
            "3",
            "--out",
            "w.json",
        ];
        args.extend_from_slice(more);
        args.into_iter().map(String::from).collect()
    };
    let cases: [(&[&str], &[&str]); 5] = [
        (
            &["--eval-every", "0", "--label-data", "builtin"],
            &["--eval-every", "at least 1"],
        ),
        (&["--eval-every", "10"], &["--label-data"]),
        (&["--label-data", "builtin"], &["--eval-every"]),
        (&["--curve", "c.json"], &["--eval-every"]),
        (
            &["--eval-every", "10", "--label-data", "nowhere.idx"],
            &["nowhere.idx"],
        ),
    ];
    for (more, names) in cases {
        let args = train(more);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(d, &args, names);
        assert!(
            !d.join("w.json").exists() && !d.join("c.json").exists(),
            "{more:?}"
        );
    }

    let curves = [
        ("garbage.json", "{not json", "not a learning curve"),
        (
            "weights.json",
            r#"{"height": 28, "width": 28}"#,
            "not a learning curve",
        ),
        (
            "empty.json",
            r#"{"level": "golden", "data": "x", "images": 1, "epochs": 1, "neurons": 1, "eval_every": 1, "label_images": 1, "test_images": 1, "points": []}"#,
            "no points",
        ),
    ];
    for (name, text, why) in curves {
        std::fs::write(d.join(name), text).unwrap();
        fails(
            d,
            &["plot", "--curve", name, "--out", "c.png"],
            &[name, why],
        );
        assert!(!d.join("c.png").exists(), "{name}");
    }
    fails(
        d,
        &["plot", "--curve", "missing.json", "--out", "c.png"],
        &["missing.json"],
    );
    std::fs::write(d.join("ok.json"), "{}").unwrap();
    fails(
        d,
        &["plot", "--curve", "ok.json", "--out", "c.svg"],
        &["--out c.svg", ".png"],
    );
    assert!(!d.join("c.svg").exists());
}
