//! `snn plot --curve`: the learning curve that `snn train --curve` writes, drawn as test
//! accuracy and the share of presentations without a winner against the images seen, with the
//! epoch boundaries and, with homeostasis, the adaptive thresholds on a right-hand axis (theta
//! that keeps climbing is what silences a network over many epochs), in the style of `snn
//! plot`'s potential figures.

use super::plot::{plot_err, round_step, ticks, titles, to_png, LEGEND_WIDTH, SIZE};
use crate::text::{Align, Label, Pen};
use crate::watch::{CurvePoint, ThetaStats};
use anyhow::{bail, Context, Result};
use plotters::prelude::*;
use serde::Deserialize;
use std::path::Path;

/// What the plot needs of a `--curve` file (docs/JSON.md, "The learning curve").
#[derive(Deserialize)]
pub struct Curve {
    pub level: String,
    pub data: String,
    /// Training images per epoch.
    pub images: usize,
    pub epochs: usize,
    pub neurons: usize,
    pub eval_every: usize,
    pub label_images: usize,
    pub test_images: usize,
    pub points: Vec<CurvePoint>,
}

impl Curve {
    /// Reads a curve file; anything else is an error naming the file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read curve", path.display()))?;
        let curve: Curve = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: not a learning curve (expected the JSON that snn train --curve writes)",
                path.display()
            )
        })?;
        if curve.points.is_empty() {
            bail!("{}: the curve has no points to draw", path.display());
        }
        Ok(curve)
    }
}

/// Test accuracy: the line that matters most.
const ACCURACY: RGBColor = RGBColor(31, 119, 180);
/// Presentations without a winner: the alarm line.
const NO_WINNER: RGBColor = RGBColor(214, 39, 40);
const EPOCH: RGBColor = RGBColor(150, 150, 150);
/// The adaptive thresholds (right-hand axis).
const THETA: RGBColor = RGBColor(44, 160, 44);

/// One figure of the points drawn against the images seen.
struct Line {
    /// Also that of the dots, one pixel wider than the stroke.
    style: ShapeStyle,
    /// Height on the percent axis at each point, `None` where the point lacks the figure.
    y: Vec<Option<f64>>,
    /// Its legend entry (`None`: shares the previous line's).
    legend: Option<String>,
}

