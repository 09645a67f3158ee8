//! Hardware parameters: every constant and width of the micro-architecture (docs/ARCHITECTURE.md,
//! "Parameters"), derived once from a [`SnnConfig`].
//!
//! The cycle model, the RTL generator, the harnesses and the FPGA flow all read this struct, so a
//! size can never mean two things at two levels; serialized, it is the JSON config report that
//! sits beside the Verilog.

use crate::limits;
use crate::widths::{Widths, NORM_PRODUCT_BITS, ROW_SUM_BITS, STEP_BITS};
use anyhow::Result;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use snn_core::config::{Encoding, SnnConfig};
use snn_core::fixed::FixedFormat;
use snn_core::spike_gen::PeriodTable;

/// Number of bits of `x` as an unsigned number (`bits(0) = 0`): `ceil(log2(x + 1))`.
fn is_zero(x: &u32) -> bool {
    *x == 0
}

pub fn bits(x: u64) -> u32 {
    64 - x.leading_zeros()
}

/// Every constant of the hardware for one configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HwParams {
    /// Image height `H` and width `W`.
    pub height: usize,
    pub width: usize,
    /// Inputs `M = H * W`.
    pub m: usize,
    /// Output neurons `N`.
    pub n: usize,
    /// Neuron lanes `P` (config `lanes`, default `N`): neurons processed per cycle.
    pub lanes: usize,
    /// Lane groups `G = ceil(N / P)`: neuron `j` is lane `j mod P` of group `j div P`; weight
    /// word `g * M + i` holds group `g`'s weights of input `i`.
    pub groups: usize,
    /// Steps per image `T`.
    pub t_steps: u32,
    pub t_ref: u32,
    /// Shortest spike period `lo`.
    pub lo: u32,
    /// Longest period of a positive receptive-field sum (`period(S = 1)`; of pixel 1 with the
    /// `pixel` code), possibly above `T`.
    pub hi: u32,
    /// Longest period that still spikes, `hiT = min(hi, T)`.
    pub hi_t: u32,
    /// Period classes `NC = hiT - lo + 1`; class `c` is period `lo + c`.
    pub nc: usize,
    /// `K = floor(T / lo)`: most multiples of one period in `1..=T`.
    pub k: usize,
    /// Address bits `AW = bits(M)`.
    pub aw: u32,
    /// weight_mem's address bits: `bits((G - 1) * M + NIL)`, the highest address stage A can
    /// present (`AW` with one lane group).
    pub waw: u32,
    /// Lane groups only (else 0): bits of a group index (`bits(G - 1)`, at least 1), and of a
    /// word of the neuron state memory, `P * (2 PB + STEP_BITS)` (`pot`, `shown`, `free_at`
    /// per lane).
    #[serde(skip_serializing_if = "is_zero")]
    pub gb: u32,
    #[serde(skip_serializing_if = "is_zero")]
    pub state_word: u32,
    /// End-of-list pointer `NIL = 2^AW - 1` (never an input index since `NIL >= M`).
    pub nil: u32,
    /// Divider cycles `QB = bits(M) + F`.
    pub qb: u32,
    /// STDP window distances `wlo..=whi`.
    pub wlo: u32,
    pub whi: u32,
    pub threshold_divisor: u32,
    /// The `pixel` input code (SPEC section 11): spike_gen's stage 2 passes the window's centre
    /// pixel on instead of the receptive-field sum, and `breakpoints` are pixel values. Absent
    /// from the report for the `rate` code.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pixel_code: bool,
    /// Class boundaries: a sum `s` is in class `c` when `s >= breakpoints[c]` and (`c == 0` or
    /// `s < breakpoints[c - 1]`); `s < breakpoints[NC - 1]` is silent. Non-increasing, all >= 1.
    pub breakpoints: Vec<i32>,
    /// Ingest cycles `(H + 2) * (W + 2)`.
    pub scan_cycles: u64,
    /// `mask(1)`: the classes spiking at step 1 (loaded by Drain and Divide).
    pub mask_one: u64,
    /// `mask(x)` for `x = 0..=T+1`: bit `k - 1` set when class `x / k - lo` spikes at `x`. The
    /// hardware reads it off its step counters (`StepCounters::mask`); the model looks it up.
    /// Not part of the report.
    #[serde(skip)]
    pub masks: Vec<u64>,
    /// Homeostasis is built (`theta_max > 0`): every neuron has an adaptive threshold `theta`
    /// and a threshold register of its own, loaded in the Bias cycle.
    pub homeostasis: bool,
    /// Row normalization is built (`norm_target > 0`): stdp sums every row during Ingest,
    /// tracks each write, and after a training image's penalty moves the winner's row by
    /// `delta` (NormMul, and the sweep that applies it).
    pub normalization: bool,
    /// Cycles of NormMul: the bits of the reciprocal `norm_recip`, one per cycle.
    pub rb: u32,
    /// Quantized constants (weights, potentials, leak, penalty, STDP tables).
    #[serde(serialize_with = "serialize_format")]
    pub format: FixedFormat,
    pub widths: Widths,
}

