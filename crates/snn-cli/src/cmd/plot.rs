//! `snn plot`: membrane potential of every output neuron over one presentation, with the
//! variable threshold, in the style of the original experiments' figures.

use crate::cmd::plot_curve;
use crate::config::{check_size, ConfigArgs, Weights};
use crate::data::{self, SplitArg};
use crate::flags::at_least_one;
use crate::model::{ArithArgs, Model, Outcome};
use crate::output::{print_json, show, write_file};
use crate::paths::IoPlan;
use crate::text::{Align, Label, Pen};
use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use plotters::prelude::*;
use serde::Serialize;
use snn_core::prelude::PresentOptions;
use snn_data::Split;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Plot membrane potential versus time for each output neuron, with the threshold line (PNG);
/// or, with --curve, the learning curve of a training run.
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Trained weights.
    #[arg(long, value_name = "W.json", required_unless_present = "curve")]
    pub weights: Option<PathBuf>,
    /// The image to present: a PNG file (or any data path; see --index).
    #[arg(long, value_name = "IMG", required_unless_present = "curve")]
    pub image: Option<String>,
    /// Draw the learning curve that `snn train --curve` wrote instead: test accuracy and the
    /// share of presentations without a winner against the training images seen, and with
    /// homeostasis theta's min, mean and max on a right-hand axis.
    #[arg(long, value_name = "curve.json", conflicts_with_all = ["weights", "image", "index", "split", "arith", "quantize", "config", "preset", "t_steps", "depression_bound"])]
    pub curve: Option<PathBuf>,
    /// Which image of IMG to present, when it holds several.
    #[arg(long, default_value_t = 0)]
    pub index: usize,
    /// Which split of an MNIST folder or builtin IMG names.
    #[arg(long, value_enum, default_value = "train")]
    pub split: SplitArg,
    /// The layer whose potentials to plot, from 1 (default: the last, the output layer).
    #[arg(long, value_name = "L", value_parser = at_least_one, conflicts_with = "curve")]
    pub layer: Option<usize>,
    #[command(flatten)]
    pub arith: ArithArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// PNG file to write (`.png`; missing folders are created).
    #[arg(long, value_name = "plot.png")]
    pub out: PathBuf,
    /// Machine-readable summary of the presentation (or of the curve).
    #[arg(long)]
    pub json: bool,
}

pub(super) const SIZE: (u32, u32) = (1200, 700);

#[derive(Serialize)]
struct PlotReport {
    plot: String,
    /// What IMG resolved to, and the split it was read from (`null` when it has none).
    source: String,
    split: Option<Split>,
    index: usize,
    level: &'static str,
    winner: Option<usize>,
    inhibit_step: Option<u32>,
    threshold: f64,
    spike_times: Vec<Vec<u32>>,
    /// The legend's lines, top to bottom: threshold, inhibition step, the winner, the other
    /// neurons that spiked, and one line for the faded rest.
    legend: Vec<String>,
}

/// The report of `snn plot --curve`.
#[derive(Serialize)]
struct CurvePlotReport {
    plot: String,
    curve: String,
    points: usize,
    /// The legend's lines, top to bottom.
    legend: Vec<String>,
}

fn run_curve(path: &Path, out: &Path, json: bool) -> Result<()> {
    IoPlan::new()
        .input("--curve", path)
        .output("--out", out)
        .check()?;
    check_png(out)?;
    let curve = plot_curve::Curve::load(path)?;
    let (png, legend) = plot_curve::render(&curve)?;
    write_file(out, &png)?;
    let report = CurvePlotReport {
        plot: show(out),
        curve: show(path),
        points: curve.points.len(),
        legend,
    };
    if json {
        return print_json(&report);
    }
    println!(
        "learning curve of {} point(s) from {}; plot written to {}",
        report.points, report.curve, report.plot
    );
    Ok(())
}

