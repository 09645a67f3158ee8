//! The configuration a command runs with, built in one fixed order so that every command resolves
//! it the same way: a base (`--config` TOML, else `--preset`, else the configuration stored in
//! the weights file the command reads, else the CLI's default preset [`CLI_DEFAULT_PRESET`]),
//! then the CLI overrides, then the image size from the data or weights, and only then
//! validation, so that the check sees the sizes that will really run (a potential register that
//! fits 16x16 inputs may overflow at 28x28).
//!
//! Nothing a configuration file sets is ignored in silence: the image size comes from the data
//! or weights and the neuron count from the weights or `--neurons`, so a file that sets them to
//! something else is an error rather than a value quietly replaced.

use crate::paths::IoPlan;
use anyhow::{bail, Context, Result};
use clap::builder::PossibleValuesParser;
use clap::{Args, ValueEnum};
use snn_core::config::{DepressionBound, SnnConfig, MAX_T_STEPS, PRESETS};
use snn_core::weights::WeightsFile;
use std::path::{Path, PathBuf};

/// The preset every command starts from when nothing else is said (no `--config`, no
/// `--preset`, no configuration stored in a weights file it reads): the learning configuration
/// of SPEC section 10, which every level (RTL included) runs. `--preset seed` gives SPEC
/// section 1.
pub const CLI_DEFAULT_PRESET: &str = "default";

/// `--help` of `--preset`, which names the presets and the default.
fn preset_help() -> String {
    format!(
        "Built-in configuration to start from: `seed` (SPEC section 1, the original experiments) or `default` (the learning configuration of SPEC section 10: homeostasis, row normalization). It replaces the configuration stored in a weights file; a --config file without a `preset` key starts from it, and one naming another preset is an error. Default: the --config file's preset, else the weights file's configuration, else `{CLI_DEFAULT_PRESET}`"
    )
}

/// Where a command's configuration starts: a file, a built-in preset, or both (the file's keys
/// over the preset).
#[derive(Args, Debug, Clone, Default)]
pub struct BaseArgs {
    /// SnnConfig TOML file: every key optional, over the preset it names (`preset = "seed"`),
    /// else --preset's, else `default`. Without it, a command reading a weights file uses the
    /// configuration stored in that file. Its height, width and neurons must agree with the
    /// data and weights, which fix them.
    #[arg(long, value_name = "C.toml")]
    pub config: Option<PathBuf>,
    #[arg(long, value_name = "NAME", help = preset_help(), value_parser = PossibleValuesParser::new(PRESETS))]
    pub preset: Option<String>,
}

/// Configuration flags shared by every command that runs the network.
#[derive(Args, Debug, Clone)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub base_args: BaseArgs,
    /// Time steps per presentation (overrides `t_steps`; 1 to 65535, the limit of every level:
    /// a presentation must end in bounded time).
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u32).range(1..=MAX_T_STEPS as i64))]
    pub t_steps: Option<u32>,
    /// STDP depression bound: `w-min` is the corrected rule (default, what the hardware does),
    /// `abs-w-min` the original code's variant, kept to reproduce its runs (float only).
    #[arg(long, value_enum, value_name = "BOUND")]
    pub depression_bound: Option<BoundArg>,
}

/// `--depression-bound` values (kebab-case on the command line, snake_case in TOML).
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum BoundArg {
    WMin,
    AbsWMin,
}

impl From<BoundArg> for DepressionBound {
    fn from(b: BoundArg) -> Self {
        match b {
            BoundArg::WMin => DepressionBound::WMin,
            BoundArg::AbsWMin => DepressionBound::AbsWMin,
        }
    }
}

/// A weights file together with its path, so that every later error can name the file.
pub struct Weights {
    pub path: PathBuf,
    pub file: WeightsFile,
}

impl Weights {
    pub fn load(path: &Path) -> Result<Self> {
        Ok(Weights {
            path: path.to_path_buf(),
            file: WeightsFile::load(path)?,
        })
    }

    pub fn size(&self) -> (usize, usize) {
        (self.file.height, self.file.width)
    }

