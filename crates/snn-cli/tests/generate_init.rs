//! `snn generate --init-weights`: trained weights baked into the generated weight memory, from
//! a weights file or the `.mem` image `snn export` writes (both give the same Verilog), and bad
//! images refused with an error naming the file, before anything is written. That the baked core
//! classifies like the models is proven in simulation by `crates/snn-rtlsim/tests/init_weights.rs`
//! and after synthesis by `crates/snn-hdl/tests/init_weights.rs`.

use std::path::Path;

mod common;
use common::{fails, ok};

/// Trains `neurons` neurons on 30 built-in digits in fixed point into `out`.
fn train(dir: &Path, neurons: &str, out: &str) {
    ok(
        dir,
        &[
            "train",
            "--data",
            "builtin",
            "--limit",
            "30",
            "--neurons",
            neurons,
            "--arith",
            "fixed",
            "--out",
            out,
        ],
    );
}

/// The weight words of a `.mem` that `snn export` wrote: every line but its `// snn-weights`
/// header comment.
fn mem_words(mem: &str) -> Vec<&str> {
    mem.lines().filter(|l| !l.starts_with("//")).collect()
}

/// The word assignments at constant addresses in the generated Verilog (the initial words).
fn initial_words(verilog: &str) -> Vec<&str> {
    verilog
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("mem[") && l[4..].starts_with(|c: char| c.is_ascii_digit()))
        .collect()
}

#[test]
fn weights_file_and_mem_image_bake_the_same_weights() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    train(dir, "10", "w.json");
    ok(
        dir,
        &[
            "export",
            "--weights",
            "w.json",
            "--format",
            "mem",
            "--out",
            "w.mem",
        ],
    );
    let printed = ok(
        dir,
        &["generate", "--init-weights", "w.mem", "--out", "from_mem"],
    );
    assert!(
        printed.contains("weight memory starts with w.mem"),
        "{printed}"
    );
    ok(
        dir,
        &["generate", "--init-weights", "w.json", "--out", "from_json"],
    );
    ok(dir, &["generate", "--out", "plain"]);
    let read = |d: &str| std::fs::read_to_string(dir.join(d).join("snn_core.v")).unwrap();
    let (from_mem, from_json, plain) = (read("from_mem"), read("from_json"), read("plain"));
    assert!(
        from_mem == from_json,
        "the .json and its .mem export bake different Verilog"
    );
    assert!(
        initial_words(&plain).is_empty(),
        "no initial words without --init-weights"
    );
    let mem = std::fs::read_to_string(dir.join("w.mem")).unwrap();
    let want: Vec<String> = mem_words(&mem)
        .iter()
        .enumerate()
        .map(|(i, w)| format!("mem[{i}] = 100'h{w};"))
        .collect();
    assert_eq!(want.len(), 784);
    assert_eq!(initial_words(&from_mem), want);
    // The configuration report is the same as without initial weights.
    let json = |d: &str| std::fs::read_to_string(dir.join(d).join("snn_core.json")).unwrap();
    assert_eq!(json("from_mem"), json("plain"));
}

#[test]
fn images_of_the_wrong_shape_are_errors_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    train(dir, "10", "w.json");
    train(dir, "4", "w4.json");
    for (w, out) in [("w.json", "w.mem"), ("w4.json", "w4.mem")] {
        ok(
            dir,
            &["export", "--weights", w, "--format", "mem", "--out", out],
        );
    }
    // Another network's image: 4 neurons' words (10 digits) for the default 10 neurons (25).
    fails(
        dir,
        &["generate", "--init-weights", "w4.mem", "--out", "out"],
        &["w4.mem:2", "has 10 hex digits", "25"],
    );
    // One word missing.
    let mem = std::fs::read_to_string(dir.join("w.mem")).unwrap();
    let words = mem_words(&mem);
    let short: String = words.iter().skip(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("short.mem"), short).unwrap();
    fails(
        dir,
        &["generate", "--init-weights", "short.mem", "--out", "out"],
        &["short.mem", "783 words, expected 784"],
    );
    // A word wider than 100 bits.
    let wide: String = words.iter().map(|l| format!("f{l}\n")).collect();
    std::fs::write(dir.join("wide.mem"), wide).unwrap();
    fails(
        dir,
        &["generate", "--init-weights", "wide.mem", "--out", "out"],
        &["wide.mem:1", "initial weights"],
    );
    // A weight in 10 bits but above w_max (1.5 = raw 384): neuron 0 of input 0 set to 511.
    let mut lines: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let last = lines[0].len() - 3;
    lines[0].replace_range(last.., "1ff");
    std::fs::write(dir.join("big.mem"), lines.join("\n") + "\n").unwrap();
    fails(
        dir,
        &["generate", "--init-weights", "big.mem", "--out", "out"],
        &["big.mem", "neuron 0, input 0"],
    );
    std::fs::write(dir.join("w.bin"), "00\n").unwrap();
    fails(
        dir,
        &["generate", "--init-weights", "w.bin", "--out", "out"],
        &["w.bin", ".mem"],
    );
    assert!(!dir.join("out").exists(), "a failed generate wrote files");
}
