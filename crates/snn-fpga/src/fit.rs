//! Fit before you build: the core's memories, the block RAMs they take on a part, and a LUT
//! range, from the configuration alone, so that `snn fpga` can refuse a design that cannot fit
//! in milliseconds instead of after minutes of synthesis and placement.
//!
//! Each memory of the core (docs/ARCHITECTURE.md, "Memories", with the real depths and widths
//! of the generated `Bram`s) goes where Yosys 0.23's `memory_libmap` puts it: it compares the
//! cost of the cheapest block-RAM shape (`brams.txt` of each family: 64 per `SB_RAM40_4K`, 128
//! per `DP16KD`, 129 per `RAMB18`), of LUT RAM (ECP5 `TRELLIS_DPR16X4` at 4, Xilinx
//! `RAM64M`/`RAM32M`) and of flip-flops (1 per bit), and takes the cheapest, a tie going to
//! block RAM. Checked against Yosys 0.23 on the memories alone (the core's `Bram` Verilog, one
//! memory per run): on Xilinx 256 x 10, 256 x 9, 1024 x 2, 512 x 3, 64 x 64, 32 x 32 and 10 x 480
//! go to LUT RAM, 256 x 12, 1024 x 3, 512 x 6, 128 x 24 and 256 x 32 to one `RAMB18`; on ECP5
//! 256 x 4, 32 x 32, 25 x 48 and 10 x 480 go to `TRELLIS_DPR16X4`, 256 x 5, 512 x 3 and 64 x 64
//! (two) to `DP16KD`; on iCE40 4 x 168 goes to flip-flops, 10 x 480 to 30 `SB_RAM40_4K`
//! (the test `lone_memories_go_where_yosys_puts_them` pins each). And against the whole core's
//! measured counts in README.md "FPGA" (`the_measured_block_counts_are_reproduced`): iCE40 32 `SB_RAM40_4K` for the `seed`
//! core at N = 10 and 87 at N = 32; ECP5 10 `DP16KD` for `seed`, 11 for `default`; Artix-7 3
//! RAMB36 + 2 RAMB18 at N = 10, 9 + 2 at N = 32 and 28 + 2 at N = 100.
//!
//! The UP5K's four `SB_SPRAM256KA` (16K x 16 each) hold the weights when they fit in them (issue
//! 12 puts the weights there); today's RTL does not instantiate them yet, so on the UP5K a core
//! whose weights fit the SPRAMs is estimated with them and may still fail in the flow.

mod luts;
pub mod plan;

pub use luts::LutRange;

use crate::flow::{Capacity, Target};
use serde::Serialize;
use snn_arch::widths::{CLASS_BITS, LINE_BUF_ADDR_BITS, LINE_BUF_BITS};
use snn_arch::HwParams;
use std::fmt::Write as _;

/// One memory of the core: `depth` words of `width` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// The name of docs/ARCHITECTURE.md (`weight_mem`, `next_mem`, ...).
    pub name: &'static str,
    pub depth: u64,
    pub width: u64,
}

impl Memory {
    pub fn bits(&self) -> u64 {
        self.depth * self.width
    }
}

/// The memories of P < N cores that P = N cores keep in registers.
const NEURON_STATE: &str = "neuron state";
const THETAS: &str = "thetas";

