//! stdp's row normalization (SPEC section 10, docs/ARCHITECTURE.md "Row normalization" and
//! "Control FSM" steps 2, 11 and 12; `snn_sim::stdp`'s row sums and sweep): each row's sum
//! `rsum[j]`, built by the *sweep* during Ingest, Drain and Thresh's first two cycles of a
//! training image (every input's word as stage 3 inserts it, read at that edge, written back
//! at the next and summed at the one after, with this image's penalty where the input is
//! silent) and moved by every write of stage C; NormMul's product `(S - rsum[winner]) *
//! norm_recip`, most significant bit first with one adder, rounded into `delta`; the pending
//! update of the winner's row (`upd`, `upd_lane`, `delta`) that the next image's sweep writes
//! back, word by word, and that the host port applies to what it reads; and `tag_mem`, each
//! input's silent and skip bits.
//!
//! Built only with normalization (`norm_target > 0`): [`crate::stdp::Stdp`] holds it in a
//! vector of zero or one element, so designs without it keep their Verilog byte for byte.

use crate::bram::Bram;
use crate::cmp::AtLeast;
use crate::neuron::twos;
use crate::pending::Pending;
use crate::stdp::{only, pen_floor};
use rust_hdl::prelude::*;
use snn_arch::widths::{NEURON_BITS, NORM_PRODUCT_BITS, ROW_SUM_BITS};
use snn_arch::HwParams;

/// Row sums and `delta` (`snn_arch::limits` checks that a row sum fits).
const RSUM_BITS: usize = ROW_SUM_BITS;
/// NormMul's product.
const NM_BITS: usize = NORM_PRODUCT_BITS;
/// NormMul's bit index.
const CNT_BITS: usize = 16;
/// `tag_mem`'s word: bit 0 `silent`, bit 1 `skip`.
const TAG_BITS: usize = 2;

