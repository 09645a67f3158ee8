//! `snn plot`: membrane potential of every output neuron over one presentation, with the
//! variable threshold, in the style of the original experiments' figures.

use crate::config::{check_size, ConfigArgs, Weights};
use crate::data::{self, SplitArg};
use crate::model::{ArithArgs, Model, Outcome};
use crate::output::{print_json, show, write_file};
use crate::paths::IoPlan;
use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use serde::Serialize;
use snn_core::prelude::PresentOptions;
use snn_data::Split;
use std::io::Cursor;
use std::path::PathBuf;

/// Plot membrane potential versus time for each output neuron, with the threshold line (PNG).
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Trained weights.
    #[arg(long, value_name = "W.json")]
    pub weights: PathBuf,
    /// The image to present: a PNG file (or any data path; see --index).
    #[arg(long, value_name = "IMG")]
    pub image: String,
    /// Which image of IMG to present, when it holds several.
    #[arg(long, default_value_t = 0)]
    pub index: usize,
    /// Which split of an MNIST folder or builtin IMG names.
    #[arg(long, value_enum, default_value = "train")]
    pub split: SplitArg,
    #[command(flatten)]
    pub arith: ArithArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// PNG file to write (missing folders are created).
    #[arg(long, value_name = "plot.png")]
    pub out: PathBuf,
    /// Machine-readable summary of the presentation.
    #[arg(long)]
    pub json: bool,
}

const SIZE: (u32, u32) = (1200, 700);

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
}

pub fn run(a: PlotArgs) -> Result<()> {
    let (source, split) = data::resolve_one(&a.image, a.split.into())?;
    a.config
        .plan(IoPlan::new().input("--weights", &a.weights))
        .inputs("--image", source.files())
        .output("--out", &a.out)
        .check()?;
    let w = Weights::load(&a.weights)?;
    let ds = source.load(&a.image)?;
    let Some(img) = ds.images.get(a.index) else {
        bail!(
            "{}: has {} image(s), no image at --index {}",
            a.image,
            ds.len(),
            a.index
        );
    };
    check_size(&a.image, (img.height, img.width), &w)?;
    let cfg = a.config.base(Some(&w))?.finish(w.size(), w.file.neurons)?;
    let kind = a.arith.kind(Some(&w.file));
    let mut model = Model::with_weights(kind, &cfg, &w.file.to_array(), a.arith.quantize, &w.path)?;
    let outcome = model.present(
        &img.pixels,
        PresentOptions {
            learn: false,
            record: true,
        },
    );
    let name = std::path::Path::new(&ds.source)
        .file_name()
        .map_or(ds.source.clone(), |n| n.to_string_lossy().into_owned());
    let of_split = split.map_or(String::new(), |s| format!(", {s} split"));
    let title = format!("{name} image {}{of_split} ({})", a.index, model.level());
    let png = render(&outcome, cfg.p_min, &title)?;
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
    };
    if a.json {
        return print_json(&report);
    }
    let winner = report
        .winner
        .map_or("no winner".to_string(), |j| format!("winner neuron {j}"));
    println!(
        "{winner}, threshold {}; plot written to {}",
        report.threshold,
        a.out.display()
    );
    Ok(())
}

/// Registers the embedded DejaVu Sans as plotters' "sans-serif" (the `ab_glyph` backend has no
/// system fonts).
fn register_embedded_font() -> Result<()> {
    register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| anyhow!("the embedded DejaVu Sans font is invalid"))
}

/// Line colours of the neurons (the Tableau 10 palette: distinct and readable on white).
const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Width of the legend panel right of the chart, so the legend never hides a curve.
const LEGEND_WIDTH: u32 = 250;