/// The memories of the core for `p`, as the generator declares them: `weight_mem` of `2^AW`
/// words of `N * WB` bits (P = N) or `G * M` words of `P * WB` bits (P < N, the lane layout of
/// issue 12); `next_mem` of `2^AW` x `AW`; `line_buf` of 256 x 32 (its address register is
/// [`LINE_BUF_ADDR_BITS`] wide, whatever `W`); the class lists' heads and counts, 256 x `AW`
/// each ([`CLASS_BITS`]-bit class); `tag_mem` of `2^AW` x 2 with normalization; and with P < N
/// the neuron state of the `G` groups, `P * (2 PB + 8)` bits a word (potential, shown value,
/// refractory end), and with homeostasis their thetas, `P * TB` bits a word (the generator
/// declares one memory of `G x TB` per lane: as shallow, it maps the same way).
pub fn memories(p: &HwParams) -> Vec<Memory> {
    let mem = |name, depth: u64, width: u64| Memory { name, depth, width };
    let (aw, wb) = (p.aw as u64, p.format.weight_bits as u64);
    let (lanes, full) = (p.lanes as u64, 1u64 << aw);
    let mut v = vec![
        if p.lanes < p.n {
            mem("weight_mem", p.groups as u64 * p.m as u64, lanes * wb)
        } else {
            mem("weight_mem", full, lanes * wb)
        },
        mem("next_mem", full, aw),
        mem("line_buf", 1 << LINE_BUF_ADDR_BITS, LINE_BUF_BITS as u64),
        mem("class heads", 1 << CLASS_BITS, aw),
        mem("class counts", 1 << CLASS_BITS, aw),
    ];
    if p.normalization {
        v.push(mem("tag_mem", full, 2));
    }
    if p.lanes < p.n {
        let pb = p.format.potential_bits as u64;
        v.push(mem(NEURON_STATE, p.groups as u64, lanes * (2 * pb + 8)));
        if p.homeostasis {
            let tb = p.format.theta_bits as u64;
            v.push(mem(THETAS, p.groups as u64, lanes * tb));
        }
    }
    v
}

/// Where a memory goes on a family.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mapping {
    /// `count` block RAMs of the family (`SB_RAM40_4K`, `DP16KD`, `RAMB18`), each configured
    /// `depth x width`; `units` is their share of [`Capacity::brams`] (a RAMB18 is 0.5).
    Blocks {
        cell: &'static str,
        count: u64,
        depth: u64,
        width: u64,
        units: f64,
    },
    /// `count` of the UP5K's `SB_SPRAM256KA`.
    Spram { count: u64 },
    /// `count` LUT-RAM cells (`TRELLIS_DPR16X4`, `RAM64M`/`RAM32M`) taking `luts` LUTs.
    LutRam {
        cell: &'static str,
        count: u64,
        luts: u64,
    },
    /// Flip-flops, one per bit, and about as many LUTs for the write enables and read mux.
    Logic { ffs: u64, luts: u64 },
}

impl Mapping {
    /// Block RAMs in [`Capacity::brams`] units.
    pub fn brams(&self) -> f64 {
        match self {
            Mapping::Blocks { units, .. } => *units,
            _ => 0.0,
        }
    }

    /// LUTs the memory takes outside block RAM.
    pub fn luts(&self) -> u64 {
        match self {
            Mapping::LutRam { luts, .. } | Mapping::Logic { luts, .. } => *luts,
            _ => 0,
        }
    }
}

/// A family's block RAM: its configurations, `memory_libmap`'s cost of one, and the share of
/// [`Capacity::brams`] one takes.
struct BlockRam {
    cell: &'static str,
    /// What [`Capacity::brams`] counts (`RAMB36` for Xilinx).
    unit_name: &'static str,
    shapes: &'static [(u64, u64)],
    cost: f64,
    unit: f64,
}

/// A family's LUT RAM cell: its configurations (simple dual port), the cost of one fully used
/// cell, whether a partly used cell costs its used share (Xilinx: `widthscale`), and the LUTs
/// one takes.
struct LutRamCell {
    cell: &'static str,
    shapes: &'static [(u64, u64)],
    cost: f64,
    width_scaled: bool,
    luts: u64,
}

