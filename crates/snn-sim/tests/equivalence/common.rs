//! Test support shared by the equivalence tests: the golden (`gold`) and cycle (`dut`) models side
//! by side with a comparison that names the first differing register, the cycle count the doc
//! predicts for an image, image generators and a reader of the first MNIST images.

use rand::Rng;
use snn_core::prelude::*;
use snn_sim::prelude::*;
use std::fmt;

/// The first difference between the two models.
#[derive(Debug)]
pub struct Mismatch {
    pub image: usize,
    /// Cycle since the start pulse (the Idle cycle of the pulse is cycle 0).
    pub cycle: u64,
    pub block: &'static str,
    pub register: String,
    pub golden: String,
    pub cycle_model: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "image {}, cycle {}: {}.{} is {} in the cycle model, {} in the golden fixed model",
            self.image, self.cycle, self.block, self.register, self.cycle_model, self.golden
        )
    }
}

/// Golden fixed model and cycle model with the same weights.
pub struct Pair {
    pub cfg: SnnConfig,
    pub gold: Network<FixedArith>,
    pub dut: Machine,
    /// Images presented so far.
    pub images: usize,
}

/// What one image cost.
#[derive(Clone, Copy, Debug)]
pub struct Cost {
    pub cycles: u64,
    pub spikes: u32,
}

impl Pair {
    /// Initial weights drawn by the golden model from `cfg.seed`, loaded into the core.
    pub fn new(cfg: &SnnConfig) -> Self {
        Pair::with_network(Network::with_random_weights(
            FixedArith::new(cfg).unwrap(),
            cfg,
        ))
    }

    /// Both models with the golden network's weights.
    pub fn with_network(gold: Network<FixedArith>) -> Self {
        let cfg = &gold.cfg;
        let mut dut = Machine::new(cfg).unwrap();
        dut.load_weights(gold.weights.as_slice().unwrap()).unwrap();
        dut.load_theta(&gold.theta).unwrap();
        Pair {
            cfg: cfg.clone(),
            gold,
            dut,
            images: 0,
        }
    }

    /// Both models' adaptive thresholds set to `theta` (raw).
    /// Both levels get the raw weights `w` (`[j * M + i]`) through their host ports.
    pub fn set_weights(&mut self, w: &[i32]) {
        self.gold.weights.as_slice_mut().unwrap().copy_from_slice(w);
        self.dut.load_weights(w).unwrap();
    }

    pub fn set_theta(&mut self, theta: &[i32]) {
        self.gold.theta = theta.to_vec();
        self.dut.load_theta(theta).unwrap();
    }

