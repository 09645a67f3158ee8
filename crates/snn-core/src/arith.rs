//! The two arithmetics of the golden model: real numbers (`f64`) and the hardware's fixed point.
//!
//! The presentation loop (`control::present`) is written once, generic over [`Arith`], so the
//! float and fixed models cannot drift apart in the order of operations: only the primitive
//! operations differ, and the fixed ones are exactly those of [`crate::fixed::FixedFormat`].

use crate::config::{DepressionBound, SnnConfig};
use crate::fixed::FixedFormat;
use anyhow::{bail, Result};
use std::fmt::Debug;

/// Primitive operations of the network in one number system.
pub trait Arith: Sync + Send {
    /// A weight.
    type W: Copy + Send + Sync + PartialEq + Debug;
    /// A membrane potential (also the threshold).
    type P: Copy + Send + Sync + PartialOrd + PartialEq + Debug;
    /// Name used in reports and JSON (`golden` or `golden-fixed`).
    fn level(&self) -> &'static str;
    fn p_rest(&self) -> Self::P;
    fn p_min(&self) -> Self::P;
    /// Threshold for a peak simultaneous spike count (SPEC section 4).
    fn threshold(&self, peak: u32) -> Self::P;
    /// `p + sum of row[i] for i in inputs` (the sum is formed first, in ascending input order).
    fn integrate(&self, p: Self::P, row: &[Self::W], inputs: &[u32]) -> Self::P;
    /// Subtract the leak when above rest.
    fn leak(&self, p: Self::P) -> Self::P;
    /// STDP for an input that spiked `d` steps before the output spike.
    fn potentiate(&self, w: Self::W, d: u32) -> Self::W;
    /// STDP for an input that spiked `d` steps after the output spike.
    fn depress(&self, w: Self::W, d: u32) -> Self::W;
    /// End-of-image penalty of a silent input of the winner.
    fn penalize(&self, w: Self::W) -> Self::W;
    /// The value the WTA unit compares for a neuron: `shown - theta` (SPEC section 10).
    fn wta_value(&self, shown: Self::P, theta: Self::P) -> Self::P;
    /// A neuron's firing threshold: `threshold + theta`.
    fn fire_threshold(&self, threshold: Self::P, theta: Self::P) -> Self::P;
    /// `theta` at the start of training.
    fn theta_zero(&self) -> Self::P;
    /// Homeostasis after a training image: `min(max(theta - theta_minus + (theta_plus if
    /// won), 0), theta_max)`.
    fn theta_update(&self, theta: Self::P, won: bool) -> Self::P;
    /// Whether row normalization is on (`norm_target > 0`).
    fn normalizes(&self) -> bool;
    /// Subtractive normalization of a row (SPEC section 10): every weight moves by
    /// `(norm_target - sum) / M` and is clamped to `[w_min, w_max]`, in input order.
    fn normalize_row(&self, row: &mut [Self::W]);
    /// This arithmetic with `sigma` halved `times` times (the learning-rate schedule).
    fn with_sigma_halvings(&self, times: u32) -> Self
    where
        Self: Sized;
    fn weight_to_f64(&self, w: Self::W) -> f64;
    fn potential_to_f64(&self, p: Self::P) -> f64;
    /// A weight from a file (`quantize` rounds and clamps values the format cannot hold exactly).
    fn weight_from_f64(&self, x: f64, quantize: bool) -> Result<Self::W>;
    /// An initial weight from a uniform real draw.
    fn initial_weight(&self, x: f64) -> Self::W;
    /// A `theta` from a file: finite, in `[0, theta_max]`, exact unless `quantize`.
    fn theta_from_f64(&self, x: f64, quantize: bool) -> Result<Self::P>;
}

/// SPEC arithmetic in `f64`.
#[derive(Clone, Debug)]
pub struct FloatArith {
    p_rest: f64,
    p_min: f64,
    leak: f64,
    w_min: f64,
    w_max: f64,
    penalty: f64,
    divisor: f64,
    depression_bound: f64,
    theta_plus: f64,
    theta_minus: f64,
    theta_max: f64,
    norm_target: f64,
    window_lo: u32,
    /// `sigma * rl(-d)` (positive) for d in the window.
    pot: Vec<f64>,
    /// `sigma * rl(d)` (negative) for d in the window.
    dep: Vec<f64>,
}

