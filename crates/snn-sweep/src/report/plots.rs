//! The report's figures (PNG, plotters): accuracy against each varied key, a heatmap of two keys,
//! and Pareto fronts of accuracy against LUTs, images per second and cycles per image.

use super::analysis::{effects, pareto, values_of, Effect};
use super::{show, slug, Figure, Sweep};
use crate::record::Record;
use anyhow::{anyhow, Result};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use serde_json::Value;
use snn_fpga::flow::Target;
use std::io::Cursor;
use std::path::Path;

const SIZE: (u32, u32) = (1100, 650);
/// Width of the legend panel.
const LEGEND: u32 = 300;
/// Series drawn as separate lines up to this many; more become a cloud and a mean line.
const MAX_LINES: usize = 10;

/// Colour of series `i` (plotters' palette of distinct colours).
fn color(i: usize) -> RGBColor {
    let c = Palette99::pick(i).to_rgba();
    RGBColor(c.0, c.1, c.2)
}

fn plot_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing a figure: {e}")
}

/// How the x axis maps values: numbers (on a log10 scale for logarithmic ranges) or categories
/// at 0, 1, 2, ...
enum XAxis {
    Numeric { log: bool },
    Categories(Vec<String>),
}

impl XAxis {
    fn for_key(sweep: &Sweep, key: &str, values: &[Value]) -> Self {
        if values.iter().all(Value::is_number) {
            let log = sweep.meta.log_keys.iter().any(|k| k == key)
                && values.iter().all(|v| v.as_f64().unwrap_or(0.0) > 0.0);
            XAxis::Numeric { log }
        } else {
            XAxis::Categories(values.iter().map(show).collect())
        }
    }

    /// The plot coordinate of a value.
    fn x(&self, v: &Value) -> f64 {
        match self {
            XAxis::Numeric { log: false } => v.as_f64().unwrap_or(0.0),
            XAxis::Numeric { log: true } => v.as_f64().unwrap_or(1.0).log10(),
            XAxis::Categories(c) => c.iter().position(|c| *c == show(v)).unwrap_or(0) as f64,
        }
    }

    fn label(&self, x: f64) -> String {
        match self {
            XAxis::Numeric { log: false } => format!("{x}"),
            XAxis::Numeric { log: true } => format!("{:.3}", 10f64.powf(x))
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
            XAxis::Categories(c) => {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    c.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        }
    }

    fn range(&self, xs: impl Iterator<Item = f64>) -> (f64, f64) {
        if let XAxis::Categories(c) = self {
            return (-0.5, c.len() as f64 - 0.5);
        }
        let (lo, hi) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
        let pad = ((hi - lo) * 0.05).max(if hi == lo { 0.5 } else { 0.0 });
        (lo - pad, hi + pad)
    }
}

/// One line (or cloud) of a chart.
struct Line {
    name: String,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    /// Markers only, no joining line.
    scatter: bool,
}

struct Chart<'a> {
    title: String,
    x_desc: String,
    y_desc: String,
    x: &'a XAxis,
    x_range: (f64, f64),
    y_range: (f64, f64),
    lines: Vec<Line>,
}

fn encode(rgb: Vec<u8>, path: &Path) -> Result<()> {
    let img = image::RgbImage::from_raw(SIZE.0, SIZE.1, rgb)
        .ok_or_else(|| anyhow!("figure buffer has the wrong size"))?;
    let mut png = Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png)
        .map_err(plot_err)?;
    snn_core::atomic::write_atomic(path, png.get_ref())
}

