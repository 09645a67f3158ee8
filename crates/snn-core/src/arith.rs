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
    fn weight_to_f64(&self, w: Self::W) -> f64;
    fn potential_to_f64(&self, p: Self::P) -> f64;
    /// A weight from a file (`quantize` rounds and clamps values the format cannot hold exactly).
    fn weight_from_f64(&self, x: f64, quantize: bool) -> Result<Self::W>;
    /// An initial weight from a uniform real draw.
    fn initial_weight(&self, x: f64) -> Self::W;
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
}
