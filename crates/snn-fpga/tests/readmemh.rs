//! Exported `.mem` images load in Icarus and Verilator: a testbench reads each file with
//! `$readmemh` into a memory of the weight memory's shape and prints every word back; the words
//! must unpack to the exported weights. Shapes cover a word that is not a whole number of hex
//! digits (3 x 5 = 15 bits) and words wider than 128 bits (13 x 10, 100 x 10). One more image
//! is the first rewritten the way other tools write `$readmemh` files (`@` jumps in any order,
//! several words on a line, comments): the simulators and `snn import`'s reader must read it alike.

use snn_fpga::bram::{parse, write_image, MemFormat, MemLayout};
use std::path::{Path, PathBuf};
use std::process::Command;

fn layouts() -> [MemLayout; 3] {
    [
        MemLayout {
            neurons: 3,
            inputs: 37,
            weight_bits: 5,
            lanes: 3,
        },
        MemLayout {
            neurons: 13,
            inputs: 20,
            weight_bits: 10,
            lanes: 13,
        },
        MemLayout {
            neurons: 100,
            inputs: 9,
            weight_bits: 10,
            lanes: 100,
        },
    ]
}

fn weights(l: &MemLayout) -> Vec<Vec<i32>> {
    let half = 1i64 << (l.weight_bits - 1);
    (0..l.neurons)
        .map(|j| {
            (0..l.inputs)
                .map(|i| {
                    (((j * 131 + i * 29 + 7) as i64 * 2_654_435_761) % (2 * half) - half) as i32
                })
                .collect()
        })
        .collect()
}

/// The `$readmemh` text `mem` (one word per line) rewritten: chunks of three words, each behind
/// an `@` jump, last chunk first, with comments.
fn with_jumps(mem: &str) -> String {
    let words: Vec<&str> = mem.lines().collect();
    let mut out = String::from("// rewritten with address jumps\n");
    for (c, chunk) in words.chunks(3).enumerate().rev() {
        out += &format!("@{:x} {} // chunk {c}\n", 3 * c, chunk.join(" "));
    }
    out
}

/// Writes the images and one testbench per image; returns (testbench, expected weights, layout).
fn setup(dir: &Path) -> Vec<(PathBuf, Vec<Vec<i32>>, MemLayout)> {
    let mut images: Vec<(MemLayout, bool)> = layouts().iter().map(|l| (*l, false)).collect();
    images.push((layouts()[0], true));
    images
        .iter()
        .enumerate()
        .map(|(k, &(l, jumps))| {
            let l = &l;
            let w = weights(l);
            let mem = format!("w{k}.mem");
            write_image(&dir.join(&mem), &w, &l, MemFormat::Mem).unwrap();
            if jumps {
                let text = with_jumps(&std::fs::read_to_string(dir.join(&mem)).unwrap());
                assert_eq!(parse(&text, l, MemFormat::Mem, &mem).unwrap(), w, "our reader");
                std::fs::write(dir.join(&mem), text).unwrap();
            }
            let tb = dir.join(format!("tb{k}.v"));
            let bits = l.word_bits();
            std::fs::write(
                &tb,
                format!(
                    "module tb{k};\n  reg [{}:0] mem [0:{}];\n  integer i;\n  initial begin\n    $readmemh(\"{mem}\", mem);\n    for (i = 0; i < {}; i = i + 1) $display(\"%h\", mem[i]);\n    $finish;\n  end\nendmodule\n",
                    bits - 1,
                    l.inputs - 1,
                    l.inputs
                ),
            )
            .unwrap();
            (tb, w, *l)
        })
        .collect()
}

fn check(output: &[u8], w: &[Vec<i32>], l: &MemLayout, sim: &str) {
    let text = String::from_utf8_lossy(output);
    let words: Vec<&str> = text
        .lines()
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit()))
        .collect();
    assert_eq!(words.len(), l.inputs, "{sim}: {text}");
    assert_eq!(
        parse(&words.join("\n"), l, MemFormat::Mem, sim).unwrap(),
        w,
        "{sim} {l:?}"
    );
}

#[test]
fn icarus_reads_every_word_of_exported_images() {
    if !snn_testkit::tools(
        "icarus_reads_every_word_of_exported_images",
        &["iverilog", "vvp"],
    ) {
        return;
    }
    let dir = snn_testkit::workdir("snn-fpga/readmemh_icarus");
    for (tb, w, l) in setup(&dir) {
        let exe = tb.with_extension("vvp");
        let c = Command::new("iverilog")
            .current_dir(&dir)
            .arg("-o")
            .arg(&exe)
            .arg(&tb)
            .output()
            .unwrap();
        assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
        let r = Command::new("vvp")
            .current_dir(&dir)
            .arg("-n")
            .arg(&exe)
            .output()
            .unwrap();
        assert!(r.status.success());
        check(&r.stdout, &w, &l, "icarus");
    }
}

#[test]
fn verilator_reads_every_word_of_exported_images() {
    if !snn_testkit::tools(
        "verilator_reads_every_word_of_exported_images",
        &["verilator", "make", "c++"],
    ) {
        return;
    }
    let dir = snn_testkit::workdir("snn-fpga/readmemh_verilator");
    for (tb, w, l) in setup(&dir) {
        let top = tb.file_stem().unwrap().to_str().unwrap().to_string();
        let obj = dir.join(format!("obj_{top}"));
        // --binary is safe here (no rust-hdl output, see docs of the HDL crate); -fno-gate anyway.
        let c = Command::new("verilator")
            .current_dir(&dir)
            .args([
                "--binary",
                "-fno-gate",
                "-Wno-fatal",
                "--top-module",
                &top,
                "--Mdir",
            ])
            .arg(&obj)
            .arg(&tb)
            .output()
            .unwrap();
        assert!(
            c.status.success(),
            "{}{}",
            String::from_utf8_lossy(&c.stdout),
            String::from_utf8_lossy(&c.stderr)
        );
        let r = Command::new(obj.join(format!("V{top}")))
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        check(&r.stdout, &w, &l, "verilator");
    }
}