    /// The layer sizes the file holds (one layer of `neurons` for the one-layer format).
    pub fn layer_sizes(&self) -> Vec<usize> {
        match &self.file.layers {
            Some(layers) => layers.iter().map(|l| l.neurons).collect(),
            None => vec![self.file.neurons],
        }
    }

    /// Refuses a file of several layers for a command that runs one layer (the RTL levels and
    /// the commands built on them, for now), naming the file and the command.
    pub fn one_layer(&self, command: &str) -> Result<()> {
        let sizes = self.layer_sizes();
        if sizes.len() > 1 {
            bail!(
                "{}: holds {} layers ({sizes:?}); {command} runs networks of one layer (several layers run in snn train, snn eval, and snn simulate and snn compare at the golden and cycle levels)",
                self.path.display(),
                sizes.len()
            );
        }
        Ok(())
    }

    /// The configuration stored in the file, with its name for messages.
    pub fn stored(&self) -> Option<(&SnnConfig, String)> {
        let cfg = self.file.config.as_ref()?;
        Some((
            cfg,
            format!("{} (its stored configuration)", self.path.display()),
        ))
    }
}

/// A configuration before the sizes are known, with a name for error messages.
pub struct BaseConfig {
    pub cfg: SnnConfig,
    source: String,
    /// The sizes a `--config` file sets explicitly (`height`, `width`, `neurons`).
    explicit: Explicit,
}

/// Keys of a configuration file that the data or weights decide, when the file sets them.
#[derive(Default)]
struct Explicit {
    height: Option<usize>,
    width: Option<usize>,
    neurons: Option<usize>,
    layers: Option<Vec<usize>>,
}

impl Explicit {
    /// The size keys `table` sets, with their values in `cfg` (the configuration it gives).
    fn of(table: &toml::Table, cfg: &SnnConfig) -> Self {
        Explicit {
            height: table.contains_key("height").then_some(cfg.height),
            width: table.contains_key("width").then_some(cfg.width),
            neurons: table.contains_key("neurons").then_some(cfg.neurons),
            layers: cfg.layers.clone().filter(|_| table.contains_key("layers")),
        }
    }
}

/// A `--config` file over `preset` (`--preset`, when given), not validated yet:
/// [`BaseConfig::finish`] validates it with the sizes of the run (a file alone does not know
/// them). A file naming another preset than `--preset` is an error naming both.
fn read_config_file(path: &Path, preset: Option<&str>) -> Result<BaseConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read config", path.display()))?;
    let invalid = || format!("{}: invalid config", path.display());
    let table: toml::Table = toml::from_str(&text).with_context(invalid)?;
    if let (Some(flag), Some(named)) = (preset, SnnConfig::preset_of(&table).with_context(invalid)?)
    {
        if flag != named {
            bail!(
                "{}: starts from preset = \"{named}\", but --preset {flag} asks for another; drop one of them or make them agree",
                path.display()
            );
        }
    }
    let cfg = SnnConfig::from_toml_table_or(table.clone(), preset.unwrap_or("default"))
        .with_context(invalid)?;
    Ok(BaseConfig {
        explicit: Explicit::of(&table, &cfg),
        cfg,
        source: path.display().to_string(),
    })
}

impl BaseArgs {
    /// Adds the `--config` file to the command's inputs.
    pub fn plan(&self, plan: IoPlan) -> IoPlan {
        plan.input_opt("--config", self.config.as_deref())
    }

    /// The base configuration: `--config` (over `--preset`'s preset when it names none), else
    /// `--preset`, else `stored` (a configuration a file carries, with its name for messages),
    /// else [`CLI_DEFAULT_PRESET`].
    pub fn base_stored(&self, stored: Option<(&SnnConfig, String)>) -> Result<BaseConfig> {
        let preset = self.preset.as_deref();
        let named = |name: &str, source: String| -> Result<BaseConfig> {
            Ok(BaseConfig {
                cfg: SnnConfig::preset(name)?,
                source,
                explicit: Explicit::default(),
            })
        };
        match (&self.config, preset, stored) {
            (Some(path), _, _) => read_config_file(path, preset),
            (None, Some(name), _) => named(name, format!("--preset {name}")),
            (None, None, Some((cfg, source))) => Ok(BaseConfig {
                cfg: cfg.clone(),
                source,
                explicit: Explicit::default(),
            }),
            (None, None, None) => named(
                CLI_DEFAULT_PRESET,
                format!("the default configuration (preset {CLI_DEFAULT_PRESET})"),
            ),
        }
    }
}

