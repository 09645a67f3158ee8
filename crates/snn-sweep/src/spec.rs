//! The sweep file: a base configuration, the keys to vary, the data sizes, the arithmetic and the
//! measures to take (README, "Sweeps").
//!
//! ```toml
//! base = "default"            # a preset name or a config file (relative to this file)
//! random = 20                 # optional: 20 random points instead of the grid...
//! seed = 1                    # ...drawn with this seed
//! [set]                       # optional: keys every point shares (override the base)
//! t_steps = 100
//! [data]
//! train = 2000                # first K training images
//! test = 1000                 # first K test images (0: no evaluation)
//! label = 2000                # optional: training images that label the neurons (default: train)
//! epochs = 1                  # optional: overrides the configuration's epochs
//! arith = "fixed"             # or "float"
//! [measure]                   # optional
//! cycles = 100                # images the cycle model runs (0: none)
//! synth = ["ice40-up5k"]      # Yosys utilization per target (also `--synth`)
//! place = false               # nextpnr place and route for Fmax (iCE40, ECP5; also `--place`)
//! [vary]                      # every combination; `[[vary]]` tables: the union of their grids
//! neurons = [10, 20]
//! sigma = { from = 0.01, to = 0.1, steps = 4, log = true }
//! ```

use crate::axis::{axes, Axis, OrderedTable};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use snn_core::config::PRESETS;
use snn_fpga::flow::Target;
use std::path::{Path, PathBuf};

/// The golden model's arithmetic for training and evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ArithKind {
    /// The hardware's fixed point (level `golden-fixed`).
    #[default]
    Fixed,
    /// SPEC reals (level `golden`).
    Float,
}

/// `[data]`: how many images of which split, and the arithmetic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// First K images of the training split.
    pub train: usize,
    /// First K images of the test split; 0 skips evaluation (learning measures only).
    #[serde(default)]
    pub test: usize,
    /// First K training images that label the neurons (default: `train`).
    #[serde(default)]
    pub label: Option<usize>,
    /// Overrides the configuration's `epochs` (a varied `epochs` overrides this).
    #[serde(default)]
    pub epochs: Option<usize>,
    #[serde(default)]
    pub arith: ArithKind,
}

impl DataSpec {
    pub fn label_count(&self) -> usize {
        self.label.unwrap_or(self.train)
    }
}

/// `[measure]`: hardware measures beyond learning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeasureSpec {
    /// Images the cycle model presents (training and inference each); 0: no cycle measure.
    pub cycles: usize,
    /// Targets to synthesize with Yosys (`--synth` adds to them).
    pub synth: Vec<String>,
    /// Place and route on the iCE40 and ECP5 targets for Fmax (`--place`).
    pub place: bool,
    /// Clock nextpnr aims for, MHz.
    pub freq_mhz: f64,
}

impl Default for MeasureSpec {
    fn default() -> Self {
        MeasureSpec {
            cycles: 100,
            synth: Vec::new(),
            place: false,
            freq_mhz: 50.0,
        }
    }
}

impl MeasureSpec {
    /// The synthesis targets, parsed (an unknown name is an error listing the known ones).
    pub fn targets(&self) -> Result<Vec<Target>> {
        self.synth
            .iter()
            .map(|s| {
                s.parse::<Target>()
                    .with_context(|| format!("--synth / [measure] synth {s:?}"))
            })
            .collect()
    }
}

/// `[vary]` as one table (a grid) or `[[vary]]` tables (the union of several grids).
#[derive(Deserialize)]
#[serde(untagged)]
enum VarySection {
    One(OrderedTable),
    Many(Vec<OrderedTable>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    #[serde(default = "default_base")]
    base: String,
    random: Option<usize>,
    seed: Option<u64>,
    #[serde(default)]
    set: toml::Table,
    data: DataSpec,
    #[serde(default)]
    measure: MeasureSpec,
    vary: VarySection,
}

fn default_base() -> String {
    "default".into()
}

/// A parsed and checked sweep file.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The file it came from (for messages).
    pub path: PathBuf,
    /// Its text, copied into the output folder.
    pub text: String,
    /// `base` as written.
    pub base_name: String,
    /// The base configuration table: `{preset = NAME}` or a config file's table.
    pub base: toml::Table,
    pub set: toml::Table,
    pub data: DataSpec,
    pub measure: MeasureSpec,
    /// One grid per `[vary]` table.
    pub grids: Vec<Vec<Axis>>,
    /// `random = K` with its seed.
    pub random: Option<(usize, u64)>,
}