/// Refuses an `--out` that names another format: the plots are drawn into a bitmap, so writing
/// them to `x.svg` or `x.jpg` would only hide PNG bytes behind the wrong extension.
fn check_png(out: &Path) -> Result<()> {
    let png = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !png {
        bail!(
            "--out {}: snn plot writes PNG images only; give a file name ending in .png",
            out.display()
        );
    }
    Ok(())
}

pub fn run(a: PlotArgs) -> Result<()> {
    if let Some(curve) = &a.curve {
        return run_curve(curve, &a.out, a.json);
    }
    let (Some(weights), Some(image)) = (&a.weights, &a.image) else {
        bail!("pass --weights and --image (a presentation), or --curve (a learning curve)");
    };
    let (source, split) = data::resolve_one(image, a.split.into())?;
    a.config
        .plan(IoPlan::new().input("--weights", weights))
        .inputs("--image", source.files())
        .output("--out", &a.out)
        .check()?;
    check_png(&a.out)?;
    let w = Weights::load(weights)?;
    let ds = source.load(image)?;
    let Some(img) = ds.images.get(a.index) else {
        bail!(
            "{}: has {} image(s), no image at --index {}",
            image,
            ds.len(),
            a.index
        );
    };
    check_size(image, (img.height, img.width), &w)?;
    let cfg = a.config.base(Some(&w))?.finish_for(&w)?;
    let kind = a.arith.kind(Some(&w.file));
    let mut model = Model::from_file(kind, &cfg, &w.file, a.arith.quantize, &w.path)?;
    let depth = model.depth();
    let layer = a.layer.unwrap_or(depth);
    if layer > depth {
        bail!(
            "--layer {layer}: {} holds {depth} layer(s) (layers 1 to {depth})",
            w.path.display()
        );
    }
    let opts = PresentOptions {
        learn: false,
        record: true,
    };
    let outcome = model
        .present_layers(&img.pixels, opts)
        .swap_remove(layer - 1);
    let theta = model.layers_f64().swap_remove(layer - 1).1;
    let name = Path::new(image)
        .file_name()
        .map_or(image.clone(), |n| n.to_string_lossy().into_owned());
    let of_split = split.map_or(String::new(), |s| format!(", {s} split"));
    let of_layer = if depth > 1 {
        format!(", layer {layer} of {depth}")
    } else {
        String::new()
    };
    let title = format!(
        "{name} image {}{of_split}{of_layer} ({})",
        a.index,
        model.level()
    );
    let (png, legend) = render(&outcome, &theta, cfg.p_min, &title)?;
    write_file(&a.out, &png)?;
    let report = PlotReport {
        plot: show(&a.out),
        source: ds.source.clone(),
        split,
        index: a.index,
        level: model.level(),
        winner: outcome.winner,
        inhibit_step: outcome.inhibit_step,
        threshold: outcome.threshold,
        spike_times: outcome.spike_times,
        legend,
    };
    if a.json {
        return print_json(&report);
    }
    let winner = report
        .winner
        .map_or("no winner".to_string(), |j| format!("winner neuron {j}"));
    println!(
        "{} image {}{of_split}: {winner}, threshold {:.3}; plot written to {}",
        report.source,
        report.index,
        report.threshold,
        a.out.display()
    );
    Ok(())
}

/// The winner's line: the one curve that always stands out.
const WINNER: RGBColor = RGBColor(214, 39, 40);

/// Colours of the other neurons that are drawn in colour (the Tableau 10 palette without the
/// winner's red and its light grey, plus teal and dark grey: distinct and readable on white).
const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 110, 110),
    RGBColor(90, 90, 90),
];

/// Neurons that did not spike, in a network too large to give each a colour.
const FADED: RGBColor = RGBColor(205, 205, 205);

/// Width of the legend panel right of the chart, so the legend never hides a curve.
pub(super) const LEGEND_WIDTH: u32 = 250;

/// How a neuron's curve is drawn.
struct Curve {
    neuron: usize,
    color: RGBColor,
    width: u32,
    /// Has its own legend line (faded curves share one).
    listed: bool,
}

