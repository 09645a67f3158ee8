//! `results.csv`: one row per point, the varied keys then every measure (RFC 4180 quoting).

use super::{show, Sweep};
use crate::record::Record;
use anyhow::Result;
use std::collections::BTreeSet;
use std::path::Path;

pub const FILE: &str = "results.csv";

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// The synthesis targets any record measured.
pub fn targets(sweep: &Sweep) -> Vec<String> {
    let set: BTreeSet<&String> = sweep.records.iter().flat_map(|r| r.synth.keys()).collect();
    set.into_iter().cloned().collect()
}

pub fn write(sweep: &Sweep, out: &Path) -> Result<String> {
    let keys = &sweep.meta.keys;
    let classes = sweep
        .records
        .iter()
        .filter_map(|r| r.per_class.as_ref().map(Vec::len))
        .max()
        .unwrap_or(0);
    let targets = targets(sweep);
    let mut head: Vec<String> = vec!["index".into()];
    head.extend(keys.iter().cloned());
    head.extend(
        [
            "accuracy",
            "correct",
            "tested",
            "no_prediction",
            "neurons",
            "presentations",
            "no_winner",
            "no_winner_last_1000",
            "never_won",
            "theta_min",
            "theta_max",
        ]
        .map(String::from),
    );
    head.extend((0..classes).map(|c| format!("accuracy_class_{c}")));
    head.extend(["cycles_training", "cycles_inference", "cycles_error"].map(String::from));
    for t in &targets {
        head.extend(
            [
                "luts",
                "ffs",
                "brams",
                "dsps",
                "fits",
                "fmax_mhz",
                "images_per_s",
                "error",
            ]
            .map(|m| format!("{t}_{m}")),
        );
    }
    head.extend(["train_s", "eval_s", "cycles_s", "synth_s"].map(String::from));
    let mut text = head.iter().map(|h| quote(h)).collect::<Vec<_>>().join(",") + "\n";
    for r in &sweep.records {
        text += &row(r, keys, classes, &targets)
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(",");
        text.push('\n');
    }
    snn_core::atomic::write_atomic(&out.join(FILE), text.as_bytes())?;
    Ok(FILE.to_string())
}

fn row(r: &Record, keys: &[String], classes: usize, targets: &[String]) -> Vec<String> {
    let mut c = vec![r.index.to_string()];
    c.extend(
        keys.iter()
            .map(|k| Sweep::value(r, k).map_or(String::new(), show)),
    );
    c.extend([
        opt(r.accuracy),
        opt(r.correct),
        r.tested.to_string(),
        opt(r.no_prediction),
        r.neurons.to_string(),
        r.presentations.to_string(),
        r.no_winner.to_string(),
        r.no_winner_last_1000.to_string(),
        r.never_won.to_string(),
        r.theta_min.to_string(),
        r.theta_max.to_string(),
    ]);
    c.extend((0..classes).map(|k| opt(r.per_class.as_ref().and_then(|p| p.get(k)))));
    let cyc = r.cycles.as_ref().and_then(|c| c.ok());
    c.extend([
        opt(cyc.map(|c| c.training)),
        opt(cyc.map(|c| c.inference)),
        match &r.cycles {
            Some(crate::record::Outcome::Failed { error }) => error.clone(),
            _ => String::new(),
        },
    ]);
    for t in targets {
        let o = r.synth.get(t);
        let s = o.and_then(|o| o.ok());
        c.extend([
            opt(s.map(|s| s.luts)),
            opt(s.map(|s| s.ffs)),
            opt(s.map(|s| s.brams)),
            opt(s.map(|s| s.dsps)),
            opt(s.map(|s| s.fits)),
            opt(s.and_then(|s| s.fmax_mhz)),
            opt(s.and_then(|s| s.inference_images_per_s)),
            match o {
                Some(crate::record::Outcome::Failed { error }) => error.clone(),
                _ => String::new(),
            },
        ]);
    }
    c.extend(
        [
            r.seconds.train,
            r.seconds.eval,
            r.seconds.cycles,
            r.seconds.synth,
        ]
        .map(|s| format!("{s:.3}")),
    );
    c
}
