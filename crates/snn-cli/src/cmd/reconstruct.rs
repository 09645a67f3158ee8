//! `snn reconstruct`: the weights as pictures (SPEC section 8), the generative view of what each
//! neuron has learned: one enlarged grey-scale PNG per neuron, and a grid of all of them, each
//! tile captioned with its neuron (and class, when the weights file has labels), above a key
//! of the grey scale. A network of several layers gets one folder per layer, `layer_1`, ...;
//! the weights of layer `l >= 2` (one per neuron of the layer below) are drawn on the nearest
//! `ceil(sqrt(n_(l-1)))` square, the cells past the last input black (SPEC section 12).

use crate::config::{BaseArgs, Weights};
use crate::output::{ensure_dir, print_json, show, write_file};
use crate::paths::IoPlan;
use crate::text::{Align, Label, Pen};
use anyhow::{Context, Result};
use clap::Args;
use image::{imageops, GrayImage, Rgb, RgbImage};
use serde::Serialize;
use snn_core::weights::{picture, WeightsFile};
use std::io::Cursor;
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
    /// Upscaling of the pictures (each weight becomes SCALE x SCALE pixels).
    #[arg(long, default_value_t = DEFAULT_SCALE, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub scale: u32,
    /// The configuration whose w_min and w_max are the ends of the grey scale (default: the
    /// configuration stored in the weights file).
    #[command(flatten)]
    pub base: BaseArgs,
    /// Machine-readable list of the files written.
    #[arg(long)]
    pub json: bool,
}

/// Each weight becomes an 8x8 block: a 28x28 neuron is a 224x224 picture, big enough to see.
pub const DEFAULT_SCALE: u32 = 8;

/// Background of the grid, between and around the tiles.
const BACKGROUND: Rgb<u8> = Rgb([255, 255, 255]);
/// The 1-pixel frame around each tile: mid-grey, so that a tile stays distinguishable from the
/// background whatever its weights (a tile of `w_max` is white).
const FRAME: Rgb<u8> = Rgb([150, 150, 150]);
/// Space around tiles, and the height of a tile's caption line.
const PAD: u32 = 10;
const CAPTION: u32 = 18;
const FONT: f32 = 13.0;
/// Height of the grey-scale key below the tiles.
const KEY: u32 = 50;

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

/// Writes `neuron_JJ.png` for every neuron and `grid.png` into `dir`, each weight drawn as a
/// `scale` x `scale` block from black (`w_min`) to white (`w_max`); returns the files written.
pub fn write_pictures(
    wf: &WeightsFile,
    w_min: f64,
    w_max: f64,
    dir: &Path,
    scale: u32,
) -> Result<Vec<PathBuf>> {
    ensure_dir(dir)?;
    let (h, w, n) = (wf.height as u32, wf.width as u32, wf.neurons);
    let tiles: Vec<GrayImage> = wf
        .weights
        .iter()
        .map(|row| {
            let small = GrayImage::from_raw(w, h, picture(row, w_min, w_max))
                .expect("a row holds height x width weights");
            imageops::resize(&small, w * scale, h * scale, imageops::FilterType::Nearest)
        })
        .collect();
    let mut files = Vec::with_capacity(n + 1);
    for (j, tile) in tiles.iter().enumerate() {
        let path = dir.join(neuron_file(j, n));
        write_png(&path, &image::DynamicImage::ImageLuma8(tile.clone()))?;
        files.push(path);
    }
    let captions: Vec<String> = (0..n)
        .map(|j| match wf.labels.as_ref().map(|l| l[j]) {
            None => format!("#{j}"),
            Some(Some(class)) => format!("#{j}: class {class}"),
            Some(None) => format!("#{j}: no class"),
        })
        .collect();
    let path = dir.join("grid.png");
    let grid = grid(&tiles, &captions, (w_min, w_max));
    write_png(&path, &image::DynamicImage::ImageRgb8(grid))?;
    files.push(path);
    Ok(files)
}

fn write_png(path: &Path, img: &image::DynamicImage) -> Result<()> {
    let mut png = Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png)
        .with_context(|| format!("{}: PNG encoding failed", path.display()))?;
    write_file(path, png.get_ref())
}

