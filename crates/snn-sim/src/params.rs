//! Hardware parameters: every constant and width of the micro-architecture (docs/ARCHITECTURE.md,
//! "Parameters"), derived once from a [`SnnConfig`].
//!
//! The cycle model and the RTL generator both read this struct, so a size can never mean two
//! things at two levels; serialized, it is the JSON config report that sits beside the Verilog.

use anyhow::{bail, Result};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use snn_core::config::{DepressionBound, SnnConfig};
use snn_core::fixed::FixedFormat;
use snn_core::spike_gen::PeriodTable;

/// Widest neuron array: the spike mask and `stdp_mask` are one 128-bit register each (`u128`).
pub const MAX_N: usize = 128;
/// Most period multiples per step: `pend` and the STDP walk mask are one 64-bit register each.
pub const MAX_K: usize = 64;

/// Width of the receptive-field sum register `s_reg` (range -6120..=9180).
pub const S_REG_BITS: u32 = 15;

/// Number of bits of `x` as an unsigned number (`bits(0) = 0`): `ceil(log2(x + 1))`.
pub fn bits(x: u64) -> u32 {
    64 - x.leading_zeros()
}

/// Register widths in bits, named after the registers of docs/ARCHITECTURE.md.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Widths {
    /// One weight lane (`WB`).
    pub weight: u32,
    /// `pot`, `shown`, `thr`, `best_v` (`PB`).
    pub potential: u32,
    /// One weight-memory word, `N * WB`.
    pub word: u32,
    /// Input indices and list pointers `head`, `next_mem`, `i1..i3`, `addr_b`, `addr_c` (`AW`).
    pub addr: u32,
    /// `count[c]`, `acc`, `peak`: `bits(M)`.
    pub count: u32,
    /// `t`, `m`, `lag_m`, `q[k]`, `sq[k]`, `lag_q[k]`, `inhibit_step`: `bits(T + 1)` (the step
    /// counters may pass `T` by one on the last advance).
    pub step: u32,
    /// `r[k]`, `sr[k]`, `lag_r[k]`: `bits(K - 1)`, at least 1.
    pub residue: u32,
    /// `free_at[j]`: `bits(T + t_ref + 1)`.
    pub free_at: u32,
    /// `class_reg`: `bits(NC)`; the value `NC` means silent.
    pub class: u32,
    /// `s_reg` (signed).
    pub s_reg: u32,
    /// Divider quotient `quo` (`QB`).
    pub quo: u32,
    /// Divider remainder `rem`: `bits(threshold_divisor)`.
    pub rem: u32,
    /// Divider bit index `bit`: `bits(QB - 1)`, at least 1.
    pub div_bit: u32,
    /// `cycles`.
    pub cycles: u32,
    /// `d_b`: `bits(whi)`.
    pub distance: u32,
    /// STDP lookup-table entries (`L`, unsigned, always below `2^L`).
    pub lut: u32,
    /// Bound distance `w_max - w` or `w - w_min` (unsigned): `bits(w_max - w_min)`.
    pub dist: u32,
    /// `prod_c = lut * dist` (unsigned): `L + bits(w_max - w_min)`.
    pub prod: u32,
    /// `winner`, `ws`, `best_j`, `sj`, `lane_b`, `lane_c`: `bits(N - 1)`, at least 1.
    pub neuron: u32,
    /// One `line_buf` entry (four pixels).
    pub line_buf: u32,
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
    /// Steps per image `T`.
    pub t_steps: u32,
    pub t_ref: u32,
    /// Shortest spike period `lo`.
    pub lo: u32,
    /// Longest period of a positive receptive-field sum (`period(S = 1)`), possibly above `T`.
    pub hi: u32,
    /// Longest period that still spikes, `hiT = min(hi, T)`.
    pub hi_t: u32,
    /// Period classes `NC = hiT - lo + 1`; class `c` is period `lo + c`.
    pub nc: usize,
    /// `K = floor(T / lo)`: most multiples of one period in `1..=T`.
    pub k: usize,
    /// Address bits `AW = bits(M)`.
    pub aw: u32,
    /// End-of-list pointer `NIL = 2^AW - 1` (never an input index since `NIL >= M`).
    pub nil: u32,
    /// Divider cycles `QB = bits(M) + F`.
    pub qb: u32,
    /// STDP window distances `wlo..=whi`.
    pub wlo: u32,
    pub whi: u32,
    pub threshold_divisor: u32,
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
    /// Quantized constants (weights, potentials, leak, penalty, STDP tables).
    #[serde(serialize_with = "serialize_format")]
    pub format: FixedFormat,
    pub widths: Widths,
}

