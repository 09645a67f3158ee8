//! The winner's row sum, which NormMul starts from (docs/ARCHITECTURE.md "Row normalization"
//! and "Neuron lanes", bullet "Normalization"), in its two forms: with one lane per neuron,
//! [`RowSums`] keeps every row's sum, built by the sweep and moved by stage C's writes; with
//! lane groups, where the sweep reads only the pending row's group, [`SumWalk`] reads the
//! winner's row once more after End (state Sum). [`crate::norm::NormUnit`] holds the one its
//! design needs.

use crate::norm::{Lane, Penalize};
use rust_hdl::prelude::*;
use snn_arch::widths::{NEURON_BITS, ROW_SUM_BITS};
use snn_arch::HwParams;

/// Row sums (`snn_arch::limits` checks that a row sum fits).
pub(crate) const RSUM_BITS: usize = ROW_SUM_BITS;
/// Sum's input counter: up to `M` included.
const CNT_BITS: usize = 16;

/// `(x ^ 2^(WB-1)) - 2^(WB-1)` on the zero-extended `x`: a `WB`-bit weight sign-extended to a
/// row sum's width (the constants are `w_sign` and `w_sign_x`).
fn sign_constants<const WB: usize>() -> (Constant<Bits<WB>>, Constant<Bits<RSUM_BITS>>) {
    (
        Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
        Constant::new(Bits::<RSUM_BITS>::from(1u64 << (WB - 1))),
    )
}

/// One lane per neuron (`snn_sim::stdp`'s `rsum`, `sum_stage` and `track`): every row's sum,
/// cleared at `start`. The sweep's sum stage adds each word of a training image as written
/// back (penalized where its input is silent), an edge after its write; stage C's writes move
/// their lane's sum. `sum` is the sum of row `win`.
#[derive(LogicBlock)]
pub struct RowSums<
    const N: usize,
    const WB: usize,
    const WORD: usize,
    const NB: usize = NEURON_BITS,
> {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    /// The sweep wrote `word` back at this edge in a training image (its input silent if
    /// `silent`): the sum stage takes it.
    pub load: Signal<In, Bit>,
    pub word: Signal<In, Bits<WORD>>,
    pub silent: Signal<In, Bit>,
    /// Stage C writes lane `lane_c` with `wval` (its value before: `w_c`).
    pub we: Signal<In, Bit>,
    pub lane_c: Signal<In, Bits<NB>>,
    pub w_c: Signal<In, Bits<WB>>,
    pub wval: Signal<In, Bits<WB>>,
    pub win: Signal<In, Bits<NB>>,
    pub sum: Signal<Out, Bits<RSUM_BITS>>,
    pub(crate) rsum: Vec<RowSum<WB, WORD>>,
    /// The sum stage: a register between the sweep's `U` and the adders, so that the read
    /// data, `U`, the per-lane penalty and the adders are not one path.
    pub(crate) sum_v: DFF<Bit>,
    sum_w: DFF<Bits<WORD>>,
    sum_s: DFF<Bit>,
    /// `w_c` and `wval` sign-extended, and `wval - w_c`: a write's change of its row sum.
    w_c_x: Signal<Local, Bits<RSUM_BITS>>,
    wval_x: Signal<Local, Bits<RSUM_BITS>>,
    change: Signal<Local, Bits<RSUM_BITS>>,
    nids: Vec<Constant<Bits<NB>>>,
    w_sign: Constant<Bits<WB>>,
    w_sign_x: Constant<Bits<RSUM_BITS>>,
}

impl<const N: usize, const WB: usize, const WORD: usize, const NB: usize> RowSums<N, WB, WORD, NB> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!((p.lanes, WORD), (N, N * WB), "one lane per neuron");
        let (w_sign, w_sign_x) = sign_constants::<WB>();
        RowSums {
            clock: Default::default(),
            start: Default::default(),
            load: Default::default(),
            word: Default::default(),
            silent: Default::default(),
            we: Default::default(),
            lane_c: Default::default(),
            w_c: Default::default(),
            wval: Default::default(),
            win: Default::default(),
            sum: Default::default(),
            rsum: (0..N).map(|j| RowSum::new(p, j)).collect(),
            sum_v: Default::default(),
            sum_w: Default::default(),
            sum_s: Default::default(),
            w_c_x: Default::default(),
            wval_x: Default::default(),
            change: Default::default(),
            nids: (0..N)
                .map(|j| Constant::new(Bits::<NB>::from(j as u64)))
                .collect(),
            w_sign,
            w_sign_x,
        }
    }
}

