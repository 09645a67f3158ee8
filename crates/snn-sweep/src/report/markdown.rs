//! `README.md` of a report: what was swept, the best points, the effect of each key, the Pareto
//! fronts and the figures, readable on any Markdown viewer (the PNGs sit beside it).

use super::analysis::{effects, pareto, Front};
use super::{show, Figure, Sweep};
use crate::record::{Outcome, Record};
use anyhow::Result;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

pub const FILE: &str = "README.md";
/// Rows of the best-points table.
const BEST: usize = 10;

fn pct(a: Option<f64>) -> String {
    a.map_or("-".into(), |a| format!("{:.2}", 100.0 * a))
}

fn point(r: &Record, keys: &[String]) -> String {
    keys.iter()
        .filter_map(|k| Sweep::value(r, k).map(|v| format!("{k} = {}", show(v))))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cycles(r: &Record) -> String {
    r.cycles
        .as_ref()
        .and_then(|c| c.ok())
        .map_or("-".into(), |c| {
            format!("{:.0} / {:.0}", c.training, c.inference)
        })
}

pub fn write(sweep: &Sweep, out: &Path, figures: &[Figure]) -> Result<String> {
    let m = &sweep.meta;
    let keys = &m.keys;
    let mut s = String::new();
    writeln!(s, "# Sweep report: {}\n", m.spec_file)?;
    writeln!(
        s,
        "{} of {} points finished. Base `{}`, {} arithmetic, first {} training images (the first {} of them label the neurons) and {} test images of `{}`{}. Varied: {}.\n",
        sweep.records.len(),
        m.points,
        m.base,
        m.arith,
        m.train,
        m.label.unwrap_or(m.train),
        m.test,
        m.data,
        m.epochs.map_or(String::new(), |e| format!(", {e} epoch(s)")),
        keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    )?;
    writeln!(
        s,
        "Made by `snn sweep --spec {} --data {} --out DIR` and `snn sweep report DIR --out REPORT` (sweep hash `{}`); every row of `results.csv` is one point.\n",
        m.spec_file, m.data, m.hash
    )?;

    let mut best: Vec<&Record> = sweep
        .records
        .iter()
        .filter(|r| r.accuracy.is_some())
        .collect();
    best.sort_by(|a, b| {
        b.accuracy
            .unwrap_or(0.0)
            .total_cmp(&a.accuracy.unwrap_or(0.0))
            .then(a.index.cmp(&b.index))
    });
    if !best.is_empty() {
        writeln!(s, "## Best points\n")?;
        writeln!(s, "| # | point | accuracy (%) | no prediction | no winner, last 1,000 | neurons never won | theta range | cycles/image train / infer |")?;
        writeln!(s, "|---|---|---|---|---|---|---|---|")?;
        for r in best.iter().take(BEST) {
            writeln!(
                s,
                "| {} | {} | {} | {} | {} of {} | {} of {} | {:.2} .. {:.2} | {} |",
                r.index,
                point(r, keys),
                pct(r.accuracy),
                r.no_prediction.map_or("-".into(), |n| n.to_string()),
                r.no_winner_last_1000,
                r.presentations.min(crate::measure::RECENT),
                r.never_won,
                r.neurons,
                r.theta_min,
                r.theta_max,
                cycles(r)
            )?;
        }
        writeln!(s)?;
    }

    let eff = effects(sweep);
    if !eff.is_empty() {
        writeln!(s, "## Effect of each key\n")?;
        writeln!(s, "Mean test accuracy (%) of the points with each value (over the other keys), largest spread first; \"within one series\" is the largest change when only this key moves.\n")?;
        writeln!(s, "| key | spread of means (points) | largest change within one series | mean accuracy per value |")?;
        writeln!(s, "|---|---|---|---|")?;
        for e in &eff {
            let per: Vec<String> = e
                .values
                .iter()
                .map(|(v, mean, _, _)| format!("{}: {:.1}", show(v), 100.0 * mean))
                .collect();
            writeln!(
                s,
                "| `{}` | {:.1} | {:.1} | {} |",
                e.key,
                100.0 * e.spread_of_means,
                100.0 * e.max_within_series,
                per.join("; ")
            )?;
        }
        writeln!(s)?;
        writeln!(s, "## Test accuracy (%) per key, the other keys fixed\n")?;
        for e in &eff {
            let vals: Vec<String> = e.values.iter().map(|v| show(&v.0)).collect();
            writeln!(
                s,
                "`{}`:\n\n| other keys | {} |\n|---|{}",
                e.key,
                vals.join(" | "),
                "---|".repeat(vals.len())
            )?;
            for series in &e.series {
                let cells: Vec<String> = e
                    .values
                    .iter()
                    .map(|(v, ..)| {
                        series
                            .points
                            .iter()
                            .find(|p| &p.0 == v)
                            .map_or("-".into(), |p| format!("{:.2}", 100.0 * p.1))
                    })
                    .collect();
                let name = if series.name.is_empty() {
                    "-"
                } else {
                    series.name.as_str()
                };
                writeln!(s, "| {name} | {} |", cells.join(" | "))?;
            }
            writeln!(s)?;
        }
    }

    let fronts: Vec<(String, Front)> = {
        let mut f = vec![(
            "mean inference cycles per image".to_string(),
            pareto(&sweep.records, |r| {
                r.cycles.as_ref()?.ok().map(|c| c.inference)
            }),
        )];
        for t in super::csv::targets(sweep) {
            let luts = pareto(&sweep.records, |r| {
                r.synth.get(&t)?.ok().map(|s| s.luts as f64)
            });
            f.push((format!("{t} LUTs"), luts));
        }
        f.into_iter().filter(|(_, p)| !p.is_empty()).collect()
    };
    for (what, front) in &fronts {
        writeln!(s, "## Pareto front: accuracy against {what}\n")?;
        writeln!(s, "| # | point | {what} | accuracy (%) |")?;
        writeln!(s, "|---|---|---|---|")?;
        for (r, c, a) in front {
            writeln!(
                s,
                "| {} | {} | {c:.0} | {:.2} |",
                r.index,
                point(r, keys),
                100.0 * a
            )?;
        }
        writeln!(s)?;
    }

    let synth_targets = super::csv::targets(sweep);
    if !synth_targets.is_empty() {
        writeln!(s, "## FPGA resources\n")?;
        writeln!(s, "| # | point | target | LUTs | FFs | BRAMs | DSPs | fits | Fmax (MHz) | inference images/s |")?;
        writeln!(s, "|---|---|---|---|---|---|---|---|---|---|")?;
        for r in &sweep.records {
            for t in &synth_targets {
                if let Some(Outcome::Ok(x)) = r.synth.get(t) {
                    writeln!(
                        s,
                        "| {} | {} | {t} | {} | {} | {} | {} | {} | {} | {} |",
                        r.index,
                        point(r, keys),
                        x.luts,
                        x.ffs,
                        x.brams,
                        x.dsps,
                        if x.fits { "yes" } else { "no" },
                        x.fmax_mhz.map_or("-".into(), |f| format!("{f:.2}")),
                        x.inference_images_per_s
                            .map_or("-".into(), |i| format!("{i:.0}"))
                    )?;
                }
            }
        }
        writeln!(s)?;
    }

    // Measures a point could not take, grouped by message.
    let mut errors: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for r in &sweep.records {
        if let Some(Outcome::Failed { error }) = &r.cycles {
            errors.entry(error.clone()).or_default().push(r.index);
        }
        for (t, o) in &r.synth {
            if let Outcome::Failed { error } = o {
                errors
                    .entry(format!("{t}: {error}"))
                    .or_default()
                    .push(r.index);
            }
        }
    }
    if !errors.is_empty() {
        writeln!(s, "## Measures not taken\n")?;
        for (e, pts) in &errors {
            let list: Vec<String> = pts.iter().map(usize::to_string).collect();
            writeln!(s, "- points {}: {}", list.join(", "), e.replace('\n', " "))?;
        }
        writeln!(s)?;
    }

    if !figures.is_empty() {
        writeln!(s, "## Figures\n")?;
        for f in figures {
            writeln!(s, "### {}\n\n![{}]({})\n", f.title, f.title, f.file)?;
        }
    }
    snn_core::atomic::write_atomic(&out.join(FILE), s.as_bytes())?;
    Ok(FILE.to_string())
}