/// Draws `curve`; returns the PNG bytes and the legend's lines.
pub fn render(curve: &Curve) -> Result<(Vec<u8>, Vec<String>)> {
    let x_hi = curve
        .points
        .iter()
        .map(|p| p.images_seen)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (y_lo, y_hi) = (0.0, 100.0);
    // theta's axis: the five grid intervals of the percent axis, each a round step of theta.
    let theta_top = curve
        .points
        .iter()
        .filter_map(|p| p.theta)
        .map(|t| t.max)
        .fold(0.0, f64::max);
    let theta_axis = curve
        .points
        .iter()
        .any(|p| p.theta.is_some())
        .then(|| round_step(theta_top / 5.0));
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    let mut labels = Vec::new();
    let mut legend: Vec<(ShapeStyle, String)> = Vec::new();
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let (left, key) = root.split_horizontally(w - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&left)
            .margin(15)
            .margin_top(50)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .right_y_label_area_size(if theta_axis.is_some() { 70 } else { 0 })
            .build_cartesian_2d(0.0..x_hi, y_lo..y_hi)
            .map_err(plot_err)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, y_hi), (0.0, y_lo), (x_hi, y_lo)],
                BLACK.stroke_width(1),
            ))
            .map_err(plot_err)?;
        let grid = RGBColor(225, 225, 225).stroke_width(1);
        let (xs, decimals) = ticks(0.0, x_hi, 8);
        for x in xs {
            chart
                .draw_series(LineSeries::new([(x, y_lo), (x, y_hi)], grid))
                .map_err(plot_err)?;
            let (px, py) = chart.backend_coord(&(x, y_lo));
            labels.push(Label::new(
                format!("{x:.decimals$}"),
                15.0,
                (px as f32, py as f32 + 20.0),
                Align::Middle,
            ));
        }
        for k in 0..=5 {
            let y = 20.0 * k as f64;
            chart
                .draw_series(LineSeries::new([(0.0, y), (x_hi, y)], grid))
                .map_err(plot_err)?;
            let (px, py) = chart.backend_coord(&(0.0, y));
            labels.push(Label::new(
                format!("{y:.0}"),
                15.0,
                (px as f32 - 8.0, py as f32 + 5.0),
                Align::End,
            ));
            if let Some((step, decimals)) = theta_axis {
                let (px, py) = chart.backend_coord(&(x_hi, y));
                labels.push(Label::new(
                    format!("{:.decimals$}", step * k as f64),
                    15.0,
                    (px as f32 + 8.0, py as f32 + 5.0),
                    Align::Start,
                ));
            }
        }

        let boundary = EPOCH.stroke_width(1);
        for e in 1..curve.epochs {
            let x = (e * curve.images) as f64;
            chart
                .draw_series(DashedLineSeries::new(
                    [(x, y_lo), (x, y_hi)],
                    6,
                    6,
                    boundary,
                ))
                .map_err(plot_err)?;
        }
        if curve.epochs > 1 {
            legend.push((
                boundary,
                format!("epoch boundary ({} images)", curve.images),
            ));
        }

        let last = curve.points.last().map_or(0.0, |p| p.accuracy);
        let percent = |f: fn(&CurvePoint) -> f64| -> Vec<Option<f64>> {
            curve.points.iter().map(|p| Some(100.0 * f(p))).collect()
        };
        let mut lines = vec![
            Line {
                style: ACCURACY.stroke_width(3),
                y: percent(|p| p.accuracy),
                legend: Some(format!(
                    "test accuracy, last {:.1}% (labelled on {}, scored on {} images)",
                    100.0 * last,
                    curve.label_images,
                    curve.test_images
                )),
            },
            Line {
                style: NO_WINNER.stroke_width(2),
                y: percent(|p| p.no_winner_rate),
                legend: Some(format!(
                    "no winner, share of the last {} presentations",
                    curve.eval_every
                )),
            },
        ];
        if let Some((step, _)) = theta_axis {
            let on_axis = |f: fn(&ThetaStats) -> f64| -> Vec<Option<f64>> {
                let points = curve.points.iter();
                points
                    .map(|p| Some(y_hi * f(&p.theta?) / (5.0 * step)))
                    .collect()
            };
            lines.push(Line {
                style: THETA.stroke_width(2),
                y: on_axis(|t| t.mean),
                legend: Some("theta mean, right axis (potential units)".to_string()),
            });
            lines.push(Line {
                style: THETA.mix(0.5).stroke_width(1),
                y: on_axis(|t| t.max),
                legend: Some("theta min and max".to_string()),
            });
            lines.push(Line {
                style: THETA.mix(0.5).stroke_width(1),
                y: on_axis(|t| t.min),
                legend: None,
            });
        }
        // Each line with a dot at every point it has.
        for line in lines {
            let xy: Vec<(f64, f64)> = curve
                .points
                .iter()
                .zip(&line.y)
                .filter_map(|(p, y)| Some((p.images_seen as f64, (*y)?)))
                .collect();
            chart
                .draw_series(LineSeries::new(xy.iter().copied(), line.style))
                .map_err(plot_err)?;
            let dot = ShapeStyle {
                filled: true,
                ..line.style
            };
            chart
                .draw_series(
                    xy.iter()
                        .map(|&p| Circle::new(p, line.style.stroke_width + 1, dot)),
                )
                .map_err(plot_err)?;
            legend.extend(line.legend.map(|text| (line.style, text)));
        }

        // One stroke per entry, its text wrapped to the panel (an entry names its sets).
        let (kx, ky) = key.get_base_pixel();
        let pen = Pen::new();
        let mut y = 60;
        for (style, text) in &legend {
            key.draw(&PathElement::new([(10, y), (38, y)], *style))
                .map_err(plot_err)?;
            for line in wrap(&pen, text, 15.0, (LEGEND_WIDTH - 58) as f32) {
                labels.push(Label::new(
                    line,
                    15.0,
                    ((kx + 48) as f32, (ky + y + 5) as f32),
                    Align::Start,
                ));
                y += 20;
            }
            y += 8;
        }

        let caption = format!(
            "Learning curve, {} neurons ({}), trained on {}",
            curve.neurons, curve.level, curve.data
        );
        labels.extend(titles(
            left.get_pixel_range().0,
            chart.backend_coord(&(x_hi / 2.0, y_lo)),
            chart.backend_coord(&(0.0, (y_lo + y_hi) / 2.0)).1,
            caption,
            "training images seen (presentations, all epochs)".to_string(),
            "percent of images (%)",
        ));
        if theta_axis.is_some() {
            chart
                .draw_series(LineSeries::new(
                    [(x_hi, y_lo), (x_hi, y_hi)],
                    BLACK.stroke_width(1),
                ))
                .map_err(plot_err)?;
            let (px, py) = chart.backend_coord(&(x_hi, (y_lo + y_hi) / 2.0));
            let mut desc = Label::new(
                "adaptive threshold theta (potential units)",
                18.0,
                (px as f32 + 55.0, py as f32),
                Align::Middle,
            );
            desc.upward = true;
            labels.push(desc);
        }
        root.present().map_err(plot_err)?;
    }
    Ok((
        to_png(rgb, SIZE, &labels)?,
        legend.into_iter().map(|(_, t)| t).collect(),
    ))
}