fn draw_chart(c: &Chart, path: &Path) -> Result<()> {
    let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        // The legend gets its own panel right of the chart, so it never hides a point.
        let named: Vec<&Line> = c.lines.iter().filter(|l| !l.name.is_empty()).collect();
        let (plot, legend) =
            root.split_horizontally(SIZE.0 - if named.is_empty() { 0 } else { LEGEND });
        let mut chart = ChartBuilder::on(&plot)
            .caption(&c.title, ("sans-serif", 17))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(c.x_range.0..c.x_range.1, c.y_range.0..c.y_range.1)
            .map_err(plot_err)?;
        let categories = matches!(c.x, XAxis::Categories(_));
        let fmt = |x: &f64| c.x.label(*x);
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(&c.x_desc)
            .y_desc(&c.y_desc)
            .axis_desc_style(("sans-serif", 17))
            .label_style(("sans-serif", 14))
            .x_label_formatter(&fmt)
            .light_line_style(RGBColor(235, 235, 235));
        if categories {
            // Many candidate ticks so that every integer (a category) is one of them; the
            // formatter leaves the others blank.
            mesh.x_labels(60).disable_x_mesh();
        }
        mesh.draw().map_err(plot_err)?;
        for l in &c.lines {
            let color = l.color;
            let style = color.stroke_width(2);
            if !l.scatter && l.points.len() > 1 {
                chart
                    .draw_series(LineSeries::new(l.points.iter().copied(), style))
                    .map_err(plot_err)?;
            }
            chart
                .draw_series(l.points.iter().map(|&p| Circle::new(p, 4, color.filled())))
                .map_err(plot_err)?;
        }
        let font = ("sans-serif", 13).into_font().color(&BLACK);
        for (k, l) in named.iter().enumerate() {
            let y = 70 + 24 * k as i32;
            legend
                .draw(&Circle::new((12, y), 5, l.color.filled()))
                .map_err(plot_err)?;
            if !l.scatter {
                legend
                    .draw(&PathElement::new(
                        [(2, y), (22, y)],
                        l.color.stroke_width(2),
                    ))
                    .map_err(plot_err)?;
            }
            legend
                .draw(&Text::new(l.name.clone(), (30, y - 7), font.clone()))
                .map_err(plot_err)?;
        }
        root.present().map_err(plot_err)?;
    }
    encode(rgb, path)
}

fn subtitle(sweep: &Sweep) -> String {
    let m = &sweep.meta;
    format!("{} training / {} test images, {}", m.train, m.test, m.arith)
}

/// The unit of a configuration key on an axis (SPEC sections 1 and 10), when it has one.
fn unit(key: &str) -> Option<&'static str> {
    Some(match key {
        "t_steps" | "t_ref" | "stdp_window" => "time steps",
        "neurons" => "output neurons",
        "w_min" | "w_max" | "w_init" | "norm_target" => "weight units",
        "p_rest"
        | "p_min"
        | "leak"
        | "penalty"
        | "theta_plus"
        | "theta_minus"
        | "theta_max"
        | "theta_plus_per_neuron" => "potential units",
        "sigma" => "STDP learning rate, dimensionless",
        "threshold_divisor" => "threshold = peak input spike count / divisor",
        "period_numerator" => "spike period = numerator / rate, time steps",
        "epochs" => "passes over the training images",
        k if k.starts_with("fixed.") => "bits",
        _ => return None,
    })
}

/// Accuracy against one key: a line per series (the other keys fixed), or a cloud with the
/// mean and best per value when there are many series.
fn key_figure(sweep: &Sweep, e: &Effect, out: &Path) -> Result<Figure> {
    let values = values_of(sweep, &e.key);
    let x = XAxis::for_key(sweep, &e.key, &values);
    let mut lines = Vec::new();
    if e.series.len() <= MAX_LINES {
        for (i, s) in e.series.iter().enumerate() {
            lines.push(Line {
                name: if s.name.is_empty() {
                    "test accuracy".into()
                } else {
                    s.name.clone()
                },
                points: s.points.iter().map(|(v, a)| (x.x(v), 100.0 * a)).collect(),
                color: color(i),
                scatter: false,
            });
        }
    } else {
        lines.push(Line {
            name: format!(
                "each point ({})",
                e.series.iter().map(|s| s.points.len()).sum::<usize>()
            ),
            points: e
                .series
                .iter()
                .flat_map(|s| s.points.iter().map(|(v, a)| (x.x(v), 100.0 * a)))
                .collect(),
            color: RGBColor(170, 170, 170),
            scatter: true,
        });
        for (name, pick, color) in [
            ("mean over the other keys", 1, color(0)),
            ("best", 2, color(1)),
        ] {
            lines.push(Line {
                name: name.into(),
                points: e
                    .values
                    .iter()
                    .map(|v| (x.x(&v.0), 100.0 * if pick == 1 { v.1 } else { v.2 }))
                    .collect(),
                color,
                scatter: false,
            });
        }
    }
    let file = format!("accuracy-vs-{}.png", slug(&e.key));
    let title = format!("Test accuracy against {} ({})", e.key, subtitle(sweep));
    let top = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let chart = Chart {
        title: title.clone(),
        x_desc: format!(
            "{}{}{}",
            e.key,
            unit(&e.key).map_or(String::new(), |u| format!(" ({u})")),
            if matches!(x, XAxis::Numeric { log: true }) {
                ", log scale"
            } else {
                ""
            }
        ),
        y_desc: "test accuracy (%)".into(),
        x_range: x.range(values.iter().map(|v| x.x(v))),
        y_range: (0.0, (top * 1.1).clamp(10.0, 100.0)),
        x: &x,
        lines,
    };
    draw_chart(&chart, &out.join(&file))?;
    Ok(Figure { file, title })
}

