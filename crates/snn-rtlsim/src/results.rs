//! Readers of the two files the harnesses write (formats in `sim/README.md`).
//!
//! Both simulators write byte-identical files, so one strict reader serves both: any line it does
//! not expect is an error naming the file and line, because a silently skipped line would hide a
//! harness or core bug from the co-simulation tests.

use crate::Dims;
use anyhow::{bail, ensure, Context, Result};
use serde::Serialize;
use snn_arch::readmemh;
use snn_core::control::Presentation;
use std::collections::HashMap;
use std::str::FromStr;

/// The state and step of the core in one cycle of an image (`trace.txt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TraceCycle {
    /// FSM state code (`docs/ARCHITECTURE.md`, `state` port).
    pub state: u8,
    pub t: u16,
}

/// One image as the RTL presented it: the outcome every level reports (spikes from the spike
/// port, potentials read through `pot_sel`/`pot_out` after `done`, cycles from the `cycles`
/// port) plus what only the RTL has.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RtlImage {
    #[serde(flatten)]
    pub outcome: Presentation<i32>,
    /// With homeostasis, every neuron's `theta` read through `pot_sel`/`theta_out` after `done`
    /// (empty for a core without it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub theta: Vec<i32>,
    /// Cycles in which the harness saw `busy`; equal to `cycles` when the counter keeps its
    /// contract (every cycle outside Idle), which the co-simulation tests check.
    pub busy_cycles: u64,
    /// Every cycle of the image from the one after `start` to `done` (only with the trace knob).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceCycle>>,
}

/// Everything in a results file.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub images: Vec<RtlImage>,
    /// Weights after each image (`N x M` each), when the dump-every knob was on.
    pub weights_after: Vec<Vec<Vec<i32>>>,
    pub final_weights: Vec<Vec<i32>>,
    /// Clock cycles the harness ran, weight load and read-back included.
    pub sim_cycles: u64,
}

/// An image whose lines are still being read.
struct Open {
    spikes: Vec<Vec<u32>>,
    result: Option<RtlImage>,
    pots: Vec<i32>,
    theta: Vec<i32>,
}

/// `key=value` fields of a line, looked up by name with the line's location in errors.
struct Fields<'a> {
    map: HashMap<&'a str, &'a str>,
    at: String,
}

impl<'a> Fields<'a> {
    fn new(rest: &'a str, at: String) -> Result<Self> {
        let mut map = HashMap::new();
        for f in rest.split_whitespace() {
            let (k, v) = f
                .split_once('=')
                .with_context(|| format!("{at}: field {f:?} is not key=value"))?;
            map.insert(k, v);
        }
        Ok(Fields { map, at })
    }

    fn get<T: FromStr>(&self, key: &str) -> Result<T> {
        let v = self
            .map
            .get(key)
            .with_context(|| format!("{}: no field {key}", self.at))?;
        // An `x` here is an undriven or uninitialised output of the core.
        v.parse()
            .map_err(|_| anyhow::anyhow!("{}: {key}={v} is not a number", self.at))
    }
}

