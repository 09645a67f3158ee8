//! End-to-end tests of the `snn` binary on small data: the built-in digits with `--limit` and
//! PNGs generated into a temporary folder. Every test runs in its own temporary folder.

use serde_json::Value;
use snn_data::{idx, png, Image};
use std::path::{Path, PathBuf};

mod common;
use common::{fails, ok, ok_json, read_json};

/// Trains 4 neurons on 40 built-in digits in fixed point (so that the weights are representable
/// at every level) and returns the weights file.
fn trained_fixed(dir: &Path) -> PathBuf {
    ok(
        dir,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "40",
            "--neurons",
            "4",
            "--arith",
            "fixed",
            "--out",
            "wfx.json",
        ],
    );
    dir.join("wfx.json")
}

/// Writes a 16x16 PNG class folder: classes 0 and 1, three images each (a bar and a ring).
fn png_classes(dir: &Path) -> PathBuf {
    let root = dir.join("pngs");
    for class in 0..2u8 {
        let sub = root.join(class.to_string());
        std::fs::create_dir_all(&sub).unwrap();
        for k in 0..3usize {
            let mut px = vec![0u8; 256];
            for r in 0..16 {
                for c in 0..16 {
                    let on = if class == 0 {
                        (6 + k..9 + k).contains(&c) && (2..14).contains(&r)
                    } else {
                        let d = (r as i32 - 8).pow(2) + (c as i32 - 8 + k as i32 - 1).pow(2);
                        (16..36).contains(&d)
                    };
                    if on {
                        px[r * 16 + c] = 255;
                    }
                }
            }
            png::write(
                &sub.join(format!("{k}.png")),
                &Image {
                    height: 16,
                    width: 16,
                    pixels: px,
                },
            )
            .unwrap();
        }
    }
    root
}

#[test]
fn help_works_for_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let top = ok(dir.path(), &["--help"]);
    for cmd in [
        "encode",
        "train",
        "eval",
        "reconstruct",
        "plot",
        "simulate",
        "demo",
        "data",
    ] {
        assert!(top.contains(cmd), "top-level help lists {cmd}");
        let help = ok(dir.path(), &[cmd, "--help"]);
        assert!(help.contains("Usage: snn"), "{cmd} --help:\n{help}");
    }
    assert!(ok(dir.path(), &["data", "fetch", "--help"]).contains("--mirror"));
    assert!(ok(dir.path(), &["simulate", "--help"]).contains("golden-fixed"));
}

