//! The one configuration type of the project.
//!
//! `SnnConfig` holds every parameter of SPEC section 1 plus image size, neuron count, seed, epochs
//! and the fixed-point widths, and the learning extensions of SPEC sections 10-11. The golden
//! models, the cycle model and the HDL generator all take a `&SnnConfig`, so a parameter can never
//! mean two different things at two levels.
//!
//! `SnnConfig::default()` is SPEC section 1 (the `seed` preset); [`SnnConfig::learning`] is the
//! `default` preset that commands use when nothing else is said. A config file starts from the
//! preset it names (`preset = "seed"`), else from `default`.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How receptive-field potentials (or pixels) become spike trains (SPEC section 11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// The seed's deterministic rate code: input `i` spikes at `period, 2*period, ...`.
    #[default]
    Rate,
    /// The rate code shifted by a per-input phase drawn from the code's LFSR.
    Phased,
    /// At every step, a spike with probability `1 / period` from the code's LFSR.
    Bernoulli,
    /// The seed's `encode2`: no receptive field, the rate comes from the raw pixel.
    Pixel,
}

impl Encoding {
    pub const ALL: [Encoding; 4] = [
        Encoding::Rate,
        Encoding::Phased,
        Encoding::Bernoulli,
        Encoding::Pixel,
    ];

    /// The name used in configuration files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Rate => "rate",
            Encoding::Phased => "phased",
            Encoding::Bernoulli => "bernoulli",
            Encoding::Pixel => "pixel",
        }
    }
}

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
    /// Width of the unsigned adaptive-threshold registers `theta[j]` (scale `2^frac_bits`, like
    /// potentials); `theta_max` must fit.
    pub theta_bits: u32,
}

impl Default for FixedConfig {
    fn default() -> Self {
        FixedConfig {
            frac_bits: 8,
            weight_bits: 10,
            potential_bits: 20,
            lut_frac_bits: 16,
            theta_bits: 16,
        }
    }
}

/// Every parameter of the network, its training run and its hardware arithmetic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnnConfig {
    pub height: usize,
    pub width: usize,
    /// Output neurons (the last layer's size when `layers` is given).
    pub neurons: usize,
    /// Sizes of the layers `[n1, ..., nL]` (SPEC section 12): each layer is trained with STDP on
    /// the output spike trains of the one below, in the same presentation. Absent: one layer of
    /// `neurons`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<usize>>,
    /// Neuron lanes `P` of the hardware (docs/ARCHITECTURE.md, "Neuron lanes"): the core
    /// processes `P` neurons per cycle and keeps the state of all `N` in memories. Absent: `P =
    /// N`, one lane per neuron. Invisible to the algorithm: the golden models ignore it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lanes: Option<usize>,
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
    /// Homeostasis (SPEC section 10): added to a neuron's `theta` when it wins a training image.
    /// Exclusive with `theta_plus_per_neuron`.
    pub theta_plus: f64,
    /// `theta_plus` as `neurons * theta_plus_per_neuron` (0 = use `theta_plus`): with every
    /// neuron winning `1/N` of the images, the mean rise of theta per image is then
    /// `theta_plus_per_neuron - theta_minus` whatever `N`, and that rise is what sets the
    /// thresholds' level at the end of training (README, "Learning").
    pub theta_plus_per_neuron: f64,
    /// Subtracted from every neuron's `theta` after every training image (floored at 0).
    pub theta_minus: f64,
    /// Ceiling of `theta` (potential units): keeps the adaptive threshold bounded over many
    /// epochs and sizes its register (`fixed.theta_bits`).
    pub theta_max: f64,
    /// Subtractive normalization of the winner's row to this sum after each training image
    /// (SPEC section 10); 0 = off.
    pub norm_target: f64,
    /// Halve `sigma` every this many epochs (epoch `e` uses `sigma / 2^floor(e / k)`); 0 = never.
    pub sigma_halving_epochs: usize,
    /// Input code (SPEC section 11).
    pub encoding: Encoding,
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
            layers: None,
            lanes: None,
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
            theta_plus: 0.0,
            theta_plus_per_neuron: 0.0,
            theta_minus: 0.0,
            theta_max: 0.0,
            norm_target: 0.0,
            sigma_halving_epochs: 0,
            encoding: Encoding::Rate,
            seed: 0,
            epochs: 1,
            shuffle: false,
            fixed: FixedConfig::default(),
        }
    }
}