/// `SB_RAM40_4K` (4 Kbit) in its four shapes.
const EBR: BlockRam = BlockRam {
    cell: "SB_RAM40_4K",
    unit_name: "SB_RAM40_4K",
    shapes: &[(256, 16), (512, 8), (1024, 4), (2048, 2)],
    cost: 64.0,
    unit: 1.0,
};
/// `DP16KD` (18 Kbit); 512 x 36 in the pseudo-dual-port mode the core's RAMs use.
const DP16KD: BlockRam = BlockRam {
    cell: "DP16KD",
    unit_name: "DP16KD",
    shapes: &[
        (16384, 1),
        (8192, 2),
        (4096, 4),
        (2048, 9),
        (1024, 18),
        (512, 36),
    ],
    cost: 128.0,
    unit: 1.0,
};
/// `RAMB18E1` (18 Kbit, half a RAMB36E1); Yosys pairs them into RAMB36E1s, so the count in
/// RAMB36 is half the RAMB18s.
const RAMB18: BlockRam = BlockRam {
    cell: "RAMB18",
    unit_name: "RAMB36",
    shapes: DP16KD.shapes,
    cost: 129.0,
    unit: 0.5,
};
const TRELLIS_DPR: LutRamCell = LutRamCell {
    cell: "TRELLIS_DPR16X4",
    shapes: &[(16, 4)],
    cost: 4.0,
    width_scaled: false,
    luts: 4,
};
/// `RAM64M` (64 x 3) and `RAM32M` (32 x 6) in simple dual port. `memory_libmap` rates a cell
/// at 8 plus the read mux around it; 9 per fully used cell is what reproduces the probes of
/// the module documentation (the boundary lies between 8.06 and 9.67).
const XILINX_LUTRAM: LutRamCell = LutRamCell {
    cell: "RAM64M/RAM32M",
    shapes: &[(64, 3), (32, 6)],
    cost: 9.0,
    width_scaled: true,
    luts: 4,
};
/// The UP5K's single-port RAMs: 4 of 16K x 16.
const SPRAM: (u64, u64, u64) = (16384, 16, 4);

/// The RAM resources of a target.
struct Family {
    block: BlockRam,
    lut_ram: Option<LutRamCell>,
    spram: bool,
}

fn family(target: Target) -> Family {
    match target {
        Target::Ice40Hx8k => Family {
            block: EBR,
            lut_ram: None,
            spram: false,
        },
        Target::Ice40Up5k => Family {
            block: EBR,
            lut_ram: None,
            spram: true,
        },
        Target::Ecp5 | Target::Ecp5U85f => Family {
            block: DP16KD,
            lut_ram: Some(TRELLIS_DPR),
            spram: false,
        },
        Target::Xc7a35t => Family {
            block: RAMB18,
            lut_ram: Some(XILINX_LUTRAM),
            spram: false,
        },
    }
}

/// What [`Capacity::brams`] counts on `target`: `SB_RAM40_4K`, `DP16KD` or `RAMB36`.
pub fn block_unit(target: Target) -> &'static str {
    family(target).block.unit_name
}

/// The bits of block RAM of `target` (parity bits included: 18 Kbit a `DP16KD`).
pub fn block_ram_bits(target: Target) -> u64 {
    let b = family(target).block;
    let per_block = b.shapes.iter().map(|(d, w)| d * w).max().unwrap_or(0);
    (target.capacity().brams / b.unit) as u64 * per_block
}

/// Cells of shape `(d, w)` that hold `depth x width`.
fn cells(depth: u64, width: u64, (d, w): (u64, u64)) -> u64 {
    depth.div_ceil(d) * width.div_ceil(w)
}

/// The cheapest mapping of `m` on `fam`, as `memory_libmap` chooses it (module documentation).
fn map(m: &Memory, fam: &Family) -> Mapping {
    let b = &fam.block;
    let (count, (depth, width)) = b
        .shapes
        .iter()
        .map(|&s| (cells(m.depth, m.width, s), s))
        .min_by_key(|&(n, _)| n)
        .expect("a family has block shapes");
    let mut best = (
        b.cost * count as f64,
        Mapping::Blocks {
            cell: b.cell,
            count,
            depth,
            width,
            units: b.unit * count as f64,
        },
    );
    let mut consider = |cost: f64, mapping| {
        if cost < best.0 {
            best = (cost, mapping);
        }
    };
    if let Some(l) = &fam.lut_ram {
        for &(d, w) in l.shapes {
            let count = cells(m.depth, m.width, (d, w));
            let used = if l.width_scaled {
                m.depth.div_ceil(d) as f64 * m.width as f64 / w as f64
            } else {
                count as f64
            };
            consider(
                l.cost * used,
                Mapping::LutRam {
                    cell: l.cell,
                    count,
                    luts: count * l.luts,
                },
            );
        }
    }
    consider(
        m.bits() as f64,
        Mapping::Logic {
            ffs: m.bits(),
            luts: m.bits(),
        },
    );
    best.1
}

