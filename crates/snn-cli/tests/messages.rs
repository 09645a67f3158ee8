//! Messages, help and outputs (issue 11, part 2): hints that name the command's own flags, data
//! errors that say what a file is not, zero counts blamed on their flag, compact numbers, the
//! `--split` of single-image commands, `import --format`, help text.
//!
//! `fails` (tests/common) checks every error for Rust debug text and for flags the command does
//! not have; every bad-input test of this crate goes through it.

mod common;
use common::{fails, ok, ok_json, read_json};

/// Float weights (not multiples of 2^-8): the fixed-point commands must be told to round them.
fn float_weights(d: &std::path::Path) {
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
}

#[test]
fn every_hint_names_a_flag_the_command_has() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    float_weights(d);
    for args in [
        vec!["export", "--weights", "wf.json", "--out", "w.mem"],
        vec!["generate", "--init-weights", "wf.json", "--out", "g"],
        vec![
            "fpga",
            "--target",
            "ecp5",
            "--init-weights",
            "wf.json",
            "--out",
            "f",
        ],
        vec![
            "simulate",
            "--level",
            "cycle",
            "--weights",
            "wf.json",
            "--data",
            "builtin",
            "--limit",
            "1",
        ],
    ] {
        fails(d, &args, &["wf.json", "neuron 0, input 0", "--quantize"]);
    }
    assert!(!d.join("w.mem").exists() && !d.join("g").exists() && !d.join("f").exists());
    // The hint works, and the former name of the flag still does.
    ok(
        d,
        &[
            "export",
            "--weights",
            "wf.json",
            "--out",
            "w.mem",
            "--quantize",
        ],
    );
    ok(
        d,
        &[
            "export",
            "--weights",
            "wf.json",
            "--out",
            "w2.mem",
            "--saturate",
        ],
    );
    assert_eq!(
        std::fs::read(d.join("w.mem")).unwrap(),
        std::fs::read(d.join("w2.mem")).unwrap()
    );
    fails(
        d,
        &["export", "--weights", "wf.json", "--out", "w.txt"],
        &["w.txt", "--format"],
    );
}

#[test]
fn files_that_are_not_data_say_what_they_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("random.idx"), [0x37, 0x12, 0xa0, 0x05, 1, 2, 3]).unwrap();
    std::fs::write(
        d.join("floats-idx3-ubyte"),
        [
            0, 0, 0x0d, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0,
        ],
    )
    .unwrap();
    std::fs::write(d.join("notes.txt"), "hello").unwrap();
    for (file, what) in [
        ("random.idx", "not an MNIST IDX file: magic 0x3712a005"),
        (
            "floats-idx3-ubyte",
            "type code 0x0d = 32-bit float, 3 dimensions",
        ),
        ("notes.txt", "neither a PNG image nor an MNIST IDX file"),
    ] {
        let err = fails(d, &["encode", file], &[file, what]);
        if file != "notes.txt" {
            assert!(!err.contains("PNG"), "{err}");
        }
        fails(
            d,
            &["train", "--data", file, "--out", "w.json"],
            &[file, what],
        );
    }
}