impl<const N: usize, const WB: usize, const WORD: usize, const NB: usize> Logic
    for RowSums<N, WB, WORD, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sum_v, sum_w, sum_s);
        self.sum_v.d.next = self.load.val();
        if self.load.val() {
            self.sum_w.d.next = self.word.val();
            self.sum_s.d.next = self.silent.val();
        }
        if self.start.val() {
            self.sum_v.d.next = false;
        }
        self.w_c_x.next =
            bit_cast::<RSUM_BITS, WB>(self.w_c.val() ^ self.w_sign.val()) - self.w_sign_x.val();
        self.wval_x.next =
            bit_cast::<RSUM_BITS, WB>(self.wval.val() ^ self.w_sign.val()) - self.w_sign_x.val();
        self.change.next = self.wval_x.val() - self.w_c_x.val();
        self.sum.next = 0.into();
        for j in 0..N {
            self.rsum[j].clock.next = self.clock.val();
            self.rsum[j].start.next = self.start.val();
            self.rsum[j].add.next = self.sum_v.q.val();
            self.rsum[j].word.next = self.sum_w.q.val();
            self.rsum[j].silent.next = self.sum_s.q.val();
            self.rsum[j].hit.next = self.we.val() & (self.lane_c.val() == self.nids[j].val());
            self.rsum[j].change.next = self.change.val();
            if self.win.val() == self.nids[j].val() {
                self.sum.next = self.rsum[j].sum.val();
            }
        }
    }
}

/// One row's sum `rsum[j]`: cleared at `start`; in the sweep's sum stage plus lane `j` of the
/// word written (sign-extended), penalized when the input is `silent`; plus `change` when stage
/// C writes this lane (never in the same cycle: stage C writes after Thresh's second cycle).
#[derive(LogicBlock)]
pub struct RowSum<const WB: usize, const WORD: usize> {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub add: Signal<In, Bit>,
    /// The sum stage's word (`U` of weight_mem's read data, registered) and its input's silent
    /// bit.
    pub word: Signal<In, Bits<WORD>>,
    pub silent: Signal<In, Bit>,
    pub hit: Signal<In, Bit>,
    pub change: Signal<In, Bits<RSUM_BITS>>,
    pub sum: Signal<Out, Bits<RSUM_BITS>>,
    rsum: DFF<Bits<RSUM_BITS>>,
    lane_of: Lane<WB, WORD>,
    /// The lane's value added (penalized if silent), and sign-extended.
    value: Penalize<WB>,
    value_x: Signal<Local, Bits<RSUM_BITS>>,
    w_sign: Constant<Bits<WB>>,
    w_sign_x: Constant<Bits<RSUM_BITS>>,
}

impl<const WB: usize, const WORD: usize> RowSum<WB, WORD> {
    /// The sum of row `j`.
    pub fn new(p: &HwParams, j: usize) -> Self {
        let (w_sign, w_sign_x) = sign_constants::<WB>();
        RowSum {
            clock: Default::default(),
            start: Default::default(),
            add: Default::default(),
            word: Default::default(),
            silent: Default::default(),
            hit: Default::default(),
            change: Default::default(),
            sum: Default::default(),
            rsum: Default::default(),
            lane_of: Lane::new(j),
            value: Penalize::new(p),
            value_x: Default::default(),
            w_sign,
            w_sign_x,
        }
    }
}

impl<const WB: usize, const WORD: usize> Logic for RowSum<WB, WORD> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rsum);
        self.sum.next = self.rsum.q.val();
        self.lane_of.word.next = self.word.val();
        self.value.w.next = self.lane_of.lane.val();
        self.value.silent.next = self.silent.val();
        self.value_x.next = bit_cast::<RSUM_BITS, WB>(self.value.out.val() ^ self.w_sign.val())
            - self.w_sign_x.val();
        if self.add.val() {
            self.rsum.d.next = self.rsum.q.val() + self.value_x.val();
        }
        if self.hit.val() {
            self.rsum.d.next = self.rsum.q.val() + self.change.val();
        }
        if self.start.val() {
            self.rsum.d.next = 0.into();
        }
    }
}

/// Lane groups (`snn_sim::stdp`'s `begin_sum` and `sum_cycle`): Sum's walk over the winner's
/// row, `M + 1` cycles. Cycle `c < M` reads input `c`'s word of the winner's group (`waddr =
/// base + c`) and its tag (`taddr = c`); every cycle from the second adds lane `lane` of the
/// word read the cycle before (`word`, its input silent in this image if `silent`, then
/// penalized) to `sum`. `last` (from the counter alone: control decides on it within the
/// cycle) marks the last cycle, which only adds.
#[derive(LogicBlock)]
pub struct SumWalk<
    const WB: usize,
    const WORD: usize,
    const AW: usize,
    const WAW: usize,
    const NB: usize = NEURON_BITS,