#[derive(LogicBlock)]
pub struct NormUnit<const N: usize, const WB: usize, const WORD: usize, const AW: usize> {
    pub clock: Signal<In, Clock>,
    /// Idle with `start`: the row sums start over and no sweep read or sum is pending.
    pub start: Signal<In, Bit>,
    /// The image's `learn` bit.
    pub learn: Signal<In, Bit>,
    /// spike_gen's stage 3 inserts input `ins_a` at this edge, silent if `ins_s`.
    pub ins: Signal<In, Bit>,
    pub ins_a: Signal<In, Bits<AW>>,
    pub ins_s: Signal<In, Bit>,
    /// End: the product starts at 0.
    pub nm_begin: Signal<In, Bit>,
    /// NormMul: one bit of the reciprocal.
    pub nm_step: Signal<In, Bit>,
    /// Done: a training image with a winner leaves its row's update pending.
    pub finish: Signal<In, Bit>,
    pub winner: Signal<In, Bits<NEURON_BITS>>,
    pub winner_valid: Signal<In, Bit>,
    /// control's read address of weight_mem (the sweep's and the host's take its place).
    pub craddr: Signal<In, Bits<AW>>,
    /// The host port (Idle): it reads and writes `tag_mem` beside weight_mem.
    pub host_mode: Signal<In, Bit>,
    pub host_we: Signal<In, Bit>,
    pub host_addr: Signal<In, Bits<AW>>,
    /// weight_mem read data.
    pub word: Signal<In, Bits<WORD>>,
    /// Stage C writes lane `lane_c` with `wval` (its value before: `w_c`).
    pub we: Signal<In, Bit>,
    pub lane_c: Signal<In, Bits<NEURON_BITS>>,
    pub w_c: Signal<In, Bits<WB>>,
    pub wval: Signal<In, Bits<WB>>,
    /// The sweep reads weight_mem at `raddr` in this cycle (next_mem is not read).
    pub rd: Signal<Out, Bit>,
    pub raddr: Signal<Out, Bits<AW>>,
    /// The sweep writes `uword` to weight_mem at `waddr` at this edge.
    pub swe: Signal<Out, Bit>,
    pub waddr: Signal<Out, Bits<AW>>,
    /// `U(word, tag)`: the word read with the pending update applied (the sweep's write, and
    /// the host's `host_rdata`).
    pub uword: Signal<Out, Bits<WORD>>,
    /// NormMul: the last bit, `delta` loads at this edge.
    pub nm_last: Signal<Out, Bit>,
    pub(crate) rsum: Vec<RowSum<WB, WORD>>,
    tag_mem: Bram<AW, TAG_BITS>,
    /// The sweep's stage: a read was issued at the last edge, of input `sw_a`, silent in this
    /// image if `sw_s`.
    sw_v: DFF<Bit>,
    sw_a: DFF<Bits<AW>>,
    sw_s: DFF<Bit>,
    /// The sweep's sum stage (training images): the word written back at the last edge
    /// (`uword`), silent in this image if `sum_s`, which the row sums add at the next edge. A
    /// register between `U` and the row-sum adders, so that the read data, `U`, the per-lane
    /// penalty and the adders are not one path.
    pub(crate) sum_v: DFF<Bit>,
    sum_w: DFF<Bits<WORD>>,
    sum_s: DFF<Bit>,
    /// The pending update: lane `upd_lane` of every word moves by `delta` (after the penalty
    /// where the word's tag says silent).
    upd: DFF<Bit>,
    upd_lane: DFF<Bits<NEURON_BITS>>,
    nm_acc: DFF<Bits<NM_BITS>>,
    nm_bit: DFF<Bits<CNT_BITS>>,
    /// `S - rsum[winner]`, registered in NormMul's first cycle (no write moves it then).
    diff_r: DFF<Bits<NM_BITS>>,
    /// The reciprocal's bits still to use, the next one in the top bit.
    rcp: DFF<Bits<NM_BITS>>,
    delta: DFF<Bits<RSUM_BITS>>,
    /// `w_c` and `wval` sign-extended, and `wval - w_c`: a write's change of its row sum.
    w_c_x: Signal<Local, Bits<RSUM_BITS>>,
    wval_x: Signal<Local, Bits<RSUM_BITS>>,
    change: Signal<Local, Bits<RSUM_BITS>>,
    /// `U`: lane `upd_lane` of `word` (`uw`), its value under the pending update (`pend`:
    /// the penalty where silent, `+ delta`, clamped), replicated into every lane; the lane's
    /// mask.
    lane: Vec<Lane<WB, WORD>>,
    uw: Signal<Local, Bits<WB>>,
    pend: Pending<WB>,
    nrep: Signal<Local, Bits<WORD>>,
    umask: Signal<Local, Bits<WORD>>,
    /// `rsum[winner]` and `S - rsum[winner]` (NM_BITS wide).
    rs_w: Signal<Local, Bits<RSUM_BITS>>,
    diff: Signal<Local, Bits<NM_BITS>>,
    add: Signal<Local, Bits<NM_BITS>>,
    acc_next: Signal<Local, Bits<NM_BITS>>,
    /// NormMul's last product plus the rounding half, and that shifted by `norm_shift`
    /// (arithmetic) and truncated into `delta`.
    rounding: Signal<Local, Bits<NM_BITS>>,
    rounded: Signal<Local, Bits<RSUM_BITS>>,
    nids: Vec<Constant<Bits<NEURON_BITS>>>,
    lane_off: Vec<Constant<Bits<16>>>,
    lane_bits: Vec<Constant<Bits<WORD>>>,
    last_in: Constant<Bits<AW>>,
    last_bit: Constant<Bits<CNT_BITS>>,
    target: Constant<Bits<NM_BITS>>,
    rcp_init: Constant<Bits<NM_BITS>>,
    top: Constant<Bits<NM_BITS>>,
    half: Constant<Bits<NM_BITS>>,
    shift: Constant<Bits<8>>,
    /// The top `norm_shift` bits: the ones an arithmetic shift brings in for a negative value.
    fill: Constant<Bits<NM_BITS>>,
    /// The weight's sign bit at `WB` and at `RSUM_BITS` bits (sign extension is
    /// `(x ^ 2^(WB-1)) - 2^(WB-1)`), and the row sums' sign bit.
    w_sign: Constant<Bits<WB>>,
    w_sign_x: Constant<Bits<RSUM_BITS>>,
    x_sign: Constant<Bits<RSUM_BITS>>,
}

/// `v` modulo `2^NM_BITS`.
fn wide(v: i64) -> Bits<NM_BITS> {
    Bits::<NM_BITS>::from(v as u64 & (u64::MAX >> (64 - NM_BITS)))
}

