//! neuron: the registers of one leaky integrate-and-fire neuron (`pot`, `shown`, `free_at`) and
//! the operations control applies to all N of them at once.

use crate::params::HwParams;

/// What every neuron does in one cycle (driven by control, the same for all lanes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeuronCmd {
    Hold,
    /// `start`: `pot = shown = p_rest`, `free_at = 0`.
    Reset,
    /// A cycle of Int at step `t`, applied by non-refractory neurons (`free_at <= t`) only:
    /// stage B adds the lane of the word read last cycle when `add`; when `complete`, the sum is
    /// then leaked and copied to `shown`.
    Int { t: u32, add: bool, complete: bool },
    /// Fire at step `t`: `pot >= thr` spikes (`pot = p_rest`, `free_at = t + t_ref + 1`), else
    /// `pot < p_min` resets to `p_rest`.
    Fire { t: u32, thr: i32 },
    /// Last Wta cycle: every neuron but the winner gets `pot = p_min`.
    Inhibit { winner: u32 },
}

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
        Neuron { pot: p.format.p_rest, shown: p.format.p_rest, free_at: 0 }
    }

    /// The neuron's spike comparator (`pot >= thr`).
    pub fn fires(&self, thr: i32) -> bool {
        self.pot >= thr
    }

    /// The WTA trigger comparator (`shown > thr`).
    pub fn above(&self, thr: i32) -> bool {
        self.shown > thr
    }

    /// Next register values of neuron `j` under `cmd`; `lane` is lane `j` of the weight word on
    /// weight_mem's read port.
    pub fn next(&self, j: u32, cmd: NeuronCmd, lane: i32, p: &HwParams) -> Neuron {
        let f = &p.format;
        let mut n = *self;
        match cmd {
            NeuronCmd::Hold => {}
            NeuronCmd::Reset => n = Neuron::new(p),
            NeuronCmd::Int { t, add, complete } => {
                if self.free_at <= t {
                    if add {
                        n.pot = f.integrate(n.pot, lane);
                    }
                    if complete {
                        n.pot = f.leak(n.pot);
                        n.shown = n.pot;
                    }
                }
            }
            NeuronCmd::Fire { t, thr } => {
                if self.pot >= thr {
                    n.pot = f.p_rest;
                    n.free_at = t + p.t_ref + 1;
                } else if self.pot < f.p_min {
                    n.pot = f.p_rest;
                }
            }
            NeuronCmd::Inhibit { winner } => {
                if j != winner {
                    n.pot = f.p_min;
                }
            }
        }
        debug_assert!(
            (n.pot as i64) >= -(1i64 << (p.widths.potential - 1)) && (n.pot as i64) < (1i64 << (p.widths.potential - 1)),
            "neuron {j}: pot {} overflows {} bits",
            n.pot,
            p.widths.potential
        );
        n
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
        for w in [100, 50] {
            a = a.next(0, NeuronCmd::Int { t: 1, add: true, complete: false }, w, &p);
        }
        assert_eq!((a.pot, a.shown), (150, 0));
        a = a.next(0, NeuronCmd::Int { t: 1, add: false, complete: true }, 9999, &p);
        assert_eq!((a.pot, a.shown), (150 - leak, 150 - leak));
        a = a.next(0, NeuronCmd::Fire { t: 1, thr: 100 }, 0, &p);
        assert_eq!((a.pot, a.free_at), (0, 1 + 30 + 1));
        // Refractory through step 31: frozen, the add and the leak are both ignored.
        let frozen = a.next(0, NeuronCmd::Int { t: 31, add: true, complete: true }, 500, &p);
        assert_eq!(frozen, a);
        let b = a.next(0, NeuronCmd::Int { t: 32, add: true, complete: true }, 500, &p);
        assert_eq!((b.pot, b.shown), (500 - leak, 500 - leak));
        // Inhibition spares the winner; below p_min a potential floors to rest at Fire.
        assert_eq!(b.next(3, NeuronCmd::Inhibit { winner: 3 }, 0, &p), b);
        let low = b.next(2, NeuronCmd::Inhibit { winner: 3 }, 0, &p);
        assert_eq!(low.pot, p.format.p_min);
        let below = Neuron { pot: p.format.p_min - 1, ..low };
        assert_eq!(below.next(2, NeuronCmd::Fire { t: 40, thr: 10 }, 0, &p).pot, p.format.p_rest);
        assert_eq!(low.next(2, NeuronCmd::Fire { t: 40, thr: 10 }, 0, &p).pot, p.format.p_min);
    }
}
