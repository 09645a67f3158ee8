//! Several layers (SPEC section 12) on the command line: the weights file of several layers,
//! the trace's per-layer winners, eval, reconstruct and plot on every layer, the seed's
//! multi-layer experiment through `snn train` against the independent reference trace, and the
//! errors of bad layer shapes.

mod common;

use common::{fails, ok, ok_json, read_json};
use serde_json::{json, Value};
use std::path::Path;

const SEED_IMAGES: &str = "../shared/data/seed-images/multi_layer/training_images";

#[test]
fn two_layers_train_eval_reconstruct_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let train = [
        "train", "--data", "builtin", "--limit", "30", "--layers", "12,4", "--arith", "fixed",
        "--out", "w.json", "--trace", "t.json",
    ];
    ok(d, &train);
    let w = read_json(&d.join("w.json"));
    let layers = w["layers"]
        .as_array()
        .expect("a file of several layers has layers");
    let shapes: Vec<(u64, u64)> = layers
        .iter()
        .map(|l| {
            (
                l["inputs"].as_u64().unwrap(),
                l["neurons"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(shapes, [(784, 12), (12, 4)]);
    for l in layers {
        let rows = l["weights"].as_array().unwrap();
        assert_eq!(rows.len() as u64, l["neurons"].as_u64().unwrap());
        assert!(rows
            .iter()
            .all(|r| r.as_array().unwrap().len() as u64 == l["inputs"].as_u64().unwrap()));
        assert_eq!(
            l["theta"].as_array().unwrap().len() as u64,
            l["neurons"].as_u64().unwrap()
        );
    }
    assert_eq!(w["neurons"], 4);
    assert_eq!(w["config"]["layers"], json!([12, 4]));
    assert!(w.get("weights").is_none() && w.get("theta").is_none());
    let trace = read_json(&d.join("t.json"));
    let p = trace["presentations"].as_array().unwrap();
    assert_eq!(p.len(), 30);
    assert!(p
        .iter()
        .all(|e| e["winners"].as_array().unwrap().len() == 2 && e["winners"][1] == e["winner"]));
    assert!(
        p.iter().any(|e| !e["winners"][0].is_null()),
        "the first layer never won"
    );
    // Training continues from the file; its layers fix the shape.
    ok(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "5",
            "--init-weights",
            "w.json",
            "--out",
            "w2.json",
        ],
    );
    assert_eq!(
        read_json(&d.join("w2.json"))["config"]["layers"],
        json!([12, 4])
    );
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
    assert_eq!(e["neuron_labels"].as_array().unwrap().len(), 4);
    ok(d, &["reconstruct", "--weights", "w.json", "--out", "pics"]);
    for f in [
        "layer_1/neuron_11.png",
        "layer_1/grid.png",
        "layer_2/neuron_03.png",
        "layer_2/grid.png",
    ] {
        assert!(d.join("pics").join(f).is_file(), "{f}");
    }
    // Layer 2's 12 inputs are drawn on a 4 x 4 square.
    let tile = image::open(d.join("pics/layer_2/neuron_00.png")).unwrap();
    assert_eq!((tile.width(), tile.height()), (32, 32));
    for layer in ["1", "2"] {
        let r = ok_json(
            d,
            &[
                "plot",
                "--weights",
                "w.json",
                "--image",
                "builtin",
                "--layer",
                layer,
                "--out",
                "p.png",
                "--json",
            ],
        );
        assert_eq!(
            r["spike_times"].as_array().unwrap().len(),
            if layer == "1" { 12 } else { 4 }
        );
    }
    fails(
        d,
        &[
            "plot",
            "--weights",
            "w.json",
            "--image",
            "builtin",
            "--layer",
            "3",
            "--out",
            "p3.png",
        ],
        &["--layer 3", "w.json", "2 layer"],
    );
    assert!(!d.join("p3.png").exists());
    // The RTL runs one layer and says so before any work; the cycle model runs several, and
    // compare checks every layer's outcome and weights.
    // Both commands on the two-layer file and the first two builtin images.
    let on_file = ["--weights", "w.json", "--data", "builtin", "--limit", "2"];
    let with = |head: &[&'static str], tail: &[&'static str]| [head, &on_file[..], tail].concat();
    let r = ok_json(d, &with(&["compare"], &["--train", "--json"]));
    assert_eq!(
        (r["agree"].clone(), r["weights_compared"].clone()),
        (json!(true), json!(2 * (12 * 784 + 4 * 12)))
    );
    fails(
        d,
        &with(&["compare"], &["--levels", "golden-fixed,verilator"]),
        &["w.json", "2 layers", "snn compare with an RTL level"],
    );
    let cycle = ok_json(d, &with(&["simulate", "--level", "cycle"], &["--json"]));
    assert_eq!(cycle["images"].as_array().unwrap().len(), 2);
    fails(
        d,
        &["export", "--weights", "w.json", "--out", "w.mem"],
        &["w.json", "snn export"],
    );
    assert!(!d.join("w.mem").exists());
    // Golden simulation of several layers keeps them in the file it writes.
    ok(
        d,
        &[
            "simulate",
            "--level",
            "golden-fixed",
            "--weights",
            "w.json",
            "--data",
            "builtin",
            "--limit",
            "3",
            "--train",
            "--out",
            "w3.json",
        ],
    );
    assert_eq!(
        read_json(&d.join("w3.json"))["layers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn the_cycle_model_runs_two_layers_as_the_golden_fixed_model_does() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The seed's constants with no leak and a low threshold, so that layer 2 wins too.
    std::fs::write(
        d.join("c.toml"),
        "preset = \"seed\"\nleak = 0.0\nthreshold_divisor = 8\n",
    )
    .unwrap();
    ok(
        d,
        &[
            "train", "--data", "builtin", "--limit", "20", "--layers", "12,4", "--config",
            "c.toml", "--arith", "fixed", "--out", "w.json",
        ],
    );
    // `snn simulate` of the two-layer file at `level` on the first `limit` images, then `rest`.
    let simulate = |level: &str, limit: &str, rest: &[&str]| -> Vec<String> {
        let file = ["--weights", "w.json", "--data", "builtin", "--limit", limit];
        let head = ["simulate", "--level", level].into_iter().chain(file);
        head.chain(rest.iter().copied())
            .map(str::to_string)
            .collect()
    };
    let run = |level: &str| {
        let out = format!("{level}.json");
        let args = simulate(level, "10", &["--train", "--out", &out, "--json"]);
        let report = ok_json(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
        (report, read_json(&d.join(out)))
    };
    let (gold, gold_w) = run("golden-fixed");
    let (cycle, cycle_w) = run("cycle");
    let fields = |r: &Value| -> Vec<(Value, Value)> {
        r["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["winner"].clone(), i["spike_times"].clone()))
            .collect()
    };
    assert_eq!(fields(&gold), fields(&cycle));
    assert!(
        fields(&cycle).iter().any(|(w, _)| !w.is_null()),
        "no winner"
    );
    assert_eq!(gold_w["layers"], cycle_w["layers"]);
    assert_eq!(cycle_w["layers"].as_array().unwrap().len(), 2);
    let mean = cycle["mean_cycles"].as_f64().unwrap();
    assert!(mean > 1000.0, "mean cycles {mean}");
    let args = simulate("cycle", "1", &["--vcd", "t.vcd"]);
    fails(
        d,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &["w.json", "--vcd traces a network of one layer"],
    );
    assert!(!d.join("t.vcd").exists());
}

#[test]
fn bad_layer_shapes_are_refused_naming_the_file_or_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (toml, why) in [
        ("layers = []", "layers must list at least one layer"),
        ("layers = [16, 0]", "layers[1] is 0"),
        ("layers = [16, 8]\nneurons = 10", "neurons = 10"),
    ] {
        std::fs::write(d.join("c.toml"), toml).unwrap();
        fails(
            d,
            &[
                "train", "--data", "builtin", "--limit", "2", "--config", "c.toml", "--out",
                "w.json",
            ],
            &["c.toml", why],
        );
        assert!(!d.join("w.json").exists());
    }
    fails(
        d,
        &[
            "train", "--data", "builtin", "--limit", "2", "--layers", "16,0", "--out", "w.json",
        ],
        &["--layers"],
    );
    ok(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--layers",
            "6,3",
            "--out",
            "good.json",
        ],
    );
    let good = read_json(&d.join("good.json"));
    type Edit = fn(&mut Value);
    let cases: [(Edit, &[&str]); 3] = [
        (
            |w| w["layers"][1]["inputs"] = json!(5),
            &["layer 2 has 5 inputs", "chain"],
        ),
        (|w| w["layers"] = json!([]), &["layers is empty"]),
        (
            |w| w["layers"][0]["theta"] = json!([0.0]),
            &["layer 1", "theta"],
        ),
    ];
    let eval = [
        "eval",
        "--weights",
        "bad.json",
        "--data",
        "builtin",
        "--limit",
        "2",
    ];
    for (edit, why) in cases {
        let mut w = good.clone();
        edit(&mut w);
        std::fs::write(d.join("bad.json"), w.to_string()).unwrap();
        fails(d, &eval, &[&["bad.json"], why].concat());
    }
    fails(
        d,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--init-weights",
            "good.json",
            "--layers",
            "6,4",
            "--out",
            "w.json",
        ],
        &["--layers 6,4", "good.json"],
    );
    assert!(!d.join("w.json").exists());
}

/// The reference's `initial()` (scripts/reference/multilayer.py).
fn initial(layer: usize, neurons: usize, inputs: usize) -> Value {
    let rows: Vec<Vec<f64>> = (0..neurons)
        .map(|j| {
            (0..inputs)
                .map(|i| {
                    0.4 * ((7919 * (j * inputs + i) + 104729 * (layer + 1)) % 1000) as f64 / 1000.0
                })
                .collect()
        })
        .collect();
    json!({"inputs": inputs, "neurons": neurons, "weights": rows})
}

#[test]
fn the_seed_multi_layer_experiment_follows_the_reference_through_snn_train() {
    let images = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(SEED_IMAGES);
    if !images.is_dir()
        && !snn_testkit::skip::cannot_run(
            "seed multi-layer",
            &format!("{} is missing", images.display()),
        )
    {
        return;
    }
    let reference: Value = serde_json::from_str(include_str!(
        "../../snn-core/tests/fixtures/multilayer_seed_trace_leak0.json"
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let init = json!({"height": 28, "width": 28, "neurons": 8, "layers": [initial(0, 16, 784), initial(1, 8, 16)]});
    std::fs::write(d.join("init.json"), init.to_string()).unwrap();
    std::fs::write(
        d.join("c.toml"),
        "preset = \"seed\"\nleak = 0.0\ndepression_bound = \"abs_w_min\"\n",
    )
    .unwrap();
    let files: Vec<String> = ["1", "2", "3"]
        .iter()
        .map(|k| images.join(format!("{k}.png")).display().to_string())
        .collect();
    let mut args = vec![
        "train",
        "--config",
        "c.toml",
        "--arith",
        "float",
        "--init-weights",
        "init.json",
        "--out",
        "w.json",
        "--trace",
        "t.json",
        "--data",
    ];
    args.extend(files.iter().map(String::as_str));
    ok(d, &args);
    let trace = read_json(&d.join("t.json"));
    for (k, want) in reference["images"].as_array().unwrap().iter().enumerate() {
        let winners: Vec<Value> = want["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["winner"].clone())
            .collect();
        assert_eq!(
            trace["presentations"][k]["winners"],
            json!(winners),
            "image {}",
            k + 1
        );
    }
    let last = reference["images"][2]["last_weights"].as_array().unwrap();
    let got = read_json(&d.join("w.json"));
    for (j, row) in last.iter().enumerate() {
        for (i, x) in row.as_array().unwrap().iter().enumerate() {
            let (a, b) = (
                got["layers"][1]["weights"][j][i].as_f64().unwrap(),
                x.as_f64().unwrap(),
            );
            assert!((a - b).abs() <= 1e-9, "layer 2 w[{j}][{i}]: {a} vs {b}");
        }
    }
}
