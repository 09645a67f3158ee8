//! The JSON report beside the Verilog (`snn_core.json`, `HwParams`) must say what the RTL has:
//! every width it states is that of the registers of that name in the generated Verilog, and
//! every one of its widths is checked against at least one register.

use snn_arch::HwParams;
use snn_core::config::SnnConfig;
use snn_hdl::generate::{generate_verilog, TOP};
use snn_hdl::verilog::module_ports;

/// The registers (rust-hdl modules under `snn_core$`, and the port whose width is theirs: `q`
/// of a flip-flop, `wdata` of a RAM) that hold each width of the report.
const REGISTERS: &[(&str, &[(&str, &str)])] = &[
    ("weight", &[("stdp$w_c", "q")]),
    (
        "potential",
        &[
            ("control$thr_r", "q"),
            ("control$quo", "q"),
            ("neurons$nrn$0$pot_r", "q"),
        ],
    ),
    ("theta", &[("neurons$cell$0$theta_r", "q")]),
    ("wta_value", &[("wta$best_v", "q"), ("wta$cand", "q")]),
    (
        "row_sum",
        &[
            ("stdp$norm$0$rows$0$rsum$0$rsum", "q"),
            ("stdp$norm$0$delta", "q"),
        ],
    ),
    (
        "norm_product",
        &[("stdp$norm$0$nm_acc", "q"), ("stdp$norm$0$diff_r", "q")],
    ),
    ("word", &[("weight_mem$ram", "wdata"), ("stdp$word_c", "q")]),
    (
        "addr",
        &[
            ("spike_gen$i3", "q"),
            ("spike_gen$lists$count_ram", "wdata"),
            ("spike_gen$next_mem", "wdata"),
            ("stdp$addr_c", "q"),
        ],
    ),
    ("sum", &[("control$acc", "q"), ("control$peak_r", "q")]),
    (
        "step",
        &[
            ("control$t_r", "q"),
            ("control$lag_m_r", "q"),
            ("control$cw$ctr$q_r$0", "q"),
            ("control$lag$q_r$0", "q"),
            ("stdp$cw$ctr$q_r$0", "q"),
            ("stdp$m", "q"),
            ("wta$step_r", "q"),
            ("neurons$nrn$0$free_at", "q"),
        ],
    ),
    (
        "residue",
        &[
            ("control$cw$ctr$r_r$0", "q"),
            ("control$lag$r_r$0", "q"),
            ("stdp$cw$ctr$r_r$0", "q"),
        ],
    ),
    (
        "mask",
        &[("control$cw$pend_r", "q"), ("stdp$cw$pend_r", "q")],
    ),
    (
        "class",
        &[
            ("spike_gen$class_reg", "q"),
            ("spike_gen$lists$rd_class", "q"),
            ("stdp$begin_r", "q"),
        ],
    ),
    ("s_reg", &[("spike_gen$s_reg", "q")]),
    (
        "scan",
        &[("spike_gen$scan_r", "q"), ("spike_gen$scan_c", "q")],
    ),
    ("rem", &[("control$rem", "q")]),
    ("div_bit", &[("control$div_bit", "q")]),
    ("cycles", &[("control$cycles_r", "q")]),
    ("distance", &[("stdp$d_b", "q")]),
    (
        "neuron",
        &[
            ("stdp$sj", "q"),
            ("stdp$lane_b", "q"),
            ("wta$winner_r", "q"),
            ("wta$ws_r", "q"),
            ("wta$best_j", "q"),
        ],
    ),
    ("line_buf", &[("spike_gen$line_buf", "wdata")]),
];

fn check(cfg: &SnnConfig) {
    let p = HwParams::new(cfg).unwrap();
    let verilog = generate_verilog(cfg).unwrap();
    let report: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
    let widths = report["widths"].as_object().unwrap();
    // Without homeostasis the report leaves out theta's widths, and the WTA's value is a
    // potential; without normalization it leaves out the row sums' and NormMul's.
    let optional = ["theta", "wta_value"];
    let optional_norm = ["row_sum", "norm_product"];
    let mut named: Vec<&str> = REGISTERS
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| p.homeostasis || !optional.contains(f))
        .filter(|f| p.normalization || !optional_norm.contains(f))
        .collect();
    let mut reported: Vec<&str> = widths.keys().map(String::as_str).collect();
    named.sort_unstable();
    reported.sort_unstable();
    assert_eq!(reported, named, "every width of the report is checked");
    for (field, regs) in REGISTERS {
        let want = match (widths.get(*field), *field) {
            (Some(w), _) => w.as_u64().unwrap() as usize,
            (None, "wta_value") => widths["potential"].as_u64().unwrap() as usize,
            (None, _) => continue,
        };
        for (module, port) in *regs {
            let module = format!("{TOP}${module}");
            let ports = module_ports(&verilog, &module).unwrap_or_else(|e| panic!("{e}"));
            let got = ports
                .iter()
                .find(|q| q.name == *port)
                .unwrap_or_else(|| panic!("{module} has no port {port}"))
                .width;
            assert_eq!(
                got, want,
                "report says {field} = {want}, {module}.{port} is {got} bits"
            );
        }
    }
}

#[test]
fn report_widths_are_those_of_the_generated_registers() {
    check(&SnnConfig::default());
    check(&SnnConfig::small());
    check(&snn_hdl::presets::small_theta());
    check(&SnnConfig {
        norm_target: 0.0,
        ..SnnConfig::learning()
    });
    check(&snn_hdl::presets::small_norm());
    check(&SnnConfig::learning());
}