> {
    pub clock: Signal<In, Clock>,
    /// End: the walk starts over with an empty sum.
    pub restart: Signal<In, Bit>,
    /// Sum: one cycle of the walk.
    pub walk: Signal<In, Bit>,
    /// The winner's lane and its group's first word `g * M`.
    pub lane: Signal<In, Bits<NB>>,
    pub base: Signal<In, Bits<WAW>>,
    pub word: Signal<In, Bits<WORD>>,
    pub silent: Signal<In, Bit>,
    pub rd: Signal<Out, Bit>,
    pub waddr: Signal<Out, Bits<WAW>>,
    pub taddr: Signal<Out, Bits<AW>>,
    pub last: Signal<Out, Bit>,
    pub sum: Signal<Out, Bits<RSUM_BITS>>,
    /// The next input to read, a word was read at the last edge, the sum so far.
    ws_i: DFF<Bits<CNT_BITS>>,
    ws_v: DFF<Bit>,
    wsum: DFF<Bits<RSUM_BITS>>,
    lanes: Vec<Lane<WB, WORD>>,
    /// Lane `lane` of `word`, penalized if silent, sign-extended.
    w: Signal<Local, Bits<WB>>,
    value: Penalize<WB>,
    value_x: Signal<Local, Bits<RSUM_BITS>>,
    nids: Vec<Constant<Bits<NB>>>,
    m: Constant<Bits<CNT_BITS>>,
    w_sign: Constant<Bits<WB>>,
    w_sign_x: Constant<Bits<RSUM_BITS>>,
    /// The lanes `P`.
    _p: usize,
}

impl<const WB: usize, const WORD: usize, const AW: usize, const WAW: usize, const NB: usize>
    SumWalk<WB, WORD, AW, WAW, NB>
{
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(WORD, p.lanes * WB, "word width");
        assert!(p.m < 1 << CNT_BITS, "input count");
        let (w_sign, w_sign_x) = sign_constants::<WB>();
        SumWalk {
            clock: Default::default(),
            restart: Default::default(),
            walk: Default::default(),
            lane: Default::default(),
            base: Default::default(),
            word: Default::default(),
            silent: Default::default(),
            rd: Default::default(),
            waddr: Default::default(),
            taddr: Default::default(),
            last: Default::default(),
            sum: Default::default(),
            ws_i: Default::default(),
            ws_v: Default::default(),
            wsum: Default::default(),
            lanes: (0..p.lanes).map(Lane::new).collect(),
            w: Default::default(),
            value: Penalize::new(p),
            value_x: Default::default(),
            nids: (0..p.lanes)
                .map(|l| Constant::new(Bits::<NB>::from(l as u64)))
                .collect(),
            m: Constant::new(Bits::<CNT_BITS>::from(p.m as u64)),
            w_sign,
            w_sign_x,
            _p: p.lanes,
        }
    }
}

impl<const WB: usize, const WORD: usize, const AW: usize, const WAW: usize, const NB: usize> Logic
    for SumWalk<WB, WORD, AW, WAW, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, ws_i, ws_v, wsum);
        self.last.next = self.ws_i.q.val() == self.m.val();
        self.rd.next = self.walk.val() & (self.ws_i.q.val() != self.m.val());
        self.waddr.next = self.base.val() + bit_cast::<WAW, CNT_BITS>(self.ws_i.q.val());
        self.taddr.next = bit_cast::<AW, CNT_BITS>(self.ws_i.q.val());
        self.sum.next = self.wsum.q.val();
        self.w.next = 0.into();
        for l in 0..self._p {
            self.lanes[l].word.next = self.word.val();
            if self.lane.val() == self.nids[l].val() {
                self.w.next = self.lanes[l].lane.val();
            }
        }
        self.value.w.next = self.w.val();
        self.value.silent.next = self.silent.val();
        self.value_x.next = bit_cast::<RSUM_BITS, WB>(self.value.out.val() ^ self.w_sign.val())
            - self.w_sign_x.val();
        if self.walk.val() {
            if self.ws_v.q.val() {
                self.wsum.d.next = self.wsum.q.val() + self.value_x.val();
            }
            self.ws_v.d.next = self.ws_i.q.val() != self.m.val();
            if self.ws_i.q.val() != self.m.val() {
                self.ws_i.d.next = self.ws_i.q.val() + 1;
            }
        }
        if self.restart.val() {
            self.ws_i.d.next = 0.into();
            self.ws_v.d.next = false;
            self.wsum.d.next = 0.into();
        }
    }
}