impl FloatArith {
    pub fn new(cfg: &SnnConfig) -> Self {
        let [lo, hi] = cfg.stdp_window;
        FloatArith {
            p_rest: cfg.p_rest,
            p_min: cfg.p_min,
            leak: cfg.leak,
            w_min: cfg.w_min,
            w_max: cfg.w_max,
            penalty: cfg.penalty,
            divisor: cfg.threshold_divisor as f64,
            depression_bound: match cfg.depression_bound {
                DepressionBound::WMin => cfg.w_min,
                DepressionBound::AbsWMin => cfg.w_min.abs(),
            },
            theta_plus: cfg.theta_plus_effective(),
            theta_minus: cfg.theta_minus,
            theta_max: cfg.theta_max,
            norm_target: cfg.norm_target,
            window_lo: lo,
            pot: (lo..=hi)
                .map(|d| cfg.sigma * (cfg.a_minus * (-(d as f64) / cfg.tau_minus).exp()))
                .collect(),
            dep: (lo..=hi)
                .map(|d| cfg.sigma * (-cfg.a_plus * (-(d as f64) / cfg.tau_plus).exp()))
                .collect(),
        }
    }
}

impl Arith for FloatArith {
    type W = f64;
    type P = f64;
    fn level(&self) -> &'static str {
        "golden"
    }
    #[inline]
    fn p_rest(&self) -> f64 {
        self.p_rest
    }
    #[inline]
    fn p_min(&self) -> f64 {
        self.p_min
    }
    #[inline]
    fn threshold(&self, peak: u32) -> f64 {
        peak as f64 / self.divisor
    }
    #[inline]
    fn integrate(&self, p: f64, row: &[f64], inputs: &[u32]) -> f64 {
        p + inputs.iter().map(|&i| row[i as usize]).sum::<f64>()
    }
    #[inline]
    fn leak(&self, p: f64) -> f64 {
        if p > self.p_rest {
            p - self.leak
        } else {
            p
        }
    }
    #[inline]
    fn potentiate(&self, w: f64, d: u32) -> f64 {
        w + self.pot[(d - self.window_lo) as usize] * (self.w_max - w)
    }
    #[inline]
    fn depress(&self, w: f64, d: u32) -> f64 {
        w + self.dep[(d - self.window_lo) as usize] * (w - self.depression_bound)
    }
    #[inline]
    fn penalize(&self, w: f64) -> f64 {
        (w - self.penalty).max(self.w_min)
    }
    #[inline]
    fn wta_value(&self, shown: f64, theta: f64) -> f64 {
        shown - theta
    }
    #[inline]
    fn fire_threshold(&self, threshold: f64, theta: f64) -> f64 {
        threshold + theta
    }
    fn theta_zero(&self) -> f64 {
        0.0
    }
    fn theta_update(&self, theta: f64, won: bool) -> f64 {
        let plus = if won { self.theta_plus } else { 0.0 };
        (theta - self.theta_minus + plus)
            .max(0.0)
            .min(self.theta_max)
    }
    fn normalizes(&self) -> bool {
        self.norm_target > 0.0
    }
    fn normalize_row(&self, row: &mut [f64]) {
        let delta = (self.norm_target - row.iter().sum::<f64>()) / row.len() as f64;
        for w in row {
            *w = (*w + delta).max(self.w_min).min(self.w_max);
        }
    }
    fn with_sigma_halvings(&self, times: u32) -> Self {
        let scale = 0.5f64.powi(times as i32);
        FloatArith {
            pot: self.pot.iter().map(|x| x * scale).collect(),
            dep: self.dep.iter().map(|x| x * scale).collect(),
            ..self.clone()
        }
    }
    fn weight_to_f64(&self, w: f64) -> f64 {
        w
    }
    fn potential_to_f64(&self, p: f64) -> f64 {
        p
    }
    fn weight_from_f64(&self, x: f64, _quantize: bool) -> Result<f64> {
        if !x.is_finite() {
            bail!("weight {x} is not a finite number");
        }
        Ok(x)
    }
    fn initial_weight(&self, x: f64) -> f64 {
        x
    }
    fn theta_from_f64(&self, x: f64, _quantize: bool) -> Result<f64> {
        check_theta(x, self.theta_max)?;
        Ok(x)
    }
}