/// Longest presentation any level accepts: step counters and ports are 16 bits wide, and a
/// presentation must end in bounded time.
pub const MAX_T_STEPS: u32 = 65_535;

/// Names of the built-in presets (`--preset NAME`, `preset = "NAME"` in a config file).
pub const PRESETS: [&str; 2] = ["default", "seed"];

impl SnnConfig {
    /// The original experiments, SPEC section 1 exactly: no homeostasis, no normalization, the
    /// seed's constants. With `depression_bound = abs_w_min` (float only) it reproduces the
    /// original runs.
    pub fn seed() -> Self {
        SnnConfig::default()
    }

    /// The project's learning configuration (SPEC section 10), what `snn train`, `snn demo` and
    /// `snn generate` use when nothing else is said. Measured in the README ("Learning").
    pub fn learning() -> Self {
        SnnConfig {
            a_plus: 0.08,
            a_minus: 0.25,
            sigma: 0.05,
            threshold_divisor: 2,
            penalty: 0.003,
            theta_plus_per_neuron: 2.0 / 256.0,
            theta_minus: 1.0 / 256.0,
            theta_max: 511.0,
            norm_target: 100.0,
            fixed: FixedConfig {
                potential_bits: 21,
                theta_bits: 17,
                ..FixedConfig::default()
            },
            ..SnnConfig::default()
        }
    }

    /// The amount a win adds to `theta`: `theta_plus`, or `neurons * theta_plus_per_neuron`.
    pub fn theta_plus_effective(&self) -> f64 {
        if self.theta_plus_per_neuron > 0.0 {
            self.neurons as f64 * self.theta_plus_per_neuron
        } else {
            self.theta_plus
        }
    }