/// The UP5K's SPRAMs for the weights, when they fit in the four.
fn spram(m: &Memory) -> Option<Mapping> {
    let (d, w, have) = SPRAM;
    let count = cells(m.depth, m.width, (d, w));
    (m.name == "weight_mem" && count <= have).then_some(Mapping::Spram { count })
}

/// One memory and where it goes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemoryFit {
    #[serde(flatten)]
    pub memory: Memory,
    pub mapping: Mapping,
}

/// What a configuration needs of a target, without synthesis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub target: Target,
    pub capacity: Capacity,
    /// What [`Capacity::brams`] counts on this part: `SB_RAM40_4K`, `DP16KD`, `RAMB36` (two
    /// `RAMB18`).
    pub block_unit: &'static str,
    pub memories: Vec<MemoryFit>,
    /// Block RAMs in [`Capacity::brams`] units.
    pub brams: f64,
    /// The UP5K's `SB_SPRAM256KA` (of 4); 0 elsewhere.
    pub spram: u64,
    /// LUTs, in the unit of [`crate::flow::FpgaReport::luts`].
    pub luts: LutRange,
}

/// Block RAM count as the reports write it (RAMB36 halves).
fn blocks(x: f64) -> String {
    if x.fract() == 0.0 {
        grouped(x as u64)
    } else {
        format!("{x}")
    }
}

