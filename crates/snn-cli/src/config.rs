//! The configuration a command runs with, built in one fixed order so that every command resolves
//! it the same way: a base (`--config` TOML, else the configuration stored in the weights file the
//! command reads, else the SPEC defaults), then the CLI overrides, then the image size from the
//! data or weights, and only then validation, so that the check sees the sizes that will really
//! run (a potential register that fits 16x16 inputs may overflow at 28x28).

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use snn_core::config::{DepressionBound, SnnConfig};
use snn_core::weights::WeightsFile;
use std::path::{Path, PathBuf};

/// Configuration flags shared by every command that runs the network.
#[derive(Args, Debug, Clone)]
pub struct ConfigArgs {
    /// SnnConfig TOML file (every key optional, defaults from SPEC section 1). Without it, a
    /// command reading a weights file uses the configuration stored in that file.
    #[arg(long, value_name = "C.toml")]
    pub config: Option<PathBuf>,
    /// Time steps per presentation (overrides `t_steps`).
    #[arg(long, value_name = "T")]
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
}

/// A configuration before the sizes are known, with a name for error messages.
pub struct BaseConfig {
    pub cfg: SnnConfig,
    source: String,
}

impl ConfigArgs {
    /// The base configuration with the overrides of this group applied.
    pub fn base(&self, weights: Option<&Weights>) -> Result<BaseConfig> {
        let mut base = match (
            &self.config,
            weights.and_then(|w| w.file.config.as_ref().map(|c| (w, c))),
        ) {
            (Some(path), _) => BaseConfig {
                cfg: SnnConfig::from_toml_file(path)?,
                source: path.display().to_string(),
            },
            (None, Some((w, cfg))) => BaseConfig {
                cfg: cfg.clone(),
                source: format!("{} (its stored configuration)", w.path.display()),
            },
            (None, None) => BaseConfig {
                cfg: SnnConfig::default(),
                source: "default configuration".into(),
            },
        };
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
    /// Sets the image size and neuron count and validates, naming the configuration's source.
    pub fn finish(mut self, (height, width): (usize, usize), neurons: usize) -> Result<SnnConfig> {
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