impl<const N: usize, const WB: usize, const WORD: usize, const AW: usize>
    NormUnit<N, WB, WORD, AW>
{
    pub fn new(p: &HwParams) -> Self {
        let f = &p.format;
        assert!(
            p.normalization,
            "the normalization unit is built with normalization only"
        );
        assert_eq!(
            (p.n, WB, WORD, AW),
            (N, p.widths.weight as usize, N * WB, p.aw as usize),
            "widths"
        );
        let m_bits = 64 - (p.m as u64).leading_zeros() as usize;
        assert!(
            WB + m_bits < RSUM_BITS,
            "row sums wider than {RSUM_BITS} bits"
        );
        assert!(
            RSUM_BITS + 1 + p.rb as usize <= NM_BITS,
            "NormMul product too wide"
        );
        assert!(p.m >= 1 && p.rb >= 1, "input count");
        NormUnit {
            clock: Default::default(),
            start: Default::default(),
            learn: Default::default(),
            ins: Default::default(),
            ins_a: Default::default(),
            ins_s: Default::default(),
            nm_begin: Default::default(),
            nm_step: Default::default(),
            finish: Default::default(),
            winner: Default::default(),
            winner_valid: Default::default(),
            craddr: Default::default(),
            host_mode: Default::default(),
            host_we: Default::default(),
            host_addr: Default::default(),
            word: Default::default(),
            we: Default::default(),
            lane_c: Default::default(),
            w_c: Default::default(),
            wval: Default::default(),
            rd: Default::default(),
            raddr: Default::default(),
            swe: Default::default(),
            waddr: Default::default(),
            uword: Default::default(),
            nm_last: Default::default(),
            rsum: (0..N).map(|j| RowSum::new(p, j)).collect(),
            tag_mem: Bram::new(1 << AW).without_read_during_write(),
            sw_v: Default::default(),
            sw_a: Default::default(),
            sw_s: Default::default(),
            sum_v: Default::default(),
            sum_w: Default::default(),
            sum_s: Default::default(),
            upd: Default::default(),
            upd_lane: Default::default(),
            nm_acc: Default::default(),
            nm_bit: Default::default(),
            diff_r: Default::default(),
            rcp: Default::default(),
            delta: Default::default(),
            w_c_x: Default::default(),
            wval_x: Default::default(),
            change: Default::default(),
            lane: (0..N).map(|j| Lane::new(j)).collect(),
            uw: Default::default(),
            pend: Pending::new(p),
            nrep: Default::default(),
            umask: Default::default(),
            rs_w: Default::default(),
            diff: Default::default(),
            add: Default::default(),
            acc_next: Default::default(),
            rounding: Default::default(),
            rounded: Default::default(),
            nids: (0..N)
                .map(|j| Constant::new(Bits::<NEURON_BITS>::from(j as u64)))
                .collect(),
            lane_off: (0..N)
                .map(|j| Constant::new(Bits::<16>::from((j * WB) as u64)))
                .collect(),
            lane_bits: (0..N)
                .map(|j| Constant::new(only::<WORD>(j * WB..(j + 1) * WB)))
                .collect(),
            last_in: Constant::new(Bits::<AW>::from(p.m as u64 - 1)),
            last_bit: Constant::new(Bits::<CNT_BITS>::from(p.rb as u64 - 1)),
            target: Constant::new(wide(f.norm_target)),
            rcp_init: Constant::new(wide((f.norm_recip as i64) << (NM_BITS as u32 - p.rb))),
            top: Constant::new(wide(1 << (NM_BITS - 1))),
            half: Constant::new(wide(1 << (f.norm_shift - 1))),
            shift: Constant::new(Bits::<8>::from(f.norm_shift as u64)),
            fill: Constant::new(wide(!((1i64 << (NM_BITS as u32 - f.norm_shift)) - 1))),
            w_sign: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
            w_sign_x: Constant::new(Bits::<RSUM_BITS>::from(1u64 << (WB - 1))),
            x_sign: Constant::new(Bits::<RSUM_BITS>::from(1u64 << (RSUM_BITS - 1))),
        }
    }
}