#[test]
fn train_eval_reconstruct_plot_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let report = ok_json(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "60",
            "--neurons",
            "4",
            "--seed",
            "3",
            "--out",
            "w.json",
            "--trace",
            "t.json",
            "--json",
        ],
    );
    assert_eq!(report["presentations"], 60);
    assert_eq!(report["level"], "golden");
    let w = read_json(&d.join("w.json"));
    assert_eq!(
        (
            w["height"].as_u64(),
            w["width"].as_u64(),
            w["neurons"].as_u64()
        ),
        (Some(28), Some(28), Some(4))
    );
    assert_eq!(w["weights"][3].as_array().unwrap().len(), 784);
    assert_eq!(w["arith"], "golden");
    assert_eq!(w["config"]["seed"], 3);
    let trace = read_json(&d.join("t.json"));
    let p = trace["presentations"].as_array().unwrap();
    assert_eq!(p.len(), 60);
    assert_eq!(p[0]["spike_times"].as_array().unwrap().len(), 4);
    assert!(p[0].get("winner").is_some() && p[0].get("inhibit_step").is_some());
    // Untrained weights are all positive, so the first image drives some neuron past threshold.
    assert!(p[0]["winner"].is_u64(), "{}", p[0]);

    // Same seed, same weights.
    ok(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "60",
            "--neurons",
            "4",
            "--seed",
            "3",
            "--out",
            "w2.json",
        ],
    );
    assert_eq!(read_json(&d.join("w2.json"))["weights"], w["weights"]);

    let e = ok_json(
        d,
        &[
            "eval",
            "--weights",
            "w.json",
            "--data",
            "builtin",
            "--limit",
            "50",
            "--json",
        ],
    );
    let acc = e["accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    assert_eq!(e["total"], 50);
    assert_eq!(e["label_images"], 50);
    assert_eq!(e["neuron_labels"].as_array().unwrap().len(), 4);
    assert_eq!(e["per_class"].as_array().unwrap().len(), 10);
    assert_eq!(e["confusion"].as_array().unwrap().len(), 10);
    assert!(
        e["label_data"].as_str().unwrap().contains("builtin:train"),
        "{}",
        e["label_data"]
    );
    assert!(
        e["data"].as_str().unwrap().contains("builtin:test"),
        "{}",
        e["data"]
    );

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
    assert_eq!(r["files"].as_array().unwrap().len(), 5);
    // Each weight an 8x8 block.
    let n0 = png::read(&d.join("pics/neuron_00.png")).unwrap();
    assert_eq!((n0.height, n0.width), (224, 224));
    let grid = png::read(&d.join("pics/grid.png")).unwrap();
    // 2 x 2 captioned tiles of 224x224 with 10-pixel spacing, the grey-scale key below.
    assert_eq!(
        (grid.height, grid.width),
        (10 + 2 * (18 + 224 + 10) + 50, 10 + 2 * (224 + 10))
    );

    std::fs::create_dir(d.join("one")).unwrap();
    let img = snn_data::builtin::digits(snn_data::Split::Test, 1, 0)
        .images
        .remove(0);
    png::write(&d.join("one/digit.png"), &img).unwrap();
    let p = ok_json(
        d,
        &[
            "plot",
            "--weights",
            "w.json",
            "--image",
            "one/digit.png",
            "--out",
            "plot.png",
            "--json",
        ],
    );
    assert_eq!(p["spike_times"].as_array().unwrap().len(), 4);
    let bytes = std::fs::read(d.join("plot.png")).unwrap();
    let plot = image::load_from_memory(&bytes).unwrap();
    assert_eq!((plot.width(), plot.height()), (1200, 700));
}

#[test]
fn encode_reports_potentials_spikes_and_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let img = snn_data::builtin::digits(snn_data::Split::Train, 1, 0)
        .images
        .remove(0);
    png::write(&d.join("d.png"), &img).unwrap();
    let f = ok_json(d, &["encode", "d.png", "--json"]);
    assert_eq!(f["potentials"].as_array().unwrap().len(), 28);
    assert_eq!(f["potentials"][0].as_array().unwrap().len(), 28);
    let trains = f["spike_times"].as_array().unwrap();
    assert_eq!(trains.len(), 784);
    let total: usize = trains.iter().map(|s| s.as_array().unwrap().len()).sum();
    assert_eq!(f["total_spikes"].as_u64(), Some(total as u64));
    let peak = f["peak_count"].as_f64().unwrap();
    // The CLI's default preset sets the divisor (SPEC sections 4 and 10).
    let divisor = snn_core::config::SnnConfig::learning().threshold_divisor as f64;
    assert_eq!(f["threshold"].as_f64(), Some(peak / divisor));
    assert!(f["threshold_raw"].is_null());
    let x = ok_json(d, &["encode", "d.png", "--arith", "fixed", "--json"]);
    assert_eq!(x["spike_times"], f["spike_times"]);
    let raw = x["threshold_raw"].as_i64().unwrap();
    // Default fixed format: 8 fractional bits, threshold = floor((peak << 8) / divisor).
    assert_eq!(raw, ((peak as i64) << 8) / divisor as i64);
    assert_eq!(x["threshold"].as_f64(), Some(raw as f64 / 256.0));
}

