//! Every limit on a configuration, in one place: what the cycle model can run
//! ([`check_model`], called by `HwParams::new`) and what the RTL's registers hold on top of
//! that ([`check_rtl`], called by the generator; the blocks' constructors assert it). Each
//! rejection is an error naming the limit.

use crate::params::HwParams;
use crate::widths::*;
use anyhow::{bail, Result};
use snn_core::config::{DepressionBound, Encoding, SnnConfig};

/// Most neurons: the cycle model's neuron masks (spikes, `stdp_mask`) are `MAX_N` bits.
pub const MAX_N: usize = 1024;
/// Most lanes `P` (a weight word holds at most `MAX_LANES` weights); with one lane per neuron
/// (no `lanes` key) also the most neurons.
pub const MAX_LANES: usize = 128;
/// Most period multiples per step in the cycle model: `pend` and the STDP walk mask are one
/// 64-bit register each.
pub const MAX_K: usize = 64;

/// The cycle model's limits, for a configuration whose shortest period is `lo` and whose
/// `K = floor(T / lo)` is `k`: the seed-compatibility depression rule, `lo > T`,
/// `lo <= whi - wlo`, more than [`MAX_N`] neurons and more than [`MAX_K`] multiples.
pub fn check_model(cfg: &SnnConfig, lo: u32, k: usize) -> Result<()> {
    let (t, n) = (cfg.t_steps, cfg.neurons);
    let [wlo, whi] = cfg.stdp_window;
    if cfg.depression_bound != DepressionBound::WMin {
        bail!("depression_bound = abs_w_min is not implemented by the hardware (it implements the corrected rule w - w_min); use depression_bound = w_min");
    }
    if !matches!(cfg.encoding, Encoding::Rate | Encoding::Pixel) {
        bail!(
            "encoding = {:?} is not implemented by the hardware (it offers the rate and pixel codes; the other codes are golden-model research options): use encoding = \"rate\"",
            cfg.encoding.name()
        );
    }
    if let Some(layers) = cfg.layers.as_ref().filter(|l| l.len() > 1) {
        bail!("layers = {layers:?}: one core configuration is one layer (the cycle model runs several as a stack of layers, the RTL one so far); use one layer of neurons");
    }
    if cfg.sigma_halving_epochs != 0 {
        bail!("sigma_halving_epochs = {} is not implemented by the hardware (its STDP tables are constants): use sigma_halving_epochs = 0", cfg.sigma_halving_epochs);
    }
    if lo > t {
        bail!("the hardware needs lo <= T: the shortest spike period lo = {lo} exceeds t_steps = {t}, so no input could ever spike");
    }
    if lo <= whi - wlo {
        bail!("the hardware needs lo > whi - wlo (at most one multiple of any period in each STDP window): shortest period lo = {lo}, stdp_window = [{wlo}, {whi}]");
    }
    if n > MAX_N {
        bail!("neurons = {n} exceeds {MAX_N}: the neuron masks (spikes, stdp_mask) are at most {MAX_N} bits; use neurons = {MAX_N}");
    }
    let lanes = cfg.lanes.unwrap_or(n);
    if lanes > MAX_LANES {
        // The fewest groups whose lanes fit a word, each as full as it can be.
        let fit = n.div_ceil(n.div_ceil(MAX_LANES));
        bail!("lanes = {lanes} exceeds {MAX_LANES}: a weight word holds at most {MAX_LANES} lanes{}; use lanes = {fit}", if cfg.lanes.is_none() { format!(" (without a lanes key every one of the {n} neurons has its own)") } else { String::new() });
    }
    if k > MAX_K {
        bail!("K = floor(t_steps / lo) = floor({t} / {lo}) = {k} exceeds {MAX_K}: the class mask registers (pend, spend) are at most {MAX_K} bits");
    }
    Ok(())
}

