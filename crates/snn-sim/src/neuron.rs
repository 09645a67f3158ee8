//! neuron: the registers of one leaky integrate-and-fire neuron (`pot`, `shown`, `free_at`) and
//! the operations control applies to all N of them at once (each one clock edge of the neuron's
//! registers: the new values are computed from the current ones).

use crate::params::HwParams;

/// One neuron's registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Neuron {
    /// Membrane potential (`PB` bits).
    pub pot: i32,
    /// Last potential the WTA unit saw (frozen while refractory).
    pub shown: i32,
    /// First step at which the neuron integrates again (`t_rest = free_at - 1`).
    pub free_at: u32,
}

impl Neuron {
    pub fn new(p: &HwParams) -> Self {
        Neuron {
            pot: p.format.p_rest,
            shown: p.format.p_rest,
            free_at: 0,
        }
    }

    /// The neuron's spike comparator (`pot >= thr`).
    #[inline]
    pub fn fires(&self, thr: i32) -> bool {
        self.pot >= thr
    }

    /// The WTA trigger comparator (`shown > thr`).
    #[inline]
    pub fn above(&self, thr: i32) -> bool {
        self.shown > thr
    }

    /// Stage B of Int at step `t`: a non-refractory neuron adds its lane of the weight word.
    #[inline(always)]
    pub fn accumulate(&mut self, t: u32, lane: i32, p: &HwParams) {
        if self.free_at <= t {
            self.pot = p.format.integrate(self.pot, lane);
            debug_assert!(
                (self.pot as i64) >= -(1i64 << (p.widths.potential - 1))
                    && (self.pot as i64) < (1i64 << (p.widths.potential - 1)),
                "pot {} overflows {} bits",
                self.pot,
                p.widths.potential
            );
        }
    }

    /// Last cycle of Int at step `t` (after stage B): a non-refractory neuron leaks and
    /// publishes its potential to the WTA unit.
    #[inline(always)]
    pub fn complete(&mut self, t: u32, p: &HwParams) {
        if self.free_at <= t {
            self.pot = p.format.leak(self.pot);
            self.shown = self.pot;
        }
    }

    /// Fire at step `t`: `pot >= thr` spikes (`pot = p_rest`, `free_at = t + t_ref + 1`), else
    /// `pot < p_min` resets to `p_rest`.
    #[inline(always)]
    pub fn fire(&mut self, t: u32, thr: i32, p: &HwParams) {
        let f = &p.format;
        if self.pot >= thr {
            self.pot = f.p_rest;
            self.free_at = t + p.t_ref + 1;
        } else if self.pot < f.p_min {
            self.pot = f.p_rest;
        }
    }

    /// Last Wta cycle, for every neuron but the winner: `pot = p_min`.
    #[inline]
    pub fn inhibit(&mut self, p: &HwParams) {
        self.pot = p.format.p_min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    #[test]
    fn integrate_leak_fire_by_hand() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        let leak = p.format.leak;
        let mut a = Neuron::new(&p);
        a.accumulate(1, 100, &p);
        a.accumulate(1, 50, &p);
        assert_eq!((a.pot, a.shown), (150, 0));
        a.complete(1, &p);
        assert_eq!((a.pot, a.shown), (150 - leak, 150 - leak));
        a.fire(1, 100, &p);
        assert_eq!((a.pot, a.free_at), (0, 1 + 30 + 1));
        // Refractory through step 31: frozen, the add and the leak are both ignored.
        let mut frozen = a;
        frozen.accumulate(31, 500, &p);
        frozen.complete(31, &p);
        assert_eq!(frozen, a);
        let mut b = a;
        b.accumulate(32, 500, &p);
        b.complete(32, &p);
        assert_eq!((b.pot, b.shown), (500 - leak, 500 - leak));
        // Inhibited to p_min, a potential stays there at Fire; below it, it floors to rest.
        let mut low = b;
        low.inhibit(&p);
        assert_eq!(low.pot, p.format.p_min);
        let mut below = Neuron {
            pot: p.format.p_min - 1,
            ..low
        };
        below.fire(40, 10, &p);
        assert_eq!(below.pot, p.format.p_rest);
        low.fire(40, 10, &p);
        assert_eq!(low.pot, p.format.p_min);
        // A neuron at the threshold fires even while refractory (SPEC 5.3 applies to all).
        let mut r = Neuron { pot: 10, ..a };
        r.fire(5, 10, &p);
        assert_eq!((r.pot, r.free_at), (0, 5 + 30 + 1));
    }
}