    /// Presents one image to both models, comparing the potentials and spikes after every step,
    /// the winner when chosen, and at the end every result, the weights and the cycle count.
    pub fn present(&mut self, pixels: &[u8], learn: bool) -> Result<Cost, Mismatch> {
        let image = self.images;
        self.images += 1;
        let enc = self.gold.encode(pixels);
        let gold = self.gold.present(
            pixels,
            PresentOptions {
                learn,
                record: true,
            },
        );
        let trace = gold.trace.as_ref().unwrap();
        let dut = &mut self.dut;
        dut.load_image(pixels).unwrap();
        dut.start(learn).unwrap();
        let t0 = dut.now().0;
        let n = self.cfg.neurons;
        let miss = |cycle: u64,
                    block: &'static str,
                    register: String,
                    golden: String,
                    cycle_model: String| Mismatch {
            image,
            cycle,
            block,
            register,
            golden,
            cycle_model,
        };
        let mut spike_times = vec![Vec::new(); n];
        let done = loop {
            let (before, t) = (dut.state(), dut.t());
            let ev = dut.step();
            let cycle = dut.now().0 - 1 - t0;
            if let Some(s) = ev.spike {
                for (j, times) in spike_times.iter_mut().enumerate() {
                    if s.mask.get(j) {
                        times.push(s.t);
                    }
                }
            }
            if before == FsmState::Fire && !matches!(dut.state(), FsmState::Wta | FsmState::Fire) {
                // The step is complete (with lane groups, its Fire pass too): potentials and
                // spikes of step t.
                for (j, (&g, nr)) in trace[t as usize - 1]
                    .iter()
                    .zip(dut.neurons().iter())
                    .enumerate()
                {
                    let d = nr.pot;
                    if g != d {
                        return Err(miss(
                            cycle,
                            "neuron",
                            format!("pot[{j}] after step {t}"),
                            g.to_string(),
                            d.to_string(),
                        ));
                    }
                    let g = gold.spike_times[j].binary_search(&t).is_ok();
                    let d = ev.spike.is_some_and(|s| s.mask.get(j));
                    if g != d {
                        return Err(miss(
                            cycle,
                            "neuron",
                            format!("spike[{j}] at step {t}"),
                            g.to_string(),
                            d.to_string(),
                        ));
                    }
                }
            }
            if let Some(w) = ev.winner {
                let (g, d) = (
                    (gold.winner, gold.inhibit_step),
                    (Some(w.neuron as usize), Some(w.t)),
                );
                if g != d {
                    return Err(miss(
                        cycle,
                        "wta",
                        "(winner, inhibit_step)".into(),
                        format!("{g:?}"),
                        format!("{d:?}"),
                    ));
                }
            }
            if let Some(d) = ev.done {
                break (cycle, d);
            }
            if cycle > dut.cycle_bound() {
                return Err(miss(
                    cycle,
                    "control",
                    "state".into(),
                    "Done".into(),
                    format!("{:?} (never done)", dut.state()),
                ));
            }
        };
        let (cycle, d) = done;
        let c = dut.control();
        let fields: [(&'static str, &str, String, String); 7] = [
            (
                "control",
                "thr",
                gold.threshold.to_string(),
                c.thr.to_string(),
            ),
            (
                "control",
                "peak",
                gold.peak_count.to_string(),
                c.peak.to_string(),
            ),
            (
                "wta",
                "winner",
                format!("{:?}", gold.winner),
                format!("{:?}", d.winner.map(|w| w as usize)),
            ),
            (
                "wta",
                "inhibit_step",
                format!("{:?}", gold.inhibit_step),
                format!("{:?}", dut.inhibit_step()),
            ),
            (
                "neuron",
                "spike_times",
                format!("{:?}", gold.spike_times),
                format!("{spike_times:?}"),
            ),
            (
                "neuron",
                "pot (final)",
                format!("{:?}", gold.final_potentials),
                format!("{:?}", dut.potentials()),
            ),
            (
                "control",
                "cycles",
                expected_cycles(dut.params(), &enc, &gold, learn).to_string(),
                d.cycles.to_string(),
            ),
        ];
        for (block, reg, g, dv) in fields {
            if g != dv {
                return Err(miss(cycle, block, reg.into(), g, dv));
            }
        }
        let gw = self.gold.weights.as_slice().unwrap();
        let dw = dut.weights();
        let m = self.cfg.inputs();
        if let Some(k) = (0..gw.len()).find(|&k| gw[k] != dw[k]) {
            return Err(miss(
                cycle,
                "weight_mem",
                format!(
                    "word {} lane {} (input {}, neuron {})",
                    k % m,
                    k / m,
                    k % m,
                    k / m
                ),
                gw[k].to_string(),
                dw[k].to_string(),
            ));
        }
        let (gt, dt) = (&self.gold.theta, dut.theta());
        if let Some(j) = (0..n).find(|&j| gt[j] != dt[j]) {
            return Err(miss(
                cycle,
                "neuron",
                format!("theta[{j}] after the image"),
                gt[j].to_string(),
                dt[j].to_string(),
            ));
        }
        Ok(Cost {
            cycles: d.cycles as u64,
            spikes: gold.spike_times.iter().map(|s| s.len() as u32).sum(),
        })
    }

    /// Presents every image, panicking with the first mismatch.
    pub fn run_all(&mut self, images: &[Vec<u8>], learn: bool) -> Vec<Cost> {
        images
            .iter()
            .map(|px| self.present(px, learn).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }
}

/// The cycles the doc predicts for one image, from the image's spike trains and the golden
/// presentation's spikes and winner (ARCHITECTURE "Control FSM, cycle by cycle").
pub fn expected_cycles(p: &HwParams, enc: &Encoded, gold: &Presentation<i32>, learn: bool) -> u64 {
    let t_steps = p.t_steps;
    let mut count = vec![0u64; p.nc];
    let mut silent = 0u64;
    for per in &enc.periods {
        match per {
            Some(per) if *per <= t_steps => count[(per - p.lo) as usize] += 1,
            _ => silent += 1,
        }
    }
    let classes = |x: u32| -> Vec<usize> {
        (1..=p.k as u32)
            .filter(|&k| x.is_multiple_of(k) && (p.lo..=p.hi_t).contains(&(x / k)))
            .map(|k| (x / k - p.lo) as usize)
            .collect()
    };
    // Nodes plus empty classes of a step: each costs one cycle.
    let items = |x: u32| -> u64 { classes(x).iter().map(|&c| count[c].max(1)).sum() };
    // Ingest, Drain, Thresh, then as any layer from Divide on.
    let thresh: u64 = (1..=t_steps)
        .map(|t| (classes(t).len() as u64).max(1))
        .sum();
    // An STDP walk: every step of the window from `max(1, t - whi)` to `min(T, t + whi)`,
    // each costing a cycle plus its items when `|m - t| >= wlo`.
    let walk = |t: u32| -> u64 {
        (t.saturating_sub(p.whi).max(1)..=t_steps.min(t + p.whi))
            .map(|m| 1 + if m.abs_diff(t) >= p.wlo { items(m) } else { 0 })
            .sum()
    };
    p.scan_cycles + 3 + thresh + from_divide(p, items, walk, silent, false, gold, learn)
}

/// The cycles the doc predicts for one image of a layer fed by the spikes of the layer below
/// (`below[i]`: the spike times of its input `i`): no Ingest, Drain or Thresh; each input is a
/// one-node list, so a step costs one cycle per input spike.
pub fn expected_replay_cycles(
    p: &HwParams,
    below: &[Vec<u32>],
    gold: &Presentation<i32>,
    learn: bool,
) -> u64 {
    let items = |t: u32| below.iter().filter(|s| s.contains(&t)).count() as u64;
    let silent = below.iter().filter(|s| s.is_empty()).count() as u64;
    // An STDP walk visits only the window's steps (nearest first before `t`, then after), each
    // costing a cycle plus its input spikes; with none, one cycle finds the walk done.
    let walk = |t: u32| -> u64 {
        let before = (p.wlo..=p.whi).filter(|&d| d < t).map(|d| t - d);
        let after = (p.wlo..=p.whi).map(|d| t + d).filter(|&m| m <= p.t_steps);
        let visits: Vec<u32> = before.chain(after).collect();
        visits.iter().map(|&m| 1 + items(m)).sum::<u64>().max(1)
    };
    from_divide(p, items, walk, silent, true, gold, learn)
}

/// An image's cycles from Divide to Done, `items(t)` being the cycles stage A spends on step
/// `t`'s inputs (one per list node and per empty class), `walk(t)` those of an STDP walk for a
/// spike at `t`, `silent` the inputs that never spike, `replay` for a layer fed by spikes.
fn from_divide(
    p: &HwParams,
    items: impl Fn(u32) -> u64,
    walk: impl Fn(u32) -> u64,
    silent: u64,
    replay: bool,
    gold: &Presentation<i32>,
    learn: bool,
) -> u64 {
    let t_steps = p.t_steps;
    // Divide, and Bias (a cycle per lane group) when homeostasis is built.
    let g = p.groups as u64;
    let mut cycles = p.qb as u64 + p.homeostasis as u64 * g;
    let mut select_in_int = true;
    for t in 1..=t_steps {
        cycles += if select_in_int {
            items(t) + 1
        } else {
            items(t).max(1)
        };
        // Every further lane group walks the step again, its first class selected by the
        // completing cycle of the group before.
        cycles += (g - 1) * items(t).max(1);
        let fired = gold.spike_times.iter().filter(|s| s.contains(&t)).count() as u64;
        // Fire: one cycle, or a pass over the groups when it changes neurons; the WTA scan and
        // the Fire (pass) after it.
        cycles += if gold.inhibit_step == Some(t) {
            1 + p.n as u64 + g
        } else if fired > 0 {
            g
        } else {
            1
        };
        select_in_int = learn && fired > 0;
        if select_in_int {
            cycles += fired * (walk(t) + 1);
        }
    }
    cycles += 1;
    if learn && gold.winner.is_some() {
        let walk = p.m as u64 + 1;
        cycles += if p.normalization && replay {
            // Sum, NormMul and Rewrite: no sweep to leave the row's update pending for.
            walk + p.rb as u64 + walk
        } else if p.normalization {
            // NormMul (after the Sum walk over the row with lane groups); the penalty and the
            // row's rewrite are left to the next image's sweep.
            p.rb as u64 + if g > 1 { walk } else { 0 }
        } else {
            // Pen, PenDrain.
            silent.max(1) + 1
        };
    }
    // Done: with lane groups and homeostasis, a training image's theta pass.
    cycles + if learn && p.homeostasis { g } else { 1 }
}

/// Images made for the tests: random strokes and blobs, or noise, from a seeded generator.
pub fn random_image<R: Rng>(rng: &mut R, h: usize, w: usize) -> Vec<u8> {
    let mut px = vec![0u8; h * w];
    match rng.gen_range(0..6) {
        0 => px.iter_mut().for_each(|p| *p = rng.gen()),
        _ => {
            for _ in 0..rng.gen_range(1..=3) {
                // A stroke: a random walk with a pen of radius 0 or 1.
                let (mut y, mut x) = (rng.gen_range(0.0..h as f64), rng.gen_range(0.0..w as f64));
                let mut dir: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
                let radius = rng.gen_range(0..=1) as isize;
                let ink = rng.gen_range(120..=255u32) as u8;
                for _ in 0..rng.gen_range(3..3 * (h + w)) {
                    dir += rng.gen_range(-0.5..0.5);
                    y = (y + dir.sin()).clamp(0.0, h as f64 - 1.0);
                    x = (x + dir.cos()).clamp(0.0, w as f64 - 1.0);
                    for dy in -radius..=radius {
                        for dx in -radius..=radius {
                            let (yy, xx) = (y as isize + dy, x as isize + dx);
                            if yy >= 0 && xx >= 0 && (yy as usize) < h && (xx as usize) < w {
                                let p = &mut px[yy as usize * w + xx as usize];
                                *p = (*p).max(ink);
                            }
                        }
                    }
                }
            }
            if rng.gen_bool(0.5) {
                // A soft blob.
                let (cy, cx) = (rng.gen_range(0..h) as f64, rng.gen_range(0..w) as f64);
                let r = rng.gen_range(1.0..(h.min(w) as f64 / 2.0).max(1.5));
                for y in 0..h {
                    for x in 0..w {
                        let d = ((y as f64 - cy).powi(2) + (x as f64 - cx).powi(2)).sqrt() / r;
                        let v = (255.0 * (1.0 - d)).max(0.0) as u8;
                        px[y * w + x] = px[y * w + x].max(v);
                    }
                }
            }
        }
    }
    px
}

/// Images every configuration is tested on: all black (threshold 0), all white, one bright pixel
/// in the centre and in a corner, a checkerboard.
pub fn edge_images(h: usize, w: usize) -> Vec<Vec<u8>> {
    let mut centre = vec![0u8; h * w];
    centre[(h / 2) * w + w / 2] = 255;
    let mut corner = vec![0u8; h * w];
    corner[0] = 255;
    let checker = (0..h * w)
        .map(|k| {
            if (k / w + k % w).is_multiple_of(2) {
                255
            } else {
                0
            }
        })
        .collect();
    vec![vec![0; h * w], vec![255; h * w], centre, corner, checker]
}
