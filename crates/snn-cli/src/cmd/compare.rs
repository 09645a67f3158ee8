//! `snn compare`: run several levels on the same images and check that they agree bit for bit:
//! spike times, winner, inhibition step, threshold, final potentials, cycle counts (between the
//! clocked levels) and, with `--train`, every weight after every image. The first mismatch is
//! reported with its image, field and both values; any mismatch makes the exit code non-zero.

use crate::config::{check_size, Weights};
use crate::data::{self, Inputs};
use crate::levels::{self, HwLevel, LevelRun, Presentations};
use crate::model::{ArithKind, Model};
use crate::output::{print_json, show};
use crate::paths::IoPlan;
use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;
use serde_json::Value;
use snn_core::control::Presentation;

/// Run several levels on the same images and report every disagreement.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Comma-separated levels; the first is the reference.
    #[arg(long, value_delimiter = ',', default_value = "golden-fixed,cycle")]
    pub levels: Vec<HwLevel>,
    #[command(flatten)]
    pub inputs: Presentations,
    /// Learn image by image and compare every weight after every image.
    #[arg(long)]
    pub train: bool,
    /// Print the JSON report (otherwise a summary).
    #[arg(long)]
    pub json: bool,
}

/// The first disagreement between a level and the reference.
#[derive(Serialize, Debug)]
pub struct Mismatch {
    pub image: usize,
    pub level: &'static str,
    pub reference: &'static str,
    /// Field (or `weight[neuron][input]`) that differs.
    pub signal: String,
    /// The field's value at `level` and at the reference, as JSON (`null`, a number, a list).
    pub value: Value,
    pub reference_value: Value,
    /// Cycles of that image at the clocked level, when it has them.
    pub cycle: Option<u64>,
}

#[derive(Serialize)]
pub struct LevelSummary {
    pub level: &'static str,
    pub images: usize,
    pub mismatched_images: usize,
    pub mean_cycles: Option<f64>,
    pub seconds: f64,
    pub images_per_second: f64,
    pub cycles_per_second: Option<f64>,
}

#[derive(Serialize)]
pub struct CompareReport {
    pub reference: &'static str,
    pub images: usize,
    pub train: bool,
    pub weights_compared: usize,
    pub agree: bool,
    pub levels: Vec<LevelSummary>,
    pub first_mismatch: Option<Mismatch>,
}

/// One image's outcome with the learned state after it: the presentations of the layers below
/// the output (none for one layer), the output layer's, and the raw weights and theta of every
/// layer, layer after layer, when learning.
type Learned<'a> = (
    &'a [Presentation<i32>],
    &'a Presentation<i32>,
    Option<&'a Vec<i32>>,
    Option<&'a Vec<i32>>,
);

/// `what` of layer `l` (from 0) of a network of `depth` layers: prefixed with the layer when
/// there are several.
fn of_layer(depth: usize, l: usize, what: String) -> String {
    if depth > 1 {
        format!("layer {}: {what}", l + 1)
    } else {
        what
    }
}

/// The name of value `k` of every layer's weights (`theta`: of every layer's theta), laid out
/// layer after layer with the layers' `(neurons, inputs)` `shapes`.
fn state_name(shapes: &[(usize, usize)], mut k: usize, theta: bool) -> String {
    for (l, &(n, m)) in shapes.iter().enumerate() {
        let size = if theta { n } else { n * m };
        if k < size {
            let what = if theta {
                format!("theta[{k}]")
            } else {
                format!("weight[{}][{}]", k / m, k % m)
            };
            return of_layer(shapes.len(), l, what);
        }
        k -= size;
    }
    format!("value {k} beyond the layers")
}

/// The first field in which image `b` (with the state after it, when learning) differs from
/// image `a`, as (name, value of b, value of a): each layer's outcome in hardware order
/// ([`Presentation::first_difference`]), from the first, then the weights, then theta.
fn first_difference(
    shapes: &[(usize, usize)],
    (ha, a, wa, ta): Learned,
    (hb, b, wb, tb): Learned,
) -> Option<(String, Value, Value)> {
    let depth = shapes.len();
    let layers = ha.iter().zip(hb).chain([(a, b)]);
    for (l, (x, y)) in layers.enumerate() {
        if let Some(d) = y.first_difference(x) {
            return Some((of_layer(depth, l, d.field), d.ours, d.theirs));
        }
    }
    for (xs, ys, theta) in [(wa, wb, false), (ta, tb, true)] {
        let (Some(xs), Some(ys)) = (xs, ys) else {
            continue;
        };
        if let Some(k) = xs.iter().zip(ys).position(|(x, y)| x != y) {
            return Some((
                state_name(shapes, k, theta),
                Value::from(ys[k]),
                Value::from(xs[k]),
            ));
        }
    }
    None
}

