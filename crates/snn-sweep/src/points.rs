//! From a sweep file to its points, each with a validated configuration, and the sweep's hash.
//!
//! A point's varied keys are written into the base configuration's TOML table (`fixed.weight_bits`
//! becomes `[fixed] weight_bits`), which `SnnConfig::from_toml_table` then resolves like any
//! config file: every configuration key, present or future, can be varied without code here, and
//! the configuration's own checks judge every value. All points are built and validated before
//! any runs, so a bad value fails the sweep at once, naming the key.

use crate::spec::{ArithKind, Spec};
use anyhow::{Context, Result};
use md5::{Digest, Md5};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::ser::{Serialize, SerializeMap, Serializer};
use snn_core::prelude::*;

/// One configuration of the sweep: its number and the values of its varied keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub index: usize,
    pub values: Vec<(String, toml::Value)>,
}

impl Serialize for Point {
    /// A JSON object of the varied keys, in the sweep file's order.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.values.len()))?;
        for (k, v) in &self.values {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Point {
    /// `sigma = 0.05, neurons = 10`, for messages and progress.
    pub fn label(&self) -> String {
        let parts: Vec<String> = self
            .values
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        parts.join(", ")
    }

    /// The point as JSON (what `results.jsonl` stores under `point`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("TOML values convert to JSON")
    }
}

/// Every point of `spec`: the union of its grids (each the product of its keys, the last key
/// varying fastest), or `random = K` draws.
pub fn expand(spec: &Spec) -> Result<Vec<Point>> {
    let mut all: Vec<Vec<(String, toml::Value)>> = Vec::new();
    if let Some((k, seed)) = spec.random {
        let axes = &spec.grids[0];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..k {
            all.push(
                axes.iter()
                    .map(|a| (a.key.clone(), a.sample(&mut rng)))
                    .collect(),
            );
        }
    } else {
        for grid in &spec.grids {
            let mut combos: Vec<Vec<(String, toml::Value)>> = vec![Vec::new()];
            for axis in grid {
                let values = axis.grid()?;
                combos = combos
                    .into_iter()
                    .flat_map(|c| {
                        values.iter().map(move |v| {
                            let mut c = c.clone();
                            c.push((axis.key.clone(), v.clone()));
                            c
                        })
                    })
                    .collect();
            }
            all.extend(combos);
        }
    }
    Ok(all
        .into_iter()
        .enumerate()
        .map(|(index, values)| Point { index, values })
        .collect())
}

/// Writes `value` at the dotted `key` of `table`, creating nested tables on the way.
fn insert_dotted(table: &mut toml::Table, key: &str, value: toml::Value) {
    match key.split_once('.') {
        None => {
            table.insert(key.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = table
                .entry(head.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            insert_dotted(entry.as_table_mut().expect("made a table"), rest, value);
        }
    }
}

/// The `(dotted key, value)` leaves of a table (`[set.fixed] weight_bits` -> `fixed.weight_bits`).
fn leaves(table: &toml::Table, prefix: &str, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in table {
        match v {
            toml::Value::Table(t) => leaves(t, &format!("{prefix}{k}."), out),
            v => out.push((format!("{prefix}{k}"), v.clone())),
        }
    }
}

/// The configuration of the base with `[set]`, `[data] epochs` and `values` written over it, for
/// images of `size`, validated (and, for fixed point, its arithmetic built, which checks the
/// widths against the sizes).
pub fn config(
    spec: &Spec,
    size: (usize, usize),
    values: &[(String, toml::Value)],
) -> Result<SnnConfig> {
    let mut table = spec.base.clone();
    let mut over = Vec::new();
    leaves(&spec.set, "", &mut over);
    if let Some(e) = spec.data.epochs {
        over.push(("epochs".into(), toml::Value::Integer(e as i64)));
    }
    over.extend(values.iter().cloned());
    for (k, v) in over {
        insert_dotted(&mut table, &k, v);
    }
    let mut cfg = SnnConfig::from_toml_table(table)?;
    (cfg.height, cfg.width) = size;
    cfg.validate()?;
    if spec.data.arith == ArithKind::Fixed {
        FixedArith::new(&cfg)?;
    }
    Ok(cfg)
}

/// A sweep ready to run: its points, their configurations and the hash that identifies it.
pub struct Plan {
    pub points: Vec<Point>,
    pub configs: Vec<SnnConfig>,
    /// Identifies the sweep's results: the data sizes, arithmetic, measures and every point's
    /// full configuration (so a retuned preset is a different sweep too).
    pub hash: String,
}

/// Expands and validates every point. Each key's values are first tried alone on the base, so
/// an unknown key or a value the configuration rejects is named as `[vary] key = value`; then
/// every combination is checked (combinations can fail where single values pass).
pub fn plan(spec: &Spec, size: (usize, usize)) -> Result<Plan> {
    for axis in spec.grids.iter().flatten() {
        let values = axis.checked_values(spec.random.is_some())?;
        for v in values {
            config(spec, size, &[(axis.key.clone(), v.clone())])
                .with_context(|| format!("[vary] {} = {v}", axis.key))?;
        }
    }
    let points = expand(spec)?;
    let configs = points
        .iter()
        .map(|p| {
            config(spec, size, &p.values)
                .with_context(|| format!("point {} ({})", p.index, p.label()))
        })
        .collect::<Result<Vec<_>>>()?;
    let identity = serde_json::json!({
        "image": [size.0, size.1],
        "data": spec.data,
        "measure": spec.measure,
        "points": points,
        "configs": configs,
    });
    let hash = Md5::digest(identity.to_string().as_bytes());
    let hash = hash.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Plan {
        points,
        configs,
        hash,
    })
}