impl HwParams {
    /// Derives the hardware parameters, rejecting configurations the cycle model cannot run with
    /// the reason: everything `SnnConfig::validate` and `FixedFormat::new` reject, and
    /// [`limits::check_model`]. The RTL's further limits are [`limits::check_rtl`].
    pub fn new(cfg: &SnnConfig) -> Result<Self> {
        cfg.validate()?;
        let table = PeriodTable::of_code(cfg);
        let (lo, hi) = (table.lo, table.hi);
        let t_steps = cfg.t_steps;
        let k = (t_steps / lo) as usize;
        limits::check_model(cfg, lo, k)?;
        let format = FixedFormat::new(cfg)?;
        let [wlo, whi] = cfg.stdp_window;
        let n = cfg.neurons;
        let lanes = cfg.lanes.unwrap_or(n);
        let m = cfg.inputs();
        let hi_t = hi.min(t_steps);
        let nc = (hi_t - lo + 1) as usize;
        let aw = bits(m as u64);
        let f = format.frac_bits;
        let qb = bits(m as u64) + f;
        let mut widths = Widths::new(format.weight_bits, format.potential_bits, lanes, aw, n);
        let groups = n.div_ceil(lanes);
        let nil = (1u32 << aw) - 1;
        if format.theta_max > 0 {
            widths.theta = Some(format.theta_bits);
            widths.wta_value = Some(format.potential_bits + 1);
        }
        if format.norm_target > 0 {
            widths.row_sum = Some(ROW_SUM_BITS as u32);
            widths.norm_product = Some(NORM_PRODUCT_BITS as u32);
        }
        Ok(HwParams {
            height: cfg.height,
            width: cfg.width,
            m,
            n,
            lanes,
            groups,
            t_steps,
            t_ref: cfg.t_ref,
            lo,
            hi,
            hi_t,
            nc,
            k,
            aw,
            waw: bits(((groups - 1) * m) as u64 + nil as u64),
            gb: if groups > 1 {
                bits(groups as u64 - 1).max(1)
            } else {
                0
            },
            state_word: if groups > 1 {
                (lanes * (2 * format.potential_bits as usize + STEP_BITS)) as u32
            } else {
                0
            },
            nil,
            qb,
            wlo,
            whi,
            threshold_divisor: cfg.threshold_divisor,
            pixel_code: cfg.encoding == Encoding::Pixel,
            breakpoints: table.breakpoints[..nc].to_vec(),
            scan_cycles: (cfg.height as u64 + 2) * (cfg.width as u64 + 2),
            // Step 1 is the first multiple (k = 1) of period 1 only.
            mask_one: (lo == 1) as u64,
            masks: (0..=t_steps + 1)
                .map(|x| {
                    (1..=k as u32)
                        .filter(|&k| x % k == 0 && (lo..=hi_t).contains(&(x / k)))
                        .fold(0, |mask, k| mask | 1 << (k - 1))
                })
                .collect(),
            homeostasis: format.theta_max > 0,
            normalization: format.norm_target > 0,
            rb: bits(format.norm_recip as u64),
            format,
            widths,
        })
    }

