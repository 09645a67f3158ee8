//! `lanes = P` through the command line: the cycle model runs lane designs bit for bit with the
//! golden fixed model, slower per image by the cycles docs/ARCHITECTURE.md ("Neuron lanes")
//! gives; the RTL generator and the configuration checks refuse what they cannot build.

mod common;
use common::*;

/// A `default`-preset configuration of 12 neurons in lanes of `p`.
fn lanes_config(dir: &std::path::Path, p: usize) -> String {
    let name = format!("p{p}.toml");
    std::fs::write(
        dir.join(&name),
        format!("preset = \"default\"\nneurons = 12\nlanes = {p}\n"),
    )
    .unwrap();
    name
}

#[test]
fn compare_agrees_for_lanes_and_costs_more_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (p5, p12) = (lanes_config(d, 5), lanes_config(d, 12));
    let train = [
        "train", "--data", "builtin", "--limit", "4", "--arith", "fixed",
    ];
    ok(
        d,
        &[&train[..], &["--config", &p5, "--out", "w.json"]].concat(),
    );
    let mut cycles = Vec::new();
    for cfg in [&p5, &p12] {
        let compare = [
            "compare",
            "--levels",
            "golden-fixed,cycle",
            "--weights",
            "w.json",
        ];
        let rest = ["--data", "builtin", "--limit", "8", "--train", "--json"];
        let r = ok_json(d, &[&compare[..], &["--config", cfg], &rest[..]].concat());
        assert_eq!(r["agree"], true, "{cfg}: {r}");
        assert_eq!(r["weights_compared"], 8 * 12 * 784, "{cfg}");
        cycles.push(r["levels"][1]["mean_cycles"].as_f64().unwrap());
    }
    // Three groups walk every step three times.
    assert!(cycles[0] > 1.5 * cycles[1], "cycles per image {cycles:?}");
}

#[test]
fn lanes_out_of_range_and_the_rtl_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (p, hint) in [("0", "lanes = 1"), ("13", "lanes = 12")] {
        std::fs::write(
            d.join("bad.toml"),
            format!("preset = \"default\"\nneurons = 12\nlanes = {p}\n"),
        )
        .unwrap();
        let args = [
            "train", "--data", "builtin", "--limit", "1", "--config", "bad.toml",
        ];
        fails(
            d,
            &[&args[..], &["--out", "w.json"]].concat(),
            &["lanes", hint],
        );
        assert!(!d.join("w.json").exists());
    }
    // The RTL refuses one lane by name, and names the lanes and mechanisms of a shape no width
    // set is compiled for.
    let p1 = lanes_config(d, 1);
    fails(
        d,
        &["generate", "--config", &p1, "--out", "hdl"],
        &["lanes = 1", "use lanes = 2"],
    );
    let p5 = lanes_config(d, 5);
    fails(
        d,
        &["generate", "--config", &p5, "--out", "hdl"],
        &[
            "no compiled HDL preset",
            "N = 12, P = 5, WB = 10, PB = 21, AW = 10, homeostasis, row normalization",
            "default-n100-p10 (N = 100, P = 10,",
        ],
    );
    assert!(
        !d.join("hdl").exists(),
        "no output folder for a refused design"
    );
}

#[test]
fn generate_lists_its_compiled_presets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let list = ok_json(d, &["generate", "--list-presets", "--json"]);
    assert_documented("## `snn generate --list-presets", &list);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"default-n10") && names.contains(&"n100"),
        "{names:?}"
    );
    let text = ok(d, &["generate", "--list-presets"]);
    assert!(
        text.contains("default-n100           | 100 | 100 | 10 | 21 | 10 | 17 | yes")
            && text.contains("default-theta-n100-p10 | 100 |  10 | 10 | 21 | 10 | 17 | yes"),
        "{text}"
    );
    assert!(!d.join("hdl").exists(), "listing writes nothing");
}

#[test]
fn configurations_beyond_the_rtl_are_refused_with_the_nearest_valid_value() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (body, names) in [
        (
            "t_steps = 230\n",
            &["step registers", "use t_steps <= 224"][..],
        ),
        (
            "height = 300\n[fixed]\npotential_bits = 24\n",
            &["height 300", "at most 254"][..],
        ),
    ] {
        std::fs::write(d.join("c.toml"), format!("preset = \"seed\"\n{body}")).unwrap();
        fails(
            d,
            &["generate", "--config", "c.toml", "--out", "hdl"],
            names,
        );
        assert!(!d.join("hdl").exists(), "{body}: no output folder");
    }
}