#[test]
fn png_class_folders_of_16x16_train_and_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    png_classes(d);
    let t = ok_json(
        d,
        &[
            "train",
            "--data",
            "pngs",
            "--neurons",
            "2",
            "--epochs",
            "2",
            "--out",
            "w16.json",
            "--json",
        ],
    );
    assert_eq!(
        (
            t["height"].as_u64(),
            t["width"].as_u64(),
            t["presentations"].as_u64()
        ),
        (Some(16), Some(16), Some(12))
    );
    let e = ok_json(
        d,
        &["eval", "--weights", "w16.json", "--data", "pngs", "--json"],
    );
    assert_eq!(e["total"], 6);
    // Continuing from the trained weights keeps the image size and neuron count of the file.
    ok(
        d,
        &[
            "train",
            "--data",
            "pngs",
            "--init-weights",
            "w16.json",
            "--out",
            "w16b.json",
        ],
    );
    assert_eq!(read_json(&d.join("w16b.json"))["neurons"], 2);
}

/// `images` of a simulate report with the `cycles` keys removed, serialized again.
fn images_without_cycles(report: &Value) -> String {
    let mut images = report["images"].clone();
    for im in images.as_array_mut().unwrap() {
        im.as_object_mut().unwrap().remove("cycles");
    }
    serde_json::to_string(&images).unwrap()
}

#[test]
fn simulate_levels_share_one_schema() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trained_fixed(d);
    let args = |level: &'static str| {
        vec![
            "simulate",
            "--level",
            level,
            "--weights",
            "wfx.json",
            "--data",
            "builtin",
            "--limit",
            "12",
            "--json",
        ]
    };
    let golden = ok_json(d, &args("golden"));
    let fixed_text = ok(d, &args("golden-fixed"));
    let fixed: Value = serde_json::from_str(&fixed_text).unwrap();
    let cycle = ok_json(d, &args("cycle"));
    for (r, level) in [
        (&golden, "golden"),
        (&fixed, "golden-fixed"),
        (&cycle, "cycle"),
    ] {
        assert_eq!(r["level"], level);
        assert_eq!(r["config"]["neurons"], 4);
        let images = r["images"].as_array().unwrap();
        assert_eq!(images.len(), 12);
        let keys: Vec<&str> = images[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        // The same keys at every level; `cycles` is null where there is no clock.
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["cycles", "index", "spike_times", "winner"],
            "{level}"
        );
        assert_eq!(images[0]["cycles"].is_null(), level != "cycle", "{level}");
        assert_eq!(r["mean_cycles"].is_null(), level != "cycle", "{level}");
        assert_eq!(images[5]["index"], 5);
        assert_eq!(images[0]["spike_times"].as_array().unwrap().len(), 4);
    }
    assert!(cycle["images"][0]["cycles"].as_u64().unwrap() > 0);
    // The cycle model is bit-exact with the golden fixed-point model.
    assert_eq!(images_without_cycles(&cycle), images_without_cycles(&fixed));
    // The same level twice gives byte-identical output.
    assert_eq!(ok(d, &args("golden-fixed")), fixed_text);

    // Learning image by image: both fixed-point levels end with the same weights.
    for level in ["golden-fixed", "cycle"] {
        let out = format!("{level}.json");
        ok(
            d,
            &[
                "simulate",
                "--level",
                level,
                "--weights",
                "wfx.json",
                "--data",
                "builtin",
                "--split",
                "train",
                "--limit",
                "10",
                "--train",
                "--out",
                &out,
            ],
        );
    }
    let (a, b) = (
        read_json(&d.join("golden-fixed.json")),
        read_json(&d.join("cycle.json")),
    );
    assert_eq!(a["weights"], b["weights"]);
    assert_eq!(b["arith"], "cycle");

    ok(
        d,
        &[
            "simulate",
            "--level",
            "cycle",
            "--weights",
            "wfx.json",
            "--data",
            "builtin",
            "--limit",
            "1",
            "--vcd",
            "one.vcd",
        ],
    );
    let vcd = std::fs::read_to_string(d.join("one.vcd")).unwrap();
    assert!(vcd.contains("$enddefinitions"));
    fails(
        d,
        &[
            "simulate",
            "--level",
            "golden",
            "--weights",
            "wfx.json",
            "--data",
            "builtin",
            "--vcd",
            "g.vcd",
        ],
        &["--vcd"],
    );
    assert!(!d.join("g.vcd").exists());
}