/// Keys that come from the data, not from the sweep.
const FROM_DATA: [&str; 2] = ["height", "width"];

impl Spec {
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the sweep file", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Spec::parse(&text, path, dir).with_context(|| format!("{}: invalid sweep", path.display()))
    }

    /// Parses `text`; a base config file is looked up relative to `dir`.
    pub fn parse(text: &str, path: &Path, dir: &Path) -> Result<Self> {
        let f: SpecFile = toml::from_str(text)?;
        let base = if PRESETS.contains(&f.base.as_str()) {
            let mut t = toml::Table::new();
            t.insert("preset".into(), toml::Value::String(f.base.clone()));
            t
        } else {
            let file = dir.join(&f.base);
            if !file.is_file() {
                bail!(
                    "base = {:?} is neither a preset ({}) nor a config file ({} does not exist)",
                    f.base,
                    PRESETS.join(", "),
                    file.display()
                );
            }
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("base: cannot read {}", file.display()))?;
            toml::from_str(&text).with_context(|| format!("base: {}", file.display()))?
        };
        let tables = match f.vary {
            VarySection::One(t) => vec![t],
            VarySection::Many(v) => v,
        };
        let grids = tables.iter().map(axes).collect::<Result<Vec<_>>>()?;
        if grids.iter().all(Vec::is_empty) {
            bail!("[vary] names no key: give at least one key and its values");
        }
        for a in grids.iter().flatten() {
            if FROM_DATA.contains(&a.key.as_str()) {
                bail!(
                    "[vary] {}: the image size comes from the data, it cannot be varied",
                    a.key
                );
            }
        }
        let random = match (f.random, f.seed) {
            (Some(0), _) => bail!("random = 0: give the number of random points (at least 1)"),
            (Some(k), s) => {
                if grids.len() != 1 {
                    bail!("random = {k} draws from one [vary] table, not from {} [[vary]] tables", grids.len());
                }
                Some((k, s.unwrap_or(0)))
            }
            (None, Some(_)) => bail!("seed is the seed of `random = K` sampling; without `random` it means nothing (to vary the network's seed, write it under [vary])"),
            (None, None) => None,
        };
        if f.data.train == 0 {
            bail!("[data] train = 0: give the number of training images (at least 1)");
        }
        if f.data.label_count() > f.data.train {
            bail!("[data] label = {}: labelling uses the first training images, so it can be at most train = {}", f.data.label_count(), f.data.train);
        }
        if f.data.label_count() == 0 && f.data.test > 0 {
            bail!("[data] label = 0: evaluation needs labelling images");
        }
        if f.data.epochs == Some(0) {
            bail!("[data] epochs = 0: give at least 1");
        }
        if !(f.measure.freq_mhz.is_finite() && f.measure.freq_mhz > 0.0) {
            bail!(
                "[measure] freq_mhz must be a positive number, got {}",
                f.measure.freq_mhz
            );
        }
        f.measure.targets()?;
        Ok(Spec {
            path: path.to_path_buf(),
            text: text.to_string(),
            base_name: f.base,
            base,
            set: f.set,
            data: f.data,
            measure: f.measure,
            grids,
            random,
        })
    }

    /// Adds command-line measures (`--synth`, `--place`); an unknown target names `--synth`.
    pub fn add_measures(&mut self, synth: &[String], place: bool) -> Result<()> {
        for s in synth {
            s.parse::<Target>()
                .with_context(|| format!("--synth {s}"))?;
            if !self.measure.synth.contains(s) {
                self.measure.synth.push(s.clone());
            }
        }
        self.measure.place |= place;
        Ok(())
    }

    /// Every varied key, in first-seen order over the grids.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for a in self.grids.iter().flatten() {
            if !keys.contains(&a.key) {
                keys.push(a.key.clone());
            }
        }
        keys
    }
}