/// A theta read from a file must be a finite number in `[0, theta_max]`.
fn check_theta(x: f64, theta_max: f64) -> Result<()> {
    if !(x.is_finite() && (0.0..=theta_max).contains(&x)) {
        bail!("theta {x} must be a finite number in [0, theta_max = {theta_max}]");
    }
    Ok(())
}

/// The hardware's fixed-point arithmetic (raw two's-complement integers).
#[derive(Clone, Debug)]
pub struct FixedArith {
    pub format: FixedFormat,
}

impl FixedArith {
    /// Fails for the seed-compatibility depression rule, which the hardware does not implement.
    pub fn new(cfg: &SnnConfig) -> Result<Self> {
        if cfg.depression_bound != DepressionBound::WMin {
            bail!("depression_bound = abs_w_min exists only in the float model (the hardware implements the corrected rule w_min); use --arith float");
        }
        Ok(FixedArith {
            format: FixedFormat::new(cfg)?,
        })
    }
}

impl Arith for FixedArith {
    type W = i32;
    type P = i32;
    fn level(&self) -> &'static str {
        "golden-fixed"
    }
    #[inline]
    fn p_rest(&self) -> i32 {
        self.format.p_rest
    }
    #[inline]
    fn p_min(&self) -> i32 {
        self.format.p_min
    }
    #[inline]
    fn threshold(&self, peak: u32) -> i32 {
        self.format.threshold(peak)
    }
    #[inline]
    fn integrate(&self, p: i32, row: &[i32], inputs: &[u32]) -> i32 {
        inputs
            .iter()
            .fold(p, |acc, &i| self.format.integrate(acc, row[i as usize]))
    }
    #[inline]
    fn leak(&self, p: i32) -> i32 {
        self.format.leak(p)
    }
    #[inline]
    fn potentiate(&self, w: i32, d: u32) -> i32 {
        self.format.potentiate(w, d)
    }
    #[inline]
    fn depress(&self, w: i32, d: u32) -> i32 {
        self.format.depress(w, d)
    }
    #[inline]
    fn penalize(&self, w: i32) -> i32 {
        self.format.penalize(w)
    }
    #[inline]
    fn wta_value(&self, shown: i32, theta: i32) -> i32 {
        shown - theta
    }
    #[inline]
    fn fire_threshold(&self, threshold: i32, theta: i32) -> i32 {
        threshold + theta
    }
    fn theta_zero(&self) -> i32 {
        0
    }
    fn theta_update(&self, theta: i32, won: bool) -> i32 {
        self.format.theta_update(theta, won)
    }
    fn normalizes(&self) -> bool {
        self.format.norm_target > 0
    }
    fn normalize_row(&self, row: &mut [i32]) {
        let delta = self.format.norm_delta(row.iter().map(|&w| w as i64).sum());
        for w in row {
            *w = self.format.normalize(*w, delta);
        }
    }
    fn with_sigma_halvings(&self, times: u32) -> Self {
        FixedArith {
            format: self.format.with_sigma_halvings(times),
        }
    }
    fn weight_to_f64(&self, w: i32) -> f64 {
        self.format.to_f64(w)
    }
    fn potential_to_f64(&self, p: i32) -> f64 {
        self.format.to_f64(p)
    }
    fn weight_from_f64(&self, x: f64, quantize: bool) -> Result<i32> {
        self.format.weight_from_f64(x, quantize)
    }
    fn initial_weight(&self, x: f64) -> i32 {
        self.format.initial_weight(x)
    }
    fn theta_from_f64(&self, x: f64, quantize: bool) -> Result<i32> {
        let f = &self.format;
        check_theta(x, f.to_f64(f.theta_max))?;
        let scaled = x * (1u64 << f.frac_bits) as f64;
        if !quantize && scaled.round() != scaled {
            bail!(
                "theta {x} is not a multiple of 2^-{} (pass --quantize to round it)",
                f.frac_bits
            );
        }
        Ok((scaled.round() as i64).clamp(0, f.theta_max as i64) as i32)
    }
}
