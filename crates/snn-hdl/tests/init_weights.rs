//! Baked-in weights survive synthesis: the weight memory of the default preset, generated with
//! initial words (what `snn generate --init-weights` does), is mapped by Yosys `synth_ice40`
//! onto the same 25 `SB_RAM40_4K` as the empty memory, and the netlist, simulated in Icarus with
//! Yosys' own models of the iCE40 cells, reads back every word through the host port without a
//! single write. That proves the block RAMs' INIT values hold the weights, which a simulation of
//! the generated Verilog cannot show. Skipped without yosys or Icarus (a failure under `CI=true`).

use snn_core::config::SnnConfig;
use snn_hdl::prelude::*;
use snn_hdl::weight_mem::{pack_words, WeightMem};
use snn_sim::HwParams;
use std::path::{Path, PathBuf};
use std::process::Command;

const TEST: &str = "baked_weights_are_block_ram_init_values";

/// Reads all 1024 words of the synthesized memory through the host port only: address `a` in
/// one cycle, its word on `rdata` after the edge, printed in hex.
const TB: &str = "module tb;
  reg clock = 0;
  reg [9:0] a = 0;
  wire [99:0] rdata;
  wm_net dut(.clock(clock), .host_mode(1'b1), .host_we(1'b0), .host_addr(a), .host_wdata(100'h0),
    .raddr(10'h0), .we(1'b0), .waddr(10'h0), .wdata(100'h0), .rdata(rdata));
  integer i;
  initial begin
    for (i = 0; i < 1024; i = i + 1) begin
      a = i;
      #1 clock = 1;
      #1 clock = 0;
      $display(\"%h\", rdata);
    end
    $finish;
  end
endmodule
";

/// Yosys' simulation models of the iCE40 cells, in its share folder beside the binary.
fn ice40_cells_sim() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("../share/yosys/ice40/cells_sim.v"))
        .find(|p| p.is_file())
}

/// Runs `cmd` in `dir`, panicking with its output when it fails; returns stdout.
fn run(cmd: &mut Command, dir: &Path) -> String {
    let out = cmd.current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn baked_weights_are_block_ram_init_values() {
    if !snn_testkit::tools(TEST, &["yosys", "iverilog", "vvp"]) {
        return;
    }
    let Some(cells) = ice40_cells_sim() else {
        snn_testkit::cannot_run(
            TEST,
            "yosys' share/yosys/ice40/cells_sim.v not found beside yosys",
        );
        return;
    };
    let cfg = SnnConfig::default();
    let p = HwParams::new(&cfg).unwrap();
    let (n, m, wb) = (cfg.neurons, cfg.inputs(), cfg.fixed.weight_bits as usize);
    // Every lane value of the weight range, spread over neurons and inputs.
    let span = (p.format.w_max - p.format.w_min + 1) as usize;
    let raw: Vec<Vec<i32>> = (0..n)
        .map(|j| {
            (0..m)
                .map(|i| p.format.w_min + ((i * 31 + j * 101) % span) as i32)
                .collect()
        })
        .collect();
    let words = pack_words::<100>(&raw, wb, raw.len());

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("snn-hdl-init-weights");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rtl = dir.join("weight_mem.v");
    let mut uut = WeightMem::<100, 10>::with_words(&p, &words);
    std::fs::write(&rtl, generate(&mut uut, "weight_mem")).unwrap();
    let r = synth_ice40(&rtl, "weight_mem").unwrap();
    let empty = dir.join("empty.v");
    std::fs::write(
        &empty,
        generate(&mut WeightMem::<100, 10>::new(&p), "weight_mem"),
    )
    .unwrap();
    let e = synth_ice40(&empty, "weight_mem").unwrap();
    assert_eq!(r.brams, 25, "1024 x 100 in 1024 x 4 blocks: {r:?}");
    assert_eq!(
        (r.brams, r.luts, r.ffs),
        (e.brams, e.luts, e.ffs),
        "initial words change nothing but the INIT values"
    );

    run(
        Command::new("yosys").args([
            "-q",
            "-p",
            "read_verilog weight_mem.v; synth_ice40 -top weight_mem; rename weight_mem wm_net; write_verilog -noattr wm_net.v",
        ]),
        &dir,
    );
    std::fs::write(dir.join("tb.v"), TB).unwrap();
    run(
        Command::new("iverilog")
            .args([
                "-g2012",
                "-DNO_ICE40_DEFAULT_ASSIGNMENTS",
                "-o",
                "tb.vvp",
                "tb.v",
                "wm_net.v",
            ])
            .arg(&cells),
        &dir,
    );
    let out = run(Command::new("vvp").args(["-n", "tb.vvp"]), &dir);
    let got: Vec<&str> = out.lines().filter(|l| !l.contains("$finish")).collect();
    assert_eq!(got.len(), 1024, "{out}");
    for (a, line) in got.iter().enumerate() {
        let want = words
            .get(a)
            .map_or_else(|| "0".repeat(25), |w| format!("{w:x}"));
        assert_eq!(*line, want, "word {a} of the synthesized memory");
    }
    println!(
        "weight_mem with {m} baked words on iCE40: {} SB_RAM40_4K, {} LUT4, {} FF (empty: {}, {}, {})",
        r.brams, r.luts, r.ffs, e.brams, e.luts, e.ffs
    );
}