/// Draws the potentials of `o.trace` and encodes them as PNG bytes.
///
/// The trace holds potentials after each step's reset, so a spike at `t` is drawn as a stroke up to
/// the threshold and back, with a dot on the threshold line, as in the classic figures.
/// Inhibited neurons sit at `p_min` (-500 by default), far below the range around the threshold,
/// so the y axis stops a little below zero and lower values are drawn on the bottom edge (the axis
/// description says so).
fn render(o: &Outcome, p_min: f64, title: &str) -> Result<Vec<u8>> {
    register_embedded_font()?;
    let trace = o
        .trace
        .as_ref()
        .context("the presentation was not recorded")?;
    let t_steps = trace.len() as u32;
    let all = trace.iter().flatten().copied();
    let top = all.clone().fold(o.threshold, f64::max);
    let lowest = all.fold(0.0, f64::min);
    let span = top.max(1.0);
    let floor = -0.25 * span;
    let clipped = lowest < floor;
    let y_lo = if clipped { floor } else { lowest - 0.05 * span };
    let y_hi = top + 0.1 * span;
    let neurons = trace.first().map_or(0, Vec::len);

    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let (left, legend) = root.split_horizontally(w - LEGEND_WIDTH);
        let caption = match o.winner {
            Some(j) => format!("Membrane potentials, {title}: winner neuron {j}"),
            None => format!("Membrane potentials, {title}: no winner"),
        };
        let mut chart = ChartBuilder::on(&left)
            .caption(caption, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0u32..t_steps + 1, y_lo..y_hi)
            .map_err(plot_err)?;
        let x_desc = if clipped {
            format!("time step t   (values below {y_lo:.1}, e.g. inhibited at p_min = {p_min}, drawn on the bottom edge)")
        } else {
            "time step t".to_string()
        };
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("membrane potential")
            .axis_desc_style(("sans-serif", 18))
            .label_style(("sans-serif", 15))
            .light_line_style(WHITE)
            .draw()
            .map_err(plot_err)?;

        let mut entries: Vec<(ShapeStyle, String)> = Vec::new();
        let thr_style = BLACK.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(
                [(0, o.threshold), (t_steps + 1, o.threshold)],
                10,
                6,
                thr_style,
            ))
            .map_err(plot_err)?;
        entries.push((thr_style, format!("threshold {:.3}", o.threshold)));
        if let Some(t) = o.inhibit_step {
            let style = RGBColor(150, 150, 150).stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new([(t, y_lo), (t, y_hi)], 4, 4, style))
                .map_err(plot_err)?;
            entries.push((style, format!("WTA inhibition at t = {t}")));
        }
        for j in 0..neurons {
            let color = COLORS[j % COLORS.len()];
            let style = color.stroke_width(2);
            let spikes = &o.spike_times[j];
            let mut points = vec![(0, 0.0_f64.max(y_lo))];
            for (k, p) in trace.iter().enumerate() {
                let t = k as u32 + 1;
                if spikes.contains(&t) {
                    points.push((t, o.threshold));
                }
                points.push((t, p[j].max(y_lo)));
            }
            chart
                .draw_series(LineSeries::new(points, style))
                .map_err(plot_err)?;
            chart
                .draw_series(
                    spikes
                        .iter()
                        .map(|&t| Circle::new((t, o.threshold), 5, color.filled())),
                )
                .map_err(plot_err)?;
            entries.push((style, format!("neuron {j}: {} spike(s)", spikes.len())));
        }
        draw_legend(&legend, &entries)?;
        root.present().map_err(plot_err)?;
    }
    let img = image::RgbImage::from_raw(w, h, rgb).context("plot buffer has the wrong size")?;
    let mut png = Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png)
        .context("PNG encoding of the plot failed")?;
    Ok(png.into_inner())
}

/// One line per entry: a stroke in the entry's style and its text. Entries that do not fit the
/// panel (networks of many neurons) are summed up in a last line.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(ShapeStyle, String)],
) -> Result<()> {
    let font = ("sans-serif", 15).into_font().color(&BLACK);
    let (x0, y0, dy) = (10, 60, 22);
    let rows = ((area.dim_in_pixel().1 as i32 - y0) / dy).max(1) as usize;
    let shown = if entries.len() > rows {
        rows - 1
    } else {
        entries.len()
    };
    for (k, (style, text)) in entries[..shown].iter().enumerate() {
        let y = y0 + dy * k as i32;
        area.draw(&PathElement::new([(x0, y), (x0 + 28, y)], *style))
            .map_err(plot_err)?;
        area.draw(&Text::new(text.as_str(), (x0 + 38, y - 8), font.clone()))
            .map_err(plot_err)?;
    }
    if shown < entries.len() {
        let more = format!("... and {} more", entries.len() - shown);
        area.draw(&Text::new(
            more,
            (x0 + 38, y0 + dy * shown as i32 - 8),
            font,
        ))
        .map_err(plot_err)?;
    }
    Ok(())
}

fn plot_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing the plot failed: {e}")
}
