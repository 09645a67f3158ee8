//! wta: the winner-takes-all unit. Once per image, when no winner exists yet and some neuron's
//! `shown` exceeds the threshold, it scans `shown[0..N]` one neuron per cycle keeping the first
//! maximum, latches the winner and inhibits every other neuron in the last scan cycle (with lane
//! groups, in the Fire pass that follows).

use snn_arch::HwParams;

/// What the unit does in one cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WtaCmd {
    /// `start`: no winner yet.
    Clear,
    /// Fire decided to scan: `ws = 0`.
    Enter,
    /// A Wta cycle at step `t`; `shown` is `shown[ws]` (the neuron array's read mux).
    Scan { shown: i32, t: u32 },
}

/// Combinational outputs of one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WtaOut {
    /// This is the last scan cycle: `winner` is chosen now and the others are inhibited.
    pub last: bool,
    pub winner: u32,
}

/// The unit's registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wta {
    pub winner: u32,
    pub winner_valid: bool,
    /// Step at which the winner was chosen.
    pub inhibit_step: u32,
    /// Scan index.
    pub ws: u32,
    /// First maximum of `shown[0..ws]` and its value.
    pub best_j: u32,
    pub best_v: i32,
    /// Lane groups (`G > 1`): the inhibition of the last scan is still to be applied, by the
    /// Fire pass that follows it (the neurons' state is in memories, one group per cycle).
    pub pending: bool,
}

impl Wta {
    #[inline]
    pub fn next(&self, cmd: WtaCmd, p: &HwParams) -> (Wta, WtaOut) {
        let mut n = *self;
        let mut out = WtaOut::default();
        match cmd {
            WtaCmd::Clear => {
                n.winner = 0;
                n.winner_valid = false;
                n.inhibit_step = 0;
                n.pending = false;
            }
            WtaCmd::Enter => n.ws = 0,
            WtaCmd::Scan { shown, t } => {
                // Strictly greater: the lowest index keeps a tie.
                let (bj, bv) = if self.ws == 0 || shown > self.best_v {
                    (self.ws, shown)
                } else {
                    (self.best_j, self.best_v)
                };
                n.best_j = bj;
                n.best_v = bv;
                if self.ws as usize == p.n - 1 {
                    n.winner = bj;
                    n.winner_valid = true;
                    n.inhibit_step = t;
                    n.pending = p.groups > 1;
                    out = WtaOut {
                        last: true,
                        winner: bj,
                    };
                } else {
                    n.ws = self.ws + 1;
                }
            }
        }
        (n, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    /// Scans `shown` and returns the winner and the number of cycles it took.
    fn scan(shown: &[i32]) -> (u32, u32) {
        let cfg = SnnConfig {
            neurons: shown.len(),
            ..SnnConfig::small()
        };
        let p = HwParams::new(&cfg).unwrap();
        let (mut w, _) = Wta::default().next(WtaCmd::Enter, &p);
        for cycle in 1.. {
            let (n, out) = w.next(
                WtaCmd::Scan {
                    shown: shown[w.ws as usize],
                    t: 7,
                },
                &p,
            );
            w = n;
            if out.last {
                assert_eq!(
                    (w.winner, w.winner_valid, w.inhibit_step),
                    (out.winner, true, 7)
                );
                return (out.winner, cycle);
            }
        }
        unreachable!()
    }

    #[test]
    fn first_maximum_in_n_cycles() {
        assert_eq!(scan(&[5, 9, 9, 1]), (1, 4));
        assert_eq!(scan(&[-3]), (0, 1));
        assert_eq!(scan(&[-3, -3, -2]), (2, 3));
        assert_eq!(scan(&[4, 4, 4, 4, 4, 4]), (0, 6));
    }
}
