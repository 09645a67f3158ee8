//! neuron: leaky integrate-and-fire, SPEC section 5 steps 1 and 3.

use crate::arith::Arith;

/// Per-neuron state of one presentation.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronState<P> {
    pub potential: P,
    /// Refractory until this step: the neuron integrates only when `t_rest < t`.
    pub t_rest: i64,
    /// Last potential the WTA unit saw (frozen while refractory).
    pub shown: P,
}

impl<P: Copy> NeuronState<P> {
    pub fn new(p_rest: P) -> Self {
        NeuronState {
            potential: p_rest,
            t_rest: -1,
            shown: p_rest,
        }
    }
}

/// Step 1: integrate the spiking inputs' weights, leak, publish to the WTA unit.
/// A refractory neuron is frozen: no input, no leak, `shown` unchanged.
pub fn integrate<A: Arith>(a: &A, s: &mut NeuronState<A::P>, t: u32, row: &[A::W], inputs: &[u32]) {
    if s.t_rest < t as i64 {
        s.potential = a.leak(a.integrate(s.potential, row, inputs));
        s.shown = s.potential;
    }
}

/// Outcome of the fire check of one neuron.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fire {
    Spike,
    /// The potential fell below `p_min` and was reset to rest.
    Floor,
    None,
}

/// Step 3 for one neuron: spike at `threshold` or above (reset, refractory for `t_ref`), or reset
/// a potential below `p_min` to rest. The check applies to refractory neurons too, as in the spec.
pub fn fire<A: Arith>(
    a: &A,
    s: &mut NeuronState<A::P>,
    t: u32,
    t_ref: u32,
    threshold: A::P,
) -> Fire {
    if s.potential >= threshold {
        s.potential = a.p_rest();
        s.t_rest = t as i64 + t_ref as i64;
        Fire::Spike
    } else if s.potential < a.p_min() {
        s.potential = a.p_rest();
        Fire::Floor
    } else {
        Fire::None
    }
}
