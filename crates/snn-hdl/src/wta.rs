//! wta: the winner-takes-all unit (`snn_sim::wta`). Once per image, when no winner exists yet
//! and some neuron's `shown` exceeds the threshold, it scans `shown[0..N]` one neuron per cycle
//! through the neuron array's `PB`-bit read mux (one comparator instead of N), keeping the first
//! maximum, and in the last scan cycle latches the winner and inhibits every other neuron.
//!
//! The mux is read one cycle ahead into `cand` (`shown` does not change from the Fire cycle that
//! enters the scan to its end), so the comparator and the inhibit mask start from registers: the
//! mux, the comparator and the neurons' reset logic were one path before.
//!
//! With homeostasis the scanned value is `shown[ws] - theta[ws]`, `VB = PB + 1` bits (`cand`,
//! `best_v`); without it `VB = PB` and `cand` is `shown[ws]` itself.

use rust_hdl::prelude::*;
use snn_arch::widths::{NEURON_BITS, STEP_BITS};
use snn_arch::HwParams;

#[derive(LogicBlock)]
pub struct Wta<
    const N: usize,
    const PB: usize,
    const VB: usize,
    const TB: usize,
    const NB: usize = NEURON_BITS,
> {
    pub clock: Signal<In, Clock>,
    /// control, `start` of an image: no winner yet (`winner = inhibit_step = 0`).
    pub clear: Signal<In, Bit>,
    /// control, the Fire cycle that decides to scan: `ws = 0`.
    pub enter: Signal<In, Bit>,
    /// control, a Wta cycle at step `t`.
    pub scan: Signal<In, Bit>,
    pub t: Signal<In, Bits<STEP_BITS>>,
    /// `shown[fetch]` (two's complement), from the neuron array's read mux.
    pub shown_sel: Signal<In, Bits<PB>>,
    /// With homeostasis (else empty): `theta[fetch]`, from the theta unit's read mux.
    pub theta_sel: Vec<Signal<In, Bits<TB>>>,
    /// The neuron whose `shown` is read into `cand` at this edge: `ws + 1` in a scan cycle (`N`,
    /// no neuron, in the last; `ws` is the scan index), else 0, the first of a scan that may
    /// start now.
    pub fetch: Signal<Out, Bits<NB>>,
    /// The last scan cycle: the winner is chosen now and `inhibit` is valid.
    pub last: Signal<Out, Bit>,
    /// In the last scan cycle every neuron but the winner, else none (with lane groups: while
    /// the inhibition is pending).
    pub inhibit: Signal<Out, Bits<N>>,
    pub winner: Signal<Out, Bits<NB>>,
    pub winner_valid: Signal<Out, Bit>,
    /// Step at which the winner was chosen.
    pub inhibit_step: Signal<Out, Bits<16>>,
    winner_r: DFF<Bits<NB>>,
    valid_r: DFF<Bit>,
    step_r: DFF<Bits<STEP_BITS>>,
    ws_r: DFF<Bits<NB>>,
    best_j: DFF<Bits<NB>>,
    best_v: DFF<Bits<VB>>,
    /// `shown[ws]` (`- theta[ws]`), read the cycle before.
    cand: DFF<Bits<VB>>,
    /// First maximum of `shown[0..=ws]` and its value.
    bj: Signal<Local, Bits<NB>>,
    /// The scanned neuron becomes the candidate (the first, or strictly above the best).
    take: Signal<Local, Bit>,
    bv: Signal<Local, Bits<VB>>,
    /// With homeostasis: `shown[ws] - theta[ws]`.
    value: Vec<WtaValue<PB, VB, TB>>,
    first_id: Constant<Bits<NB>>,
    last_id: Constant<Bits<NB>>,
    sign: Constant<Bits<VB>>,
    all: Constant<Bits<N>>,
    one: Constant<Bits<N>>,
    /// 1 with homeostasis, else 0: the loops over it build the theta path only when used.
    _h: usize,
    /// Lane groups only (each vector empty without them): the inhibition is left `pending`
    /// for the Fire pass after the scan, which `settle`s it in its last cycle; `inhibit` is
    /// then every neuron but the winner while it is pending.
    pub settle: Vec<Signal<In, Bit>>,
    pub pending: Vec<Signal<Out, Bit>>,
    pend_r: Vec<DFF<Bit>>,
    /// 1 with lane groups, else 0; and its complement (the immediate inhibition).
    _ln: usize,
    _direct: usize,
}

