//! control: one presentation of an image (SPEC section 5), the sequencing the hardware's control
//! FSM implements: integrate, WTA, fire (with STDP), and the end of a training image: penalty,
//! row normalization and homeostasis (SPEC section 10).

use crate::arith::Arith;
use crate::neuron::{self, Fire, NeuronState};
use crate::spike_gen::Encoded;
use crate::{stdp, wta};
use ndarray::Array2;
use serde::Serialize;

/// Everything one presentation produced; the fields the levels compare bit for bit. Every level
/// reports an image in this one type (`P` is `f64` for the float model, the raw `i32` for the
/// fixed-point ones), so that one [`first_difference`](Presentation::first_difference) compares
/// any two.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Presentation<P> {
    pub winner: Option<usize>,
    /// Step at which the WTA unit chose the winner and inhibited the others.
    pub inhibit_step: Option<u32>,
    /// Output spike times of each neuron.
    pub spike_times: Vec<Vec<u32>>,
    /// Potentials after step T.
    pub final_potentials: Vec<P>,
    pub threshold: P,
    pub peak_count: u32,
    /// Clock cycles of the presentation, `Done` included, on the clocked levels (cycle model,
    /// RTL); `None` for the golden model, which has no clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycles: Option<u64>,
    /// Potentials after every step (`trace[t-1][j]`), when asked for (membrane plots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<Vec<P>>>,
}

impl<P> Presentation<P> {
    pub fn spike_counts(&self) -> Vec<u32> {
        self.spike_times.iter().map(|s| s.len() as u32).collect()
    }

    /// The same presentation with potentials converted by `f` (raw fixed point to reals).
    pub fn map<Q>(&self, f: impl Fn(&P) -> Q) -> Presentation<Q> {
        let all = |v: &Vec<P>| v.iter().map(&f).collect::<Vec<Q>>();
        Presentation {
            winner: self.winner,
            inhibit_step: self.inhibit_step,
            spike_times: self.spike_times.clone(),
            final_potentials: all(&self.final_potentials),
            threshold: f(&self.threshold),
            peak_count: self.peak_count,
            cycles: self.cycles,
            trace: self.trace.as_ref().map(|t| t.iter().map(all).collect()),
        }
    }
}

/// Options of one presentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct PresentOptions {
    /// Training: STDP at every output spike and the penalty at the end.
    pub learn: bool,
    /// Keep every step's potentials.
    pub record: bool,
}

impl PresentOptions {
    /// A training presentation, potentials not recorded.
    pub fn training() -> Self {
        PresentOptions {
            learn: true,
            record: false,
        }
    }
}

/// Presents one encoded image to the network whose weights are `weights` (neurons x inputs) and
/// adaptive thresholds `theta` (one per neuron). Training changes both; inference neither.
pub fn present<A: Arith>(
    a: &A,
    t_ref: u32,
    window: [u32; 2],
    weights: &mut Array2<A::W>,
    theta: &mut [A::P],
    enc: &Encoded,
    opts: PresentOptions,
) -> Presentation<A::P> {
    let (n, m) = weights.dim();
    assert_eq!(theta.len(), n, "one theta per neuron");
    let threshold = a.threshold(enc.peak_count);
    let mut state = vec![NeuronState::new(a.p_rest()); n];
    let mut spike_times = vec![Vec::new(); n];
    let mut winner = None;
    let mut inhibit_step = None;
    let mut trace = opts.record.then(Vec::new);
    for t in 1..=enc.t_steps {
        let inputs = enc.inputs_at(t);
        let rows = weights.as_slice().expect("standard layout");
        for (j, s) in state.iter_mut().enumerate() {
            neuron::integrate(a, s, t, &rows[j * m..(j + 1) * m], inputs);
        }
        if winner.is_none() {
            let seen = state.iter().zip(theta.iter());
            if let Some(w) = wta::select(seen.map(|(s, &th)| a.wta_value(s.shown, th)), threshold) {
                winner = Some(w);
                inhibit_step = Some(t);
                for (j, s) in state.iter_mut().enumerate() {
                    if j != w {
                        s.potential = a.p_min();
                    }
                }
            }
        }
        for (j, s) in state.iter_mut().enumerate() {
            let own = a.fire_threshold(threshold, theta[j]);
            if neuron::fire(a, s, t, t_ref, own) == Fire::Spike {
                spike_times[j].push(t);
                if opts.learn {
                    let rows = weights.as_slice_mut().expect("standard layout");
                    stdp::update_row(a, &mut rows[j * m..(j + 1) * m], enc, t, window);
                }
            }
        }
        if let Some(tr) = trace.as_mut() {
            tr.push(state.iter().map(|s| s.potential).collect());
        }
    }
    if opts.learn {
        if let Some(w) = winner {
            let mut row = weights.row_mut(w);
            let row = row.as_slice_mut().expect("standard layout");
            stdp::penalty_row(a, row, enc);
            if a.normalizes() {
                a.normalize_row(row);
            }
        }
        for (j, th) in theta.iter_mut().enumerate() {
            *th = a.theta_update(*th, winner == Some(j));
        }
    }
    Presentation {
        winner,
        inhibit_step,
        spike_times,
        final_potentials: state.iter().map(|s| s.potential).collect(),
        threshold,
        peak_count: enc.peak_count,
        cycles: None,
        trace,
    }
}