/// The curves in drawing order, faded first (underneath) and the winner last (on top), and the
/// legend order: the winner, then the neurons that spiked by their first spike, then the rest.
/// Every neuron has a colour when the palette covers them all (N <= 10); in larger networks only
/// the winner and the neurons that spiked do, and the rest are faded, so the curves that matter
/// are never lost among dozens of lines of repeating colours.
fn curves(o: &Outcome) -> (Vec<Curve>, Vec<usize>) {
    let n = o.spike_times.len();
    let first = |j: usize| o.spike_times[j].first().copied().unwrap_or(u32::MAX);
    let mut order: Vec<usize> = (0..n).filter(|&j| Some(j) != o.winner).collect();
    order.sort_by_key(|&j| (first(j), j));
    let everyone = n <= COLORS.len();
    let mut colored = 0;
    let mut list = Vec::with_capacity(n);
    for &j in &order {
        let listed = everyone || !o.spike_times[j].is_empty();
        let color = if listed {
            colored += 1;
            COLORS[(colored - 1) % COLORS.len()]
        } else {
            FADED
        };
        list.push(Curve {
            neuron: j,
            color,
            width: if listed { 2 } else { 1 },
            listed,
        });
    }
    list.sort_by_key(|c| c.listed);
    if let Some(w) = o.winner {
        list.push(Curve {
            neuron: w,
            color: WINNER,
            width: 3,
            listed: true,
        });
    }
    let legend_order = o.winner.into_iter().chain(order).collect();
    (list, legend_order)
}

/// About `target` round tick values covering `[lo, hi]`: steps of 1, 2 or 5 times a power of
/// ten, with the decimals that step needs.
pub(super) fn ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, usize) {
    let (step, decimals) = round_step((hi - lo) / target as f64);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    ((first..=last).map(|k| k as f64 * step).collect(), decimals)
}

/// The smallest step of 1, 2 or 5 times a power of ten that is at least `raw`, with the
/// decimals that step needs.
pub(super) fn round_step(raw: f64) -> (f64, usize) {
    let raw = raw.max(f64::MIN_POSITIVE);
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    (step, (-step.log10().floor()).max(0.0) as usize)
}

fn spikes(k: usize) -> String {
    format!("{k} spike{}", if k == 1 { "" } else { "s" })
}

