//! `RfSum`: the receptive-field sum of the 5 x 5 window (stage 2 of spike_gen), an adder tree
//! built from a kernel table (`snn_core::spike_gen::RF_KERNEL_X8`, the one the models use, or
//! for the `pixel` input code `PIXEL_KERNEL`, the centre pixel alone), so the RTL cannot drift
//! from it.
//!
//! The pixels whose entries are equal are summed first, then each group sum is scaled by the
//! entry as shifts and adds (`8 g`, `4 g + g`, ...): no multiplier, and one adder per pixel and
//! per set bit of an entry. Groups with positive entries come first, largest first, then the
//! negative ones, so the sum stays in range at every adder. rust-hdl cannot unroll a structure
//! that depends on a table, so the block writes its own Verilog from the table and simulates
//! the same sum in Rust (`update`); its tests run both against the model's `rf`.

use rust_hdl::prelude::*;
use snn_arch::widths::S_REG_BITS;
use std::fmt::Write as _;

/// Window positions `row * 5 + col`.
const TAPS: usize = 25;

/// `sum = sum over positions of kernel[row][col] * px[row * 5 + col]`, two's complement.
#[derive(LogicBlock)]
pub struct RfSum {
    /// The window's pixels, `px[row * 5 + col]`.
    pub px: Vec<Signal<In, Bits<8>>>,
    pub sum: Signal<Out, Bits<S_REG_BITS>>,
    _kernel: [[i32; 5]; 5],
}

impl RfSum {
    /// Panics when a sum of the kernel over 8-bit pixels can leave `S_REG_BITS` signed bits.
    pub fn new(kernel: [[i32; 5]; 5]) -> Self {
        let flat = kernel.iter().flatten();
        let (pos, neg): (i64, i64) = flat.fold((0, 0), |(p, n), &k| {
            (p + 255 * k.max(0) as i64, n + 255 * k.min(0) as i64)
        });
        let half = 1i64 << (S_REG_BITS - 1);
        assert!(
            pos < half && neg >= -half,
            "kernel sums {neg}..={pos} exceed {S_REG_BITS} bits"
        );
        RfSum {
            px: (0..TAPS).map(|_| Default::default()).collect(),
            sum: Default::default(),
            _kernel: kernel,
        }
    }

    /// The distinct non-zero entries in the order they are added (positive first, then by
    /// magnitude, largest first), each with its positions.
    fn groups(&self) -> Vec<(i32, Vec<usize>)> {
        let mut values: Vec<i32> = self
            ._kernel
            .iter()
            .flatten()
            .copied()
            .filter(|&k| k != 0)
            .collect();
        values.sort_by_key(|&k| (k < 0, -k.abs()));
        values.dedup();
        values
            .into_iter()
            .map(|v| {
                let taps = (0..TAPS)
                    .filter(|&x| self._kernel[x / 5][x % 5] == v)
                    .collect();
                (v, taps)
            })
            .collect()
    }
}

impl Logic for RfSum {
    fn update(&mut self) {
        let s: i64 = (0..TAPS)
            .map(|x| self._kernel[x / 5][x % 5] as i64 * self.px[x].val().to_u64() as i64)
            .sum();
        self.sum.next = ((s as u64) & ((1 << S_REG_BITS) - 1)).into();
    }

    fn connect(&mut self) {
        self.sum.connect();
    }

