//! What the numbers say: per key, how accuracy moves with its value; which points are best; the
//! Pareto fronts of accuracy against cost.

use super::{show, Sweep};
use crate::record::Record;
use serde_json::Value;

/// Points sharing every varied key but one: a line in "accuracy against KEY".
pub struct Series {
    /// `preset = seed, neurons = 10` (the other keys), empty when there are none.
    pub name: String,
    /// `(value of the key, accuracy)` in the order of the key's values.
    pub points: Vec<(Value, f64)>,
}

/// The effect of one key on accuracy.
pub struct Effect {
    pub key: String,
    /// Each value of the key with the mean and best accuracy of the points that have it, and
    /// their count.
    pub values: Vec<(Value, f64, f64, usize)>,
    /// Largest minus smallest of the per-value means (points).
    pub spread_of_means: f64,
    /// Largest change of accuracy within one series (the other keys fixed).
    pub max_within_series: f64,
    pub series: Vec<Series>,
}

/// The distinct values of `key` in first-seen order, numbers sorted ascending.
pub fn values_of(sweep: &Sweep, key: &str) -> Vec<Value> {
    let mut vals: Vec<Value> = Vec::new();
    for r in &sweep.records {
        if let Some(v) = Sweep::value(r, key) {
            if !vals.contains(v) {
                vals.push(v.clone());
            }
        }
    }
    if vals.iter().all(Value::is_number) {
        vals.sort_by(|a, b| {
            a.as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b.as_f64().unwrap_or(0.0))
        });
    }
    vals
}

/// The other keys of a record's point, as a series name.
fn others(r: &Record, key: &str) -> String {
    r.point
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| format!("{k} = {}", show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// The effect of every varied key that takes at least two values, largest first.
pub fn effects(sweep: &Sweep) -> Vec<Effect> {
    let mut out: Vec<Effect> = sweep
        .meta
        .keys
        .iter()
        .filter_map(|key| effect(sweep, key))
        .collect();
    out.sort_by(|a, b| b.spread_of_means.total_cmp(&a.spread_of_means));
    out
}

fn effect(sweep: &Sweep, key: &str) -> Option<Effect> {
    let vals = values_of(sweep, key);
    if vals.len() < 2 {
        return None;
    }
    let scored: Vec<(&Record, f64)> = sweep
        .records
        .iter()
        .filter(|r| Sweep::value(r, key).is_some())
        .filter_map(|r| r.accuracy.map(|a| (r, a)))
        .collect();
    if scored.is_empty() {
        return None;
    }
    let values: Vec<(Value, f64, f64, usize)> = vals
        .iter()
        .map(|v| {
            let accs: Vec<f64> = scored
                .iter()
                .filter(|(r, _)| Sweep::value(r, key) == Some(v))
                .map(|&(_, a)| a)
                .collect();
            let n = accs.len();
            let mean = accs.iter().sum::<f64>() / n.max(1) as f64;
            (v.clone(), mean, accs.iter().copied().fold(0.0, f64::max), n)
        })
        .filter(|&(_, _, _, n)| n > 0)
        .collect();
    let means = values.iter().map(|v| v.1);
    let spread_of_means = means.clone().fold(f64::MIN, f64::max) - means.fold(f64::MAX, f64::min);
    let mut series: Vec<Series> = Vec::new();
    for (r, a) in &scored {
        let name = others(r, key);
        let v = Sweep::value(r, key).expect("filtered").clone();
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) => s.points.push((v, *a)),
            None => series.push(Series {
                name,
                points: vec![(v, *a)],
            }),
        }
    }
    for s in &mut series {
        s.points
            .sort_by_key(|(v, _)| vals.iter().position(|x| x == v));
    }
    let max_within_series = series
        .iter()
        .map(|s| {
            let a = s.points.iter().map(|p| p.1);
            a.clone().fold(f64::MIN, f64::max) - a.fold(f64::MAX, f64::min)
        })
        .fold(0.0, f64::max);
    Some(Effect {
        key: key.to_string(),
        values,
        spread_of_means,
        max_within_series,
        series,
    })
}

/// Points of a Pareto front: the record, its cost and its accuracy.
pub type Front<'a> = Vec<(&'a Record, f64, f64)>;

/// The points on the Pareto front of (cost, accuracy): no other point is at least as cheap and
/// at least as accurate with one of them strictly better. `cost` returns `None` for points
/// without the measure. Sorted by cost.
pub fn pareto(records: &[Record], cost: impl Fn(&Record) -> Option<f64>) -> Front<'_> {
    let mut pts: Front = records
        .iter()
        .filter_map(|r| Some((r, cost(r)?, r.accuracy?)))
        .collect();
    pts.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.2.total_cmp(&a.2)));
    let mut front: Front = Vec::new();
    for p in pts {
        if front.last().is_none_or(|l| p.2 > l.2) {
            front.push(p);
        }
    }
    front
}
