//! The one configuration type of the project.
//!
//! `SnnConfig` holds every parameter of SPEC section 1 plus image size, neuron count, seed, epochs
//! and the fixed-point widths. The golden models, the cycle model and the HDL generator all take a
//! `&SnnConfig`, so a parameter can never mean two different things at two levels.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which bound the depression branch of STDP measures its distance from (SPEC section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DepressionBound {
    /// The corrected rule `w - w_min`: weights approach `w_min` softly. Hardware implements this.
    #[default]
    WMin,
    /// The original code's `w - |w_min|`, kept only to reproduce runs of the original experiments.
    AbsWMin,
}

/// Fixed-point formats of the hardware (SPEC section 9; rules in docs/FIXED_POINT.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixedConfig {
    /// Fractional bits shared by weights, potentials, leak, threshold and penalty, so that a weight
    /// adds to a potential without a shift.
    pub frac_bits: u32,
    /// Two's-complement width of one weight; the weight memory word is `neurons * weight_bits`.
    pub weight_bits: u32,
    /// Two's-complement width of the membrane potential registers.
    pub potential_bits: u32,
    /// Fractional bits of the unsigned STDP lookup tables holding `sigma * |rl(d)|`.
    pub lut_frac_bits: u32,
}

impl Default for FixedConfig {
    fn default() -> Self {
        FixedConfig {
            frac_bits: 8,
            weight_bits: 10,
            potential_bits: 20,
            lut_frac_bits: 16,
        }
    }
}

/// Every parameter of the network, its training run and its hardware arithmetic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnnConfig {
    pub height: usize,
    pub width: usize,
    pub neurons: usize,
    pub t_steps: u32,
    pub p_rest: f64,
    pub p_min: f64,
    pub leak: f64,
    pub t_ref: u32,
    pub w_min: f64,
    pub w_max: f64,
    /// Initial weights are uniform in `[w_init[0], w_init[1])`.
    pub w_init: [f64; 2],
    pub sigma: f64,
    pub a_plus: f64,
    pub tau_plus: f64,
    pub a_minus: f64,
    pub tau_minus: f64,
    /// STDP looks at input spikes `stdp_window[0]..=stdp_window[1]` steps before and after.
    pub stdp_window: [u32; 2],
    pub penalty: f64,
    pub threshold_divisor: u32,
    pub pot_range: [f64; 2],
    pub rate_range: [f64; 2],
    pub period_numerator: f64,
    pub depression_bound: DepressionBound,
    pub seed: u64,
    pub epochs: usize,
    /// Shuffle the training order every epoch (seeded by `seed` and the epoch number).
    pub shuffle: bool,
    pub fixed: FixedConfig,
}

impl Default for SnnConfig {
    fn default() -> Self {
        SnnConfig {
            height: 28,
            width: 28,
            neurons: 10,
            t_steps: 200,
            p_rest: 0.0,
            p_min: -500.0,
            leak: 0.15,
            t_ref: 30,
            w_min: -1.2,
            w_max: 1.5,
            w_init: [0.0, 0.4],
            sigma: 0.1,
            a_plus: 0.8,
            tau_plus: 8.0,
            a_minus: 0.3,
            tau_minus: 5.0,
            stdp_window: [2, 20],
            penalty: 0.06,
            threshold_divisor: 3,
            pot_range: [-1.069, 2.781],
            rate_range: [1.0, 20.0],
            period_numerator: 600.0,
            depression_bound: DepressionBound::WMin,
            seed: 0,
            epochs: 1,
            shuffle: false,
            fixed: FixedConfig::default(),
        }
    }
}

impl SnnConfig {
    /// A small preset used by unit tests and the second hardware configuration: 16x16, 4 neurons.
    pub fn small() -> Self {
        SnnConfig {
            height: 16,
            width: 16,
            neurons: 4,
            fixed: FixedConfig {
                frac_bits: 7,
                weight_bits: 9,
                potential_bits: 18,
                lut_frac_bits: 14,
            },
            ..SnnConfig::default()
        }
    }

    /// Number of inputs `M = height * width`.
    pub fn inputs(&self) -> usize {
        self.height * self.width
    }