/// Colour of `t` in [0, 1] on a viridis-like ramp (dark blue to yellow).
fn ramp(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68., 1., 84.),
        (59., 82., 139.),
        (33., 145., 140.),
        (94., 201., 98.),
        (253., 231., 37.),
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + f * (y - x)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The two keys of the default heatmap: the first pair of keys that are varied together, each
/// with at least two values.
fn heatmap_keys(sweep: &Sweep) -> Option<(String, String)> {
    let keys = &sweep.meta.keys;
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            let both = |r: &&Record| Sweep::value(r, a).is_some() && Sweep::value(r, b).is_some();
            let recs: Vec<&Record> = sweep.records.iter().filter(both).collect();
            let distinct = |k: &str| {
                let mut v: Vec<&Value> = recs.iter().filter_map(|r| Sweep::value(r, k)).collect();
                v.dedup();
                v.sort_by_key(|v| v.to_string());
                v.dedup();
                v.len()
            };
            if distinct(a) >= 2 && distinct(b) >= 2 {
                return Some((a.clone(), b.clone()));
            }
        }
    }
    None
}

/// Mean accuracy (over the other keys) for each pair of values of `a` and `b`.
fn heatmap_figure(sweep: &Sweep, a: &str, b: &str, out: &Path) -> Result<Option<Figure>> {
    let (va, vb) = (values_of(sweep, a), values_of(sweep, b));
    let mut cells = Vec::new();
    for (i, x) in va.iter().enumerate() {
        for (j, y) in vb.iter().enumerate() {
            let accs: Vec<f64> = sweep
                .records
                .iter()
                .filter(|r| Sweep::value(r, a) == Some(x) && Sweep::value(r, b) == Some(y))
                .filter_map(|r| r.accuracy)
                .collect();
            if !accs.is_empty() {
                cells.push((
                    i,
                    j,
                    accs.iter().sum::<f64>() / accs.len() as f64,
                    accs.len(),
                ));
            }
        }
    }
    if cells.is_empty() {
        return Ok(None);
    }
    let top = cells.iter().map(|c| c.2).fold(0.0, f64::max);
    let low = cells.iter().map(|c| c.2).fold(1.0, f64::min);
    // Colours span the cells' own range (dark: lowest, yellow: highest); the numbers are printed.
    let shade = |acc: f64| {
        if top > low {
            (acc - low) / (top - low)
        } else {
            1.0
        }
    };
    let (xa, ya) = (
        XAxis::Categories(va.iter().map(show).collect()),
        XAxis::Categories(vb.iter().map(show).collect()),
    );
    let file = format!("heatmap-{}-{}.png", slug(a), slug(b));
    let several = cells.iter().any(|c| c.3 > 1);
    let title = format!(
        "Test accuracy (%){} by {a} and {b} ({})",
        if several {
            ", mean over the other keys,"
        } else {
            ""
        },
        subtitle(sweep)
    );
    let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 17))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(-0.5..va.len() as f64 - 0.5, -0.5..vb.len() as f64 - 0.5)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc(a)
            .y_desc(b)
            .axis_desc_style(("sans-serif", 17))
            .label_style(("sans-serif", 14))
            .x_labels(60)
            .y_labels(60)
            .x_label_formatter(&|x| xa.label(*x))
            .y_label_formatter(&|y| ya.label(*y))
            .disable_mesh()
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(cells.iter().map(|&(i, j, acc, _)| {
                let (x, y) = (i as f64, j as f64);
                Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    ramp(shade(acc)).filled(),
                )
            }))
            .map_err(plot_err)?;
        chart
            .draw_series(cells.iter().map(|&(i, j, acc, _)| {
                let color = if shade(acc) > 0.6 { BLACK } else { WHITE };
                Text::new(
                    format!("{:.1}", 100.0 * acc),
                    (i as f64 - 0.12, j as f64),
                    ("sans-serif", 15).into_font().color(&color),
                )
            }))
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    encode(rgb, &out.join(&file))?;
    Ok(Some(Figure { file, title }))
}