impl<const N: usize, const WB: usize, const WORD: usize, const AW: usize> Logic
    for NormUnit<N, WB, WORD, AW>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, sw_v, sw_a, sw_s, sum_v, sum_w, sum_s, upd, upd_lane, nm_acc, nm_bit,
            diff_r, rcp, delta
        );
        self.tag_mem.clock.next = self.clock.val();

        // U(word, tag): lane `upd_lane` of the word read, penalized if its tag says silent,
        // moved by `delta` and clamped, replaces that lane unless no update is pending or the
        // host wrote the word after the update was left pending (`skip`).
        self.uw.next = 0.into();
        self.umask.next = 0.into();
        for j in 0..N {
            self.lane[j].word.next = self.word.val();
            if self.upd_lane.q.val() == self.nids[j].val() {
                self.uw.next = self.lane[j].lane.val();
                self.umask.next = self.lane_bits[j].val();
            }
        }
        self.pend.clock.next = self.clock.val();
        self.pend.delta.next = self.delta.q.val();
        self.pend.w.next = self.uw.val();
        self.pend.silent.next = self.tag_mem.rdata.val().get_bit(0);
        self.nrep.next = 0.into();
        for j in 0..N {
            self.nrep.next = self.nrep.val()
                | (bit_cast::<WORD, WB>(self.pend.out.val()) << self.lane_off[j].val());
        }
        self.uword.next = self.word.val();
        if self.upd.q.val() & !self.tag_mem.rdata.val().get_bit(1) {
            self.uword.next =
                (self.word.val() & !self.umask.val()) | (self.nrep.val() & self.umask.val());
        }

        // The sweep: each input as stage 3 inserts it is read (with its tag), then written back
        // updated at the next edge, its tag rewritten with this image's silent bit.
        self.rd.next = self.ins.val() & (self.learn.val() | self.upd.q.val());
        self.raddr.next = self.ins_a.val();
        self.sw_v.d.next = self.ins.val() & (self.learn.val() | self.upd.q.val());
        if self.ins.val() & (self.learn.val() | self.upd.q.val()) {
            self.sw_a.d.next = self.ins_a.val();
            self.sw_s.d.next = self.ins_s.val();
        }
        // A training image's word written back moves to the sum stage.
        self.sum_v.d.next = self.sw_v.q.val() & self.learn.val();
        if self.sw_v.q.val() & self.learn.val() {
            self.sum_w.d.next = self.uword.val();
            self.sum_s.d.next = self.sw_s.q.val();
        }
        if self.start.val() {
            self.sw_v.d.next = false;
            self.sum_v.d.next = false;
        }
        self.swe.next = self.sw_v.q.val() & self.upd.q.val();
        self.waddr.next = self.sw_a.q.val();
        if self.sw_v.q.val() & (self.sw_a.q.val() == self.last_in.val()) {
            self.upd.d.next = false;
        }
        if self.finish.val() {
            self.upd.d.next = self.learn.val() & self.winner_valid.val();
            self.upd_lane.d.next = self.winner.val();
        }
        // tag_mem: read with weight_mem (control's, the sweep's or the host's address), written
        // by the sweep, or by the host, whose word a pending update must then leave alone.
        self.tag_mem.raddr.next = self.craddr.val();
        if self.ins.val() & (self.learn.val() | self.upd.q.val()) {
            self.tag_mem.raddr.next = self.ins_a.val();
        }
        self.tag_mem.we.next = self.sw_v.q.val();
        self.tag_mem.waddr.next = self.sw_a.q.val();
        self.tag_mem.wdata.next = 0.into();
        if self.sw_s.q.val() {
            self.tag_mem.wdata.next = 1.into();
        }
        if self.host_mode.val() {
            self.tag_mem.raddr.next = self.host_addr.val();
            self.tag_mem.we.next = self.host_we.val();
            self.tag_mem.waddr.next = self.host_addr.val();
            self.tag_mem.wdata.next = 0.into();
            if self.upd.q.val() {
                self.tag_mem.wdata.next = 2.into();
            }
        }

        // Row sums: the sweep's sum stage adds each word as written (penalized where silent) in
        // a training image, an edge after its write; stage C's writes move their lane.
        self.w_c_x.next =
            bit_cast::<RSUM_BITS, WB>(self.w_c.val() ^ self.w_sign.val()) - self.w_sign_x.val();
        self.wval_x.next =
            bit_cast::<RSUM_BITS, WB>(self.wval.val() ^ self.w_sign.val()) - self.w_sign_x.val();
        self.change.next = self.wval_x.val() - self.w_c_x.val();
        self.rs_w.next = 0.into();
        for j in 0..N {
            self.rsum[j].clock.next = self.clock.val();
            self.rsum[j].start.next = self.start.val();
            self.rsum[j].add.next = self.sum_v.q.val();
            self.rsum[j].word.next = self.sum_w.q.val();
            self.rsum[j].silent.next = self.sum_s.q.val();
            self.rsum[j].hit.next = self.we.val() & (self.lane_c.val() == self.nids[j].val());
            self.rsum[j].change.next = self.change.val();
            if self.winner.val() == self.nids[j].val() {
                self.rs_w.next = self.rsum[j].sum.val();
            }
        }

        // NormMul, Horner's rule: `acc = 2 * acc + (diff if the reciprocal's bit)`.
        self.diff.next = self.target.val()
            - (bit_cast::<NM_BITS, RSUM_BITS>(self.rs_w.val() ^ self.x_sign.val())
                - bit_cast::<NM_BITS, RSUM_BITS>(self.x_sign.val()));
        if self.nm_bit.q.val().any() {
            self.diff.next = self.diff_r.q.val();
        }
        self.add.next = 0.into();
        if (self.rcp.q.val() & self.top.val()).any() {
            self.add.next = self.diff.val();
        }
        self.acc_next.next = (self.nm_acc.q.val() << 1) + self.add.val();
        // The product's bits from `norm_shift` on, shifted arithmetically (a negative product
        // fills the top with ones): `delta` fits them, so the truncation keeps its value.
        self.rounding.next = self.acc_next.val() + self.half.val();
        self.rounded.next = bit_cast::<RSUM_BITS, NM_BITS>(self.rounding.val() >> self.shift.val());
        if (self.rounding.val() & self.top.val()).any() {
            self.rounded.next = bit_cast::<RSUM_BITS, NM_BITS>(
                (self.rounding.val() >> self.shift.val()) | self.fill.val(),
            );
        }
        self.nm_last.next = self.nm_step.val() & (self.nm_bit.q.val() == self.last_bit.val());
        if self.nm_begin.val() {
            self.nm_acc.d.next = 0.into();
            self.nm_bit.d.next = 0.into();
            self.rcp.d.next = self.rcp_init.val();
        }
        if self.nm_step.val() {
            self.nm_acc.d.next = self.acc_next.val();
            self.diff_r.d.next = self.diff.val();
            self.rcp.d.next = self.rcp.q.val() << 1;
            if self.nm_bit.q.val() == self.last_bit.val() {
                self.delta.d.next = self.rounded.val();
            } else {
                self.nm_bit.d.next = self.nm_bit.q.val() + 1;
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
            w_sign: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
            w_sign_x: Constant::new(Bits::<RSUM_BITS>::from(1u64 << (WB - 1))),
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
        // Sign extension: `(x ^ 2^(WB-1)) - 2^(WB-1)` on the zero-extended value.
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

/// A `WB`-bit weight with the penalty `max(w - penalty, w_min)` applied if `silent`, in `WB`
/// bits: the floor test is a comparison with a constant in offset binary ([`AtLeast`]), and
/// above the floor `w - penalty` cannot wrap. A block of its own, so that the parent's
/// statements that drive `w` and read `out` share no local (see `crate::core`).
#[derive(LogicBlock)]
pub struct Penalize<const WB: usize> {
    pub w: Signal<In, Bits<WB>>,
    pub silent: Signal<In, Bit>,
    pub out: Signal<Out, Bits<WB>>,
    /// `w >= w_min + penalty`.
    floor: AtLeast<WB>,
    penalty: Constant<Bits<WB>>,
    w_min: Constant<Bits<WB>>,
    w_sign: Constant<Bits<WB>>,
}

impl<const WB: usize> Penalize<WB> {
    pub fn new(p: &HwParams) -> Self {
        let f = &p.format;
        Penalize {
            w: Default::default(),
            silent: Default::default(),
            out: Default::default(),
            floor: AtLeast::new(pen_floor::<WB>(f.w_min as i64 + f.penalty as i64)),
            penalty: Constant::new(twos::<WB>(f.penalty as i64)),
            w_min: Constant::new(twos::<WB>(f.w_min as i64)),
            w_sign: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
        }
    }
}

impl<const WB: usize> Logic for Penalize<WB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.floor.x.next = self.w.val() ^ self.w_sign.val();
        self.out.next = self.w.val();
        if self.silent.val() {
            self.out.next = self.w_min.val();
            if self.floor.ge.val() {
                self.out.next = self.w.val() - self.penalty.val();
            }
        }
    }
}

/// Lane `j` of a word: a block of its own, since rust-hdl cannot slice a word at a constant
/// offset inside the loop over the lanes.
#[derive(LogicBlock)]
pub struct Lane<const WB: usize, const WORD: usize> {
    pub word: Signal<In, Bits<WORD>>,
    pub lane: Signal<Out, Bits<WB>>,
    lane_off: Constant<Bits<16>>,
}

impl<const WB: usize, const WORD: usize> Lane<WB, WORD> {
    pub fn new(j: usize) -> Self {
        Lane {
            word: Default::default(),
            lane: Default::default(),
            lane_off: Constant::new(Bits::<16>::from((j * WB) as u64)),
        }
    }
}

impl<const WB: usize, const WORD: usize> Logic for Lane<WB, WORD> {
    #[hdl_gen]
    fn update(&mut self) {
        self.lane.next = bit_cast::<WB, WORD>(self.word.val() >> self.lane_off.val());
    }
}