    /// Reads a TOML file; unknown keys and invalid values are errors naming the file and field.
    pub fn from_toml_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read config", path.display()))?;
        let cfg: SnnConfig =
            toml::from_str(&text).with_context(|| format!("{}: invalid config", path.display()))?;
        cfg.validate()
            .with_context(|| format!("{}: invalid config", path.display()))?;
        Ok(cfg)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("SnnConfig always serializes")
    }

    /// Rejects values that make the algorithm meaningless or the hardware overflow, naming the
    /// field (and, for widths, the bound that was violated).
    pub fn validate(&self) -> Result<()> {
        fn positive(name: &str, v: f64) -> Result<()> {
            if !(v.is_finite() && v > 0.0) {
                bail!("{name} must be a positive finite number, got {v}");
            }
            Ok(())
        }
        if self.height == 0 || self.width == 0 {
            bail!(
                "height and width must be at least 1, got {}x{}",
                self.height,
                self.width
            );
        }
        if self.neurons == 0 {
            bail!("neurons must be at least 1, got 0");
        }
        if self.t_steps == 0 {
            bail!("t_steps must be at least 1, got 0");
        }
        for (name, v) in [
            ("p_rest", self.p_rest),
            ("p_min", self.p_min),
            ("leak", self.leak),
            ("w_min", self.w_min),
            ("w_max", self.w_max),
            ("sigma", self.sigma),
            ("penalty", self.penalty),
        ] {
            if !v.is_finite() {
                bail!("{name} must be finite, got {v}");
            }
        }
        if self.leak < 0.0 {
            bail!("leak must be >= 0, got {}", self.leak);
        }
        if self.penalty < 0.0 {
            bail!("penalty must be >= 0, got {}", self.penalty);
        }
        if self.sigma < 0.0 {
            bail!("sigma must be >= 0, got {}", self.sigma);
        }
        if self.w_min >= self.w_max {
            bail!(
                "w_min ({}) must be below w_max ({})",
                self.w_min,
                self.w_max
            );
        }
        if self.p_min >= self.p_rest {
            bail!(
                "p_min ({}) must be below p_rest ({})",
                self.p_min,
                self.p_rest
            );
        }
        let [lo, hi] = self.w_init;
        if !(lo.is_finite() && hi.is_finite() && lo <= hi && lo >= self.w_min && hi <= self.w_max) {
            bail!(
                "w_init [{lo}, {hi}) must be an interval inside [w_min, w_max] = [{}, {}]",
                self.w_min,
                self.w_max
            );
        }
        positive("tau_plus", self.tau_plus)?;
        positive("tau_minus", self.tau_minus)?;
        if !(self.a_plus >= 0.0 && self.a_minus >= 0.0) {
            bail!("a_plus and a_minus must be >= 0");
        }
        let [w0, w1] = self.stdp_window;
        if w0 < 2 || w0 > w1 {
            bail!("stdp_window [{w0}, {w1}] must satisfy 2 <= start <= end (spikes at t-1, t, t+1 are never considered)");
        }
        if self.threshold_divisor == 0 {
            bail!("threshold_divisor must be at least 1, got 0");
        }
        let [p0, p1] = self.pot_range;
        if !(p0.is_finite() && p1.is_finite() && p0 < p1) {
            bail!("pot_range [{p0}, {p1}] must be increasing");
        }
        let [r0, r1] = self.rate_range;
        if !(r0.is_finite() && r1.is_finite() && r0 > 0.0 && r0 <= r1) {
            bail!("rate_range [{r0}, {r1}] must be positive and increasing");
        }
        // A zero numerator would give every input a period of 0 (a spike at every step, t = 0 too).
        positive("period_numerator", self.period_numerator)?;
        if self.epochs == 0 {
            bail!("epochs must be at least 1, got 0");
        }
        crate::fixed::FixedFormat::new(self).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_round_trips_through_toml() {
        let cfg = SnnConfig::default();
        cfg.validate().unwrap();
        let back: SnnConfig = toml::from_str(&cfg.to_toml()).unwrap();
        assert_eq!(back, cfg);
        SnnConfig::small().validate().unwrap();
    }

    #[test]
    fn invalid_values_name_the_field() {
        let cases: Vec<(SnnConfig, &str)> = vec![
            (
                SnnConfig {
                    neurons: 0,
                    ..Default::default()
                },
                "neurons",
            ),
            (
                SnnConfig {
                    w_min: 2.0,
                    ..Default::default()
                },
                "w_min",
            ),
            (
                SnnConfig {
                    period_numerator: 0.0,
                    ..Default::default()
                },
                "period_numerator",
            ),
            (
                SnnConfig {
                    stdp_window: [1, 20],
                    ..Default::default()
                },
                "stdp_window",
            ),
            (
                SnnConfig {
                    threshold_divisor: 0,
                    ..Default::default()
                },
                "threshold_divisor",
            ),
            (
                SnnConfig {
                    height: 0,
                    ..Default::default()
                },
                "height",
            ),
        ];
        for (cfg, field) in cases {
            let err = format!("{:#}", cfg.validate().unwrap_err());
            assert!(err.contains(field), "error {err:?} should name {field}");
        }
    }

    #[test]
    fn unknown_toml_key_is_rejected() {
        let err = toml::from_str::<SnnConfig>("neuronz = 3")
            .unwrap_err()
            .to_string();
        assert!(err.contains("neuronz"), "{err}");
    }
}
