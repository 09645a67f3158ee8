//! One varied key and the values it takes: a list, a linear or logarithmic range, and (for
//! `random = K` sweeps) how to draw a value at random.
//!
//! A `[vary]` table is read in the order the file writes it (TOML tables are unordered maps
//! once parsed, but the grid's order decides point numbers, shards and the report's columns), so
//! it is deserialized through [`OrderedTable`] rather than `toml::Table`.

use anyhow::{bail, Result};
use rand::Rng;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;

/// A TOML table with its keys in file order; nested tables keep their order too.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderedTable(pub Vec<(String, Node)>);

/// A value of an [`OrderedTable`]: a plain TOML value or a nested table.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Value(toml::Value),
    Table(OrderedTable),
}

impl<'de> Deserialize<'de> for OrderedTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedTable;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<M: MapAccess<'de>>(
                self,
                mut m: M,
            ) -> std::result::Result<Self::Value, M::Error> {
                let mut out = Vec::new();
                while let Some(key) = m.next_key::<String>()? {
                    out.push((key, m.next_value::<Node>()?));
                }
                Ok(OrderedTable(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // A table value becomes a nested OrderedTable; anything else stays a plain value.
        let v = toml::Value::deserialize(d)?;
        Ok(match v {
            toml::Value::Table(_) => Node::Table(reorder(v)),
            other => Node::Value(other),
        })
    }
}

/// Nested tables (ranges `{ from, to, .. }`, `[vary.fixed]` groups) arrive as `toml::Value`,
/// whose keys are sorted: only the top level of `[vary]` keeps the file's order.
fn reorder(v: toml::Value) -> OrderedTable {
    match v {
        toml::Value::Table(t) => OrderedTable(
            t.into_iter()
                .map(|(k, v)| match v {
                    toml::Value::Table(_) => (k, Node::Table(reorder(v))),
                    other => (k, Node::Value(other)),
                })
                .collect(),
        ),
        _ => unreachable!("called on tables only"),
    }
}

/// Keys of a range table. A table holding any of them is a range; any other table groups
/// nested keys (`[vary.fixed]` or `fixed.weight_bits = [...]`).
const RANGE_KEYS: [&str; 5] = ["from", "to", "steps", "step", "log"];

/// What one key takes.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Exactly these values, in this order.
    List(Vec<toml::Value>),
    /// `{ from, to, steps | step, log }`: evenly spaced (linearly or logarithmically), integers
    /// when both ends are integers.
    Range(Range),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub from: f64,
    pub to: f64,
    /// Number of values, ends included.
    pub steps: Option<usize>,
    /// Linear increment (instead of `steps`).
    pub step: Option<f64>,
    pub log: bool,
    pub integer: bool,
}

/// One varied key: a dotted path into the configuration (`fixed.weight_bits`) and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Values,
}

/// Flattens a `[vary]` table into axes, turning nested tables into dotted keys.
pub fn axes(table: &OrderedTable) -> Result<Vec<Axis>> {
    let mut out = Vec::new();
    flatten(table, "", &mut out)?;
    Ok(out)
}

fn flatten(table: &OrderedTable, prefix: &str, out: &mut Vec<Axis>) -> Result<()> {
    for (k, node) in &table.0 {
        let key = format!("{prefix}{k}");
        match node {
            Node::Table(t) if t.0.iter().any(|(k, _)| RANGE_KEYS.contains(&k.as_str())) => {
                out.push(Axis {
                    values: Values::Range(range(&key, t)?),
                    key,
                });
            }
            Node::Table(t) => flatten(t, &format!("{key}."), out)?,
            Node::Value(toml::Value::Array(a)) => {
                if a.is_empty() {
                    bail!("[vary] {key}: empty list (give at least one value)");
                }
                out.push(Axis {
                    key,
                    values: Values::List(a.clone()),
                });
            }
            Node::Value(v) => bail!(
                "[vary] {key} = {v}: give a list of values (`{key} = [{v}]`) or a range (`{key} = {{ from = .., to = .., steps = .. }}`)"
            ),
        }
    }
    Ok(())
}