pub(crate) fn parse_results(text: &str, name: &str, d: &Dims) -> Result<Parsed> {
    let mut images = Vec::new();
    let mut weights_after = Vec::new();
    let mut final_weights = None;
    let mut sim_cycles = None;
    let mut open: Option<Open> = None;
    let all: Vec<&str> = text.lines().collect();
    let mut k = 0;
    while k < all.len() {
        let line = all[k];
        let at = format!("{name}:{}", k + 1);
        k += 1;
        ensure!(sim_cycles.is_none(), "{at}: line after the end line");
        let (kw, rest) = line.split_once(' ').unwrap_or((line, ""));
        match kw {
            "error" => bail!("{at}: the harness stopped: {rest}"),
            "image" => {
                close(&mut open, &mut images, d, &at)?;
                // `image K learn=L`: the learn field is for human readers of the file.
                let index = rest.split(' ').next().unwrap_or("");
                ensure!(
                    index.parse::<usize>().ok() == Some(images.len()),
                    "{at}: image {index:?} but {} images were read",
                    images.len()
                );
                open = Some(Open {
                    spikes: vec![Vec::new(); d.n],
                    result: None,
                    pots: Vec::new(),
                    theta: Vec::new(),
                });
            }
            "spike" => {
                let o = open
                    .as_mut()
                    .filter(|o| o.result.is_none())
                    .with_context(|| format!("{at}: spike outside an image"))?;
                let f = Fields::new(rest, at.clone())?;
                let t: u32 = f.get("t")?;
                let mask: &str = f
                    .map
                    .get("mask")
                    .with_context(|| format!("{at}: no field mask"))?;
                for (pos, c) in mask.chars().rev().enumerate() {
                    let digit = c
                        .to_digit(16)
                        .with_context(|| format!("{at}: mask={mask} is not hex"))?;
                    for b in 0..4 {
                        if (digit >> b) & 1 == 1 {
                            let j = 4 * pos + b;
                            ensure!(j < d.n, "{at}: mask={mask} names neuron {j} of {}", d.n);
                            o.spikes[j].push(t);
                        }
                    }
                }
            }
            "result" => {
                let o = open
                    .as_mut()
                    .filter(|o| o.result.is_none())
                    .with_context(|| format!("{at}: result outside an image"))?;
                let f = Fields::new(rest, at.clone())?;
                let valid = f.get::<u8>("winner_valid")? == 1;
                let winner: usize = f.get("winner")?;
                ensure!(
                    !valid || winner < d.n,
                    "{at}: winner {winner} of {} neurons",
                    d.n
                );
                o.result = Some(RtlImage {
                    outcome: Presentation {
                        winner: valid.then_some(winner),
                        inhibit_step: if valid {
                            Some(f.get("inhibit_step")?)
                        } else {
                            None
                        },
                        spike_times: Vec::new(),
                        final_potentials: Vec::new(),
                        threshold: f.get("threshold")?,
                        peak_count: f.get("peak")?,
                        cycles: Some(f.get("cycles")?),
                        trace: None,
                    },
                    busy_cycles: f.get("busy")?,
                    theta: Vec::new(),
                    trace: None,
                });
            }
            "pot" => {
                let o = open
                    .as_mut()
                    .filter(|o| o.result.is_some())
                    .with_context(|| format!("{at}: pot before the result line"))?;
                let (j, v) = rest
                    .split_once(' ')
                    .with_context(|| format!("{at}: expected `pot J VALUE`"))?;
                ensure!(
                    j.parse::<usize>().ok() == Some(o.pots.len()),
                    "{at}: pot {j} out of order"
                );
                o.pots.push(
                    v.parse()
                        .map_err(|_| anyhow::anyhow!("{at}: potential {v} is not a number"))?,
                );
            }
            "theta" => {
                let o = open
                    .as_mut()
                    .filter(|o| o.result.is_some() && d.tb.is_some())
                    .with_context(|| {
                        format!("{at}: theta before the result line or from a core without it")
                    })?;
                let (j, v) = rest
                    .split_once(' ')
                    .with_context(|| format!("{at}: expected `theta J VALUE`"))?;
                ensure!(
                    j.parse::<usize>().ok() == Some(o.theta.len()),
                    "{at}: theta {j} out of order"
                );
                o.theta.push(
                    v.parse()
                        .map_err(|_| anyhow::anyhow!("{at}: theta {v} is not a number"))?,
                );
            }
            "weights" => {
                close(&mut open, &mut images, d, &at)?;
                let words = d.words();
                ensure!(
                    k + words <= all.len(),
                    "{at}: fewer than {words} weight words follow",
                );
                let w = readmemh::parse_weights(
                    &all[k..k + words].join("\n"),
                    &d.layout(),
                    name,
                    k + 1,
                )?;
                k += words;
                if rest == "final" {
                    final_weights = Some(w);
                } else {
                    let f = Fields::new(rest, at.clone())?;
                    let after: usize = f.get("after")?;
                    ensure!(
                        after + 1 == images.len() && weights_after.len() == after,
                        "{at}: weights after image {after} out of order"
                    );
                    weights_after.push(w);
                }
            }
            "end" => {
                close(&mut open, &mut images, d, &at)?;
                let f = Fields::new(rest, at.clone())?;
                ensure!(
                    f.get::<usize>("images")? == images.len(),
                    "{at}: end says {} images, {} were read",
                    f.get::<usize>("images")?,
                    images.len()
                );
                sim_cycles = Some(f.get("sim_cycles")?);
            }
            _ => bail!("{at}: unexpected line {line:?}"),
        }
    }
    let sim_cycles = sim_cycles.with_context(|| {
        format!("{name}: no end line: the simulation stopped early (see the simulator's output)")
    })?;
    let final_weights = final_weights.with_context(|| format!("{name}: no final weights"))?;
    Ok(Parsed {
        images,
        weights_after,
        final_weights,
        sim_cycles,
    })
}