/// Draws the potentials of `o.trace`; returns the PNG bytes and the legend's lines.
///
/// The trace holds potentials after each step's reset, so a spike at `t` is drawn as a stroke up to
/// the threshold and back, with a dot on the threshold line, as in the classic figures.
/// Inhibited neurons sit at `p_min` (-500 by default), far below the range around the threshold,
/// so the y axis stops a little below zero and lower values are drawn on the bottom edge (the axis
/// description says so). plotters draws the lines; the text is drawn afterwards by [`Pen`].
///
/// With homeostasis each neuron fires at its own threshold, `threshold + theta[j]`: its spikes are
/// drawn there, and the winner's own threshold gets a line of its colour beside the shared one.
fn render(o: &Outcome, theta: &[f64], p_min: f64, title: &str) -> Result<(Vec<u8>, Vec<String>)> {
    let trace = o
        .trace
        .as_ref()
        .context("the presentation was not recorded")?;
    let own = |j: usize| o.threshold + theta.get(j).copied().unwrap_or(0.0);
    let homeostasis = theta.iter().any(|&x| x != 0.0);
    let t_steps = trace.len() as u32;
    let all = trace.iter().flatten().copied();
    let highest_own = (0..o.spike_times.len())
        .map(own)
        .fold(o.threshold, f64::max);
    let top = all.clone().fold(highest_own, f64::max);
    let lowest = all.fold(0.0, f64::min);
    let span = top.max(1.0);
    let floor = -0.25 * span;
    let clipped = lowest < floor;
    let y_lo = if clipped { floor } else { lowest - 0.05 * span };
    let y_hi = top + 0.1 * span;
    let (curves, legend_order) = curves(o);

    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    let mut labels = Vec::new();
    let mut entries: Vec<(ShapeStyle, String)> = Vec::new();
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let (left, legend) = root.split_horizontally(w - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&left)
            .margin(15)
            .margin_top(50)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0u32..t_steps + 1, y_lo..y_hi)
            .map_err(plot_err)?;
        // Axes, grid and tick labels at round values (plotters' mesh would draw its own labels).
        chart
            .draw_series(LineSeries::new(
                [(0, y_hi), (0, y_lo), (t_steps + 1, y_lo)],
                BLACK.stroke_width(1),
            ))
            .map_err(plot_err)?;
        let grid = RGBColor(225, 225, 225).stroke_width(1);
        let (xs, _) = ticks(0.0, t_steps as f64, 8);
        for x in xs {
            let x = x as u32;
            chart
                .draw_series(LineSeries::new([(x, y_lo), (x, y_hi)], grid))
                .map_err(plot_err)?;
            let (px, py) = chart.backend_coord(&(x, y_lo));
            labels.push(Label::new(
                x.to_string(),
                15.0,
                (px as f32, py as f32 + 20.0),
                Align::Middle,
            ));
        }
        let (ys, decimals) = ticks(y_lo, y_hi, 8);
        for y in ys {
            chart
                .draw_series(LineSeries::new([(0, y), (t_steps + 1, y)], grid))
                .map_err(plot_err)?;
            let (px, py) = chart.backend_coord(&(0, y));
            let text = format!("{:.*}", decimals, if y == 0.0 { 0.0 } else { y });
            labels.push(Label::new(
                text,
                15.0,
                (px as f32 - 8.0, py as f32 + 5.0),
                Align::End,
            ));
        }

        let thr_style = BLACK.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(
                [(0, o.threshold), (t_steps + 1, o.threshold)],
                10,
                6,
                thr_style,
            ))
            .map_err(plot_err)?;
        if homeostasis {
            entries.push((thr_style, format!("threshold {:.3} + theta", o.threshold)));
        } else {
            entries.push((thr_style, format!("threshold {:.3}", o.threshold)));
        }
        if let Some(w) = o.winner.filter(|_| homeostasis) {
            let style = WINNER.stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new(
                    [(0, own(w)), (t_steps + 1, own(w))],
                    10,
                    6,
                    style,
                ))
                .map_err(plot_err)?;
            entries.push((style, format!("neuron {w}'s: {:.3}", own(w))));
        }
        if let Some(t) = o.inhibit_step {
            let style = RGBColor(150, 150, 150).stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new([(t, y_lo), (t, y_hi)], 4, 4, style))
                .map_err(plot_err)?;
            entries.push((style, format!("WTA inhibition at t = {t}")));
        }
        for c in &curves {
            let style = c.color.stroke_width(c.width);
            let spikes = &o.spike_times[c.neuron];
            let mut points = vec![(0, 0.0_f64.max(y_lo))];
            for (k, p) in trace.iter().enumerate() {
                let t = k as u32 + 1;
                if spikes.contains(&t) {
                    points.push((t, own(c.neuron)));
                }
                points.push((t, p[c.neuron].max(y_lo)));
            }
            chart
                .draw_series(LineSeries::new(points, style))
                .map_err(plot_err)?;
            chart
                .draw_series(spikes.iter().map(|&t| {
                    Circle::new((t, own(c.neuron)), 4 + c.width as i32, c.color.filled())
                }))
                .map_err(plot_err)?;
        }
        for &j in &legend_order {
            let c = curves
                .iter()
                .find(|c| c.neuron == j)
                .expect("every neuron has a curve");
            if c.listed {
                let role = if Some(j) == o.winner { " (winner)" } else { "" };
                let text = format!("neuron {j}{role}: {}", spikes(o.spike_times[j].len()));
                entries.push((c.color.stroke_width(c.width), text));
            }
        }
        let faded = curves.iter().filter(|c| !c.listed).count();
        draw_legend(&legend, &mut entries, faded, &mut labels)?;

        let caption = match o.winner {
            Some(j) => format!("Membrane potentials, {title}: winner neuron {j}"),
            None => format!("Membrane potentials, {title}: no winner"),
        };
        let x_desc = if clipped {
            format!("time step t   (values below {y_lo:.1}, e.g. inhibited at p_min = {p_min}, drawn on the bottom edge)")
        } else {
            "time step t".to_string()
        };
        labels.extend(titles(
            left.get_pixel_range().0,
            chart.backend_coord(&(t_steps / 2, y_lo)),
            chart.backend_coord(&(0, (y_lo + y_hi) / 2.0)).1,
            caption,
            x_desc,
            "membrane potential",
        ));
        root.present().map_err(plot_err)?;
    }
    Ok((
        to_png(rgb, SIZE, &labels)?,
        entries.into_iter().map(|(_, t)| t).collect(),
    ))
}