/// A cost axis of a Pareto figure.
struct Cost<'a> {
    file: String,
    what: String,
    unit: &'a str,
    /// Cycles and LUTs: lower is better; images per second: higher is better (the front is then
    /// taken on the negated value).
    lower_is_better: bool,
    /// A vertical line at the part's capacity, with its legend text.
    limit: Option<(f64, String)>,
}

/// Accuracy against a cost, every point and the Pareto front.
fn pareto_figure(
    sweep: &Sweep,
    out: &Path,
    c: Cost,
    cost: impl Fn(&Record) -> Option<f64>,
) -> Result<Option<Figure>> {
    let sign = if c.lower_is_better { 1.0 } else { -1.0 };
    let all: Vec<(f64, f64)> = sweep
        .records
        .iter()
        .filter_map(|r| Some((cost(r)?, 100.0 * r.accuracy?)))
        .collect();
    if all.len() < 2 {
        return Ok(None);
    }
    let front: Vec<(f64, f64)> = pareto(&sweep.records, |r| cost(r).map(|c| sign * c))
        .into_iter()
        .map(|(_, c, a)| (sign * c, 100.0 * a))
        .collect();
    let x = XAxis::Numeric { log: false };
    let what = &c.what;
    let title = format!(
        "Accuracy against {what}, Pareto front ({})",
        subtitle(sweep)
    );
    let top = all.iter().map(|p| p.1).fold(0.0, f64::max);
    let y_range = (0.0, (top * 1.1).clamp(10.0, 100.0));
    let mut xs: Vec<f64> = all.iter().map(|p| p.0).collect();
    let mut lines = vec![
        Line {
            name: format!("all points ({})", all.len()),
            points: all,
            color: RGBColor(170, 170, 170),
            scatter: true,
        },
        Line {
            name: format!("Pareto front ({} points)", front.len()),
            points: front,
            color: color(1),
            scatter: false,
        },
    ];
    if let Some((at, name)) = c.limit {
        xs.push(at);
        lines.push(Line {
            name,
            points: vec![(at, y_range.0), (at, y_range.1)],
            color: BLACK,
            scatter: false,
        });
    }
    let chart = Chart {
        title: title.clone(),
        x_desc: format!("{what} ({})", c.unit),
        y_desc: "test accuracy (%)".into(),
        x_range: x.range(xs.into_iter()),
        y_range,
        x: &x,
        lines,
    };
    draw_chart(&chart, &out.join(&c.file))?;
    Ok(Some(Figure {
        file: c.file,
        title,
    }))
}

pub fn write_all(
    sweep: &Sweep,
    out: &Path,
    heatmap: Option<(String, String)>,
) -> Result<Vec<Figure>> {
    register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| anyhow!("the embedded DejaVu Sans font is invalid"))?;
    let mut figs = Vec::new();
    for e in effects(sweep) {
        figs.push(key_figure(sweep, &e, out)?);
    }
    if let Some((a, b)) = heatmap.or_else(|| heatmap_keys(sweep)) {
        figs.extend(heatmap_figure(sweep, &a, &b, out)?);
    }
    let inference = |r: &Record| r.cycles.as_ref()?.ok().map(|c| c.inference);
    let cycles = Cost {
        file: "pareto-cycles.png".into(),
        what: "mean inference cycles per image".into(),
        unit: "clock cycles",
        lower_is_better: true,
        limit: None,
    };
    figs.extend(pareto_figure(sweep, out, cycles, inference)?);
    for t in super::csv::targets(sweep) {
        let synth = |r: &Record| r.synth.get(&t).and_then(|o| o.ok()).cloned();
        let cap = t.parse::<Target>().map(|t| t.capacity());
        let luts = Cost {
            file: format!("pareto-luts-{t}.png"),
            what: format!("{t} LUTs"),
            unit: "LUT4 after Yosys synthesis",
            lower_is_better: true,
            limit: cap
                .ok()
                .map(|c| (c.luts as f64, format!("{} LUTs of the {}", c.luts, c.part))),
        };
        figs.extend(pareto_figure(sweep, out, luts, |r| {
            synth(r).map(|s| s.luts as f64)
        })?);
        let speed = Cost {
            file: format!("pareto-images-per-s-{t}.png"),
            what: format!("{t} inference images per second"),
            unit: "Fmax / cycles per image",
            lower_is_better: false,
            limit: None,
        };
        figs.extend(pareto_figure(sweep, out, speed, |r| {
            synth(r)?.inference_images_per_s
        })?);
    }
    Ok(figs)
}