#[test]
fn zero_counts_name_their_flag() {
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
            "--arith",
            "fixed",
            "--out",
            "w.json",
        ],
    );
    let train = |flag: &'static str| {
        (
            flag,
            vec![
                "train", "--data", "builtin", "--limit", "3", "--out", "x.json", flag, "0",
            ],
        )
    };
    for (flag, args) in [
        train("--epochs"),
        train("--neurons"),
        train("--limit"),
        (
            "--limit",
            vec![
                "eval",
                "--weights",
                "w.json",
                "--data",
                "builtin",
                "--limit",
                "0",
            ],
        ),
        (
            "--limit",
            vec![
                "simulate",
                "--level",
                "cycle",
                "--weights",
                "w.json",
                "--data",
                "builtin",
                "--limit",
                "0",
            ],
        ),
        (
            "--limit",
            vec![
                "compare",
                "--weights",
                "w.json",
                "--data",
                "builtin",
                "--limit",
                "0",
            ],
        ),
        (
            "--train-limit",
            vec!["agree", "--data", "builtin", "--train-limit", "0"],
        ),
        (
            "--neurons",
            vec!["import", "x.mem", "--neurons", "0", "--out", "x.json"],
        ),
        (
            "--cycle-images",
            vec!["fpga", "--target", "ecp5", "--cycle-images", "0"],
        ),
        ("--freq", vec!["fpga", "--target", "ecp5", "--freq", "0"]),
        ("--baud", vec!["fpga", "--target", "ecp5", "--baud", "0"]),
        ("--t-steps", vec!["encode", "builtin", "--t-steps", "0"]),
    ] {
        let err = fails(d, &args, &[flag]);
        assert!(!err.contains("default configuration"), "{err}");
        assert!(!err.contains("holds no images"), "{err}");
    }
    assert!(!d.join("x.json").exists());
}

#[test]
fn numbers_in_messages_are_compact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    float_weights(d);
    let mut w = read_json(&d.join("wf.json"));
    for j in 0..2 {
        w["weights"][j] = serde_json::to_value(vec![0.5; 784]).unwrap();
    }
    w["weights"][1][5] = serde_json::json!(1e308);
    std::fs::write(d.join("huge.json"), w.to_string()).unwrap();
    let err = fails(
        d,
        &[
            "eval",
            "--weights",
            "huge.json",
            "--data",
            "builtin",
            "--limit",
            "2",
            "--arith",
            "fixed",
        ],
        &["huge.json", "neuron 1, input 5", "1e308"],
    );
    let longest = err
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest < 20, "a number of {longest} digits in {err}");
}

#[test]
fn single_image_commands_take_and_show_the_split() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let test = ok_json(d, &["encode", "builtin", "--split", "test", "--json"]);
    assert_eq!(test["split"], "test");
    assert!(
        test["source"].as_str().unwrap().starts_with("builtin:test"),
        "{test}"
    );
    let train = ok_json(d, &["encode", "builtin", "--json"]);
    assert_eq!(train["split"], "train");
    assert_ne!(train["spike_times"], test["spike_times"]);
    assert!(ok(d, &["encode", "builtin", "--split", "test"]).contains("of the test split"));
    // A file has no split.
    let img = snn_data::builtin::digits(snn_data::Split::Test, 1, 0)
        .images
        .remove(0);
    snn_data::png::write(&d.join("d.png"), &img).unwrap();
    assert!(ok_json(d, &["encode", "d.png", "--json"])["split"].is_null());

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
            "w.json",
        ],
    );
    let p = ok_json(
        d,
        &[
            "plot",
            "--weights",
            "w.json",
            "--image",
            "builtin",
            "--split",
            "test",
            "--index",
            "3",
            "--out",
            "p.png",
            "--json",
        ],
    );
    assert_eq!(
        (p["split"].as_str(), p["index"].as_u64()),
        (Some("test"), Some(3))
    );
    let text = ok(
        d,
        &[
            "plot",
            "--weights",
            "w.json",
            "--image",
            "builtin",
            "--split",
            "test",
            "--out",
            "p.png",
        ],
    );
    assert!(text.contains("test split"), "{text}");
}

#[test]
fn help_names_the_fpga_build_folder_variable() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(dir.path(), &["fpga", "--help"]);
    assert!(help.contains("SNN_FPGA_BUILD"), "{help}");
    assert!(help.contains("current directory"), "{help}");
    for (cmd, flags) in [
        (
            "export",
            &["--weights", "--out", "--format", "--quantize"][..],
        ),
        (
            "import",
            &["--out", "--format", "--neurons", "--height", "--width"],
        ),
        ("encode", &["--split"]),
        ("plot", &["--split"]),
        ("eval", &["--classes"]),
    ] {
        let help = ok(dir.path(), &[cmd, "--help"]);
        for f in flags {
            assert!(help.contains(f), "{cmd} --help lacks {f}:\n{help}");
        }
    }
}