/// Moves a complete image from `open` to `images`.
fn close(open: &mut Option<Open>, images: &mut Vec<RtlImage>, d: &Dims, at: &str) -> Result<()> {
    if let Some(o) = open.take() {
        let mut r = o
            .result
            .with_context(|| format!("{at}: image {} has no result line", images.len()))?;
        ensure!(
            o.pots.len() == d.n,
            "{at}: image {} has {} potentials, expected {}",
            images.len(),
            o.pots.len(),
            d.n
        );
        let thetas = if d.tb.is_some() { d.n } else { 0 };
        ensure!(
            o.theta.len() == thetas,
            "{at}: image {} has {} theta values, expected {thetas}",
            images.len(),
            o.theta.len()
        );
        r.outcome.spike_times = o.spikes;
        r.outcome.final_potentials = o.pots;
        r.theta = o.theta;
        images.push(r);
    }
    Ok(())
}

/// Splits `trace.txt` (`IMAGE CYCLE STATE T` per line) into one trace per image.
pub(crate) fn parse_trace(text: &str, name: &str, images: usize) -> Result<Vec<Vec<TraceCycle>>> {
    let mut traces: Vec<Vec<TraceCycle>> = vec![Vec::new(); images];
    for (k, line) in text.lines().enumerate() {
        let at = || format!("{name}:{}", k + 1);
        let v: Vec<u64> = line
            .split(' ')
            .map(|x| x.parse())
            .collect::<std::result::Result<_, _>>()
            .with_context(|| format!("{}: expected four numbers, got {line:?}", at()))?;
        ensure!(
            v.len() == 4,
            "{}: expected IMAGE CYCLE STATE T, got {line:?}",
            at()
        );
        let img = v[0] as usize;
        ensure!(
            img < images && v[1] as usize == traces[img].len(),
            "{}: cycle {} of image {} out of order",
            at(),
            v[1],
            v[0]
        );
        traces[img].push(TraceCycle {
            state: v[2] as u8,
            t: v[3] as u16,
        });
    }
    Ok(traces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> Dims {
        Dims {
            n: 3,
            wb: 5,
            pb: 12,
            aw: 2,
            m: 2,
            pixels: 2,
            tb: None,
            lanes: 3,
            groups: 1,
        }
    }

    const GOOD: &str = "image 0 learn=1
spike t=3 mask=5
spike t=9 mask=4
result winner_valid=1 winner=2 inhibit_step=3 cycles=10 threshold=-4 peak=255 busy=10
pot 0 -3
pot 1 0
pot 2 7
weights after=0
7fe0
0001
weights final
7fe0
0001
end images=1 sim_cycles=61
";

    #[test]
    fn reads_a_complete_file() {
        let p = parse_results(GOOD, "r", &dims()).unwrap();
        assert_eq!(p.sim_cycles, 61);
        let im = &p.images[0].outcome;
        assert_eq!(im.spike_times, vec![vec![3], vec![], vec![3, 9]]);
        assert_eq!(
            (im.winner, im.inhibit_step, im.threshold, im.peak_count),
            (Some(2), Some(3), -4, 255)
        );
        assert_eq!(im.final_potentials, vec![-3, 0, 7]);
        assert_eq!(p.final_weights, vec![vec![0, 1], vec![-1, 0], vec![-1, 0]]);
        assert_eq!(p.weights_after, vec![p.final_weights.clone()]);
    }

    #[test]
    fn reports_harness_errors_truncation_and_unknown_values() {
        let e = format!(
            "{:#}",
            parse_results(
                "image 0 learn=0\nerror image=0 cycle_total=5 state=1 t=0: no done\n",
                "r",
                &dims()
            )
            .unwrap_err()
        );
        assert!(e.contains("r:2") && e.contains("no done"), "{e}");
        let e = format!(
            "{:#}",
            parse_results(&GOOD[..GOOD.find("weights final").unwrap()], "r", &dims()).unwrap_err()
        );
        assert!(e.contains("no end line"), "{e}");
        let e = format!(
            "{:#}",
            parse_results(&GOOD.replace("pot 1 0", "pot 1 x"), "r", &dims()).unwrap_err()
        );
        assert!(e.contains("r:6") && e.contains("x is not a number"), "{e}");
        let e = format!(
            "{:#}",
            parse_results(&GOOD.replace("mask=4", "mask=8"), "r", &dims()).unwrap_err()
        );
        assert!(e.contains("neuron 3"), "{e}");
    }

    #[test]
    fn splits_the_trace_by_image() {
        let t = parse_trace("0 0 1 0\n0 1 6 3\n1 0 1 0\n", "trace", 2).unwrap();
        assert_eq!(
            t[0],
            vec![TraceCycle { state: 1, t: 0 }, TraceCycle { state: 6, t: 3 }]
        );
        assert_eq!(t[1].len(), 1);
        assert!(parse_trace("0 1 1 0\n", "trace", 1).is_err());
    }
}