    /// Period class of a receptive-field sum, or `NC` (silent) when the input never spikes in
    /// `1..=T`: the number of class boundaries above `s`.
    #[inline]
    pub fn class_of(&self, s: i32) -> u32 {
        if s < self.breakpoints[self.nc - 1] {
            return self.nc as u32;
        }
        self.breakpoints.partition_point(|&b| b > s) as u32
    }

    /// The JSON config report.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("HwParams always serializes")
    }
}

/// `FixedFormat` lives in snn-core without `Serialize`; the report writes its fields by name.
fn serialize_format<S: Serializer>(f: &FixedFormat, s: S) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("FixedFormat", 22)?;
    st.serialize_field("frac_bits", &f.frac_bits)?;
    st.serialize_field("weight_bits", &f.weight_bits)?;
    st.serialize_field("potential_bits", &f.potential_bits)?;
    st.serialize_field("lut_frac_bits", &f.lut_frac_bits)?;
    st.serialize_field("w_min", &f.w_min)?;
    st.serialize_field("w_max", &f.w_max)?;
    st.serialize_field("p_rest", &f.p_rest)?;
    st.serialize_field("p_min", &f.p_min)?;
    st.serialize_field("leak", &f.leak)?;
    st.serialize_field("penalty", &f.penalty)?;
    st.serialize_field("threshold_divisor", &f.threshold_divisor)?;
    st.serialize_field("window_lo", &f.window_lo)?;
    st.serialize_field("lut_pot", &f.lut_pot)?;
    st.serialize_field("lut_dep", &f.lut_dep)?;
    st.serialize_field("potential_range", &f.potential_range)?;
    st.serialize_field("theta_bits", &f.theta_bits)?;
    st.serialize_field("theta_plus", &f.theta_plus)?;
    st.serialize_field("theta_minus", &f.theta_minus)?;
    st.serialize_field("theta_max", &f.theta_max)?;
    st.serialize_field("norm_target", &f.norm_target)?;
    st.serialize_field("norm_recip", &f.norm_recip)?;
    st.serialize_field("norm_shift", &f.norm_shift)?;
    st.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_parameters_match_the_table_of_the_doc() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        assert_eq!((p.m, p.n, p.t_steps, p.t_ref), (784, 10, 200, 30));
        assert_eq!((p.lo, p.hi, p.hi_t, p.nc, p.k), (30, 96, 96, 67, 6));
        assert_eq!((p.aw, p.nil, p.qb), (10, 1023, 18));
        assert_eq!(
            (p.widths.weight, p.widths.potential, p.widths.word),
            (10, 20, 100)
        );
        assert_eq!(p.breakpoints.len(), 67);
        assert_eq!(p.scan_cycles, 900);
    }

    #[test]
    fn class_of_agrees_with_the_period_table() {
        let cfg = SnnConfig {
            t_steps: 60,
            ..SnnConfig::default()
        };
        let p = HwParams::new(&cfg).unwrap();
        let table = PeriodTable::new(&cfg);
        assert_eq!(p.hi_t, 60);
        for s in snn_core::spike_gen::RF_SUM_MIN..=snn_core::spike_gen::RF_SUM_MAX {
            let want = match table.period(s) {
                Some(per) if per <= cfg.t_steps => per - p.lo,
                _ => p.nc as u32,
            };
            assert_eq!(p.class_of(s), want, "S = {s}");
        }
    }

    #[test]
    fn report_is_json_with_the_format() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
        assert_eq!(v["format"]["frac_bits"], 7);
        assert_eq!(v["widths"]["addr"], 9);
        assert_eq!(v["widths"]["s_reg"], 16);
        assert_eq!(v["nil"], 511);
    }

    #[test]
    fn bits_is_the_unsigned_width() {
        assert_eq!(
            (bits(0), bits(1), bits(2), bits(3), bits(4), bits(784)),
            (0, 1, 2, 2, 3, 10)
        );
    }
}