impl HwParams {
    /// Derives the hardware parameters, rejecting configurations the hardware cannot run with the
    /// reason: everything `SnnConfig::validate` rejects, the seed-compatibility depression rule,
    /// `lo > T`, `lo <= whi - wlo`, more than [`MAX_N`] neurons and more than [`MAX_K`] multiples.
    pub fn new(cfg: &SnnConfig) -> Result<Self> {
        cfg.validate()?;
        if cfg.depression_bound != DepressionBound::WMin {
            bail!("depression_bound = abs_w_min is not implemented by the hardware (it implements the corrected rule w - w_min); use depression_bound = w_min");
        }
        let format = FixedFormat::new(cfg)?;
        let table = PeriodTable::new(cfg);
        let t_steps = cfg.t_steps;
        let [wlo, whi] = cfg.stdp_window;
        let (lo, hi) = (table.lo, table.hi);
        if lo > t_steps {
            bail!("the hardware needs lo <= T: the shortest spike period lo = {lo} exceeds t_steps = {t_steps}, so no input could ever spike");
        }
        if lo <= whi - wlo {
            bail!("the hardware needs lo > whi - wlo (at most one multiple of any period in each STDP window): shortest period lo = {lo}, stdp_window = [{wlo}, {whi}]");
        }
        let n = cfg.neurons;
        if n > MAX_N {
            bail!("neurons = {n} exceeds {MAX_N}: the spike mask and stdp_mask registers are at most {MAX_N} bits");
        }
        let k = (t_steps / lo) as usize;
        if k > MAX_K {
            bail!("K = floor(t_steps / lo) = floor({t_steps} / {lo}) = {k} exceeds {MAX_K}: the class mask registers (pend, spend) are at most {MAX_K} bits");
        }
        let m = cfg.inputs();
        let hi_t = hi.min(t_steps);
        let nc = (hi_t - lo + 1) as usize;
        let aw = bits(m as u64);
        let f = format.frac_bits;
        let qb = bits(m as u64) + f;
        let weight_span = (format.w_max - format.w_min) as u64;
        let widths = Widths {
            weight: format.weight_bits,
            potential: format.potential_bits,
            word: n as u32 * format.weight_bits,
            addr: aw,
            count: bits(m as u64),
            step: bits(t_steps as u64 + 1),
            residue: bits(k as u64 - 1).max(1),
            free_at: bits(t_steps as u64 + cfg.t_ref as u64 + 1),
            class: bits(nc as u64),
            s_reg: S_REG_BITS,
            quo: qb,
            rem: bits(cfg.threshold_divisor as u64),
            div_bit: bits(qb as u64 - 1).max(1),
            cycles: 32,
            distance: bits(whi as u64),
            lut: format.lut_frac_bits,
            dist: bits(weight_span),
            prod: format.lut_frac_bits + bits(weight_span),
            neuron: bits(n as u64 - 1).max(1),
            line_buf: 32,
        };
        Ok(HwParams {
            height: cfg.height,
            width: cfg.width,
            m,
            n,
            t_steps,
            t_ref: cfg.t_ref,
            lo,
            hi,
            hi_t,
            nc,
            k,
            aw,
            nil: (1u32 << aw) - 1,
            qb,
            wlo,
            whi,
            threshold_divisor: cfg.threshold_divisor,
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
    let mut st = s.serialize_struct("FixedFormat", 15)?;
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
    fn rejections_name_their_reason() {
        let cases: Vec<(SnnConfig, &str)> = vec![
            (
                SnnConfig {
                    t_steps: 20,
                    ..SnnConfig::default()
                },
                "lo <= T",
            ),
            (
                SnnConfig {
                    stdp_window: [2, 40],
                    ..SnnConfig::default()
                },
                "lo > whi - wlo",
            ),
            (
                SnnConfig {
                    neurons: 129,
                    ..SnnConfig::small()
                },
                "neurons = 129",
            ),
            (
                SnnConfig {
                    t_steps: 2000,
                    ..SnnConfig::small()
                },
                "K = floor",
            ),
            (
                SnnConfig {
                    depression_bound: DepressionBound::AbsWMin,
                    ..SnnConfig::default()
                },
                "depression_bound",
            ),
            (
                SnnConfig {
                    neurons: 0,
                    ..SnnConfig::default()
                },
                "neurons",
            ),
        ];
        for (cfg, why) in cases {
            let err = format!("{:#}", HwParams::new(&cfg).unwrap_err());
            assert!(err.contains(why), "error {err:?} should say {why:?}");
        }
    }

    #[test]
    fn report_is_json_with_the_format() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
        assert_eq!(v["format"]["frac_bits"], 7);
        assert_eq!(v["widths"]["addr"], 9);
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