/// The tiles in a near-square grid, each framed and captioned, over a white background (the
/// cells after the last neuron stay empty), and a key of the grey scale at the bottom.
fn grid(tiles: &[GrayImage], captions: &[String], (w_min, w_max): (f64, f64)) -> RgbImage {
    let pen = Pen::new();
    let n = tiles.len();
    let (tw, th) = tiles[0].dimensions();
    let widest = captions
        .iter()
        .map(|c| pen.width(c, FONT).ceil() as u32)
        .max()
        .unwrap_or(0);
    let (cw, ch) = (tw.max(widest), CAPTION + th);
    let cols = (1..=n).find(|c| c * c >= n).unwrap_or(1) as u32;
    let rows = (n as u32).div_ceil(cols);
    let width = (PAD + cols * (cw + PAD)).max(320);
    let height = PAD + rows * (ch + PAD) + KEY;
    let mut img = RgbImage::from_pixel(width, height, BACKGROUND);
    let mut labels = Vec::new();
    for (k, (tile, caption)) in tiles.iter().zip(captions).enumerate() {
        let (col, row) = (k as u32 % cols, k as u32 / cols);
        let (left, top) = (
            PAD + col * (cw + PAD) + (cw - tw) / 2,
            PAD + row * (ch + PAD),
        );
        labels.push(Label::new(
            caption.as_str(),
            FONT,
            ((left + tw / 2) as f32, (top + CAPTION - 5) as f32),
            Align::Middle,
        ));
        let (x0, y0) = (left, top + CAPTION);
        frame(&mut img, (x0 - 1, y0 - 1), (tw + 2, th + 2));
        for (x, y, p) in tile.enumerate_pixels() {
            img.put_pixel(x0 + x, y0 + y, Rgb([p.0[0]; 3]));
        }
    }
    // The key: a ramp from black (w_min) to white (w_max), its ends labelled.
    let (kx, ky, kw, kh) = (PAD, height - KEY + 6, width - 2 * PAD, 14);
    frame(&mut img, (kx - 1, ky - 1), (kw + 2, kh + 2));
    for x in 0..kw {
        let v = (x as f64 / (kw - 1).max(1) as f64 * 255.0).round() as u8;
        for y in 0..kh {
            img.put_pixel(kx + x, ky + y, Rgb([v; 3]));
        }
    }
    let base = (ky + kh + 16) as f32;
    labels.push(Label::new(
        format!("w_min = {w_min}"),
        FONT,
        (kx as f32, base),
        Align::Start,
    ));
    labels.push(Label::new(
        "weight",
        FONT,
        ((kx + kw / 2) as f32, base),
        Align::Middle,
    ));
    labels.push(Label::new(
        format!("w_max = {w_max}"),
        FONT,
        ((kx + kw) as f32, base),
        Align::End,
    ));
    for l in &labels {
        pen.draw(&mut img, l);
    }
    img
}

/// A 1-pixel rectangle outline with its top-left corner at `(x, y)`.
fn frame(img: &mut RgbImage, (x, y): (u32, u32), (w, h): (u32, u32)) {
    for k in 0..w {
        img.put_pixel(x + k, y, FRAME);
        img.put_pixel(x + k, y + h - 1, FRAME);
    }
    for k in 0..h {
        img.put_pixel(x, y + k, FRAME);
        img.put_pixel(x + w - 1, y + k, FRAME);
    }
}

#[derive(Serialize)]
struct ReconstructReport {
    weights: String,
    files: Vec<String>,
}