#[test]
fn unrepresentable_weights_need_quantize() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "5",
            "--neurons",
            "2",
            "--out",
            "wf.json",
        ],
    );
    for level in ["golden-fixed", "cycle"] {
        fails(
            d,
            &[
                "simulate",
                "--level",
                level,
                "--weights",
                "wf.json",
                "--data",
                "builtin",
                "--limit",
                "2",
            ],
            &["wf.json", "neuron 0, input 0", "--quantize"],
        );
        ok(
            d,
            &[
                "simulate",
                "--level",
                level,
                "--weights",
                "wf.json",
                "--data",
                "builtin",
                "--limit",
                "2",
                "--quantize",
            ],
        );
    }
    fails(
        d,
        &[
            "eval",
            "--weights",
            "wf.json",
            "--data",
            "builtin",
            "--limit",
            "5",
            "--arith",
            "fixed",
        ],
        &["wf.json", "--quantize"],
    );
}

/// An MNIST-like folder with `n_images` 28x28 images and `n_labels` labels.
fn idx_folder(dir: &Path, name: &str, n_images: usize, n_labels: usize) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let ds = snn_data::builtin::digits(snn_data::Split::Test, n_images, 0);
    idx::write_images(&folder.join("t10k-images-idx3-ubyte"), &ds.images).unwrap();
    idx::write_labels(&folder.join("t10k-labels-idx1-ubyte"), &vec![1u8; n_labels]).unwrap();
    folder
}

