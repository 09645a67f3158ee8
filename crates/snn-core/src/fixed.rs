//! The hardware's fixed-point arithmetic, in one place.
//!
//! The golden fixed model and the cycle model call exactly these functions; the HDL mirrors them
//! operation by operation. The rules (rounding, saturation, order) are written down in
//! `docs/FIXED_POINT.md`; a change here is a change of the hardware.
//!
//! Weights, potentials, leak, threshold and penalty share one scale `2^frac_bits`, so a weight adds
//! to a potential with no shift. Configurations whose registers could overflow are rejected by
//! [`FixedFormat::new`] (called from `SnnConfig::validate`), which is why the arithmetic below never
//! saturates: the bounds proved at configuration time make saturation logic dead hardware.

use crate::config::SnnConfig;
use anyhow::{bail, Result};

impl SnnConfig {
    /// Rejects values that make the algorithm meaningless or the hardware's registers overflow,
    /// naming the field (and, for widths, the bound that was violated). It lives beside the
    /// fixed-point derivation because the width checks are that derivation: config.rs stays free
    /// of fixed-point knowledge.
    pub fn validate(&self) -> Result<()> {
        self.validate_algorithm()?;
        FixedFormat::new(self).map(|_| ())
    }
}

/// Quantized constants and widths derived once from a [`SnnConfig`].
#[derive(Clone, Debug, PartialEq)]
pub struct FixedFormat {
    pub frac_bits: u32,
    pub weight_bits: u32,
    pub potential_bits: u32,
    pub lut_frac_bits: u32,
    pub w_min: i32,
    pub w_max: i32,
    pub p_rest: i32,
    pub p_min: i32,
    pub leak: i32,
    pub penalty: i32,
    pub threshold_divisor: u32,
    /// First distance of the STDP window (2 by default); `lut_*[k]` is for distance `window_lo + k`.
    pub window_lo: u32,
    /// `round(sigma * a_minus * exp(-d / tau_minus) * 2^lut_frac_bits)`: input spiked `d` steps
    /// before the output spike (potentiation).
    pub lut_pot: Vec<u32>,
    /// `round(sigma * a_plus * exp(-d / tau_plus) * 2^lut_frac_bits)`: input spiked `d` steps
    /// after the output spike (depression).
    pub lut_dep: Vec<u32>,
    /// Inclusive range a potential register can take, proved from the configuration.
    pub potential_range: (i64, i64),
    /// Homeostasis (SPEC section 10): the winner's `theta` gains `theta_plus`, every `theta`
    /// loses `theta_minus`, and `theta` stays in `0..=theta_max` (all raw, potential scale).
    pub theta_plus: i32,
    pub theta_minus: i32,
    pub theta_max: i32,
    /// Width of the unsigned `theta` registers.
    pub theta_bits: u32,
    /// Row-normalization target `S` (raw weight scale; 0 = off) and `M`, the row length.
    pub norm_target: i64,
    pub inputs: u32,
    /// `1 / M` as `norm_recip / 2^norm_shift`: `norm_recip = round(2^norm_shift / M)` with
    /// `norm_shift = bits(M) + 15`, so the reciprocal keeps 15-16 significant bits.
    pub norm_recip: u32,
    pub norm_shift: u32,
    /// How many times the STDP tables have been halved (the `sigma` schedule).
    pub sigma_halvings: u32,
}

/// Round half away from zero: the one rounding used to turn real constants into fixed point.
pub fn round_to_raw(x: f64, frac_bits: u32) -> i64 {
    (x * (1u64 << frac_bits) as f64).round() as i64
}