    /// A built-in preset by name; an unknown name is an error listing the known ones.
    pub fn preset(name: &str) -> Result<Self> {
        match name {
            "default" => Ok(SnnConfig::learning()),
            "seed" => Ok(SnnConfig::seed()),
            _ => bail!(
                "unknown preset {name:?} (known presets: {})",
                PRESETS.join(", ")
            ),
        }
    }

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
                theta_bits: 16,
            },
            ..SnnConfig::seed()
        }
    }

    /// Number of inputs `M = height * width`.
    pub fn inputs(&self) -> usize {
        self.height * self.width
    }

    /// The layer sizes: `layers`, or one layer of `neurons`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        self.layers.clone().unwrap_or_else(|| vec![self.neurons])
    }

    /// The configuration of layer `l` (from 0) as a one-layer network: layer 0 is this one with
    /// `neurons = n1`; layer `l >= 1` takes the `n_l` spike trains of the layer below as a
    /// `1 x n_(l-1)` "image" (no receptive field, no input code), draws its initial weights
    /// from `seed + l`, and scales `norm_target` by `n_(l-1) / M`, so that every layer's
    /// normalization keeps the same mean weight.
    pub fn layer_config(&self, l: usize) -> SnnConfig {
        let sizes = self.layer_sizes();
        let mut c = SnnConfig {
            neurons: sizes[l],
            layers: None,
            ..self.clone()
        };
        if l > 0 {
            let fan_in = sizes[l - 1];
            c.norm_target = self.norm_target * fan_in as f64 / self.inputs() as f64;
            (c.height, c.width) = (1, fan_in);
            c.seed = self.seed.wrapping_add(l as u64);
        }
        c
    }

    /// A configuration from a TOML table: the preset it names (`preset = "NAME"`, else
    /// `default`) with the table's other keys overriding it. Not yet validated.
    pub fn from_toml_table(table: toml::Table) -> Result<Self> {
        SnnConfig::from_toml_table_or(table, "default")
    }

    /// The preset a TOML table names (`preset = "NAME"`), checked; `None` when it names none.
    pub fn preset_of(table: &toml::Table) -> Result<Option<&str>> {
        match table.get("preset") {
            None => Ok(None),
            Some(toml::Value::String(s)) => {
                SnnConfig::preset(s)?;
                Ok(Some(s))
            }
            Some(v) => bail!("preset must be a string naming a preset, got {v}"),
        }
    }

    /// As [`SnnConfig::from_toml_table`], starting from the preset `unnamed` when the table
    /// names none (the command line's `--preset`).
    pub fn from_toml_table_or(mut table: toml::Table, unnamed: &str) -> Result<Self> {
        let preset = SnnConfig::preset_of(&table)?.unwrap_or(unnamed).to_string();
        table.remove("preset");
        let neurons_given = table.contains_key("neurons");
        let base = SnnConfig::preset(&preset)?;
        let mut merged: toml::Table =
            toml::Table::try_from(&base).expect("SnnConfig always serializes to a table");
        // Setting one key of an exclusive pair replaces the preset's choice of the other.
        for (key, other) in EXCLUSIVE {
            if table.contains_key(key) && !table.contains_key(other) {
                merged.insert(other.to_string(), toml::Value::Float(0.0));
            }
        }
        merge_tables(&mut merged, table);
        let mut cfg = merged.try_into::<SnnConfig>()?;
        // `layers` names the output layer's size too: `neurons` follows it unless also given.
        if let Some(&last) = cfg.layers.as_ref().and_then(|l| l.last()) {
            if !neurons_given {
                cfg.neurons = last;
            }
        }
        Ok(cfg)
    }

    /// Parses TOML text (see [`SnnConfig::from_toml_table`]) and validates.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let table: toml::Table = toml::from_str(text)?;
        let cfg = SnnConfig::from_toml_table(table)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Reads a TOML file; unknown keys and invalid values are errors naming the file and field.
    pub fn from_toml_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read config", path.display()))?;
        SnnConfig::from_toml_str(&text)
            .with_context(|| format!("{}: invalid config", path.display()))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("SnnConfig always serializes")
    }

    /// Rejects values that make the algorithm meaningless, naming the field. The fixed-point
    /// widths are checked by `FixedFormat::new`, which [`SnnConfig::validate`] also runs.
    pub fn validate_algorithm(&self) -> Result<()> {
        fn positive(name: &str, v: f64) -> Result<()> {
            if !(v.is_finite() && v > 0.0) {
                bail!("{name} must be a positive finite number, got {v}");
            }
            Ok(())
        }
        fn non_negative(name: &str, v: f64) -> Result<()> {
            if !(v.is_finite() && v >= 0.0) {
                bail!("{name} must be a finite number >= 0, got {v}");
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
        if let Some(layers) = &self.layers {
            let Some(&last) = layers.last() else {
                bail!(
                    "layers must list at least one layer size (for example layers = [100]), got []"
                );
            };
            if let Some(k) = layers.iter().position(|&n| n == 0) {
                bail!("layers[{k}] is 0: every layer needs at least one neuron");
            }
            if last != self.neurons {
                bail!(
                    "neurons = {} but layers = {layers:?} ends with {last}: the last layer is the output layer (give one of them)",
                    self.neurons
                );
            }
        }
        if self.neurons == 0 {
            bail!("neurons must be at least 1, got 0");
        }
        // A layer smaller than the lanes uses as many as it has neurons (one group).
        let widest = self.layer_sizes().into_iter().max().unwrap_or(self.neurons);
        if let Some(p) = self.lanes.filter(|&p| p == 0 || p > widest) {
            let what = if self.layer_sizes().len() > 1 {
                format!("the widest layer's neurons = {widest}")
            } else {
                format!("neurons = {widest}")
            };
            bail!(
                "lanes = {p} must be in 1..={what}: the core processes at most one lane per neuron (for example lanes = {})",
                p.clamp(1, widest)
            );
        }
        if self.t_steps == 0 || self.t_steps > MAX_T_STEPS {
            bail!("t_steps must be in 1..={MAX_T_STEPS}, got {}", self.t_steps);
        }
        for (name, v) in [
            ("p_rest", self.p_rest),
            ("p_min", self.p_min),
            ("w_min", self.w_min),
            ("w_max", self.w_max),
        ] {
            if !v.is_finite() {
                bail!("{name} must be finite, got {v}");
            }
        }
        for (name, v) in [
            ("leak", self.leak),
            ("penalty", self.penalty),
            ("sigma", self.sigma),
            ("theta_plus", self.theta_plus),
            ("theta_plus_per_neuron", self.theta_plus_per_neuron),
            ("theta_minus", self.theta_minus),
            ("theta_max", self.theta_max),
            ("norm_target", self.norm_target),
        ] {
            non_negative(name, v)?;
        }
        if self.theta_plus > 0.0 && self.theta_plus_per_neuron > 0.0 {
            bail!(
                "theta_plus = {} and theta_plus_per_neuron = {} both set: give one of them (the other 0)",
                self.theta_plus,
                self.theta_plus_per_neuron
            );
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
        let m = self.inputs() as f64;
        if self.norm_target > 0.0 && !(m * self.w_min..=m * self.w_max).contains(&self.norm_target)
        {
            bail!(
                "norm_target = {} is no row sum of {} weights in [w_min, w_max] = [{}, {}]: it must lie in [{}, {}] (or be 0 for no normalization)",
                self.norm_target,
                self.inputs(),
                self.w_min,
                self.w_max,
                m * self.w_min,
                m * self.w_max
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
        Ok(())
    }
}

/// Pairs of keys that say the same thing two ways: a configuration sets at most one (non-zero).
const EXCLUSIVE: [(&str, &str); 2] = [
    ("theta_plus", "theta_plus_per_neuron"),
    ("theta_plus_per_neuron", "theta_plus"),
];

/// Overrides `base` with `over`, key by key; nested tables (`[fixed]`) merge rather than replace,
/// so `[fixed] weight_bits = 12` keeps the preset's other widths.
fn merge_tables(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_round_trips_through_toml() {
        for cfg in [SnnConfig::seed(), SnnConfig::learning(), SnnConfig::small()] {
            cfg.validate().unwrap();
            let back: SnnConfig = toml::from_str(&cfg.to_toml()).unwrap();
            assert_eq!(back, cfg);
            assert_eq!(SnnConfig::from_toml_str(&cfg.to_toml()).unwrap(), cfg);
        }
    }

    #[test]
    fn lanes_are_bounded_by_the_widest_layer() {
        let stack = |lanes| SnnConfig {
            layers: Some(vec![64, 16, 10]),
            neurons: 10,
            lanes: Some(lanes),
            ..SnnConfig::default()
        };
        stack(16).validate().unwrap();
        stack(64).validate().unwrap();
        let err = stack(65).validate().unwrap_err().to_string();
        assert!(
            err.contains("1..=the widest layer's neurons = 64") && err.contains("lanes = 64"),
            "{err}"
        );
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
    fn a_config_file_starts_from_its_preset() {
        let cfg = SnnConfig::from_toml_str("neurons = 32").unwrap();
        assert_eq!(
            cfg,
            SnnConfig {
                neurons: 32,
                ..SnnConfig::learning()
            }
        );
        let cfg =
            SnnConfig::from_toml_str("preset = \"seed\"\nsigma = 0.2\n[fixed]\nweight_bits = 12")
                .unwrap();
        let mut want = SnnConfig::seed();
        want.sigma = 0.2;
        want.fixed.weight_bits = 12;
        assert_eq!(cfg, want);
        // theta_plus replaces the preset's theta_plus_per_neuron instead of clashing with it.
        let cfg = SnnConfig::from_toml_str("theta_plus = 0.5").unwrap();
        assert_eq!((cfg.theta_plus, cfg.theta_plus_per_neuron), (0.5, 0.0));
        assert_eq!(cfg.theta_plus_effective(), 0.5);
        let cfg = SnnConfig::from_toml_str("neurons = 100").unwrap();
        assert_eq!(cfg.theta_plus_effective(), 100.0 * 2.0 / 256.0);
        let err = format!(
            "{:#}",
            SnnConfig::from_toml_str("preset = \"fast\"").unwrap_err()
        );
        assert!(
            err.contains("\"fast\"") && err.contains("default, seed"),
            "{err}"
        );
        let err = format!(
            "{:#}",
            SnnConfig::from_toml_str("encoding = \"morse\"").unwrap_err()
        );
        assert!(err.contains("morse") && err.contains("encoding"), "{err}");
        for name in PRESETS {
            SnnConfig::preset(name).unwrap().validate().unwrap();
        }
    }

    #[test]
    fn learning_keys_are_checked() {
        for (cfg, field) in [
            (
                SnnConfig {
                    theta_minus: -1.0,
                    ..SnnConfig::learning()
                },
                "theta_minus",
            ),
            (
                SnnConfig {
                    theta_plus: 1.0,
                    ..SnnConfig::learning()
                },
                "theta_plus_per_neuron",
            ),
            (
                SnnConfig {
                    norm_target: 5000.0,
                    ..SnnConfig::learning()
                },
                "norm_target",
            ),
            (
                SnnConfig {
                    t_steps: u32::MAX,
                    ..SnnConfig::learning()
                },
                "t_steps",
            ),
            (
                SnnConfig {
                    theta_max: f64::NAN,
                    ..SnnConfig::learning()
                },
                "theta_max",
            ),
        ] {
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