#[test]
fn bad_inputs_fail_cleanly_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trained_fixed(d);
    fn train(data: &str) -> Vec<&str> {
        vec![
            "train",
            "--data",
            data,
            "--neurons",
            "2",
            "--out",
            "out.json",
        ]
    }

    // Truncated IDX.
    let f = idx_folder(d, "trunc", 3, 3).join("t10k-images-idx3-ubyte");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() - 100]).unwrap();
    fails(
        d,
        &[
            "train", "--data", "trunc", "--split", "test", "--out", "out.json",
        ],
        &["t10k-images-idx3-ubyte"],
    );

    // Wrong magic.
    let f = idx_folder(d, "magic", 3, 3).join("t10k-images-idx3-ubyte");
    let mut bytes = std::fs::read(&f).unwrap();
    bytes[3] = 0x07;
    std::fs::write(&f, bytes).unwrap();
    fails(
        d,
        &[
            "train", "--data", "magic", "--split", "test", "--out", "out.json",
        ],
        &["t10k-images-idx3-ubyte", "magic"],
    );

    // Label count differs from the image count.
    idx_folder(d, "labels", 3, 2);
    fails(
        d,
        &[
            "eval",
            "--weights",
            "wfx.json",
            "--data",
            "labels",
            "--label-data",
            "builtin",
            "--json",
        ],
        &["t10k-labels-idx1-ubyte", "label count"],
    );

    // Image of another size than the weights.
    png_classes(d);
    fails(
        d,
        &["eval", "--weights", "wfx.json", "--data", "pngs", "--json"],
        &["pngs", "16x16", "wfx.json", "28x28"],
    );
    fails(
        d,
        &[
            "simulate",
            "--level",
            "cycle",
            "--weights",
            "wfx.json",
            "--data",
            "pngs",
        ],
        &["pngs", "wfx.json"],
    );
    fails(
        d,
        &[
            "train",
            "--data",
            "pngs",
            "--init-weights",
            "wfx.json",
            "--out",
            "out.json",
        ],
        &["pngs", "16x16", "wfx.json", "28x28"],
    );

    // Weights file of the wrong shape.
    let mut w = read_json(&d.join("wfx.json"));
    w["weights"][1].as_array_mut().unwrap().pop();
    std::fs::write(d.join("short.json"), w.to_string()).unwrap();
    fails(
        d,
        &[
            "eval",
            "--weights",
            "short.json",
            "--data",
            "builtin",
            "--limit",
            "3",
        ],
        &["short.json", "row 1"],
    );
    fails(
        d,
        &["reconstruct", "--weights", "short.json", "--out", "pics"],
        &["short.json"],
    );
    assert!(!d.join("pics").exists());

    // A file that is not an image.
    std::fs::write(d.join("notes.txt"), "hello").unwrap();
    fails(
        d,
        &["encode", "notes.txt"],
        &["notes.txt", "neither a PNG image nor an MNIST IDX file"],
    );
    fails(d, &train("notes.txt"), &["notes.txt"]);
    fails(
        d,
        &[
            "plot",
            "--weights",
            "wfx.json",
            "--image",
            "notes.txt",
            "--out",
            "p.png",
        ],
        &["notes.txt"],
    );
    assert!(!d.join("p.png").exists());

    // A configuration whose potential register cannot hold M * w_max.
    std::fs::write(d.join("narrow.toml"), "[fixed]\npotential_bits = 12\n").unwrap();
    fails(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--config",
            "narrow.toml",
            "--out",
            "out.json",
        ],
        &["narrow.toml", "potential_bits"],
    );
    std::fs::write(d.join("typo.toml"), "neuronz = 3\n").unwrap();
    fails(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--config",
            "typo.toml",
            "--out",
            "out.json",
        ],
        &["typo.toml", "neuronz"],
    );

    // Missing input, contradicting neuron count.
    fails(d, &train("nothing-here"), &["nothing-here"]);
    fails(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--init-weights",
            "wfx.json",
            "--neurons",
            "3",
            "--out",
            "out.json",
        ],
        &["wfx.json", "--neurons 3"],
    );

    assert!(!d.join("out.json").exists());
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn data_fetch_reports_an_unreachable_mirror() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A port that was free a moment ago: connections are refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mirror = format!("http://127.0.0.1:{port}/mnist/");
    fails(
        d,
        &["data", "fetch", "--out", "mnist", "--mirror", &mirror],
        &["127.0.0.1"],
    );
    let files: Vec<_> = std::fs::read_dir(d.join("mnist"))
        .map(|r| r.filter_map(|e| e.ok()).collect())
        .unwrap_or_default();
    assert!(files.is_empty(), "{files:?}");
}