/// `text` in lines no wider than `width` at `size`, broken between words (a word wider than
/// `width` gets a line of its own).
fn wrap(pen: &Pen, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if pen.width(&format!("{line} {word}"), size) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(images_seen: usize, accuracy: f64, no_winner_rate: f64) -> CurvePoint {
        CurvePoint {
            images_seen,
            epoch: images_seen.saturating_sub(1) / 100,
            accuracy,
            no_winner_rate,
            window: 50,
            never_won: 0,
            theta: None,
        }
    }

    #[test]
    fn legend_text_wraps_between_words() {
        let pen = Pen::new();
        let lines = wrap(
            &pen,
            "test accuracy, last 50.0% (labelled on 300)",
            15.0,
            150.0,
        );
        assert!(lines.len() > 1, "{lines:?}");
        assert!(
            lines.iter().all(|l| pen.width(l, 15.0) <= 150.0),
            "{lines:?}"
        );
        assert_eq!(
            lines.join(" "),
            "test accuracy, last 50.0% (labelled on 300)"
        );
    }

    #[test]
    fn the_legend_names_both_lines_and_the_epochs() {
        let curve = Curve {
            level: "golden-fixed".into(),
            data: "builtin:train".into(),
            images: 100,
            epochs: 2,
            neurons: 10,
            eval_every: 50,
            label_images: 300,
            test_images: 200,
            points: vec![
                point(50, 0.2, 0.1),
                point(100, 0.4, 0.0),
                point(150, 0.45, 0.02),
                point(200, 0.5, 0.0),
            ],
        };
        let (png, legend) = render(&curve).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        assert_eq!(
            legend,
            [
                "epoch boundary (100 images)",
                "test accuracy, last 50.0% (labelled on 300, scored on 200 images)",
                "no winner, share of the last 50 presentations",
            ]
        );
        let (_, legend) = render(&Curve { epochs: 1, ..curve }).unwrap();
        assert_eq!(legend.len(), 2, "{legend:?}");
        assert!(legend[0].starts_with("test accuracy"), "{legend:?}");
    }

    /// With homeostasis, theta gets a right-hand axis of round steps covering its largest value.
    #[test]
    fn theta_is_drawn_on_its_own_axis() {
        let mut points = vec![point(50, 0.2, 0.1), point(100, 0.4, 0.0)];
        for (p, max) in points.iter_mut().zip([30.0, 61.0]) {
            p.theta = Some(ThetaStats {
                min: 1.0,
                mean: 20.0,
                max,
            });
        }
        let curve = Curve {
            level: "golden-fixed".into(),
            data: "builtin:train".into(),
            images: 100,
            epochs: 1,
            neurons: 10,
            eval_every: 50,
            label_images: 300,
            test_images: 200,
            points,
        };
        let (_, legend) = render(&curve).unwrap();
        assert_eq!(
            legend[2..],
            [
                "theta mean, right axis (potential units)",
                "theta min and max"
            ]
        );
        // 61 over five grid intervals: steps of 20, the axis up to 100.
        assert_eq!(round_step(61.0 / 5.0), (20.0, 0));
    }
}