fn range(key: &str, t: &OrderedTable) -> Result<Range> {
    let mut r = Range {
        from: f64::NAN,
        to: f64::NAN,
        steps: None,
        step: None,
        log: false,
        integer: true,
    };
    let (mut has_from, mut has_to) = (false, false);
    for (k, node) in &t.0 {
        let Node::Value(v) = node else {
            bail!("[vary] {key}.{k}: expected a number, got a table");
        };
        let num = || -> Result<f64> {
            match v {
                toml::Value::Integer(i) => Ok(*i as f64),
                toml::Value::Float(f) => Ok(*f),
                _ => bail!("[vary] {key}.{k}: expected a number, got {v}"),
            }
        };
        match k.as_str() {
            "from" | "to" => {
                r.integer &= v.is_integer();
                if k == "from" {
                    (r.from, has_from) = (num()?, true);
                } else {
                    (r.to, has_to) = (num()?, true);
                }
            }
            "steps" => match v.as_integer() {
                Some(n) if n >= 0 => r.steps = Some(n as usize),
                _ => bail!("[vary] {key}.steps: expected a count >= 1, got {v}"),
            },
            "step" => r.step = Some(num()?),
            "log" => match v.as_bool() {
                Some(b) => r.log = b,
                None => bail!("[vary] {key}.log: expected true or false, got {v}"),
            },
            other => bail!(
                "[vary] {key}: unknown range key {other:?} (a range has from, to, steps or step, log)"
            ),
        }
    }
    if !(has_from && has_to) {
        bail!("[vary] {key}: a range needs both `from` and `to`");
    }
    if !(r.from.is_finite() && r.to.is_finite()) {
        bail!("[vary] {key}: range ends must be finite");
    }
    if r.from > r.to {
        bail!(
            "[vary] {key}: empty range (from = {} > to = {})",
            r.from,
            r.to
        );
    }
    if r.steps.is_some() && r.step.is_some() {
        bail!("[vary] {key}: give either `steps` (a count) or `step` (an increment), not both");
    }
    if r.steps == Some(0) {
        bail!("[vary] {key}: empty range (steps = 0)");
    }
    if let Some(s) = r.step {
        if !(s.is_finite() && s > 0.0) {
            bail!("[vary] {key}: step must be a positive number, got {s}");
        }
        if r.log {
            bail!("[vary] {key}: a logarithmic range takes `steps`, not `step`");
        }
        r.integer &= s.fract() == 0.0;
    }
    if r.log && r.from <= 0.0 {
        bail!(
            "[vary] {key}: a logarithmic range needs from > 0, got {}",
            r.from
        );
    }
    Ok(r)
}

/// `x` rounded to 12 significant digits, so that `0.1 + 2 * 0.1` reads `0.3` in results.
fn tidy(x: f64) -> f64 {
    format!("{x:.11e}")
        .parse()
        .expect("a formatted float parses")
}

impl Range {
    fn value(&self, x: f64) -> toml::Value {
        if self.integer {
            toml::Value::Integer(x.round() as i64)
        } else {
            toml::Value::Float(tidy(x))
        }
    }