/// The RTL's limits on top of the model's: each register of `crate::widths` must hold every
/// value the configuration gives it.
pub fn check_rtl(p: &HwParams) -> Result<()> {
    let steps = p.t_steps + p.t_ref.max(p.whi) + 1;
    let k_max = MASK_BITS.min(1 << RESIDUE_BITS);
    let f = &p.format;
    // The largest t_steps each step-count limit allows (the nearest valid value).
    let t_for_k = p.lo as usize * (k_max + 1) - 1;
    let t_for_steps = ((1u32 << STEP_BITS) - 1).saturating_sub(p.t_ref.max(p.whi) + 1);
    let limits = [
        (p.k <= k_max, format!("K = floor(T / shortest period) = {} exceeds {k_max} (the class masks are {MASK_BITS} bits); use t_steps <= {t_for_k}", p.k)),
        (steps < 1 << STEP_BITS, format!("T + max(t_ref, window end) + 1 = {steps} must be below {} (the step registers are {STEP_BITS} bits); use t_steps <= {t_for_steps}", 1 << STEP_BITS)),
        (p.nc < (1 << CLASS_BITS) - 1, format!("{} period classes do not fit the {CLASS_BITS}-bit class register (at most {})", p.nc, (1 << CLASS_BITS) - 2)),
        (p.width + 2 <= 1 << LINE_BUF_ADDR_BITS, format!("width {} exceeds the line buffer's {} columns", p.width, (1usize << LINE_BUF_ADDR_BITS) - 2)),
        (p.height + 2 <= 1 << SCAN_BITS, format!("height {} exceeds the {SCAN_BITS}-bit scan row (at most {})", p.height, (1 << SCAN_BITS) - 2)),
        (p.qb < f.potential_bits, format!("the threshold quotient needs {} bits, more than potential_bits = {} allows; use potential_bits >= {}", p.qb, f.potential_bits, p.qb + 1)),
        (f.weight_bits < f.potential_bits, format!("weight_bits = {} must be below potential_bits = {}; use weight_bits <= {}", f.weight_bits, f.potential_bits, f.potential_bits - 1)),
        (p.m < 1 << SUM_BITS, format!("M = height x width = {} inputs exceed the {SUM_BITS}-bit counters (at most {})", p.m, (1 << SUM_BITS) - 1)),
        (p.threshold_divisor < 1 << (REM_BITS - 1), format!("threshold_divisor {} exceeds the divider's {} bits; use threshold_divisor <= {}", p.threshold_divisor, REM_BITS - 1, (1 << (REM_BITS - 1)) - 1)),
        (f.lut_frac_bits as usize <= MUL_BITS && f.weight_bits as usize <= MUL_BITS, format!("lut_frac_bits = {} and weight_bits = {} must fit the {MUL_BITS}-bit multiplier; use values <= {MUL_BITS}", f.lut_frac_bits, f.weight_bits)),
        (!p.homeostasis || f.theta_bits < f.potential_bits, format!("theta_bits = {} must be below potential_bits = {} (thr + theta is a potential); use theta_bits <= {}", f.theta_bits, f.potential_bits, f.potential_bits - 1)),
        (!p.normalization || f.weight_bits as usize + ((usize::BITS - p.m.leading_zeros()) as usize) < ROW_SUM_BITS, format!("a row sum of {} weights of {} bits does not fit the {ROW_SUM_BITS}-bit row-sum registers", p.m, f.weight_bits)),
        (!p.normalization || ROW_SUM_BITS + 2 + p.rb as usize <= NORM_PRODUCT_BITS, format!("NormMul's product of a {}-bit difference and the {}-bit reciprocal of M = {}, rounded, does not fit its {NORM_PRODUCT_BITS} bits", ROW_SUM_BITS + 1, p.rb, p.m)),
    ];
    if p.lanes == 1 && p.n > 1 {
        bail!("lanes = 1: the RTL's lane groups need at least 2 lanes (its WTA scan reads the state memory one neuron ahead, and neuron 1 must be in group 0); use lanes = 2");
    }
    for (ok, why) in limits {
        if !ok {
            bail!("configuration beyond the RTL's limits: {why}");
        }
    }
    Ok(())
}