impl ConfigArgs {
    /// Adds the `--config` file to the command's inputs.
    pub fn plan(&self, plan: IoPlan) -> IoPlan {
        self.base_args.plan(plan)
    }

    /// The base configuration with the overrides of this group applied: `--config` and
    /// `--preset`, else the configuration stored in `weights`, else the CLI's default preset
    /// (see [`BaseArgs::base_stored`]).
    pub fn base(&self, weights: Option<&Weights>) -> Result<BaseConfig> {
        self.base_stored(weights.and_then(Weights::stored))
    }

    /// As [`ConfigArgs::base`], with the stored configuration and its name for messages given.
    pub fn base_stored(&self, stored: Option<(&SnnConfig, String)>) -> Result<BaseConfig> {
        let mut base = self.base_args.base_stored(stored)?;
        if let Some(t) = self.t_steps {
            base.cfg.t_steps = t;
        }
        if let Some(b) = self.depression_bound {
            base.cfg.depression_bound = b.into();
        }
        Ok(base)
    }
}

impl BaseConfig {
    /// [`BaseConfig::finish`] for the network of a weights file: its image size and layers.
    pub fn finish_for(self, w: &Weights) -> Result<SnnConfig> {
        self.finish_layers(w.size(), &w.layer_sizes())
    }

    /// [`BaseConfig::finish`] for a network of the layers `sizes` (one layer: `[neurons]`); a
    /// configuration file's `layers` must agree with them.
    pub fn finish_layers(mut self, size: (usize, usize), sizes: &[usize]) -> Result<SnnConfig> {
        let Some(&last) = sizes.last() else {
            bail!(
                "{}: layers must list at least one layer size (for example layers = [100]), got []",
                self.source
            );
        };
        if let Some(l) = self
            .explicit
            .layers
            .as_ref()
            .filter(|&l| l.as_slice() != sizes)
        {
            bail!(
                "{}: sets layers = {l:?}, but this run has layers {sizes:?}; remove layers from the file or make them agree",
                self.source
            );
        }
        self.cfg.layers = (sizes.len() > 1 || self.cfg.layers.is_some()).then(|| sizes.to_vec());
        self.finish(size, last)
    }

    /// Sets the image size and neuron count and validates, naming the configuration's source.
    /// A configuration file that sets another size or neuron count is an error.
    pub fn finish(mut self, (height, width): (usize, usize), neurons: usize) -> Result<SnnConfig> {
        let e = &self.explicit;
        if e.height.is_some_and(|h| h != height) || e.width.is_some_and(|w| w != width) {
            let set: Vec<String> = [("height", e.height), ("width", e.width)]
                .iter()
                .filter_map(|(k, v)| v.map(|v| format!("{k} = {v}")))
                .collect();
            bail!(
                "{}: sets {}, but the images are {height}x{width}: the data and weights fix the image size, so remove {} from the file or use images of that size",
                self.source,
                set.join(", "),
                if set.len() == 2 { "them" } else { "it" }
            );
        }
        if let Some(n) = e.neurons.filter(|&n| n != neurons) {
            bail!(
                "{}: sets neurons = {n}, but this run has {neurons} neurons ; remove neurons from the file or make them agree",
                self.source
            );
        }
        self.cfg.height = height;
        self.cfg.width = width;
        self.cfg.neurons = neurons;
        self.cfg.validate().with_context(|| {
            format!(
                "{}: invalid for {height}x{width} images and {neurons} neurons",
                self.source
            )
        })?;
        Ok(self.cfg)
    }
}

/// Fails unless the data's image size equals the weights' (the network has one input per pixel).
pub fn check_size(data_source: &str, data: (usize, usize), weights: &Weights) -> Result<()> {
    let (h, w) = weights.size();
    if data != (h, w) {
        bail!(
            "{data_source}: images are {}x{} but the weights {} are for {h}x{w} images",
            data.0,
            data.1,
            weights.path.display()
        );
    }
    Ok(())
}
