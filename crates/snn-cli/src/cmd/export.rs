//! `snn export` / `snn import`: trained weights to and from block-RAM init files laid out exactly
//! as the generated weight memory (address = input index, word = the N weights packed).
//!
//! An image holds only the weight words, which is all a RAM takes; everything else of the
//! weights file (arithmetic, configuration with its seed, neuron labels, and any field a later
//! version adds) travels in one comment line at the top, `snn-weights {JSON}`, which every
//! reader of the formats skips (`$readmemh`, Vivado, Quartus). The adaptive thresholds of a
//! core with homeostasis (SPEC section 10) are a memory of their own, so they get an image of
//! their own beside the weights' (`w.mem` -> `w.theta.mem`, same format, raw, exact). `snn
//! import` restores all of it, so an export/import round trip evaluates exactly like the
//! original file.

use crate::config::{ConfigArgs, Weights};
use crate::flags::at_least_one;
use crate::model::{ArithKind, Model};
use crate::output::{save_weights, show, write_file};
use crate::paths::IoPlan;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde_json::{Map, Value};
use snn_core::config::SnnConfig;
use snn_core::weights::WeightsFile;
use snn_fpga::bram::{self, MemFormat, MemLayout, ThetaLayout};
use std::path::{Path, PathBuf};

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    /// `$readmemh` text (Yosys, Icarus, Verilator, Vivado).
    Mem,
    /// Xilinx coefficient file.
    Coe,
    /// Intel memory initialization file.
    Mif,
}

impl From<FormatArg> for MemFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Mem => MemFormat::Mem,
            FormatArg::Coe => MemFormat::Coe,
            FormatArg::Mif => MemFormat::Mif,
        }
    }
}

/// Write weights as a block-RAM init file of the generated weight memory.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The weights file to export.
    #[arg(long, value_name = "W.json")]
    pub weights: PathBuf,
    /// Default: from the extension of --out (.mem/.hex, .coe, .mif).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// The init file to write (missing folders are created). A core with homeostasis
    /// (theta_max > 0) also gets its thresholds' init file beside it: `.theta` before the
    /// extension (W.theta.mem), N words of fixed.theta_bits bits, word j = neuron j's raw theta.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Round (and clamp) weights and thresholds the fixed-point format cannot hold instead of
    /// failing.
    #[arg(long, alias = "saturate")]
    pub quantize: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Read a block-RAM init file (.mem/.hex, .coe, .mif) back into a weights file.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The init file. With homeostasis in the configuration, the thresholds are read from its
    /// theta image beside it (FILE with `.theta` before the extension): required when FILE has
    /// `snn export`'s header, else thresholds 0 when it is absent.
    pub file: PathBuf,
    /// Format of FILE. Default: from its extension (.mem/.hex, .coe, .mif).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// The weights file to write (missing folders are created).
    #[arg(long, value_name = "W.json")]
    pub out: PathBuf,
    /// Neurons of the memory (default: the file's header as `snn export` writes it, else the
    /// configuration's).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub neurons: Option<usize>,
    /// Image height of the memory (default: as for --neurons).
    #[arg(long, value_name = "H", value_parser = at_least_one)]
    pub height: Option<usize>,
    /// Image width of the memory (default: as for --neurons).
    #[arg(long, value_name = "W", value_parser = at_least_one)]
    pub width: Option<usize>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Marks the comment line that carries the rest of the weights file.
const HEADER: &str = "snn-weights ";

/// How a comment line starts in `format`.
fn comment(format: MemFormat) -> &'static str {
    match format {
        MemFormat::Mem => "//",
        MemFormat::Coe => ";",
        MemFormat::Mif => "--",
    }
}

/// The format of FILE: `--format`, else its extension.
fn format_of(flag: Option<FormatArg>, path: &Path) -> Result<MemFormat> {
    match flag {
        Some(f) => Ok(f.into()),
        None => MemFormat::from_path(path).context("pass --format"),
    }
}

pub fn export(a: ExportArgs) -> Result<()> {
    let theta_out = ThetaLayout::file_beside(&a.out);
    a.config
        .plan(IoPlan::new().input("--weights", &a.weights))
        .output("--out", &a.out)
        .output("--out (its theta file)", &theta_out)
        .check()?;
    let format = format_of(a.format, &a.out)?;
    let w = Weights::load(&a.weights)?;
    w.one_layer("snn export")?;
    let cfg = a.config.base(Some(&w))?.finish_for(&w)?;
    // Without homeostasis theta_max is 0, so this also refuses thresholds the core cannot hold.
    let model = Model::from_file(ArithKind::Fixed, &cfg, &w.file, a.quantize, &w.path)?;
    let Model::Fixed(stack) = model else {
        unreachable!("Model::from_file(Fixed) is fixed")
    };
    let net = &stack.layers[0];
    let rows: Vec<Vec<i32>> = net.weights.rows().into_iter().map(|r| r.to_vec()).collect();
    let words = bram::render(&rows, &MemLayout::new(&cfg), format)
        .with_context(|| format!("{}: cannot write the weight image", a.out.display()))?;
    let theta = bram::theta_layout(&cfg)?
        .map(|layout| bram::render_theta(&net.theta, &layout, format))
        .transpose()
        .with_context(|| format!("{}: cannot write the theta image", theta_out.display()))?;
    // The header carries the rest of the weights file; theta travels in its own image, raw.
    let mut meta = serde_json::to_value(&w.file).context("cannot serialize the weights file")?;
    if let Value::Object(m) = &mut meta {
        m.remove("weights");
        m.remove("theta");
        m.insert("config".into(), serde_json::to_value(&cfg)?);
    }
    let text = format!("{} {HEADER}{meta}\n{words}", comment(format));
    if let Some(theta) = theta {
        write_file(&theta_out, theta.as_bytes())?;
        println!("wrote {}", show(&theta_out));
    }
    write_file(&a.out, text.as_bytes())?;
    println!("wrote {}", show(&a.out));
    Ok(())
}