/// A memory read back after a run: the reference's values, the level's, and a value's name.
type FinalState<'a> = (&'a [i32], &'a [i32], &'a dyn Fn(usize) -> String);

/// Run `run`'s presentations of the layers below the output for image `k` (none for one layer).
fn hidden(run: &LevelRun, k: usize) -> &[Presentation<i32>] {
    run.hidden.get(k).map_or(&[], Vec::as_slice)
}

/// Compares every run with the first: per-level summaries and the first mismatch, if any.
pub fn check(runs: &[LevelRun]) -> (Vec<LevelSummary>, Option<Mismatch>) {
    let reference = &runs[0];
    let shapes = &reference.shapes;
    let mut first_mismatch = None;
    let mut summaries = Vec::new();
    for run in runs {
        let mut mismatched = 0;
        for (k, (x, y)) in reference.images.iter().zip(&run.images).enumerate() {
            let rx = (
                hidden(reference, k),
                x,
                reference.weights_after.get(k),
                reference.theta_after.get(k),
            );
            let ry = (
                hidden(run, k),
                y,
                run.weights_after.get(k),
                run.theta_after.get(k),
            );
            if let Some((signal, value, reference_value)) = first_difference(shapes, rx, ry) {
                mismatched += 1;
                if first_mismatch.is_none() {
                    first_mismatch = Some(Mismatch {
                        image: k,
                        level: run.level.name(),
                        reference: reference.level.name(),
                        signal,
                        value,
                        reference_value,
                        cycle: y.cycles,
                    });
                }
            }
        }
        // The weight memory read back after the run: also catches an RTL that corrupts weights
        // during inference, when no per-image weights are compared; and theta likewise.
        let weight = |k: usize| format!("final {}", state_name(shapes, k, false));
        let theta = |k: usize| format!("final {}", state_name(shapes, k, true));
        let finals: [FinalState; 2] = [
            (&reference.final_weights, &run.final_weights, &weight),
            (&reference.final_theta, &run.final_theta, &theta),
        ];
        for (want, got, name) in finals {
            let Some(k) = want.iter().zip(got).position(|(x, y)| x != y) else {
                continue;
            };
            mismatched += 1;
            first_mismatch.get_or_insert(Mismatch {
                image: run.images.len().saturating_sub(1),
                level: run.level.name(),
                reference: reference.level.name(),
                signal: name(k),
                value: Value::from(got[k]),
                reference_value: Value::from(want[k]),
                cycle: None,
            });
        }
        let cycles: Vec<u64> = run.images.iter().filter_map(|i| i.cycles).collect();
        let total: u64 = cycles.iter().sum();
        summaries.push(LevelSummary {
            level: run.level.name(),
            images: run.images.len(),
            mismatched_images: mismatched,
            mean_cycles: (!cycles.is_empty()).then(|| total as f64 / cycles.len() as f64),
            seconds: run.seconds,
            images_per_second: run.images.len() as f64 / run.seconds.max(1e-9),
            cycles_per_second: (!cycles.is_empty()).then(|| total as f64 / run.seconds.max(1e-9)),
        });
    }
    (summaries, first_mismatch)
}

