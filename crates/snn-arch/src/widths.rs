//! Register widths of the hardware. The fixed ones are constants here that the RTL declares its
//! registers with (rust-hdl widths are const generics); the ones that follow the configuration
//! are derived in [`Widths::new`]. The JSON report (`hdl/snn_core.json`) serializes [`Widths`],
//! and a test of snn-hdl checks every field against the register of that name in the generated
//! Verilog, so the report says what the RTL has. The cycle model's VCD declares its signals
//! with the same widths.

use serde::Serialize;

/// Step registers: `t`, `q[k]`, `m`, `sq[k]`, `lag_m`, `lag_q[k]`, `free_at[j]`,
/// `inhibit_step` (the ports carry steps zero-extended to 16 bits). Eight bits instead of
/// sixteen saved about 900 iCE40 logic cells; the limit is `T + max(t_ref, whi) + 1 < 256`.
pub const STEP_BITS: usize = 8;
/// Residues `r[k] = x mod k` (`k <= 2^RESIDUE_BITS`).
pub const RESIDUE_BITS: usize = 4;
/// Class masks `pend`, `spend` and the lag mask: `K` is at most this.
pub const MASK_BITS: usize = 16;
/// Period-class registers (`class_reg`, the list RAMs' address); the code `NC` means silent.
pub const CLASS_BITS: usize = 8;
/// The receptive-field sum `s_reg`, two's complement (`|S| < 2^14`).
pub const S_REG_BITS: usize = 16;
/// Scan position `scan_r`, `scan_c`.
pub const SCAN_BITS: usize = 8;
/// `line_buf` address: 256 entries fill the two `SB_RAM40_4K` a 32-bit word needs anyway.
pub const LINE_BUF_ADDR_BITS: usize = 8;
/// One `line_buf` entry: four pixels.
pub const LINE_BUF_BITS: usize = 32;
/// Threshold pass `acc`, `peak` (and the `peak` port).
pub const SUM_BITS: usize = 16;
/// Divider remainder `rem` (the divisor is below `2^(REM_BITS - 1)`).
pub const REM_BITS: usize = 16;
/// Divider bit index `bit`.
pub const DIV_BIT_BITS: usize = 8;
/// `cycles`.
pub const CYCLES_BITS: usize = 32;
/// STDP distance `d_b`.
pub const DISTANCE_BITS: usize = 8;
/// Neuron indices `winner`, `ws`, `best_j`, `sj`, `lane_b`, `lane_c` (and the `winner`, `pot_sel`
/// ports) are at least this wide; [`neuron_bits`] widens them for more neurons, so every design
/// of at most 255 neurons keeps its 8-bit ports.
pub const NEURON_BITS: usize = 8;

/// The neuron index width for `n` neurons: the WTA scan's `fetch` holds `n` itself (no neuron)
/// in its last cycle, so `n` must fit.
pub const fn neuron_bits(n: usize) -> usize {
    let b = (usize::BITS - n.leading_zeros()) as usize;
    if b > NEURON_BITS {
        b
    } else {
        NEURON_BITS
    }
}

/// Row normalization's row sums `rsum[j]` and step `delta`, two's complement (a row sum needs
/// `WB + bits(M)` bits, 23 for 10-bit weights of a 64 x 64 image; one fixed width keeps the RTL
/// free of another const generic).
pub const ROW_SUM_BITS: usize = 24;
/// NormMul's product `nm_acc` and its operand `S - rsum[winner]`: `ROW_SUM_BITS + 1` bits times
/// the `RB`-bit reciprocal must fit (`limits::check_rtl`).
pub const NORM_PRODUCT_BITS: usize = 48;

/// Width in bits of every register named in docs/ARCHITECTURE.md, as the RTL declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Widths {
    /// One weight lane (`WB`).
    pub weight: u32,
    /// `pot`, `shown`, `thr`, with homeostasis `thr_j`, the divider's quotient `quo` (`PB`).
    pub potential: u32,
    /// Homeostasis only (absent without it, as its registers): `theta[j]` (`TB`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theta: Option<u32>,
    /// Homeostasis only: the WTA scan's value `shown - theta`, `cand` and `best_v` (`PB + 1`);
    /// without homeostasis they are `potential` wide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wta_value: Option<u32>,
    /// Row normalization only (absent without it, as its registers): the row sums `rsum[j]`
    /// and the step `delta` ([`ROW_SUM_BITS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_sum: Option<u32>,
    /// Row normalization only: NormMul's `nm_acc` and `S - rsum[winner]` ([`NORM_PRODUCT_BITS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub norm_product: Option<u32>,
    /// One weight-memory word, `P * WB` (`N * WB` with one lane per neuron).
    pub word: u32,
    /// Input indices, list pointers and counts: `head`, `count`, `next_mem`, `i1..i3`,
    /// `addr_b`, `addr_c` (`AW`).
    pub addr: u32,
    /// [`SUM_BITS`].
    pub sum: u32,
    /// [`STEP_BITS`].
    pub step: u32,
    /// [`RESIDUE_BITS`].
    pub residue: u32,
    /// [`MASK_BITS`].
    pub mask: u32,
    /// [`CLASS_BITS`].
    pub class: u32,
    /// [`S_REG_BITS`].
    pub s_reg: u32,
    /// [`SCAN_BITS`].
    pub scan: u32,
    /// [`REM_BITS`].
    pub rem: u32,
    /// [`DIV_BIT_BITS`].
    pub div_bit: u32,
    /// [`CYCLES_BITS`].
    pub cycles: u32,
    /// [`DISTANCE_BITS`].
    pub distance: u32,
    /// [`neuron_bits`] of `N`.
    pub neuron: u32,
    /// [`LINE_BUF_BITS`].
    pub line_buf: u32,
}

impl Widths {
    /// The widths for the configuration's `WB`, `PB`, lanes `P`, `AW` and `N`; the rest are
    /// fixed.
    pub fn new(weight_bits: u32, potential_bits: u32, lanes: usize, aw: u32, n: usize) -> Self {
        let c = |bits: usize| bits as u32;
        Widths {
            weight: weight_bits,
            potential: potential_bits,
            theta: None,
            wta_value: None,
            row_sum: None,
            norm_product: None,
            word: lanes as u32 * weight_bits,
            addr: aw,
            sum: c(SUM_BITS),
            step: c(STEP_BITS),
            residue: c(RESIDUE_BITS),
            mask: c(MASK_BITS),
            class: c(CLASS_BITS),
            s_reg: c(S_REG_BITS),
            scan: c(SCAN_BITS),
            rem: c(REM_BITS),
            div_bit: c(DIV_BIT_BITS),
            cycles: c(CYCLES_BITS),
            distance: c(DISTANCE_BITS),
            neuron: c(neuron_bits(n)),
            line_buf: c(LINE_BUF_BITS),
        }
    }
}

/// Operand width of stdp's multiplier: any lookup-table entry and any weight (both at most 24
/// bits); synthesis trims the constant-zero high bits.
pub const MUL_BITS: usize = 24;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every design of at most 255 neurons keeps 8-bit indices; above, the index holds `N`.
    #[test]
    fn neuron_index_holds_n() {
        for (n, bits) in [
            (1, 8),
            (10, 8),
            (255, 8),
            (256, 9),
            (400, 9),
            (511, 9),
            (512, 10),
            (1024, 11),
        ] {
            assert_eq!(neuron_bits(n), bits, "N = {n}");
            assert!(n < 1 << neuron_bits(n));
        }
        assert_eq!(Widths::new(10, 21, 50, 10, 400).neuron, 9);
    }
}