fn signed_range(bits: u32) -> (i64, i64) {
    (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
}

impl FixedFormat {
    /// Derives every constant and checks that every register can hold every value it can reach.
    pub fn new(cfg: &SnnConfig) -> Result<Self> {
        let f = &cfg.fixed;
        if !(1..=31).contains(&f.theta_bits) {
            bail!("fixed.theta_bits must be in 1..=31, got {}", f.theta_bits);
        }
        if !(1..=20).contains(&f.frac_bits) {
            bail!("fixed.frac_bits must be in 1..=20, got {}", f.frac_bits);
        }
        if !(2..=24).contains(&f.weight_bits) {
            bail!("fixed.weight_bits must be in 2..=24, got {}", f.weight_bits);
        }
        if !(2..=32).contains(&f.potential_bits) {
            bail!(
                "fixed.potential_bits must be in 2..=32, got {}",
                f.potential_bits
            );
        }
        if !(1..=24).contains(&f.lut_frac_bits) {
            bail!(
                "fixed.lut_frac_bits must be in 1..=24, got {}",
                f.lut_frac_bits
            );
        }
        let q = |x: f64| round_to_raw(x, f.frac_bits);
        let (wlo, whi) = signed_range(f.weight_bits);
        let (w_min, w_max) = (q(cfg.w_min), q(cfg.w_max));
        if w_min < wlo || w_max > whi {
            bail!(
                "fixed.weight_bits = {} holds raw weights {wlo}..={whi}, but [w_min, w_max] = [{}, {}] needs {w_min}..={w_max} at frac_bits = {}",
                f.weight_bits, cfg.w_min, cfg.w_max, f.frac_bits
            );
        }
        if w_min >= w_max {
            bail!(
                "w_min and w_max quantize to the same value {w_min} at frac_bits = {}",
                f.frac_bits
            );
        }
        let lut = |amp: f64, tau: f64, d: u32| -> f64 {
            cfg.sigma * amp * (-(d as f64) / tau).exp() * (1u64 << f.lut_frac_bits) as f64
        };
        let [lo, hi] = cfg.stdp_window;
        let mut lut_pot = Vec::new();
        let mut lut_dep = Vec::new();
        for d in lo..=hi {
            for (table, amp, tau, name) in [
                (&mut lut_pot, cfg.a_minus, cfg.tau_minus, "a_minus"),
                (&mut lut_dep, cfg.a_plus, cfg.tau_plus, "a_plus"),
            ] {
                let v = lut(amp, tau, d).round();
                // A factor >= 1 would let one update jump past the bound it approaches.
                if v >= (1u64 << f.lut_frac_bits) as f64 {
                    bail!("sigma * {name} * exp(-{d}/tau) = {} must be below 1 so STDP never crosses a weight bound", v / (1u64 << f.lut_frac_bits) as f64);
                }
                table.push(v as u32);
            }
        }
        let m = cfg.inputs() as i64;
        let (p_rest, p_min, leak) = (q(cfg.p_rest), q(cfg.p_min), q(cfg.leak));
        let penalty = q(cfg.penalty);
        let (theta_plus, theta_minus, theta_max) = (
            q(cfg.theta_plus_effective()),
            q(cfg.theta_minus),
            q(cfg.theta_max),
        );
        if theta_max >= 1i64 << f.theta_bits {
            bail!(
                "fixed.theta_bits = {} holds theta up to {}, but theta_max = {} needs {theta_max} at frac_bits = {}",
                f.theta_bits,
                (1i64 << f.theta_bits) - 1,
                cfg.theta_max,
                f.frac_bits
            );
        }
        if theta_plus > theta_max {
            bail!(
                "theta_plus = {} exceeds theta_max = {}: a win could never raise theta by theta_plus",
                cfg.theta_plus_effective(),
                cfg.theta_max
            );
        }
        let norm_target = if cfg.norm_target > 0.0 {
            q(cfg.norm_target)
        } else {
            0
        };
        let norm_shift = 64 - (m as u64).leading_zeros() + 15;
        let norm_recip = (((1u64 << norm_shift) as f64) / m as f64).round() as u32;
        let thr_max = (m << f.frac_bits) / cfg.threshold_divisor as i64;
        // Before integration a potential is >= min(p_min, p_rest) and below its neuron's
        // threshold (at most thr_max + theta_max) or frozen at p_rest; one step adds at most M
        // weights, then the leak subtracts once.
        let low = p_min.min(p_rest) + m * w_min.min(0) - leak;
        let high = (thr_max + theta_max).max(p_rest) + m * w_max.max(0);
        let (plo, phi) = signed_range(f.potential_bits);
        if low < plo || high > phi {
            bail!(
                "fixed.potential_bits = {} holds raw potentials {plo}..={phi}, but M = {m} inputs with weights in [{}, {}] reach {low}..={high} (bound: min(p_min, p_rest) + M*min(w_min, 0) - leak >= {plo} and max(threshold_max + theta_max, p_rest) + M*max(w_max, 0) <= {phi})",
                f.potential_bits, cfg.w_min, cfg.w_max
            );
        }
        let i32_of = |x: i64| x as i32;
        Ok(FixedFormat {
            frac_bits: f.frac_bits,
            weight_bits: f.weight_bits,
            potential_bits: f.potential_bits,
            lut_frac_bits: f.lut_frac_bits,
            w_min: i32_of(w_min),
            w_max: i32_of(w_max),
            p_rest: i32_of(p_rest),
            p_min: i32_of(p_min),
            leak: i32_of(leak),
            penalty: i32_of(penalty),
            threshold_divisor: cfg.threshold_divisor,
            window_lo: lo,
            lut_pot,
            lut_dep,
            potential_range: (low, high),
            theta_plus: i32_of(theta_plus),
            theta_minus: i32_of(theta_minus),
            theta_max: i32_of(theta_max),
            theta_bits: f.theta_bits,
            norm_target,
            inputs: m as u32,
            norm_recip,
            norm_shift,
            sigma_halvings: 0,
        })
    }

    /// The format with `sigma` halved `times` times (the learning-rate schedule of SPEC section
    /// 10): every STDP table entry shifted right by `times`, rounding down.
    pub fn with_sigma_halvings(&self, times: u32) -> Self {
        let shift = |t: &[u32]| {
            t.iter()
                .map(|&v| v.checked_shr(times).unwrap_or(0))
                .collect()
        };
        FixedFormat {
            lut_pot: shift(&self.lut_pot),
            lut_dep: shift(&self.lut_dep),
            sigma_halvings: self.sigma_halvings + times,
            ..self.clone()
        }
    }

    /// The real value of a raw fixed-point number.
    pub fn to_f64(&self, raw: i32) -> f64 {
        raw as f64 / (1u64 << self.frac_bits) as f64
    }

    /// A weight read from a file: exact values are accepted; others are an error unless
    /// `quantize`, which rounds (half away from zero) and clamps into `[w_min, w_max]`.
    pub fn weight_from_f64(&self, x: f64, quantize: bool) -> Result<i32> {
        let scaled = x * (1u64 << self.frac_bits) as f64;
        let raw = scaled.round();
        if quantize {
            return Ok((raw as i64).clamp(self.w_min as i64, self.w_max as i64) as i32);
        }
        if !x.is_finite() || raw != scaled {
            bail!(
                "weight {x} is not a multiple of 2^-{} (pass --quantize to round it)",
                self.frac_bits
            );
        }
        if raw < self.w_min as f64 || raw > self.w_max as f64 {
            bail!(
                "weight {x} lies outside [w_min, w_max] = [{}, {}] (pass --quantize to clamp it)",
                self.to_f64(self.w_min),
                self.to_f64(self.w_max)
            );
        }
        Ok(raw as i32)
    }

    /// Initial weight from a real draw in `[w_init[0], w_init[1])`.
    pub fn initial_weight(&self, x: f64) -> i32 {
        (round_to_raw(x, self.frac_bits)).clamp(self.w_min as i64, self.w_max as i64) as i32
    }

    /// `floor((count << frac_bits) / threshold_divisor)`: the variable threshold of SPEC section 4.
    #[inline]
    pub fn threshold(&self, count: u32) -> i32 {
        (((count as i64) << self.frac_bits) / self.threshold_divisor as i64) as i32
    }

    /// One spiking input's weight added to a potential (exact; range proved by `new`).
    #[inline]
    pub fn integrate(&self, p: i32, w: i32) -> i32 {
        p + w
    }

    /// The leak of SPEC 5.1: subtracted only when the potential is above rest.
    #[inline]
    pub fn leak(&self, p: i32) -> i32 {
        if p > self.p_rest {
            p - self.leak
        } else {
            p
        }
    }

    /// `round(lut * dist / 2^lut_frac_bits)` with round half up; `dist >= 0`.
    #[inline]
    fn scaled_step(&self, lut: u32, dist: i32) -> i32 {
        debug_assert!(dist >= 0, "weight outside its bounds");
        let prod = lut as i64 * dist as i64;
        ((prod + (1i64 << (self.lut_frac_bits - 1))) >> self.lut_frac_bits) as i32
    }

    /// STDP potentiation for an input that spiked `d` steps before the output spike:
    /// `w + round(lut_pot[d] * (w_max - w))`. Never exceeds `w_max` because `lut < 1`.
    #[inline]
    pub fn potentiate(&self, w: i32, d: u32) -> i32 {
        let lut = self.lut_pot[(d - self.window_lo) as usize];
        w + self.scaled_step(lut, self.w_max - w)
    }

    /// STDP depression for an input that spiked `d` steps after the output spike:
    /// `w - round(lut_dep[d] * (w - w_min))`. Never goes below `w_min` because `lut < 1`.
    #[inline]
    pub fn depress(&self, w: i32, d: u32) -> i32 {
        let lut = self.lut_dep[(d - self.window_lo) as usize];
        w - self.scaled_step(lut, w - self.w_min)
    }

    /// End-of-image penalty for a silent input of the winner: `max(w - penalty, w_min)`.
    #[inline]
    pub fn penalize(&self, w: i32) -> i32 {
        (w - self.penalty).max(self.w_min)
    }

    /// The homeostasis update after a training image:
    /// `min(max(theta - theta_minus + (theta_plus if won), 0), theta_max)`.
    #[inline]
    pub fn theta_update(&self, theta: i32, won: bool) -> i32 {
        let plus = if won { self.theta_plus } else { 0 };
        (theta - self.theta_minus + plus).clamp(0, self.theta_max)
    }

    /// The normalization step of a row whose raw weights sum to `row_sum`:
    /// `floor(((S - row_sum) * norm_recip + 2^(norm_shift - 1)) / 2^norm_shift)`, i.e.
    /// `(S - row_sum) / M` rounded half up through the reciprocal.
    #[inline]
    pub fn norm_delta(&self, row_sum: i64) -> i32 {
        let diff = self.norm_target - row_sum;
        ((diff * self.norm_recip as i64 + (1i64 << (self.norm_shift - 1))) >> self.norm_shift)
            as i32
    }

    /// One weight of the normalized row: `min(max(w + delta, w_min), w_max)`.
    #[inline]
    pub fn normalize(&self, w: i32, delta: i32) -> i32 {
        (w + delta).clamp(self.w_min, self.w_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt() -> FixedFormat {
        FixedFormat::new(&SnnConfig::default()).unwrap()
    }

    #[test]
    fn default_constants() {
        let f = fmt();
        // 8 fractional bits: 1.5 * 256 = 384, -1.2 * 256 = -307.2 -> -307, 0.15 * 256 = 38.4 -> 38.
        assert_eq!(
            (f.w_min, f.w_max, f.leak, f.penalty, f.p_min),
            (-307, 384, 38, 15, -128000)
        );
        // sigma * a_minus * exp(-2/5) * 2^16 = 0.03 * 0.67032 * 65536 = 1317.9 -> 1318
        assert_eq!(f.lut_pot[0], 1318);
        // sigma * a_plus * exp(-2/8) * 2^16 = 0.08 * 0.7788 * 65536 = 4083.2 -> 4083
        assert_eq!(f.lut_dep[0], 4083);
        assert_eq!(f.lut_pot.len(), 19);
    }

    #[test]
    fn threshold_floors_after_scaling() {
        let f = fmt();
        assert_eq!(f.threshold(0), 0);
        assert_eq!(f.threshold(1), 85); // 256 / 3 = 85.33
        assert_eq!(f.threshold(2), 170); // 512 / 3 = 170.67
        assert_eq!(f.threshold(784), 66901); // 200704 / 3 = 66901.33
    }

    #[test]
    fn stdp_at_the_edges_never_crosses_bounds() {
        let f = fmt();
        // Largest weight: potentiation cannot move it, depression moves it by round(lut * 691).
        assert_eq!(f.potentiate(f.w_max, 2), f.w_max);
        assert_eq!(
            f.depress(f.w_max, 2),
            f.w_max - ((4083 * 691 + 32768) >> 16)
        );
        assert_eq!(f.depress(f.w_min, 2), f.w_min);
        for w in f.w_min..=f.w_max {
            for d in 2..=20 {
                let (p, q) = (f.potentiate(w, d), f.depress(w, d));
                assert!(
                    p >= w && p <= f.w_max && q <= w && q >= f.w_min,
                    "w={w} d={d}"
                );
            }
        }
        assert_eq!(f.penalize(f.w_min + 3), f.w_min);
        assert_eq!(f.penalize(0), -15);
    }

    #[test]
    fn homeostasis_and_normalization_by_hand() {
        let f = FixedFormat::new(&SnnConfig::learning()).unwrap();
        // N = 10: theta_plus = 10 * 2/256 -> 20, theta_minus = 1/256 -> 1, theta_max = 511 -> 130816.
        assert_eq!((f.theta_plus, f.theta_minus, f.theta_max), (20, 1, 130816));
        assert_eq!(f.theta_update(0, false), 0);
        assert_eq!(f.theta_update(0, true), 19);
        assert_eq!(f.theta_update(10, false), 9);
        assert_eq!(f.theta_update(130800, true), 130816);
        let n100 = SnnConfig {
            neurons: 100,
            ..SnnConfig::learning()
        };
        assert_eq!(FixedFormat::new(&n100).unwrap().theta_plus, 200);
        // M = 784: norm_shift = bits(784) + 15 = 25, recip = round(2^25 / 784) = 42799.
        assert_eq!(
            (f.norm_shift, f.norm_recip, f.norm_target),
            (25, 42799, 25600)
        );
        // Row sum 25600 - 784 * 3 = 23248: delta = 2352 * 42799 / 2^25 = 3.0000... -> 3.
        assert_eq!(f.norm_delta(25600 - 784 * 3), 3);
        assert_eq!(f.norm_delta(25600 + 784 * 3), -3);
        // diff = 392 is 0.5 per input, but the rounded reciprocal is slightly below 2^25 / 784:
        // 392 * 42799 + 2^24 = 2^25 - 8, so the step is 0 (the reciprocal decides ties).
        assert_eq!(f.norm_delta(25600 - 392), 0);
        assert_eq!(f.norm_delta(25600 - 393), 1);
        assert_eq!(f.norm_delta(25600 + 392), 0);
        assert_eq!(f.norm_delta(25600 + 393), -1);
        assert_eq!(f.normalize(f.w_max - 1, 5), f.w_max);
        assert_eq!(f.normalize(f.w_min + 1, -5), f.w_min);
        // Halving sigma shifts every table entry right.
        let h = f.with_sigma_halvings(2);
        assert_eq!(h.lut_pot[0], f.lut_pot[0] >> 2);
        assert_eq!(h.sigma_halvings, 2);
    }

    #[test]
    fn theta_register_must_hold_theta_max() {
        let mut cfg = SnnConfig::learning();
        cfg.fixed.theta_bits = 16;
        let err = FixedFormat::new(&cfg).unwrap_err().to_string();
        assert!(
            err.contains("theta_bits = 16") && err.contains("theta_max"),
            "{err}"
        );
    }

    #[test]
    fn leak_only_above_rest() {
        let f = fmt();
        assert_eq!(f.leak(1), 1 - 38);
        assert_eq!(f.leak(0), 0);
        assert_eq!(f.leak(-5), -5);
    }

    #[test]
    fn weight_parsing_is_exact_or_quantized() {
        let f = fmt();
        assert_eq!(f.weight_from_f64(0.5, false).unwrap(), 128);
        let err = f.weight_from_f64(0.3, false).unwrap_err().to_string();
        assert!(err.contains("0.3") && err.contains("--quantize"), "{err}");
        assert_eq!(f.weight_from_f64(0.3, true).unwrap(), 77);
        assert!(f.weight_from_f64(1.75, false).is_err());
        assert_eq!(f.weight_from_f64(9.0, true).unwrap(), f.w_max);
    }

    #[test]
    fn narrow_potential_register_is_rejected_with_its_bound() {
        let mut cfg = SnnConfig::default();
        cfg.fixed.potential_bits = 16;
        let err = FixedFormat::new(&cfg).unwrap_err().to_string();
        assert!(
            err.contains("potential_bits = 16") && err.contains("M = 784"),
            "{err}"
        );
        cfg.fixed.potential_bits = 20;
        cfg.fixed.weight_bits = 9;
        let err = FixedFormat::new(&cfg).unwrap_err().to_string();
        assert!(err.contains("weight_bits = 9"), "{err}");
    }
}