/// Each layer of a multi-layer file as a one-layer file of pictures (`layer_1`, ...): the first
/// on the image grid, the others on the nearest square, padded with `w_min`; the labels go with
/// the last layer. `None` for a one-layer file.
fn layer_files(wf: &WeightsFile, w_min: f64) -> Option<Vec<(String, WeightsFile)>> {
    let layers = wf.layer_arrays();
    if layers.len() < 2 {
        return None;
    }
    let last = layers.len() - 1;
    let files = layers
        .iter()
        .enumerate()
        .map(|(l, (w, _))| {
            let inputs = w.ncols();
            let (h, wd) = if l == 0 {
                (wf.height, wf.width)
            } else {
                let side = (1..=inputs).find(|s| s * s >= inputs).unwrap_or(1);
                (side, side)
            };
            let grid = ndarray::Array2::from_shape_fn((w.nrows(), h * wd), |(j, i)| {
                if i < inputs {
                    w[[j, i]]
                } else {
                    w_min
                }
            });
            let mut one = WeightsFile::new(h, wd, &grid);
            one.labels = wf.labels.clone().filter(|_| l == last);
            (format!("layer_{}", l + 1), one)
        })
        .collect();
    Some(files)
}

pub fn run(a: ReconstructArgs) -> Result<()> {
    let wts = Weights::load(&a.weights)?;
    let plan = a.base.plan(IoPlan::new().input("--weights", &a.weights));
    let names = match wts.file.layers.as_ref() {
        None => file_names(wts.file.neurons),
        Some(layers) => (0..layers.len())
            .flat_map(|l| {
                file_names(layers[l].neurons)
                    .into_iter()
                    .map(move |f| format!("layer_{}/{f}", l + 1))
            })
            .collect(),
    };
    plan.output_folder("--out", &a.out, &names).check()?;
    let cfg = a.base.base_stored(wts.stored())?.finish_for(&wts)?;
    let files = match layer_files(&wts.file, cfg.w_min) {
        None => write_pictures(&wts.file, cfg.w_min, cfg.w_max, &a.out, a.scale)?,
        Some(layers) => {
            let mut files = Vec::new();
            for (name, one) in &layers {
                files.extend(write_pictures(
                    one,
                    cfg.w_min,
                    cfg.w_max,
                    &a.out.join(name),
                    a.scale,
                )?);
            }
            files
        }
    };
    let report = ReconstructReport {
        weights: show(&a.weights),
        files: files.iter().map(|p| show(p)).collect(),
    };
    if a.json {
        return print_json(&report);
    }
    let depth = wts.file.depth();
    if depth > 1 {
        println!(
            "wrote the pictures and grid of each of {depth} layers to {}/layer_1 .. layer_{depth}",
            a.out.display()
        );
        return Ok(());
    }
    println!(
        "wrote {} neuron pictures and the grid {} to {}",
        wts.file.neurons,
        files.last().map(|p| show(p)).unwrap_or_default(),
        a.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five 2x2 tiles in a 3 x 2 grid: the sixth cell is plain background (no grey padding
    /// cell that reads like a picture of mid-range weights), every tile is framed, and the key
    /// runs from black to white.
    #[test]
    fn the_grid_has_framed_tiles_empty_cells_and_a_key() {
        let tiles: Vec<GrayImage> = (0..5)
            .map(|k| GrayImage::from_pixel(20, 20, image::Luma([k * 50])))
            .collect();
        let captions: Vec<String> = (0..5).map(|j| format!("#{j}")).collect();
        let img = grid(&tiles, &captions, (-1.2, 1.5));
        let cell = |col: u32, row: u32| {
            (
                PAD + col * (20 + PAD),
                PAD + row * (CAPTION + 20 + PAD) + CAPTION,
            )
        };
        // Tile 4 (second row, second column) and its frame.
        let (x, y) = cell(1, 1);
        assert_eq!(img.get_pixel(x + 5, y + 5), &Rgb([200; 3]));
        assert_eq!(img.get_pixel(x - 1, y + 5), &FRAME);
        // The empty sixth cell: background only.
        let (x, y) = cell(2, 1);
        for dy in 0..20 {
            for dx in 0..20 {
                assert_eq!(img.get_pixel(x + dx, y + dy), &BACKGROUND);
            }
        }
        // The key: a ramp from black to white along its row.
        let ky = img.height() - KEY + 6 + 7;
        let row: Vec<u8> = (PAD..img.width() - PAD)
            .map(|x| img.get_pixel(x, ky).0[0])
            .collect();
        assert_eq!((row[0], *row.last().unwrap()), (0, 255));
        assert!(row.windows(2).all(|w| w[0] <= w[1]));
    }
}
