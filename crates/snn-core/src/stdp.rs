//! stdp: spike-timing-dependent plasticity of one weight row (SPEC section 6) and the
//! end-of-image penalty (SPEC section 5).

use crate::arith::Arith;
use crate::spike_gen::Encoded;

/// STDP for neuron `row` spiking at step `t`. For each input in ascending order, first the
/// spikes `d = lo..=hi` steps before `t` (potentiation), then `d = lo..=hi` steps after
/// (depression, looking ahead in the known spike train); updates compound in that order.
///
/// Only one weight changes per update and different weights never interact, so walking the
/// window step by step (potentiation `d` ascending, then depression `d` ascending) gives every
/// weight exactly the sequence of updates the input-by-input order gives it, while visiting only
/// the spikes inside the window rather than all `M` inputs.
pub fn update_row<A: Arith>(a: &A, row: &mut [A::W], enc: &Encoded, t: u32, window: [u32; 2]) {
    let [lo, hi] = window;
    // `t - d >= 1`: spikes before step 1 do not exist.
    for d in lo..=hi.min(t.saturating_sub(1)) {
        for &i in enc.inputs_at(t - d) {
            let w = &mut row[i as usize];
            *w = a.potentiate(*w, d);
        }
    }
    for d in lo..=hi.min(enc.t_steps.saturating_sub(t)) {
        for &i in enc.inputs_at(t + d) {
            let w = &mut row[i as usize];
            *w = a.depress(*w, d);
        }
    }
}

/// Penalty of the winner's row: every input that never spiked in this image loses `penalty`,
/// floored at `w_min`.
pub fn penalty_row<A: Arith>(a: &A, row: &mut [A::W], enc: &Encoded) {
    for (i, w) in row.iter_mut().enumerate() {
        if !enc.ever_spikes(i) {
            *w = a.penalize(*w);
        }
    }
}