/// For the RTL blocks' constructors: panics with [`check_rtl`]'s reason. The generator checks
/// first and reports it as an error, so this only fires on a direct misuse of a block.
pub fn assert_rtl(p: &HwParams) {
    if let Err(e) = check_rtl(p) {
        panic!("{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtl_error(cfg: SnnConfig) -> String {
        check_rtl(&HwParams::new(&cfg).unwrap())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn model_rejections_name_their_reason() {
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
                "every one of the 129 neurons has its own); use lanes = 65",
            ),
            (
                SnnConfig {
                    neurons: 200,
                    lanes: Some(150),
                    ..SnnConfig::small()
                },
                "lanes = 150 exceeds 128: a weight word holds at most 128 lanes; use lanes = 100",
            ),
            (
                SnnConfig {
                    neurons: 1025,
                    lanes: Some(128),
                    ..SnnConfig::small()
                },
                "neurons = 1025 exceeds 1024",
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
            (
                SnnConfig {
                    encoding: Encoding::Bernoulli,
                    ..SnnConfig::default()
                },
                "encoding = \"bernoulli\"",
            ),
            (
                SnnConfig {
                    sigma_halving_epochs: 2,
                    ..SnnConfig::default()
                },
                "sigma_halving_epochs",
            ),
            (
                SnnConfig {
                    layers: Some(vec![16, 10]),
                    ..SnnConfig::default()
                },
                "layers = [16, 10]",
            ),
        ];
        for (cfg, why) in cases {
            let err = format!("{:#}", HwParams::new(&cfg).unwrap_err());
            assert!(err.contains(why), "error {err:?} should say {why:?}");
        }
    }

    /// Each RTL limit at its boundary: the last step value that fits passes, one more fails,
    /// naming the register.
    #[test]
    fn rtl_limits_hold_exactly_at_their_boundary() {
        check_rtl(&HwParams::new(&SnnConfig::default()).unwrap()).unwrap();
        check_rtl(&HwParams::new(&SnnConfig::small()).unwrap()).unwrap();
        // Default: t_ref = 30 > whi = 20, so T + 31 < 256 allows T = 224.
        let at = |t_steps| SnnConfig {
            t_steps,
            ..SnnConfig::default()
        };
        check_rtl(&HwParams::new(&at(224)).unwrap()).unwrap();
        assert!(rtl_error(at(225)).contains("step registers are 8 bits); use t_steps <= 224"));
        // Wide potentials, so that the many inputs cannot overflow them.
        let big = |height, width| {
            let mut cfg = SnnConfig {
                height,
                width,
                ..SnnConfig::small()
            };
            cfg.fixed.potential_bits = 28;
            cfg
        };
        let wide = |width| big(16, width);
        check_rtl(&HwParams::new(&wide(254)).unwrap()).unwrap();
        assert!(rtl_error(wide(255)).contains("line buffer's 254 columns"));
        let tall = |height| big(height, 16);
        check_rtl(&HwParams::new(&tall(254)).unwrap()).unwrap();
        assert!(rtl_error(tall(255)).contains("8-bit scan row"));
        let mut neurons = SnnConfig::small();
        neurons.neurons = 128;
        check_rtl(&HwParams::new(&neurons).unwrap()).unwrap();
        // Above 255 neurons the index widens (`neuron_bits`): every N the model takes is built
        // (in lanes: a word holds at most 128).
        neurons.lanes = Some(64);
        neurons.neurons = MAX_N;
        check_rtl(&HwParams::new(&neurons).unwrap()).unwrap();
        // The learning preset (homeostasis and normalization) is built; homeostasis needs theta
        // narrower than a potential.
        check_rtl(&HwParams::new(&SnnConfig::learning()).unwrap()).unwrap();
        let no_norm = SnnConfig {
            norm_target: 0.0,
            ..SnnConfig::learning()
        };
        check_rtl(&HwParams::new(&no_norm).unwrap()).unwrap();
        let mut wide_theta = no_norm;
        wide_theta.fixed.theta_bits = 21;
        assert!(rtl_error(wide_theta).contains("theta_bits = 21 must be below potential_bits = 21"));
    }

    /// Lane groups: built with the seed's constants, with homeostasis and with the whole
    /// learning rule from 2 lanes up; refused, by name, with one lane.
    #[test]
    fn rtl_lanes_limits_name_their_reason() {
        let lanes = |lanes, base: SnnConfig| SnnConfig {
            neurons: 12,
            lanes: Some(lanes),
            ..base
        };
        check_rtl(&HwParams::new(&lanes(2, SnnConfig::seed())).unwrap()).unwrap();
        check_rtl(&HwParams::new(&lanes(5, SnnConfig::seed())).unwrap()).unwrap();
        assert!(rtl_error(lanes(1, SnnConfig::seed())).contains("use lanes = 2"));
        check_rtl(&HwParams::new(&lanes(5, SnnConfig::learning())).unwrap()).unwrap();
        assert!(rtl_error(lanes(1, SnnConfig::learning())).contains("use lanes = 2"));
        let theta_only = SnnConfig {
            norm_target: 0.0,
            ..SnnConfig::learning()
        };
        check_rtl(&HwParams::new(&lanes(5, theta_only)).unwrap()).unwrap();
    }
}
