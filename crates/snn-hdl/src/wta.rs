//! wta: the winner-takes-all unit (`snn_sim::wta`). Once per image, when no winner exists yet
//! and some neuron's `shown` exceeds the threshold, it scans `shown[0..N]` one neuron per cycle
//! through the neuron array's `PB`-bit read mux (one comparator instead of N), keeping the first
//! maximum, and in the last scan cycle latches the winner and inhibits every other neuron.

use rust_hdl::prelude::*;
use snn_sim::params::HwParams;

#[derive(LogicBlock)]
pub struct Wta<const N: usize, const PB: usize> {
    pub clock: Signal<In, Clock>,
    /// control, `start` of an image: no winner yet (`winner = inhibit_step = 0`).
    pub clear: Signal<In, Bit>,
    /// control, the Fire cycle that decides to scan: `ws = 0`.
    pub enter: Signal<In, Bit>,
    /// control, a Wta cycle at step `t`.
    pub scan: Signal<In, Bit>,
    pub t: Signal<In, Bits<16>>,
    /// `shown[ws]` (two's complement), from the neuron array's read mux.
    pub shown_sel: Signal<In, Bits<PB>>,
    /// Scan index: the neuron whose `shown` is looked at this cycle.
    pub ws: Signal<Out, Bits<8>>,
    /// The last scan cycle: the winner is chosen now and `inhibit` is valid.
    pub last: Signal<Out, Bit>,
    /// In the last scan cycle every neuron but the winner, else none.
    pub inhibit: Signal<Out, Bits<N>>,
    pub winner: Signal<Out, Bits<8>>,
    pub winner_valid: Signal<Out, Bit>,
    /// Step at which the winner was chosen.
    pub inhibit_step: Signal<Out, Bits<16>>,
    winner_r: DFF<Bits<8>>,
    valid_r: DFF<Bit>,
    step_r: DFF<Bits<16>>,
    ws_r: DFF<Bits<8>>,
    best_j: DFF<Bits<8>>,
    best_v: DFF<Bits<PB>>,
    /// First maximum of `shown[0..=ws]` and its value.
    bj: Signal<Local, Bits<8>>,
    bv: Signal<Local, Bits<PB>>,
    first_id: Constant<Bits<8>>,
    last_id: Constant<Bits<8>>,
    sign: Constant<Bits<PB>>,
    all: Constant<Bits<N>>,
    one: Constant<Bits<N>>,
}

impl<const N: usize, const PB: usize> Wta<N, PB> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.n, N, "neuron count");
        assert!(N <= 64 && N >= 1, "1..=64 neurons");
        Wta {
            clock: Default::default(),
            clear: Default::default(),
            enter: Default::default(),
            scan: Default::default(),
            t: Default::default(),
            shown_sel: Default::default(),
            ws: Default::default(),
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
            bj: Default::default(),
            bv: Default::default(),
            first_id: Constant::new(Bits::<8>::from(0u64)),
            last_id: Constant::new(Bits::<8>::from(N as u64 - 1)),
            sign: Constant::new(Bits::<PB>::from(1u64 << (PB - 1))),
            all: Constant::new(Bits::<N>::mask()),
            one: Constant::new(Bits::<N>::from(1u64)),
        }
    }
}

impl<const N: usize, const PB: usize> Logic for Wta<N, PB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, winner_r, valid_r, step_r, ws_r, best_j, best_v);
        self.winner.next = self.winner_r.q.val();
        self.winner_valid.next = self.valid_r.q.val();
        self.inhibit_step.next = self.step_r.q.val();
        self.ws.next = self.ws_r.q.val();
        // Strictly greater (signed, compared in offset binary): the lowest index keeps a tie.
        self.bj.next = self.best_j.q.val();
        self.bv.next = self.best_v.q.val();
        if (self.ws_r.q.val() == self.first_id.val())
            | ((self.shown_sel.val() ^ self.sign.val()) > (self.best_v.q.val() ^ self.sign.val()))
        {
            self.bj.next = self.ws_r.q.val();
            self.bv.next = self.shown_sel.val();
        }
        self.last.next = self.scan.val() & (self.ws_r.q.val() == self.last_id.val());
        self.inhibit.next = 0.into();
        if self.last.val() {
            self.inhibit.next = self.all.val() ^ (self.one.val() << self.bj.val());
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