pub fn run(a: CompareArgs) -> Result<()> {
    if a.levels.len() < 2 {
        bail!(
            "--levels needs at least two levels to compare, got {}",
            a.levels.len()
        );
    }
    let rtl = a.levels.iter().any(|l| l.is_rtl());
    let inputs = Inputs::resolve(&a.inputs.data, a.inputs.split.into())?;
    let plan: IoPlan = a.inputs.plan(&inputs, rtl);
    plan.check()?;
    let w = Weights::load(&a.inputs.weights)?;
    let layered = w.layer_sizes().len() > 1;
    if rtl {
        w.one_layer("snn compare with an RTL level")?;
    }
    let ds = inputs.load(a.inputs.limit)?;
    check_size(&ds.source, data::size(&ds), &w)?;
    let cfg = a.inputs.config.base(Some(&w))?.finish_for(&w)?;
    if rtl {
        levels::check_hdl(&a.inputs.hdl, &cfg)?;
    }
    let images = data::pixels(&ds);
    let runs: Vec<LevelRun> = if layered {
        // Every level from its own copy of the file's network.
        let net =
            || match Model::from_file(ArithKind::Fixed, &cfg, &w.file, a.inputs.quantize, &w.path)?
            {
                Model::Fixed(net) => Ok(net),
                Model::Float(_) => unreachable!("a fixed-point model"),
            };
        a.levels
            .iter()
            .map(|&l| levels::run_layers(l, &cfg, net, &images, a.train))
            .collect::<Result<_>>()?
    } else {
        let raw = levels::raw_weights(&cfg, &w, a.inputs.quantize)?;
        let theta = levels::raw_theta(&cfg, &w, a.inputs.quantize)?;
        a.levels
            .iter()
            .map(|&l| levels::run(l, &cfg, (&raw, &theta), &images, a.train, &a.inputs.hdl))
            .collect::<Result<_>>()?
    };

    let (summaries, first_mismatch) = check(&runs);
    let reference = &runs[0];
    let report = CompareReport {
        reference: reference.level.name(),
        images: images.len(),
        train: a.train,
        weights_compared: if a.train {
            images.len() * reference.shapes.iter().map(|(n, m)| n * m).sum::<usize>()
        } else {
            0
        },
        agree: first_mismatch.is_none(),
        levels: summaries,
        first_mismatch,
    };
    if a.json {
        print_json(&report)?;
    } else {
        println!(
            "{} image(s) of {} ({}), reference {}:",
            report.images,
            ds.source,
            if a.train {
                "training, weights and theta compared after every image"
            } else {
                "inference"
            },
            report.reference
        );
        for l in &report.levels {
            let cyc = l
                .mean_cycles
                .map_or(String::new(), |c| format!(", mean {c:.1} cycles/image"));
            let cps = l
                .cycles_per_second
                .map_or(String::new(), |c| format!(", {:.3e} cycles/s", c));
            println!(
                "  {:<13} {} mismatched image(s){cyc}; {:.1} images/s{cps}",
                l.level, l.mismatched_images, l.images_per_second
            );
        }
        match &report.first_mismatch {
            None => println!(
                "all levels agree bit for bit (weights: {})",
                show(&a.inputs.weights)
            ),
            Some(m) => println!(
                "first mismatch: image {}, {} vs {}: {} = {} (reference {}){}",
                m.image,
                m.level,
                m.reference,
                m.signal,
                m.value,
                m.reference_value,
                m.cycle
                    .map_or(String::new(), |c| format!(", image took {c} cycles"))
            ),
        }
    }
    if !report.agree {
        bail!("levels disagree");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> (Presentation<i32>, Vec<i32>) {
        let p = Presentation {
            winner: Some(1),
            inhibit_step: Some(40),
            spike_times: vec![vec![], vec![40, 75]],
            threshold: 3413,
            peak_count: 40,
            final_potentials: vec![-128000, 12],
            cycles: Some(2100),
            trace: None,
        };
        (p, [vec![0; 2 * 6], vec![5, 0]].concat())
    }

    /// Weights and theta (the last two values) of an image.
    fn diff(
        a: &(Presentation<i32>, Vec<i32>),
        b: &(Presentation<i32>, Vec<i32>),
    ) -> Option<(String, Value, Value)> {
        let split = |x: &(Presentation<i32>, Vec<i32>)| (x.1[..12].to_vec(), x.1[12..].to_vec());
        let ((wa, ta), (wb, tb)) = (split(a), split(b));
        let shapes = [(2, 6)];
        first_difference(
            &shapes,
            (&[], &a.0, Some(&wa), Some(&ta)),
            (&[], &b.0, Some(&wb), Some(&tb)),
        )
    }

    /// The memories read back after an inference run: a final weight or theta that differs
    /// counts as a mismatch of the last image and is named.
    #[test]
    fn final_weights_and_theta_are_compared() {
        let (p, _) = image();
        let run = |level, weights: Vec<i32>, theta: Vec<i32>| LevelRun {
            level,
            images: vec![p.clone(), p.clone()],
            hidden: Vec::new(),
            shapes: vec![(2, 3)],
            weights_after: Vec::new(),
            final_weights: weights,
            theta_after: Vec::new(),
            final_theta: theta,
            seconds: 0.0,
        };
        let reference = || run(HwLevel::GoldenFixed, vec![1, 2, 3, 4, 5, 6], vec![7, 8]);
        let same = [
            reference(),
            run(HwLevel::Cycle, vec![1, 2, 3, 4, 5, 6], vec![7, 8]),
        ];
        assert!(check(&same).1.is_none());
        for (weights, theta, signal) in [
            (vec![1, 2, 3, 4, 0, 6], vec![7, 8], "final weight[1][1]"),
            (vec![1, 2, 3, 4, 5, 6], vec![7, 9], "final theta[1]"),
        ] {
            let runs = [reference(), run(HwLevel::Verilator, weights, theta)];
            let (summaries, first) = check(&runs);
            let first = first.expect(signal);
            assert_eq!((first.image, first.signal.as_str()), (1, signal));
            assert_eq!(summaries[1].mismatched_images, 1);
        }
    }

    /// With several layers each layer's outcome is compared, from the first, and a weight or
    /// theta is named by its layer.
    #[test]
    fn layers_are_compared_and_named() {
        let (p, _) = image();
        let shapes = [(2, 3), (1, 2)];
        let (w, th) = (vec![0; 8], vec![0; 3]);
        let mut hidden = p.clone();
        hidden.winner = None;
        let (mut w2, mut th2) = (w.clone(), th.clone());
        let same = first_difference(
            &shapes,
            (&[p.clone()], &p, Some(&w), Some(&th)),
            (&[p.clone()], &p, Some(&w2), Some(&th2)),
        );
        assert_eq!(same, None);
        let d = first_difference(
            &shapes,
            (&[p.clone()], &p, None, None),
            (&[hidden], &p, None, None),
        );
        assert_eq!(d.unwrap().0, "layer 1: winner");
        w2[7] = 1;
        th2[2] = 1;
        let d = first_difference(
            &shapes,
            (&[p.clone()], &p, Some(&w), Some(&th)),
            (&[p.clone()], &p, Some(&w2), Some(&th2)),
        );
        assert_eq!(d.unwrap().0, "layer 2: weight[0][1]");
        assert_eq!(state_name(&shapes, 2, true), "layer 2: theta[0]");
        assert_eq!(state_name(&shapes, 5, false), "layer 1: weight[1][2]");
    }

    #[test]
    fn every_field_difference_is_found_and_named() {
        let a = image();
        assert_eq!(diff(&a, &a.clone()), None);
        type Case = (fn(&mut (Presentation<i32>, Vec<i32>)), &'static str);
        let cases: Vec<Case> = vec![
            (|b| b.0.winner = Some(0), "winner"),
            (|b| b.0.inhibit_step = Some(41), "inhibit_step"),
            (|b| b.0.spike_times[1][1] = 76, "spikes at step 75"),
            (|b| b.0.threshold += 1, "threshold"),
            (|b| b.0.peak_count += 1, "peak_count"),
            (|b| b.0.final_potentials[1] = 13, "final_potential[1]"),
            (|b| b.0.cycles = Some(2101), "cycles"),
            (|b| b.1[7] = -1, "weight[1][1]"),
            (|b| b.1[13] = 2, "theta[1]"),
        ];
        for (change, name) in cases {
            let mut b = a.clone();
            change(&mut b);
            let (signal, _, _) = diff(&a, &b).expect(name);
            assert_eq!(signal, name);
        }
        // Values are JSON of the field, not Rust's debug text of it.
        let mut b = a.clone();
        b.0.spike_times[1][1] = 76;
        let (_, value, reference) = diff(&a, &b).unwrap();
        assert_eq!(value, serde_json::json!([]));
        assert_eq!(reference, serde_json::json!([1]));
        let mut b = a.clone();
        b.0.winner = None;
        let (_, value, reference) = diff(&a, &b).unwrap();
        assert_eq!((value, reference), (Value::Null, serde_json::json!(1)));
        let m = Mismatch {
            image: 0,
            level: "cycle",
            reference: "golden-fixed",
            signal: "winner".into(),
            value: Value::Null,
            reference_value: serde_json::json!(1),
            cycle: None,
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(
            text.contains(r#""value":null,"reference_value":1"#),
            "{text}"
        );
        // A level without a clock is never blamed for cycles.
        let mut b = a.clone();
        b.0.cycles = None;
        assert_eq!(diff(&a, &b), None);
        // Inference compares no per-image weights.
        b.1[0] = 1;
        assert_eq!(
            first_difference(&[(2, 6)], (&[], &a.0, None, None), (&[], &b.0, None, None)),
            None
        );
    }
}