/// The texts around a chart whose area spans the pixel columns `cx`: `caption` centred above
/// it (shrunk to fit), `x_desc` below the x axis, whose middle is at pixel `x_axis`, and `y_desc`
/// written upward left of the y axis at height `y_mid`.
pub(super) fn titles(
    cx: std::ops::Range<i32>,
    x_axis: (i32, i32),
    y_mid: i32,
    caption: String,
    x_desc: String,
    y_desc: &str,
) -> [Label; 3] {
    let size = Pen::new().fit(&caption, 22.0, (cx.end - cx.start - 20) as f32);
    let caption = Label::new(
        caption,
        size,
        ((cx.start + cx.end) as f32 / 2.0, 32.0),
        Align::Middle,
    );
    let x_desc = Label::new(
        x_desc,
        18.0,
        (x_axis.0 as f32, x_axis.1 as f32 + 45.0),
        Align::Middle,
    );
    let mut y_desc = Label::new(
        y_desc,
        18.0,
        (cx.start as f32 + 25.0, y_mid as f32),
        Align::Middle,
    );
    y_desc.upward = true;
    [caption, x_desc, y_desc]
}

/// The PNG of the RGB buffer `rgb` of a chart of `size` that plotters has drawn, with the
/// `labels` written on it (text is drawn by [`Pen`], not by plotters).
pub(super) fn to_png(rgb: Vec<u8>, (w, h): (u32, u32), labels: &[Label]) -> Result<Vec<u8>> {
    let mut img = image::RgbImage::from_raw(w, h, rgb).context("plot buffer has the wrong size")?;
    let pen = Pen::new();
    for l in labels {
        pen.draw(&mut img, l);
    }
    let mut png = Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png)
        .context("PNG encoding of the plot failed")?;
    Ok(png.into_inner())
}

/// One line per entry: a stroke in the entry's style (drawn now) and its text (added to
/// `labels`). The winner comes right after the threshold lines, so it is always listed; when
/// the other neurons do not fit the panel, the last lines say how many more there are, and the
/// `faded` neurons share one line.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &mut Vec<(ShapeStyle, String)>,
    faded: usize,
    labels: &mut Vec<Label>,
) -> Result<()> {
    let (x0, y0, dy) = (10, 60, 22);
    let rows = ((area.dim_in_pixel().1 as i32 - y0) / dy).max(4) as usize;
    let tail = usize::from(faded > 0);
    if entries.len() + tail > rows {
        let keep = rows - tail - 1;
        let more = entries.len() - keep;
        entries.truncate(keep);
        entries.push((
            WHITE.stroke_width(1),
            format!("... and {more} more that spiked"),
        ));
    }
    if faded > 0 {
        let what = if faded == 1 { "neuron" } else { "neurons" };
        entries.push((
            FADED.stroke_width(1),
            format!("{faded} other {what}: no spike"),
        ));
    }
    let (ax, ay) = area.get_base_pixel();
    for (k, (style, text)) in entries.iter().enumerate() {
        let y = y0 + dy * k as i32;
        area.draw(&PathElement::new([(x0, y), (x0 + 28, y)], *style))
            .map_err(plot_err)?;
        labels.push(Label::new(
            text.as_str(),
            15.0,
            ((ax + x0 + 38) as f32, (ay + y + 5) as f32),
            Align::Start,
        ));
    }
    Ok(())
}