impl<const N: usize, const PB: usize, const VB: usize, const TB: usize, const NB: usize>
    Wta<N, PB, VB, TB, NB>
{
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.n, N, "neuron count");
        snn_arch::limits::assert_rtl(p);
        let h = usize::from(p.homeostasis);
        assert_eq!(VB, PB + h, "the scanned value's width");
        let ln = usize::from(p.lanes < p.n);
        Wta {
            settle: crate::neuron::many(ln),
            pending: crate::neuron::many(ln),
            pend_r: crate::neuron::many(ln),
            _ln: ln,
            _direct: 1 - ln,
            theta_sel: (0..h).map(|_| Default::default()).collect(),
            value: (0..h).map(|_| WtaValue::default()).collect(),
            _h: h,
            clock: Default::default(),
            clear: Default::default(),
            enter: Default::default(),
            scan: Default::default(),
            t: Default::default(),
            shown_sel: Default::default(),
            last: Default::default(),
            inhibit: Default::default(),
            winner: Default::default(),
            winner_valid: Default::default(),
            inhibit_step: Default::default(),
            winner_r: Default::default(),
            valid_r: Default::default(),
            step_r: Default::default(),
            ws_r: Default::default(),
            best_j: Default::default(),
            best_v: Default::default(),
            cand: Default::default(),
            fetch: Default::default(),
            bj: Default::default(),
            take: Default::default(),
            bv: Default::default(),
            first_id: Constant::new(Bits::<NB>::from(0u64)),
            last_id: Constant::new(Bits::<NB>::from(N as u64 - 1)),
            sign: Constant::new(Bits::<VB>::from(1u64 << (VB - 1))),
            all: Constant::new(Bits::<N>::mask()),
            one: Constant::new(Bits::<N>::from(1u64)),
        }
    }
}

impl<const N: usize, const PB: usize, const VB: usize, const TB: usize, const NB: usize> Logic
    for Wta<N, PB, VB, TB, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, winner_r, valid_r, step_r, ws_r, best_j, best_v, cand);
        self.winner.next = self.winner_r.q.val();
        self.winner_valid.next = self.valid_r.q.val();
        self.inhibit_step.next = bit_cast::<16, STEP_BITS>(self.step_r.q.val());
        self.fetch.next = 0.into();
        if self.scan.val() {
            self.fetch.next = self.ws_r.q.val() + 1;
        }
        self.cand.d.next = bit_cast::<VB, PB>(self.shown_sel.val());
        for h in 0..self._h {
            self.value[h].shown.next = self.shown_sel.val();
            self.value[h].theta.next = self.theta_sel[h].val();
            self.cand.d.next = self.value[h].v.val();
        }
        // Strictly greater (signed, compared in offset binary): the lowest index keeps a tie.
        self.bj.next = self.best_j.q.val();
        self.bv.next = self.best_v.q.val();
        self.take.next = (self.ws_r.q.val() == self.first_id.val())
            | ((self.cand.q.val() ^ self.sign.val()) > (self.best_v.q.val() ^ self.sign.val()));
        if self.take.val() {
            self.bj.next = self.ws_r.q.val();
            self.bv.next = self.cand.q.val();
        }
        self.last.next = self.scan.val() & (self.ws_r.q.val() == self.last_id.val());
        // Everyone but the candidate `bj`, with both one-hot codes decoded from registers so
        // that only the final choice follows the comparator.
        self.inhibit.next = 0.into();
        for _d in 0..self._direct {
            if self.last.val() {
                self.inhibit.next = self.all.val() ^ (self.one.val() << self.best_j.q.val());
                if self.take.val() {
                    self.inhibit.next = self.all.val() ^ (self.one.val() << self.ws_r.q.val());
                }
            }
        }
        for z in 0..self._ln {
            self.pend_r[z].clock.next = self.clock.val();
            self.pending[z].next = self.pend_r[z].q.val();
            if self.pend_r[z].q.val() {
                self.inhibit.next = self.all.val() ^ (self.one.val() << self.winner_r.q.val());
            }
            self.pend_r[z].d.next = self.pend_r[z].q.val();
            if self.settle[z].val() | self.clear.val() {
                self.pend_r[z].d.next = false;
            }
            if self.scan.val() & (self.ws_r.q.val() == self.last_id.val()) {
                self.pend_r[z].d.next = true;
            }
        }
        if self.clear.val() {
            self.winner_r.d.next = 0.into();
            self.valid_r.d.next = false;
            self.step_r.d.next = 0.into();
        }
        if self.enter.val() {
            self.ws_r.d.next = 0.into();
        }
        if self.scan.val() {
            self.best_j.d.next = self.bj.val();
            self.best_v.d.next = self.bv.val();
            if self.ws_r.q.val() == self.last_id.val() {
                self.winner_r.d.next = self.bj.val();
                self.valid_r.d.next = true;
                self.step_r.d.next = self.t.val();
            } else {
                self.ws_r.d.next = self.ws_r.q.val() + 1;
            }
        }
    }
}