    fn hdl(&self) -> Verilog {
        let w = S_REG_BITS;
        let mut v = String::from(
            "// Receptive-field sum from the kernel table: the pixels of each entry summed, then\n\
             // each group sum scaled by its entry with shifts and adds.\n",
        );
        let groups = self.groups();
        for g in 0..groups.len() {
            let _ = writeln!(v, "reg [{}:0] g{g};", w - 1);
        }
        v.push_str("always @(*) begin\n");
        let mut terms = String::new();
        for (g, (entry, taps)) in groups.iter().enumerate() {
            let pixels: Vec<String> = taps
                .iter()
                .map(|x| format!("{{{}'h0, px${x}}}", w - 8))
                .collect();
            let _ = writeln!(v, "    g{g} = {};", pixels.join(" + "));
            for bit in (0..32).rev().filter(|b| entry.unsigned_abs() >> b & 1 == 1) {
                let term = if bit == 0 {
                    format!("g{g}")
                } else {
                    format!("(g{g} << {bit})")
                };
                let op = if *entry < 0 {
                    " - "
                } else if terms.is_empty() {
                    ""
                } else {
                    " + "
                };
                if terms.is_empty() && *entry < 0 {
                    terms = format!("{w}'h0");
                }
                terms += op;
                terms += &term;
            }
        }
        if terms.is_empty() {
            terms = format!("{w}'h0");
        }
        let _ = writeln!(v, "    sum = {terms};\nend");
        Verilog::Custom(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::lint_and_synth;
    use crate::verilog::{self, Cosim};
    use snn_core::spike_gen::{PIXEL_KERNEL, RF_KERNEL_X8};
    use snn_testkit::Lcg;

    /// A clocked wrapper (the co-simulation runs clocked tops with plain ports): the window
    /// arrives as two buses (pixels 0..13, 13..25), `q` registers the sum.
    #[derive(LogicBlock)]
    struct Registered {
        clock: Signal<In, Clock>,
        lo: Signal<In, Bits<104>>,
        hi: Signal<In, Bits<96>>,
        q: Signal<Out, Bits<S_REG_BITS>>,
        rf: RfSum,
        r: DFF<Bits<S_REG_BITS>>,
        off: Vec<Constant<Bits<7>>>,
    }

    impl Logic for Registered {
        #[hdl_gen]
        fn update(&mut self) {
            dff_setup!(self, clock, r);
            for x in 0..13 {
                self.rf.px[x].next = self.lo.val().get_bits::<8>(self.off[x].val().index());
            }
            for x in 13..25 {
                self.rf.px[x].next = self.hi.val().get_bits::<8>(self.off[x - 13].val().index());
            }
            self.r.d.next = self.rf.sum.val();
            self.q.next = self.r.q.val();
        }
    }

    fn windows(count: usize) -> Vec<[u8; 25]> {
        let mut rng = Lcg::new(3);
        (0..count)
            .map(|_| {
                let mut w = [0u8; 25];
                for px in &mut w {
                    let s = rng.next_u64();
                    // Mostly black or saturated, as digits are; some grey.
                    *px = match s >> 62 {
                        0 => 0,
                        1 => 255,
                        _ => (s >> 40) as u8,
                    };
                }
                w
            })
            .collect()
    }

    /// The model's stage 2 (`snn_sim::spike_gen::rf`, columns as little-endian words).
    fn model_rf(w: &[u8; 25]) -> i32 {
        let mut cols = [[0u8; 8]; 5];
        for x in 0..25 {
            cols[x % 5][x / 5] = w[x];
        }
        snn_sim::spike_gen::rf(&cols)
    }

    fn to_signed(v: u128) -> i32 {
        ((v as u16) as i16) as i32
    }

    /// The sums of `kernel` over `windows` in rust-hdl's simulation, and in Icarus and
    /// Verilator running the generated Verilog (`None` for those when a tool is missing).
    fn sums(
        kernel: [[i32; 5]; 5],
        windows: &[[u8; 25]],
        test: &str,
    ) -> (Vec<i32>, Option<[Vec<i32>; 2]>) {
        let mut uut = RfSum::new(kernel);
        uut.connect_all();
        let rust = windows
            .iter()
            .map(|w| {
                for x in 0..25 {
                    uut.px[x].next = (w[x] as u64).into();
                }
                assert!(simulate(&mut uut, 100));
                to_signed(uut.sum.val().to_u64() as u128)
            })
            .collect();
        if !snn_testkit::tools(test, &["iverilog", "vvp", "verilator"]) {
            return (rust, None);
        }
        let dir = snn_testkit::workdir(&format!("snn-hdl-units/{test}"));
        let path = dir.join("rf.v");
        let mut top = Registered {
            clock: Default::default(),
            lo: Default::default(),
            hi: Default::default(),
            q: Default::default(),
            rf: RfSum::new(kernel),
            r: Default::default(),
            off: (0..13)
                .map(|x| Constant::new(Bits::<7>::from(8 * x as u64)))
                .collect(),
        };
        std::fs::write(&path, verilog::generate(&mut top, "rf")).unwrap();
        let bus = |px: &[u8]| px.iter().rev().fold(0u128, |acc, &p| acc << 8 | p as u128);
        let stimulus: Vec<Vec<u128>> = windows
            .iter()
            .map(|w| vec![bus(&w[..13]), bus(&w[13..])])
            .collect();
        let cosim = Cosim::new(&path, "rf", "clock", &dir);
        let column = |rows: Vec<Vec<u128>>| rows.iter().map(|r| to_signed(r[0])).collect();
        let icarus = column(cosim.run_icarus(&stimulus).unwrap());
        let verilator = column(cosim.run_verilator(&stimulus).unwrap());
        (rust, Some([icarus, verilator]))
    }

    /// The Rust simulation and the generated Verilog (Icarus, Verilator) give the model's sum
    /// for random windows and the extremes.
    #[test]
    fn sum_is_the_models_in_rust_and_in_verilog() {
        let mut ws = windows(300);
        ws.push([255; 25]);
        ws.push([0; 25]);
        let mut bright_corners = [0u8; 25];
        for x in [0, 1, 3, 4, 5, 9, 15, 19, 20, 21, 23, 24] {
            bright_corners[x] = 255;
        }
        ws.push(bright_corners);
        let want: Vec<i32> = ws.iter().map(model_rf).collect();
        let (rust, verilog) = sums(RF_KERNEL_X8, &ws, "rf_sum_model");
        assert_eq!(rust, want);
        for v in verilog.into_iter().flatten() {
            assert_eq!(v, want);
        }
    }

    /// The tree follows the table: made-up kernels (one starting with a negative entry, one
    /// with entries of several bits) and the pixel code's give their dot products, in Rust
    /// and in Verilog.
    #[test]
    fn tree_follows_any_kernel_table() {
        let kernels = [
            [
                [1, 0, 0, 0, 0],
                [0, 0, 0, 0, 0],
                [0, 0, -3, 0, 0],
                [0, 0, 0, 0, 0],
                [0, 0, 0, 0, 7],
            ],
            [[-2; 5], [0; 5], [3; 5], [0; 5], [-1; 5]],
            PIXEL_KERNEL,
        ];
        let ws = windows(50);
        for (k, kernel) in kernels.into_iter().enumerate() {
            let want: Vec<i32> = ws
                .iter()
                .map(|w| (0..25).map(|x| kernel[x / 5][x % 5] * w[x] as i32).sum())
                .collect();
            let (rust, verilog) = sums(kernel, &ws, &format!("rf_sum_kernel{k}"));
            assert_eq!(rust, want, "kernel {k}");
            for v in verilog.into_iter().flatten() {
                assert_eq!(v, want, "kernel {k}");
            }
        }
    }

    #[test]
    fn rf_sum_lints_and_synthesizes() {
        lint_and_synth(&mut RfSum::new(RF_KERNEL_X8), "rf_sum");
    }
}