pub(super) fn plot_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing the plot failed: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(n: usize, winner: Option<usize>, spiking: &[(usize, u32)]) -> Outcome {
        let mut spike_times = vec![Vec::new(); n];
        for &(j, t) in spiking {
            spike_times[j].push(t);
        }
        Outcome {
            winner,
            inhibit_step: winner.map(|_| 40),
            spike_times,
            threshold: 8.0 + 1.0 / 3.0,
            final_potentials: vec![0.5; n],
            peak_count: 40,
            cycles: None,
            trace: Some(vec![vec![0.5; n]; 60]),
        }
    }

    #[test]
    fn the_winner_and_the_spiking_neurons_lead_the_legend_of_a_large_network() {
        let o = outcome(100, Some(87), &[(87, 40), (87, 52), (12, 45), (64, 41)]);
        let (curves, order) = curves(&o);
        assert_eq!(&order[..3], &[87, 64, 12]);
        let last = curves.last().unwrap();
        assert_eq!((last.neuron, last.color, last.width), (87, WINNER, 3));
        let listed: Vec<usize> = curves
            .iter()
            .filter(|c| c.listed)
            .map(|c| c.neuron)
            .collect();
        assert_eq!(listed.len(), 3, "{listed:?}");
        assert!(curves
            .iter()
            .filter(|c| !c.listed)
            .all(|c| c.color == FADED));
        let colors: Vec<RGBColor> = curves
            .iter()
            .filter(|c| c.listed)
            .map(|c| c.color)
            .collect();
        assert!(colors[0] != colors[1] && colors[1] != colors[2] && colors[0] != colors[2]);
        let (_, legend) = render(&o, &[0.0; 100], -500.0, "test").unwrap();
        assert_eq!(legend[0], "threshold 8.333");
        assert_eq!(legend[2], "neuron 87 (winner): 2 spikes");
        assert_eq!(legend[3], "neuron 64: 1 spike");
        assert_eq!(legend.last().unwrap(), "97 other neurons: no spike");
    }

    #[test]
    fn with_homeostasis_the_winner_has_its_own_threshold_line() {
        let o = outcome(10, Some(3), &[(3, 40)]);
        let mut theta = vec![0.0; 10];
        theta[3] = 2.5;
        let (_, legend) = render(&o, &theta, -500.0, "test").unwrap();
        assert_eq!(legend[0], "threshold 8.333 + theta");
        assert_eq!(legend[1], "neuron 3's: 10.833");
        assert_eq!(legend[3], "neuron 3 (winner): 1 spike");
    }

    #[test]
    fn small_networks_give_every_neuron_a_colour() {
        let o = outcome(10, None, &[]);
        let (curves, _) = curves(&o);
        assert!(curves.iter().all(|c| c.listed && c.color != FADED));
        let mut colors: Vec<(u8, u8, u8)> = curves
            .iter()
            .map(|c| (c.color.0, c.color.1, c.color.2))
            .collect();
        colors.sort_unstable();
        colors.dedup();
        assert_eq!(colors.len(), 10);
    }

    #[test]
    fn ticks_are_round_values() {
        assert_eq!(
            ticks(0.0, 200.0, 8),
            ((0..=4).map(|k| k as f64 * 50.0).collect::<Vec<_>>(), 0)
        );
        let (ys, d) = ticks(-2.7, 11.7, 8);
        assert_eq!(d, 0);
        assert_eq!(ys.first(), Some(&-2.0));
        assert_eq!(ys.last(), Some(&10.0));
        let (_, d) = ticks(0.0, 0.35, 8);
        assert_eq!(d, 2);
    }
}