/// With homeostasis, the value the scan compares: `shown - theta` in `VB = PB + 1` bits
/// (`shown` sign-extended, `theta` unsigned).
#[derive(LogicBlock)]
pub struct WtaValue<const PB: usize, const VB: usize, const TB: usize> {
    pub shown: Signal<In, Bits<PB>>,
    pub theta: Signal<In, Bits<TB>>,
    pub v: Signal<Out, Bits<VB>>,
    shown_x: Signal<Local, Bits<VB>>,
    /// The bits `PB..VB` a negative `shown` sets, and the sign of a `PB`-bit value.
    ext: Constant<Bits<VB>>,
    neg: Constant<Bits<PB>>,
}

impl<const PB: usize, const VB: usize, const TB: usize> Default for WtaValue<PB, VB, TB> {
    fn default() -> Self {
        assert!(
            VB > PB && VB > TB && VB < 64,
            "a value wider than shown and theta"
        );
        WtaValue {
            shown: Default::default(),
            theta: Default::default(),
            v: Default::default(),
            shown_x: Default::default(),
            ext: Constant::new(Bits::<VB>::from(((1u64 << VB) - 1) ^ ((1u64 << PB) - 1))),
            neg: Constant::new(Bits::<PB>::from(1u64 << (PB - 1))),
        }
    }
}