/// The adaptive thresholds that go with the weight image `image` of a core built for `cfg`:
/// read from its theta image ([`ThetaLayout::file_beside`], same format) when the core builds
/// homeostasis, all 0 when it does not. A missing theta image is an error when the weight image
/// has `snn export`'s header (`exported`: export wrote both, so one is lost), and means
/// thresholds 0 for a bare image (a RAM dump of weights only). A theta image beside a core
/// without homeostasis is an error rather than ignored.
fn read_theta(
    image: &Path,
    cfg: &SnnConfig,
    format: MemFormat,
    exported: bool,
) -> Result<Vec<f64>> {
    let path = ThetaLayout::file_beside(image);
    let Some(layout) = bram::theta_layout(cfg)? else {
        if path.exists() {
            bail!(
                "{}: a theta image beside {}, but the configuration builds no homeostasis (theta_max = 0), so the core has no thresholds to load; remove it, or import with the configuration that made it",
                path.display(),
                image.display()
            );
        }
        return Ok(vec![0.0; cfg.neurons]);
    };
    if !path.exists() {
        if exported {
            bail!(
                "{}: missing; {} comes from snn export of a core with homeostasis (theta_max = {}), which writes its thresholds there",
                path.display(),
                image.display(),
                cfg.theta_max
            );
        }
        eprintln!(
            "note: no theta image {} beside {}: the thresholds start at 0",
            path.display(),
            image.display()
        );
        return Ok(vec![0.0; cfg.neurons]);
    }
    let raw = bram::read_theta_image(&path, &layout, format)?;
    bram::dequantize_theta(&raw, cfg).with_context(|| format!("{}: cannot import", path.display()))
}

/// The weights file fields of FILE's header line (`None` for an image without one).
fn header(text: &str, format: MemFormat, path: &Path) -> Result<Option<Map<String, Value>>> {
    let Some(json) = text.lines().find_map(|l| {
        l.trim_start()
            .strip_prefix(comment(format))
            .and_then(|rest| rest.trim_start().strip_prefix(HEADER))
    }) else {
        return Ok(None);
    };
    match serde_json::from_str(json) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        _ => bail!(
            "{}: the {HEADER}header line is not a JSON object",
            path.display()
        ),
    }
}

pub fn import(a: ImportArgs) -> Result<()> {
    a.config
        .plan(IoPlan::new().input("FILE", &a.file))
        .input("FILE (its theta image)", &ThetaLayout::file_beside(&a.file))
        .output("--out", &a.out)
        .check()?;
    let format = format_of(a.format, &a.file)?;
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("{}: cannot read", a.file.display()))?;
    let mut meta = header(&text, format, &a.file)?.unwrap_or_default();
    let stored = |key: &str| meta.get(key).and_then(Value::as_u64).map(|v| v as usize);
    // The shape: flags, else the header, else the configuration; flags and header must agree.
    for (flag, given, key) in [
        ("--neurons", a.neurons, "neurons"),
        ("--height", a.height, "height"),
        ("--width", a.width, "width"),
    ] {
        if let (Some(g), Some(s)) = (given, stored(key)) {
            if g != s {
                bail!(
                    "{}: holds a memory of {key} = {s} (its {HEADER}header), but {flag} {g}",
                    a.file.display()
                );
            }
        }
    }
    let header_cfg: Option<SnnConfig> = meta
        .get("config")
        .map(|c| serde_json::from_value(c.clone()))
        .transpose()
        .with_context(|| {
            format!(
                "{}: the configuration in the {HEADER}header is invalid",
                a.file.display()
            )
        })?;
    let base = a.config.base_stored(
        header_cfg
            .as_ref()
            .map(|cfg| (cfg, format!("{} (its header)", a.file.display()))),
    )?;
    let size = (
        a.height.or(stored("height")).unwrap_or(base.cfg.height),
        a.width.or(stored("width")).unwrap_or(base.cfg.width),
    );
    let n = a.neurons.or(stored("neurons")).unwrap_or(base.cfg.neurons);
    let cfg = base.finish(size, n)?;
    let raw = bram::read_image(&a.file, &MemLayout::new(&cfg), format)?;
    let wf = bram::dequantize(&raw, &cfg)
        .with_context(|| format!("{}: cannot import", a.file.display()))?;
    let theta = read_theta(&a.file, &cfg, format, !meta.is_empty())?;
    // The header's fields over the image's weights; an image without a header holds the
    // hardware's fixed-point weights, which the golden-fixed level runs.
    meta.entry("arith")
        .or_insert_with(|| Value::from("golden-fixed"));
    let image = serde_json::to_value(&wf)?;
    for key in ["height", "width", "neurons", "weights", "config"] {
        meta.insert(key.into(), image[key].clone());
    }
    meta.insert("theta".into(), serde_json::to_value(theta)?);
    let wf: WeightsFile = serde_json::from_value(Value::Object(meta)).with_context(|| {
        format!(
            "{}: the {HEADER}header does not fit a weights file",
            a.file.display()
        )
    })?;
    save_weights(&wf, &a.out)?;
    println!("wrote {}", show(&a.out));
    Ok(())
}
