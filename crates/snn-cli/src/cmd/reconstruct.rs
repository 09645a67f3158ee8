//! `snn reconstruct`: the weights as pictures (SPEC section 8), the generative view of what each
//! neuron has learned.

use crate::config::{ConfigArgs, Weights};
use crate::output::{ensure_dir, print_json, show};
use crate::paths::IoPlan;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use snn_core::weights::{picture, WeightsFile};
use snn_data::Image;
use std::path::{Path, PathBuf};

/// Write one PNG per neuron and a grid of all of them.
#[derive(Args, Debug)]
pub struct ReconstructArgs {
    /// Trained weights.
    #[arg(long, value_name = "W.json")]
    pub weights: PathBuf,
    /// Folder for the pictures (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Upscaling of the grid image (each weight becomes SCALE x SCALE pixels).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub scale: u32,
    /// SnnConfig TOML giving w_min and w_max, the ends of the gray scale (default: the
    /// configuration stored in the weights file, else SPEC defaults).
    #[arg(long, value_name = "C.toml")]
    pub config: Option<PathBuf>,
    /// Machine-readable list of the files written.
    #[arg(long)]
    pub json: bool,
}

/// Gray level of the 1-pixel gaps between grid cells: mid-gray is neither weight bound, so cells
/// stay distinguishable whatever the weights.
const GAP_GRAY: u8 = 128;

/// The name of neuron `j`'s picture among `n`: zero-padded so that the files sort in order.
fn neuron_file(j: usize, n: usize) -> String {
    let digits = (n.saturating_sub(1)).to_string().len().max(2);
    format!("neuron_{j:0digits$}.png")
}

/// The files [`write_pictures`] writes for `n` neurons.
fn file_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|j| neuron_file(j, n))
        .chain(["grid.png".into()])
        .collect()
}

/// Writes `neuron_JJ.png` for every neuron and `grid.png` into `dir`; returns the files written.
pub fn write_pictures(
    wf: &WeightsFile,
    w_min: f64,
    w_max: f64,
    dir: &Path,
    scale: usize,
) -> Result<Vec<PathBuf>> {
    ensure_dir(dir)?;
    let (h, w, n) = (wf.height, wf.width, wf.neurons);
    let pictures: Vec<Vec<u8>> = wf
        .weights
        .iter()
        .map(|row| picture(row, w_min, w_max))
        .collect();
    let mut files = Vec::with_capacity(n + 1);
    for (j, px) in pictures.iter().enumerate() {
        let path = dir.join(neuron_file(j, n));
        snn_data::png::write(
            &path,
            &Image {
                height: h,
                width: w,
                pixels: px.clone(),
            },
        )?;
        files.push(path);
    }
    let path = dir.join("grid.png");
    snn_data::png::write(&path, &grid(&pictures, h, w, scale))?;
    files.push(path);
    Ok(files)
}

/// The pictures in a near-square grid, each upscaled by `scale`, separated and framed by 1-pixel
/// gaps.
fn grid(pictures: &[Vec<u8>], h: usize, w: usize, scale: usize) -> Image {
    let n = pictures.len();
    let cols = (1..=n).find(|c| c * c >= n).unwrap_or(1);
    let rows = n.div_ceil(cols);
    let (ch, cw) = (h * scale, w * scale);
    let (gh, gw) = (rows * (ch + 1) + 1, cols * (cw + 1) + 1);
    let mut px = vec![GAP_GRAY; gh * gw];
    for (k, pic) in pictures.iter().enumerate() {
        let (top, left) = (1 + (k / cols) * (ch + 1), 1 + (k % cols) * (cw + 1));
        for y in 0..ch {
            for x in 0..cw {
                px[(top + y) * gw + left + x] = pic[(y / scale) * w + x / scale];
            }
        }
    }
    Image {
        height: gh,
        width: gw,
        pixels: px,
    }
}

#[derive(Serialize)]
struct ReconstructReport {
    weights: String,
    files: Vec<String>,
}

pub fn run(a: ReconstructArgs) -> Result<()> {
    let wts = Weights::load(&a.weights)?;
    IoPlan::new()
        .input("--weights", &a.weights)
        .input_opt("--config", a.config.as_deref())
        .output_folder("--out", &a.out, &file_names(wts.file.neurons))
        .check()?;
    let config = ConfigArgs {
        config: a.config.clone(),
        t_steps: None,
        depression_bound: None,
    };
    let cfg = config
        .base(Some(&wts))?
        .finish(wts.size(), wts.file.neurons)?;
    let files = write_pictures(&wts.file, cfg.w_min, cfg.w_max, &a.out, a.scale as usize)?;
    let report = ReconstructReport {
        weights: show(&a.weights),
        files: files.iter().map(|p| show(p)).collect(),
    };
    if a.json {
        return print_json(&report);
    }
    println!(
        "wrote {} neuron pictures and the grid {} to {}",
        wts.file.neurons,
        files.last().map(|p| show(p)).unwrap_or_default(),
        a.out.display()
    );
    Ok(())
}