/// `784000` as `784,000`.
pub fn grouped(x: u64) -> String {
    let digits = x.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Estimate {
    pub fn new(target: Target, p: &HwParams) -> Self {
        let fam = family(target);
        let memories: Vec<MemoryFit> = memories(p)
            .into_iter()
            .map(|memory| {
                let mapping = Some(memory)
                    .filter(|_| fam.spram)
                    .and_then(|m| spram(&m))
                    .unwrap_or_else(|| map(&memory, &fam));
                MemoryFit { memory, mapping }
            })
            .collect();
        let brams = memories.iter().map(|m| m.mapping.brams()).sum();
        let spram = memories
            .iter()
            .map(|m| match m.mapping {
                Mapping::Spram { count } => count,
                _ => 0,
            })
            .sum();
        // The measured cores' other memories are in the LUT fit already.
        let state: u64 = memories
            .iter()
            .filter(|m| m.memory.name == NEURON_STATE || m.memory.name == THETAS)
            .map(|m| m.mapping.luts())
            .sum();
        Estimate {
            target,
            capacity: target.capacity(),
            block_unit: fam.block.unit_name,
            brams,
            spram,
            luts: LutRange::new(target, p, state),
            memories,
        }
    }

    /// Why the configuration cannot fit, with the numbers: more block RAMs than the part has,
    /// or a LUT estimate whose lower bound exceeds its LUTs. `None` when it may fit.
    pub fn refusal(&self) -> Option<String> {
        let cap = &self.capacity;
        let part = format!("the {} ({})", cap.part, self.target);
        if self.brams > cap.brams {
            let mut why = String::new();
            for m in self.memories.iter().filter(|m| m.mapping.brams() > 0.0) {
                let _ = write!(
                    why,
                    "{}{} needs {} bits ({} x {}) in {} {}",
                    if why.is_empty() { "" } else { ", " },
                    m.memory.name,
                    grouped(m.memory.bits()),
                    grouped(m.memory.depth),
                    m.memory.width,
                    blocks(m.mapping.brams()),
                    self.block_unit
                );
            }
            return Some(format!(
                "does not fit: the memories need {} {} and {part} has {} ({} bits): {why}",
                blocks(self.brams),
                self.block_unit,
                blocks(cap.brams),
                grouped(block_ram_bits(self.target))
            ));
        }
        (self.luts.low > cap.luts).then(|| {
            format!(
                "does not fit: the logic is estimated at {} LUTs and {part} has {}",
                self.luts,
                grouped(cap.luts)
            )
        })
    }

    /// A warning when the design may not fit: the LUT estimate's upper bound above the part.
    pub fn warning(&self) -> Option<String> {
        let cap = &self.capacity;
        (self.refusal().is_none() && self.luts.high > cap.luts).then(|| {
            format!(
                "may not fit: the logic is estimated at {} LUTs and the {} has {}",
                self.luts,
                cap.part,
                grouped(cap.luts)
            )
        })
    }

    /// One line: blocks and LUTs against the part.
    pub fn summary(&self) -> String {
        let spram = self.spram;
        format!(
            "estimate for the {}: {} of {} {}{}, {} of {} LUTs",
            self.capacity.part,
            blocks(self.brams),
            blocks(self.capacity.brams),
            self.block_unit,
            if spram > 0 {
                format!(" and {spram} of {} SB_SPRAM256KA", SPRAM.2)
            } else {
                String::new()
            },
            self.luts,
            grouped(self.capacity.luts)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    fn params(cfg: SnnConfig) -> HwParams {
        HwParams::new(&cfg).unwrap()
    }

    fn with_n(cfg: SnnConfig, n: usize) -> HwParams {
        params(SnnConfig { neurons: n, ..cfg })
    }

    /// Where a lone `depth x width` memory goes: "block N", "lut N" or "logic".
    fn probe(target: Target, depth: u64, width: u64) -> String {
        let m = Memory {
            name: "probe",
            depth,
            width,
        };
        match map(&m, &family(target)) {
            Mapping::Blocks { count, .. } => format!("block {count}"),
            Mapping::LutRam { count, .. } => format!("lut {count}"),
            Mapping::Logic { .. } => "logic".into(),
            Mapping::Spram { .. } => unreachable!("no SPRAM in map"),
        }
    }

    /// Yosys 0.23 on one memory each (module documentation): cell counts as it reported them.
    #[test]
    fn lone_memories_go_where_yosys_puts_them() {
        let cases = [
            (Target::Xc7a35t, 256, 10, "lut 16"),
            (Target::Xc7a35t, 256, 9, "lut 12"),
            (Target::Xc7a35t, 1024, 2, "lut 16"),
            (Target::Xc7a35t, 512, 3, "lut 8"),
            (Target::Xc7a35t, 64, 64, "lut 22"),
            (Target::Xc7a35t, 32, 32, "lut 6"),
            (Target::Xc7a35t, 10, 480, "lut 80"),
            (Target::Xc7a35t, 256, 12, "block 1"),
            (Target::Xc7a35t, 1024, 3, "block 1"),
            (Target::Xc7a35t, 512, 6, "block 1"),
            (Target::Xc7a35t, 128, 24, "block 1"),
            (Target::Xc7a35t, 256, 32, "block 1"),
            (Target::Xc7a35t, 1024, 10, "block 1"),
            (Target::Ecp5, 256, 4, "lut 16"),
            (Target::Ecp5, 32, 32, "lut 16"),
            (Target::Ecp5, 25, 48, "lut 24"),
            (Target::Ecp5, 10, 480, "lut 120"),
            (Target::Ecp5, 256, 5, "block 1"),
            (Target::Ecp5, 512, 3, "block 1"),
            (Target::Ecp5, 64, 64, "block 2"),
            (Target::Ecp5, 1024, 2, "block 1"),
            (Target::Ice40Hx8k, 4, 168, "logic"),
            (Target::Ice40Hx8k, 10, 480, "block 30"),
            (Target::Ice40Hx8k, 512, 9, "block 2"),
            (Target::Ice40Hx8k, 1024, 10, "block 3"),
            (Target::Ice40Hx8k, 256, 32, "block 2"),
            (Target::Ice40Hx8k, 16, 16, "block 1"),
        ];
        for (t, d, w, want) in cases {
            assert_eq!(probe(t, d, w), want, "{t} {d} x {w}");
        }
    }

    /// README.md "FPGA": the block RAMs Yosys used for the whole core behind the UART wrapper
    /// (which has no memory of its own).
    #[test]
    fn the_measured_block_counts_are_reproduced() {
        let seed = SnnConfig::seed;
        let cases = [
            (Target::Ice40Hx8k, with_n(seed(), 10), 32.0),
            (Target::Ice40Hx8k, with_n(seed(), 32), 87.0),
            (Target::Ice40Up5k, with_n(seed(), 10), 32.0),
            (Target::Ecp5, with_n(seed(), 10), 10.0),
            (Target::Ecp5U85f, with_n(seed(), 10), 10.0),
            (Target::Ecp5, params(SnnConfig::learning()), 11.0),
            (Target::Xc7a35t, with_n(seed(), 10), 3.0 + 2.0 * 0.5),
            (Target::Xc7a35t, with_n(seed(), 32), 9.0 + 2.0 * 0.5),
            (Target::Xc7a35t, with_n(seed(), 100), 28.0 + 2.0 * 0.5),
            (
                Target::Xc7a35t,
                params(SnnConfig::learning()),
                3.0 + 2.0 * 0.5,
            ),
        ];
        for (t, p, want) in cases {
            assert_eq!(Estimate::new(t, &p).brams, want, "{t} N = {}", p.n);
        }
    }

    #[test]
    fn the_up5k_takes_the_weights_in_spram_when_they_fit_the_four() {
        // The small preset's word (N = 4) is at most 64 bits: four 16-bit SPRAMs or fewer.
        let p = params(SnnConfig::small());
        let e = Estimate::new(Target::Ice40Up5k, &p);
        let w = p.n as u64 * p.format.weight_bits as u64;
        assert!(w <= 64, "the small preset's word is {w} bits");
        assert_eq!(
            e.memories[0].mapping,
            Mapping::Spram {
                count: w.div_ceil(16)
            }
        );
        let hx = Estimate::new(Target::Ice40Hx8k, &p);
        assert!(e.brams < hx.brams);
        // The seed's 100-bit word needs 7 SPRAMs: EBR, 32 of 30.
        let e = Estimate::new(Target::Ice40Up5k, &with_n(SnnConfig::seed(), 10));
        assert!(matches!(e.memories[0].mapping, Mapping::Blocks { .. }));
        assert!(e.refusal().unwrap().contains("32 SB_RAM40_4K"));
    }

    #[test]
    fn lanes_change_the_weight_layout_and_add_the_neuron_state() {
        let cfg = SnnConfig {
            neurons: 100,
            lanes: Some(10),
            ..SnnConfig::learning()
        };
        let p = params(cfg);
        let m = memories(&p);
        assert_eq!(
            m[0],
            Memory {
                name: "weight_mem",
                depth: 10 * 784,
                width: 100
            }
        );
        let (pb, tb) = (21, 17);
        assert_eq!(
            m[m.len() - 2..],
            [
                Memory {
                    name: "neuron state",
                    depth: 10,
                    width: 10 * (2 * pb + 8)
                },
                Memory {
                    name: "thetas",
                    depth: 10,
                    width: 10 * tb
                }
            ]
        );
        // 7,840 x 100 on ECP5: 1024 x 18 -> 8 x 6 = 48 DP16KD (512 x 36 also 16 x 3 = 48).
        let e = Estimate::new(Target::Ecp5, &p);
        assert_eq!(e.memories[0].mapping.brams(), 48.0);
    }

    #[test]
    fn a_core_that_cannot_fit_is_refused_with_the_numbers() {
        let e = Estimate::new(Target::Ice40Hx8k, &with_n(SnnConfig::seed(), 100));
        let why = e.refusal().unwrap();
        assert!(
            why.contains("weight_mem needs 1,024,000 bits (1,024 x 1000) in 250 SB_RAM40_4K")
                && why.contains("has 32 (131,072 bits)"),
            "{why}"
        );
        assert!(
            Estimate::new(Target::Ice40Hx8k, &with_n(SnnConfig::seed(), 10))
                .refusal()
                .is_none()
        );
        assert_eq!(block_ram_bits(Target::Ecp5), 56 * 18432);
        assert_eq!(block_ram_bits(Target::Xc7a35t), 50 * 36864);
        assert_eq!(grouped(784000), "784,000");
        assert_eq!(grouped(999), "999");
    }
}