#[test]
fn demo_runs_on_builtin_digits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = ok_json(d, &["demo", "--builtin", "--out", "demo", "--json"]);
    common::assert_documented("## `snn demo", &r);
    assert_eq!(r["data"], "built-in digits");
    assert!(r["accuracy"].is_f64());
    let steps: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["data", "train", "evaluate", "save", "pictures", "generate", "hardware", "on-chip"]
    );
    let summary = |name: &str| {
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()["summary"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for step in ["hardware", "on-chip"] {
        assert!(
            summary(step).contains("golden-fixed = cycle"),
            "{}",
            summary(step)
        );
        assert!(
            summary(step).contains("agree bit for bit"),
            "{}",
            summary(step)
        );
    }
    assert!(d.join("demo/hdl/snn_core.v").is_file());
    assert!(d.join("demo/weights.json").is_file());
    assert!(d.join("demo/eval.json").is_file());
    assert!(d.join("demo/weights/grid.png").is_file());
    assert_eq!(
        read_json(&d.join("demo/weights.json"))["labels"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn compare_golden_fixed_and_cycle_agree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "train", "--data", "builtin", "--limit", "3", "--arith", "fixed", "--out", "w0.json",
        ],
    );
    for extra in [&[][..], &["--train"][..]] {
        let mut args = vec![
            "compare",
            "--levels",
            "golden-fixed,cycle",
            "--weights",
            "w0.json",
            "--data",
            "builtin",
            "--limit",
            "12",
            "--json",
        ];
        args.extend_from_slice(extra);
        let r = ok_json(d, &args);
        assert_eq!(r["agree"], true, "{r}");
        assert_eq!(r["levels"][1]["mismatched_images"], 0);
        assert!(r["levels"][1]["mean_cycles"].as_f64().unwrap() > 1000.0);
        assert!(r["levels"][0]["mean_cycles"].is_null());
        if extra.is_empty() {
            assert_eq!(r["weights_compared"], 0);
        } else {
            assert_eq!(r["weights_compared"], 12 * 10 * 784);
        }
    }
    fails(
        d,
        &[
            "compare",
            "--levels",
            "cycle",
            "--weights",
            "w0.json",
            "--data",
            "builtin",
        ],
        &["at least two levels"],
    );
}

#[test]
fn agree_reports_fixed_against_float() {
    let dir = tempfile::tempdir().unwrap();
    // `snn agree --json` on `k` training and `k` test images of builtin, then `rest`.
    let agree = |k: &str, rest: &[&str]| {
        let head = [
            "agree",
            "--data",
            "builtin",
            "--train-limit",
            k,
            "--limit",
            k,
            "--json",
        ];
        let args: Vec<&str> = head.iter().chain(rest).copied().collect();
        ok_json(dir.path(), &args)
    };
    let r = agree("60", &[]);
    let same = r["initial_weights"]["same_winner"].as_f64().unwrap();
    assert!(same > 0.8 && same <= 1.0, "{r}");
    assert!(
        r["initial_weights"]["float_winners"].as_u64().unwrap() > 0,
        "initial weights must fire: {r}"
    );
    let error = |r: &serde_json::Value, what: &str| {
        r["weight_error_after_training"][what].as_f64().unwrap()
    };
    assert!(error(&r, "mean_abs") < 0.1, "{r}");
    let r = agree("30", &["--depression-bound", "abs-w-min"]);
    assert!(
        r["accuracy_fixed"].is_null() && r["weight_error_after_training"].is_null(),
        "{r}"
    );
    // Several layers: both arithmetics run the stack; the last layer answers.
    let r = agree("30", &["--layers", "12,4"]);
    assert_eq!(r["layers"], serde_json::json!([12, 4]), "{r}");
    assert_eq!(r["initial_weights"]["images"], 30, "{r}");
    assert!(error(&r, "max_abs") >= error(&r, "mean_abs"), "{r}");
}

/// With homeostasis (the `default` preset) `snn simulate --train --out` carries theta: every
/// hardware level starts from the file's theta and writes the learned one, the same at the
/// golden fixed-point model and the cycle model.
#[test]
fn simulate_carries_theta_through_training_at_every_level() {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &[
            "train",
            "--preset",
            "default",
            "--data",
            "builtin",
            "--limit",
            "40",
            "--neurons",
            "4",
            "--arith",
            "fixed",
            "--out",
            "wfx.json",
        ],
    );
    let before = read_json(&dir.path().join("wfx.json"))["theta"].clone();
    assert!(
        before.is_array(),
        "the default preset's weights carry theta"
    );
    let mut after = Vec::new();
    for level in ["golden-fixed", "cycle"] {
        let out = format!("{level}.json");
        ok(
            dir.path(),
            &[
                "simulate",
                "--level",
                level,
                "--weights",
                "wfx.json",
                "--data",
                "builtin",
                "--limit",
                "6",
                "--train",
                "--out",
                &out,
            ],
        );
        after.push(read_json(&dir.path().join(out))["theta"].clone());
    }
    assert!(after[0].is_array(), "theta written");
    assert_eq!(
        after[0], after[1],
        "golden-fixed and cycle learn the same theta"
    );
    assert_ne!(after[0], before, "training moved theta");
}