impl<const PB: usize, const VB: usize, const TB: usize> Logic for WtaValue<PB, VB, TB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.shown_x.next = bit_cast::<VB, PB>(self.shown.val());
        if self.shown.val() >= self.neg.val() {
            self.shown_x.next = bit_cast::<VB, PB>(self.shown.val()) | self.ext.val();
        }
        self.v.next = self.shown_x.val() - bit_cast::<VB, TB>(self.theta.val());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_core::config::SnnConfig;
    use snn_sim::wta::{Wta as Model, WtaCmd};

    const PB: usize = 18;

    /// Scans `shown` (4 neurons; with homeostasis `theta` subtracted, `VB = PB + 1`) after a
    /// clear, as control drives it, against the cycle model: the same winner, inhibit mask,
    /// step and number of cycles.
    fn scan_with<const VB: usize>(p: &HwParams, shown: [i32; 4], theta: [i32; 4]) -> (u32, u32) {
        let mut uut = Wta::<4, PB, VB, 16>::new(p);
        uut.connect_all();
        let clk = |u: &mut Wta<4, PB, VB, 16>, clk: bool| u.clock.next = Clock { clk };
        let mut model = Model::default();
        let p = p.clone();
        // The unit reads `shown[fetch]` (and `theta[fetch]`) at every edge, as the neuron
        // array's and theta unit's muxes serve them.
        let serve = |u: &mut Wta<4, PB, VB, 16>| {
            assert!(simulate(u, 1000));
            let j = u.fetch.val().index();
            let v = shown.get(j).copied().unwrap_or(0);
            u.shown_sel.next = ((v as i64 as u64) & ((1 << PB) - 1)).into();
            for th in u.theta_sel.iter_mut() {
                th.next = (theta.get(j).copied().unwrap_or(0) as u64).into();
            }
            assert!(simulate(u, 1000));
        };
        uut.clear.next = true;
        serve(&mut uut);
        tick(&mut uut, clk);
        model = model.next(WtaCmd::Clear, &p).0;
        uut.clear.next = false;
        uut.enter.next = true;
        serve(&mut uut);
        tick(&mut uut, clk);
        model = model.next(WtaCmd::Enter, &p).0;
        uut.enter.next = false;
        uut.scan.next = true;
        uut.t.next = 17u64.into();
        for cycle in 1.. {
            let v = shown[model.ws as usize] - theta[model.ws as usize];
            serve(&mut uut);
            assert_eq!(
                uut.fetch.val().index() as u32,
                model.ws + 1,
                "fetch, cycle {cycle}"
            );
            let (next, out) = model.next(WtaCmd::Scan { shown: v, t: 17 }, &p);
            assert_eq!(uut.last.val(), out.last);
            let inhibit = if out.last {
                0b1111 ^ (1 << out.winner)
            } else {
                0
            };
            assert_eq!(uut.inhibit.val().to_u64(), inhibit);
            tick(&mut uut, clk);
            model = next;
            if out.last {
                assert_eq!(uut.winner.val().to_u64() as u32, model.winner);
                assert!(uut.winner_valid.val() && model.winner_valid);
                assert_eq!(uut.inhibit_step.val().to_u64(), 17);
                return (model.winner, cycle);
            }
        }
        unreachable!()
    }

    fn scan(shown: [i32; 4]) -> (u32, u32) {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        scan_with::<PB>(&p, shown, [0; 4])
    }

    /// With homeostasis the scan compares `shown - theta`, one bit wider than a potential.
    #[test]
    fn theta_is_subtracted_before_the_comparison() {
        let p = HwParams::new(&crate::presets::small_theta()).unwrap();
        let scan = |shown, theta| scan_with::<{ PB + 1 }>(&p, shown, theta);
        assert_eq!(scan([5, 9, 9, 1], [0, 0, 0, 0]), (1, 4));
        assert_eq!(scan([5, 9, 9, 1], [0, 5, 0, 0]), (2, 4));
        assert_eq!(scan([5, 9, 9, 1], [5, 5, 5, 3]), (1, 4));
        assert_eq!(scan([5, 9, 9, 1], [5, 9, 9, 0]), (3, 4));
        // Values below the most negative potential: only the wider value orders them.
        let low = -(1 << (PB - 1));
        assert_eq!(scan([low, low + 1, low, low], [0, 8000, 3, 2]), (0, 4));
        assert_eq!(scan([low, low, -5, 0], [40000, 9, 65535, 65535]), (3, 4));
        assert_eq!(scan([low, low, -5, 0], [40000, 9, 0, 65535]), (2, 4));
    }

    #[test]
    fn first_maximum_in_n_cycles_like_the_model() {
        assert_eq!(scan([5, 9, 9, 1]), (1, 4));
        assert_eq!(scan([-3, -3, -2, -9]), (2, 4));
        assert_eq!(scan([4, 4, 4, 4]), (0, 4));
        assert_eq!(scan([-100_000, 3, -2, 100_000]), (3, 4));
    }

    #[test]
    fn wta_synthesizes_without_latches() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        lint_and_synth(&mut Wta::<10, 20, 20, 16>::new(&p), "wta");
        let p = HwParams::new(&crate::presets::small_theta()).unwrap();
        lint_and_synth(&mut Wta::<4, 18, 19, 16>::new(&p), "wta_theta");
    }
}