    /// The grid values; integer ranges drop the repeats that rounding makes.
    pub fn grid(&self, key: &str) -> Result<Vec<toml::Value>> {
        let xs: Vec<f64> = match (self.steps, self.step) {
            (Some(n), _) => (0..n)
                .map(|i| {
                    let f = if n == 1 {
                        0.0
                    } else {
                        i as f64 / (n - 1) as f64
                    };
                    if self.log {
                        (self.from.ln() + f * (self.to.ln() - self.from.ln())).exp()
                    } else {
                        self.from + f * (self.to - self.from)
                    }
                })
                .collect(),
            (None, Some(s)) => {
                let n = ((self.to - self.from) / s + 1e-9).floor() as usize + 1;
                (0..n).map(|i| self.from + i as f64 * s).collect()
            }
            (None, None) => {
                bail!("[vary] {key}: a grid range needs `steps` (a count) or `step` (an increment)")
            }
        };
        let mut out: Vec<toml::Value> = Vec::with_capacity(xs.len());
        for x in xs {
            let v = self.value(x);
            if out.last() != Some(&v) {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// A value drawn uniformly from `[from, to]` (log-uniformly with `log`).
    fn sample(&self, rng: &mut impl Rng) -> toml::Value {
        let u: f64 = rng.gen();
        let x = if self.log {
            (self.from.ln() + u * (self.to.ln() - self.from.ln())).exp()
        } else {
            self.from + u * (self.to - self.from)
        };
        // Random floats keep 4 significant digits: readable in reports, finer than any effect.
        if self.integer {
            self.value(x)
        } else {
            toml::Value::Float(
                format!("{x:.3e}")
                    .parse()
                    .expect("a formatted float parses"),
            )
        }
    }
}

impl Axis {
    /// The values of this key in a grid.
    pub fn grid(&self) -> Result<Vec<toml::Value>> {
        match &self.values {
            Values::List(v) => Ok(v.clone()),
            Values::Range(r) => r.grid(&self.key),
        }
    }

    /// One random value (a list: one of its entries, uniformly).
    pub fn sample(&self, rng: &mut impl Rng) -> toml::Value {
        match &self.values {
            Values::List(v) => v[rng.gen_range(0..v.len())].clone(),
            Values::Range(r) => r.sample(rng),
        }
    }

    /// The values to check before any point runs: the grid, or for random draws every list
    /// entry and a range's two ends.
    pub fn checked_values(&self, random: bool) -> Result<Vec<toml::Value>> {
        match (&self.values, random) {
            (Values::Range(r), true) => Ok(vec![r.value(r.from), r.value(r.to)]),
            _ => self.grid(),
        }
    }

    /// Whether the key's values are spread logarithmically (the report then uses a log axis).
    pub fn is_log(&self) -> bool {
        matches!(&self.values, Values::Range(r) if r.log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Axis>> {
        #[derive(serde::Deserialize)]
        struct S {
            vary: OrderedTable,
        }
        axes(&toml::from_str::<S>(text)?.vary)
    }

    fn grid(text: &str) -> Vec<toml::Value> {
        parse(text).unwrap()[0].grid().unwrap()
    }

    #[test]
    fn keys_keep_file_order_and_nest_with_dots() {
        let a =
            parse("[vary]\nz = [1]\nfixed.weight_bits = [8, 10]\na = [2]\n[vary.fixed2]\nx = [1]")
                .unwrap();
        let keys: Vec<&str> = a.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, ["z", "fixed.weight_bits", "a", "fixed2.x"]);
    }

    #[test]
    fn ranges_linear_log_integer() {
        assert_eq!(
            grid("[vary]\ns = { from = 0.1, to = 0.3, steps = 3 }"),
            vec![
                toml::Value::Float(0.1),
                toml::Value::Float(0.2),
                toml::Value::Float(0.3)
            ]
        );
        assert_eq!(
            grid("[vary]\nn = { from = 10, to = 1000, steps = 3, log = true }"),
            vec![
                toml::Value::Integer(10),
                toml::Value::Integer(100),
                toml::Value::Integer(1000)
            ]
        );
        assert_eq!(
            grid("[vary]\nn = { from = 1, to = 3, steps = 5 }"),
            [1, 2, 3].map(toml::Value::Integer).to_vec()
        );
        assert_eq!(
            grid("[vary]\nn = { from = 10, to = 35, step = 10 }"),
            [10, 20, 30].map(toml::Value::Integer).to_vec()
        );
    }

    #[test]
    fn bad_ranges_name_the_key() {
        for (text, want) in [
            ("[vary]\nsigma = []", "sigma: empty list"),
            (
                "[vary]\nsigma = { from = 1.0, to = 0.5, steps = 3 }",
                "sigma: empty range",
            ),
            (
                "[vary]\nsigma = { from = 0.1, to = 0.5, steps = 0 }",
                "sigma: empty range",
            ),
            (
                "[vary]\nsigma = { from = 0.0, to = 0.5, steps = 3, log = true }",
                "sigma: a logarithmic",
            ),
            (
                "[vary]\nsigma = { from = 0.1, to = 0.5, stepz = 3 }",
                "unknown range key",
            ),
            ("[vary]\nsigma = 0.1", "sigma = 0.1: give a list"),
        ] {
            let err = match parse(text) {
                Ok(a) => a[0].grid().unwrap_err(),
                Err(e) => e,
            };
            assert!(format!("{err:#}").contains(want), "{text}: {err:#}");
        }
        let err = parse("[vary]\nsigma = { from = 0.1, to = 0.5 }").unwrap()[0]
            .grid()
            .unwrap_err();
        assert!(
            err.to_string().contains("sigma: a grid range needs"),
            "{err}"
        );
    }
}
