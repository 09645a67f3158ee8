//! stdp: spike-timing-dependent plasticity of one weight row (SPEC section 6) and the
//! end-of-image penalty (SPEC section 5).

use crate::arith::Arith;
use crate::spike_gen::Encoded;

/// STDP for neuron `row` spiking at step `t`. For each input in ascending order, first the
/// spikes `d = lo..=hi` steps before `t` (potentiation), then `d = lo..=hi` steps after
/// (depression, looking ahead in the known spike train); updates compound in that order.
pub fn update_row<A: Arith>(a: &A, row: &mut [A::W], enc: &Encoded, t: u32, window: [u32; 2]) {
    let [lo, hi] = window;
    for (i, w) in row.iter_mut().enumerate() {
        let Some(p) = enc.periods[i] else { continue };
        if t > lo {
            // Multiples of p in [t - hi, t - lo], nearest first (d ascending), not before step 1.
            let mut m = (t - lo) / p * p;
            while m >= 1 && t - m <= hi {
                *w = a.potentiate(*w, t - m);
                m = match m.checked_sub(p) {
                    Some(v) => v,
                    None => break,
                };
            }
        }
        let mut m = (t + lo).div_ceil(p) * p;
        while m <= enc.t_steps && m - t <= hi {
            *w = a.depress(*w, m - t);
            m += p;
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
