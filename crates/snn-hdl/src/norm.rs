//! stdp's row normalization (SPEC section 10, docs/ARCHITECTURE.md "Row normalization" and
//! "Control FSM" steps 2, 11 and 12; `snn_sim::stdp`'s sweep): the *sweep* during Ingest, Drain
//! and Thresh's first two cycles (every input's word, as stage 3 inserts it, read at that edge
//! and written back at the next with the pending update applied); the winner's row sum
//! ([`crate::row_sums`]: every row's, or with lane groups a walk of the winner's row in state
//! Sum); NormMul's product `(S - rsum[winner]) * norm_recip`, most significant bit first with
//! one adder, rounded into `delta`; the pending update of the winner's row (`upd`, `upd_lane`,
//! `delta`) that the next image's sweep writes back, word by word, and that the host port
//! applies to what it reads; and `tag_mem`, each input's silent and skip bits.
//!
//! With lane groups (docs/ARCHITECTURE.md "Neuron lanes", bullet "Normalization") the sweep
//! reads and writes the pending row's group's words (`upd_base + i`), and the host port's tag
//! and `U` concern only that group's words.
//!
//! Built only with normalization (`norm_target > 0`): [`crate::stdp::Stdp`] holds it in a
//! vector of zero or one element, so designs without it keep their Verilog byte for byte.

use crate::bram::Bram;
use crate::cmp::AtLeast;
use crate::neuron::{many, twos};
use crate::pending::Pending;
use crate::row_sums::{RowSums, SumWalk, RSUM_BITS};
use crate::stdp::{only, pen_floor};
use rust_hdl::prelude::*;
use snn_arch::widths::{NEURON_BITS, NORM_PRODUCT_BITS};
use snn_arch::HwParams;

/// NormMul's product.
const NM_BITS: usize = NORM_PRODUCT_BITS;
/// NormMul's bit index.
const CNT_BITS: usize = 16;
/// `tag_mem`'s word: bit 0 `silent`, bit 1 `skip`.
const TAG_BITS: usize = 2;

/// `N` neurons, `WB` weight bits, `WORD = P * WB`, `AW` input address bits, `WAW` weight
/// address bits.
#[derive(LogicBlock)]
pub struct NormUnit<
    const N: usize,
    const WB: usize,
    const WORD: usize,
    const AW: usize,
    const WAW: usize,
    const NB: usize = NEURON_BITS,
> {
    pub clock: Signal<In, Clock>,
    /// Idle with `start`: the row sums start over and no sweep read or sum is pending.
    pub start: Signal<In, Bit>,
    /// The image's `learn` bit.
    pub learn: Signal<In, Bit>,
    /// spike_gen's stage 3 inserts input `ins_a` at this edge, silent if `ins_s`.
    pub ins: Signal<In, Bit>,
    pub ins_a: Signal<In, Bits<AW>>,
    pub ins_s: Signal<In, Bit>,
    /// End: the product starts at 0 (and with lane groups the Sum walk starts over).
    pub nm_begin: Signal<In, Bit>,
    /// NormMul: one bit of the reciprocal.
    pub nm_step: Signal<In, Bit>,
    /// Done: a training image with a winner leaves its row's update pending.
    pub finish: Signal<In, Bit>,
    /// The winner's lane (the winner itself with one lane per neuron).
    pub win_lane: Signal<In, Bits<NB>>,
    pub winner_valid: Signal<In, Bit>,
    /// control's read address of weight_mem (the sweep's and the host's take its place).
    pub craddr: Signal<In, Bits<AW>>,
    /// The host port (Idle): it reads and writes `tag_mem` beside weight_mem.
    pub host_mode: Signal<In, Bit>,
    pub host_we: Signal<In, Bit>,
    pub host_addr: Signal<In, Bits<WAW>>,
    /// weight_mem read data.
    pub word: Signal<In, Bits<WORD>>,
    /// One lane per neuron (else empty): stage C writes lane `lane_c` with `wval` (its value
    /// before: `w_c`), which moves the row sums.
    pub we: Vec<Signal<In, Bit>>,
    pub lane_c: Vec<Signal<In, Bits<NB>>>,
    pub w_c: Vec<Signal<In, Bits<WB>>>,
    pub wval: Vec<Signal<In, Bits<WB>>>,
    /// Lane groups (else empty): the winner's group's first word `g * M`; state Sum, and its
    /// last cycle.
    pub win_base: Vec<Signal<In, Bits<WAW>>>,
    pub sum: Vec<Signal<In, Bit>>,
    pub sum_end: Vec<Signal<Out, Bit>>,
    /// The sweep (or Sum) reads weight_mem at `raddr` in this cycle (next_mem is not read).
    pub rd: Signal<Out, Bit>,
    pub raddr: Signal<Out, Bits<WAW>>,
    /// The sweep writes `uword` to weight_mem at `waddr` at this edge.
    pub swe: Signal<Out, Bit>,
    pub waddr: Signal<Out, Bits<WAW>>,
    /// `U(word, tag)`: the word read with the pending update applied (the sweep's write, and
    /// the host's `host_rdata`).
    pub uword: Signal<Out, Bits<WORD>>,
    /// NormMul: the last bit, `delta` loads at this edge.
    pub nm_last: Signal<Out, Bit>,
    pub(crate) rows: Vec<RowSums<N, WB, WORD, NB>>,
    walk: Vec<SumWalk<WB, WORD, AW, WAW, NB>>,
    tag_mem: Bram<AW, TAG_BITS>,
    /// The sweep's stage: a read was issued at the last edge, of input `sw_a`, silent in this
    /// image if `sw_s`.
    sw_v: DFF<Bit>,
    sw_a: DFF<Bits<AW>>,
    sw_s: DFF<Bit>,
    /// The pending update: lane `upd_lane` of every word (of the group whose first word is
    /// `upd_base`, with lane groups) moves by `delta` (after the penalty where the word's tag
    /// says silent).
    upd: DFF<Bit>,
    upd_lane: DFF<Bits<NB>>,
    upd_base: Vec<DFF<Bits<WAW>>>,
    /// Lane groups: the word the host read at the last edge is of the pending row's group.
    hit_r: Vec<DFF<Bit>>,
    /// The host's address relative to the pending row's group (`host_addr` itself with one lane
    /// per neuron), inside that group (`hit`, always with one lane per neuron), and `U` applies
    /// to the word read (`row_ok`: always but for the host's reads of another group).
    rel: Signal<Local, Bits<WAW>>,
    hit: Signal<Local, Bit>,
    row_ok: Signal<Local, Bit>,
    nm_acc: DFF<Bits<NM_BITS>>,
    nm_bit: DFF<Bits<CNT_BITS>>,
    /// `S - rsum[winner]`, registered in NormMul's first cycle (no write moves it then).
    diff_r: DFF<Bits<NM_BITS>>,
    /// The reciprocal's bits still to use, the next one in the top bit.
    rcp: DFF<Bits<NM_BITS>>,
    delta: DFF<Bits<RSUM_BITS>>,
    /// `U`: lane `upd_lane` of `word` (`uw`), its value under the pending update (`pend`:
    /// the penalty where silent, `+ delta`, clamped), replicated into every lane; the lane's
    /// mask.
    lane: Vec<Lane<WB, WORD>>,
    uw: Signal<Local, Bits<WB>>,
    pend: Pending<WB>,
    nrep: Signal<Local, Bits<WORD>>,
    umask: Signal<Local, Bits<WORD>>,
    /// The winner's row sum and `S - ` that (NM_BITS wide).
    rs_w: Signal<Local, Bits<RSUM_BITS>>,
    diff: Signal<Local, Bits<NM_BITS>>,
    add: Signal<Local, Bits<NM_BITS>>,
    acc_next: Signal<Local, Bits<NM_BITS>>,
    /// NormMul's last product plus the rounding half, and that shifted by `norm_shift`
    /// (arithmetic) and truncated into `delta`.
    rounding: Signal<Local, Bits<NM_BITS>>,
    rounded: Signal<Local, Bits<RSUM_BITS>>,
    nids: Vec<Constant<Bits<NB>>>,
    lane_off: Vec<Constant<Bits<16>>>,
    lane_bits: Vec<Constant<Bits<WORD>>>,
    last_in: Constant<Bits<AW>>,
    /// `M`, in weight addresses (lane groups).
    m_words: Vec<Constant<Bits<WAW>>>,
    last_bit: Constant<Bits<CNT_BITS>>,
    target: Constant<Bits<NM_BITS>>,
    rcp_init: Constant<Bits<NM_BITS>>,
    top: Constant<Bits<NM_BITS>>,
    half: Constant<Bits<NM_BITS>>,
    shift: Constant<Bits<8>>,
    /// The top `norm_shift` bits: the ones an arithmetic shift brings in for a negative value.
    fill: Constant<Bits<NM_BITS>>,
    /// The row sums' sign bit.
    x_sign: Constant<Bits<RSUM_BITS>>,
    /// The lanes of a word (`N`, or `P` with lane groups); 1 with one lane per neuron, else 0;
    /// 1 with lane groups, else 0.
    _c: usize,
    _g1: usize,
    _ln: usize,
}

/// `v` modulo `2^NM_BITS`.
fn wide(v: i64) -> Bits<NM_BITS> {
    Bits::<NM_BITS>::from(v as u64 & (u64::MAX >> (64 - NM_BITS)))
}

impl<
        const N: usize,
        const WB: usize,
        const WORD: usize,
        const AW: usize,
        const WAW: usize,
        const NB: usize,
    > NormUnit<N, WB, WORD, AW, WAW, NB>
{
    pub fn new(p: &HwParams) -> Self {
        let f = &p.format;
        assert!(
            p.normalization,
            "the normalization unit is built with normalization only"
        );
        let c = p.lanes;
        assert_eq!(
            (p.n, WB, WORD, AW, WAW),
            (
                N,
                p.widths.weight as usize,
                c * WB,
                p.aw as usize,
                p.waw as usize
            ),
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
        let ln = usize::from(c < N);
        let g1 = 1 - ln;
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
            win_lane: Default::default(),
            winner_valid: Default::default(),
            craddr: Default::default(),
            host_mode: Default::default(),
            host_we: Default::default(),
            host_addr: Default::default(),
            word: Default::default(),
            we: many(g1),
            lane_c: many(g1),
            w_c: many(g1),
            wval: many(g1),
            win_base: many(ln),
            sum: many(ln),
            sum_end: many(ln),
            rd: Default::default(),
            raddr: Default::default(),
            swe: Default::default(),
            waddr: Default::default(),
            uword: Default::default(),
            nm_last: Default::default(),
            rows: (0..g1).map(|_| RowSums::new(p)).collect(),
            walk: (0..ln).map(|_| SumWalk::new(p)).collect(),
            tag_mem: Bram::new(1 << AW).without_read_during_write(),
            sw_v: Default::default(),
            sw_a: Default::default(),
            sw_s: Default::default(),
            upd: Default::default(),
            upd_lane: Default::default(),
            upd_base: many(ln),
            hit_r: many(ln),
            rel: Default::default(),
            hit: Default::default(),
            row_ok: Default::default(),
            nm_acc: Default::default(),
            nm_bit: Default::default(),
            diff_r: Default::default(),
            rcp: Default::default(),
            delta: Default::default(),
            lane: (0..c).map(Lane::new).collect(),
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
            nids: (0..c)
                .map(|j| Constant::new(Bits::<NB>::from(j as u64)))
                .collect(),
            lane_off: (0..c)
                .map(|j| Constant::new(Bits::<16>::from((j * WB) as u64)))
                .collect(),
            lane_bits: (0..c)
                .map(|j| Constant::new(only::<WORD>(j * WB..(j + 1) * WB)))
                .collect(),
            last_in: Constant::new(Bits::<AW>::from(p.m as u64 - 1)),
            m_words: (0..ln)
                .map(|_| Constant::new(Bits::<WAW>::from(p.m as u64)))
                .collect(),
            last_bit: Constant::new(Bits::<CNT_BITS>::from(p.rb as u64 - 1)),
            target: Constant::new(wide(f.norm_target)),
            rcp_init: Constant::new(wide((f.norm_recip as i64) << (NM_BITS as u32 - p.rb))),
            top: Constant::new(wide(1 << (NM_BITS - 1))),
            half: Constant::new(wide(1 << (f.norm_shift - 1))),
            shift: Constant::new(Bits::<8>::from(f.norm_shift as u64)),
            fill: Constant::new(wide(!((1i64 << (NM_BITS as u32 - f.norm_shift)) - 1))),
            x_sign: Constant::new(Bits::<RSUM_BITS>::from(1u64 << (RSUM_BITS - 1))),
            _c: c,
            _g1: g1,
            _ln: ln,
        }
    }
}

impl<
        const N: usize,
        const WB: usize,
        const WORD: usize,
        const AW: usize,
        const WAW: usize,
        const NB: usize,
    > Logic for NormUnit<N, WB, WORD, AW, WAW, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, sw_v, sw_a, sw_s, upd, upd_lane, nm_acc, nm_bit, diff_r, rcp, delta
        );
        self.tag_mem.clock.next = self.clock.val();

        // The host's word relative to the pending row's group: with lane groups only that
        // group's words have a tag and an update.
        self.rel.next = self.host_addr.val();
        self.hit.next = true;
        self.row_ok.next = true;
        for z in 0..self._ln {
            self.upd_base[z].clock.next = self.clock.val();
            self.hit_r[z].clock.next = self.clock.val();
            self.upd_base[z].d.next = self.upd_base[z].q.val();
            self.rel.next = self.host_addr.val() - self.upd_base[z].q.val();
            self.hit.next = self.rel.val() < self.m_words[z].val();
            self.hit_r[z].d.next = !self.host_mode.val() | self.hit.val();
            self.row_ok.next = self.hit_r[z].q.val();
        }

        // U(word, tag): lane `upd_lane` of the word read, penalized if its tag says silent,
        // moved by `delta` and clamped, replaces that lane unless no update is pending, the
        // host wrote the word after the update was left pending (`skip`), or the host read
        // another group's word.
        self.uw.next = 0.into();
        self.umask.next = 0.into();
        for j in 0..self._c {
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
        for j in 0..self._c {
            self.nrep.next = self.nrep.val()
                | (bit_cast::<WORD, WB>(self.pend.out.val()) << self.lane_off[j].val());
        }
        self.uword.next = self.word.val();
        if self.upd.q.val() & !self.tag_mem.rdata.val().get_bit(1) & self.row_ok.val() {
            self.uword.next =
                (self.word.val() & !self.umask.val()) | (self.nrep.val() & self.umask.val());
        }

        // The sweep: each input as stage 3 inserts it is read (with its tag), then written back
        // updated at the next edge, its tag rewritten with this image's silent bit.
        self.rd.next = self.ins.val() & (self.learn.val() | self.upd.q.val());
        self.raddr.next = bit_cast::<WAW, AW>(self.ins_a.val());
        self.waddr.next = bit_cast::<WAW, AW>(self.sw_a.q.val());
        self.sw_v.d.next = self.ins.val() & (self.learn.val() | self.upd.q.val());
        if self.ins.val() & (self.learn.val() | self.upd.q.val()) {
            self.sw_a.d.next = self.ins_a.val();
            self.sw_s.d.next = self.ins_s.val();
        }
        if self.start.val() {
            self.sw_v.d.next = false;
        }
        self.swe.next = self.sw_v.q.val() & self.upd.q.val();
        if self.sw_v.q.val() & (self.sw_a.q.val() == self.last_in.val()) {
            self.upd.d.next = false;
        }
        if self.finish.val() {
            self.upd.d.next = self.learn.val() & self.winner_valid.val();
            self.upd_lane.d.next = self.win_lane.val();
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

        // One lane per neuron: every row's sum, from the sweep's words of a training image and
        // stage C's writes.
        self.rs_w.next = 0.into();
        for z in 0..self._g1 {
            self.rows[z].clock.next = self.clock.val();
            self.rows[z].start.next = self.start.val();
            self.rows[z].load.next = self.sw_v.q.val() & self.learn.val();
            self.rows[z].word.next = self.uword.val();
            self.rows[z].silent.next = self.sw_s.q.val();
            self.rows[z].we.next = self.we[z].val();
            self.rows[z].lane_c.next = self.lane_c[z].val();
            self.rows[z].w_c.next = self.w_c[z].val();
            self.rows[z].wval.next = self.wval[z].val();
            self.rows[z].win.next = self.win_lane.val();
            self.rs_w.next = self.rows[z].sum.val();
        }
        // Lane groups: the sweep on the pending row's group; Sum's walk of the winner's row
        // (weight_mem and tag_mem read together).
        for z in 0..self._ln {
            self.raddr.next = bit_cast::<WAW, AW>(self.ins_a.val()) + self.upd_base[z].q.val();
            self.waddr.next = bit_cast::<WAW, AW>(self.sw_a.q.val()) + self.upd_base[z].q.val();
            if self.finish.val() {
                self.upd_base[z].d.next = self.win_base[z].val();
            }
            self.walk[z].clock.next = self.clock.val();
            self.walk[z].restart.next = self.nm_begin.val();
            self.walk[z].walk.next = self.sum[z].val();
            self.walk[z].lane.next = self.win_lane.val();
            self.walk[z].base.next = self.win_base[z].val();
            self.walk[z].word.next = self.word.val();
            self.walk[z].silent.next = self.tag_mem.rdata.val().get_bit(0);
            self.sum_end[z].next = self.walk[z].last.val();
            if self.sum[z].val() {
                self.rd.next = self.walk[z].rd.val();
                self.raddr.next = self.walk[z].waddr.val();
                self.tag_mem.raddr.next = self.walk[z].taddr.val();
            }
            self.rs_w.next = self.walk[z].sum.val();
        }
        if self.host_mode.val() {
            self.tag_mem.raddr.next = bit_cast::<AW, WAW>(self.rel.val());
            self.tag_mem.we.next = self.host_we.val() & self.hit.val();
            self.tag_mem.waddr.next = bit_cast::<AW, WAW>(self.rel.val());
            self.tag_mem.wdata.next = 0.into();
            if self.upd.q.val() {
                self.tag_mem.wdata.next = 2.into();
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

#[cfg(test)]
pub(crate) mod testing {
    //! The steps the normalization tests share (one lane per neuron in `crate::stdp`'s tests,
    //! lane groups in this module's): stdp with words of two 10-bit lanes on a 2 x 2 input.
    use crate::core::testing::tick;
    use crate::stdp::Stdp;
    use rust_hdl::prelude::*;
    use snn_arch::HwParams;
    use snn_sim::stdp::Stdp as Model;

    /// `N` neurons, weight address bits `WAW`, group bits `GB`.
    pub type Uut<const N: usize, const WAW: usize, const GB: usize> = Stdp<N, 10, 20, 3, WAW, GB>;

    pub fn clk<const N: usize, const WAW: usize, const GB: usize>(
        u: &mut Uut<N, WAW, GB>,
        clk: bool,
    ) {
        u.clock.next = Clock { clk };
    }

    /// The unit for `p` (a winner always valid, no list to walk) settled and clocked once, and
    /// the cycle model's beside it.
    pub fn unit<const N: usize, const WAW: usize, const GB: usize>(
        p: &HwParams,
    ) -> (Uut<N, WAW, GB>, Model) {
        let mut uut = Uut::new(p);
        uut.connect_all();
        uut.winner_valid[0].next = true;
        uut.head_silent.next = (p.nil as u64).into();
        uut.head.next = (p.nil as u64).into();
        assert!(simulate(&mut uut, 1000));
        tick(&mut uut, clk);
        (uut, Model::for_core(p))
    }

    /// A word of two lanes, and back.
    pub fn word(w: [i32; 2]) -> u64 {
        let lane = |w: i32| (w as i64 as u64) & 0x3ff;
        lane(w[0]) | lane(w[1]) << 10
    }

    pub fn unword(v: u64) -> [i32; 2] {
        let sx = |v: u64| ((v << 54) as i64 >> 54) as i32;
        [sx(v & 0x3ff), sx(v >> 10)]
    }

    /// Idle with `start` (the host port on), then the image's `learn`.
    pub fn start_image<const N: usize, const WAW: usize, const GB: usize>(
        uut: &mut Uut<N, WAW, GB>,
        model: &mut Model,
        learn: bool,
    ) {
        uut.sum_start[0].next = true;
        uut.host_mode[0].next = true;
        tick(uut, clk);
        model.start_sums();
        uut.sum_start[0].next = false;
        uut.host_mode[0].next = false;
        uut.n_learn[0].next = learn;
    }

    /// Cycle `cycle` of a sweep whose input `i` is inserted at cycle `at[i]` (silent if
    /// `silent[i]`), weight_mem's data register holding `q`: presents it, lets the logic
    /// settle, and returns the insertion.
    pub fn present<const N: usize, const WAW: usize, const GB: usize>(
        uut: &mut Uut<N, WAW, GB>,
        (at, silent): ([usize; 4], [bool; 4]),
        cycle: usize,
        q: [i32; 2],
    ) -> Option<(u32, bool)> {
        let ins = at
            .iter()
            .position(|&c| c == cycle)
            .map(|i| (i as u32, silent[i]));
        uut.ins[0].next = ins.is_some();
        uut.ins_a[0].next = (ins.map_or(0, |x| x.0) as u64).into();
        uut.ins_s[0].next = ins.is_some_and(|x| x.1);
        uut.word.next = word(q).into();
        assert!(simulate(uut, 1000));
        ins
    }

    /// The word stdp writes to weight_mem at this edge (address, word), if any.
    pub fn written<const N: usize, const WAW: usize, const GB: usize>(
        uut: &Uut<N, WAW, GB>,
    ) -> Option<(usize, [i32; 2])> {
        uut.we.val().then(|| {
            let w = uut.wnew.val() & uut.wsel.val() | uut.wdata.val() & !uut.wsel.val();
            (uut.waddr.val().index(), unword(w.to_u64()))
        })
    }

    /// NormMul on `winner`'s row, cycle by cycle: the last cycle flagged when the model's is.
    pub fn norm_mul<const N: usize, const WAW: usize, const GB: usize>(
        uut: &mut Uut<N, WAW, GB>,
        model: &mut Model,
        winner: u32,
        p: &HwParams,
        what: &str,
    ) {
        uut.nm_step[0].next = true;
        for cycle in 0.. {
            assert!(simulate(uut, 1000));
            let last = model.norm_mul(winner, false, p);
            assert_eq!(uut.nm_last[0].val(), last, "{what}: NormMul cycle {cycle}");
            tick(uut, clk);
            if last {
                break;
            }
        }
        uut.nm_step[0].next = false;
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{clk, norm_mul, present, start_image, unit, unword, word, written};
    use crate::core::testing::{lint_and_synth, tick};
    use rust_hdl::prelude::*;
    use snn_arch::{HwParams, MAX_LANES};
    use snn_core::config::SnnConfig;

    /// 6 neurons in 3 lane groups of 2, on a 2 x 2 input.
    type Uut = super::testing::Uut<6, 4, 2>;

    fn params(target: f64) -> HwParams {
        let p = HwParams::new(&SnnConfig {
            neurons: 6,
            lanes: Some(2),
            height: 2,
            width: 2,
            norm_target: target,
            ..SnnConfig::default()
        })
        .unwrap();
        assert_eq!((p.m, p.groups, p.aw, p.waw, p.gb), (4, 3, 3, 4, 2));
        p
    }

    /// Row normalization with lane groups against the cycle model, cycle by cycle, over three
    /// images (docs/ARCHITECTURE.md "Neuron lanes", bullet "Normalization"): the sweep reads
    /// and writes the pending row's group's words (`g * M + i`); Sum walks the winner's row
    /// (reads, `sum_end`) and NormMul starts from its sum; the host port applies the pending
    /// update only to that group's words, and a host write sets the skip tag only there (a
    /// write to another group's word of the same input leaves the silent bit the update
    /// needs; two groups apart, that word's address is the pending group's modulo `2^AW`).
    /// Winners in the first and last groups and in both lanes; the memories end equal, and the first
    /// update is the fixed model's penalty and normalization of the winner's row.
    #[test]
    fn lane_groups_normalize_like_the_cycle_model() {
        for target in [0.25, 1.5, 3.9] {
            normalize_lanes_once(target);
        }
    }

    fn normalize_lanes_once(target: f64) {
        let p = params(target);
        let f = &p.format;
        let (m, lanes) = (p.m, p.lanes);
        let (w_lo, w_hi) = (f.w_min, f.w_max);
        // Word `g * M + i`: input `i`'s weights of neurons `2g` and `2g + 1`.
        let init = [
            [100i32, -50],
            [7, w_hi],
            [-300, 380.min(w_hi)],
            [w_lo, 1],
            [12, -3],
            [w_hi, 40],
            [-8, w_lo],
            [250.min(w_hi), 90],
            [-20, 33],
            [w_lo, w_hi],
            [61, -7],
            [2, 140],
        ];
        let (mut mem, mut mem_m) = (init, init);
        let addr = |i: u32, j: u32| (j as usize / lanes) * m + i as usize;
        let (mut uut, mut model): (Uut, _) = unit(&p);
        let mut word_q = [0i32; MAX_LANES];
        let mut rtl_word = [0i32; 2];
        // Per image: learn, the winner, the cycle of each insertion, the silent inputs.
        let images: [(bool, u32, [usize; 4], [bool; 4]); 3] = [
            (true, 5, [0, 1, 2, 3], [true, false, true, false]),
            (true, 0, [1, 2, 4, 7], [false, true, true, false]),
            (false, 2, [0, 2, 3, 4], [true, true, false, false]),
        ];
        for (k, &(learn, winner, at, silent)) in images.iter().enumerate() {
            let what = |c: &str| format!("target {target}, image {k}, {c}");
            uut.winner.next = (winner as u64).into();
            start_image(&mut uut, &mut model, learn);
            // The sweep, on the pending row's group, with its tail cycle (the last write).
            for cycle in 0..at[3] + 2 {
                let ins = present(&mut uut, (at, silent), cycle, rtl_word);
                let row = model.upd_lane;
                let out = model.sweep_cycle(ins, &word_q[..2], learn, &p);
                let rd = uut.n_rd[0].val().then(|| uut.n_raddr[0].val().index());
                assert_eq!(rd, out.rd.map(|i| addr(i, row)), "{}", what("sweep read"));
                assert_eq!(uut.we.val(), out.write.is_some(), "{}", what("write"));
                if let Some(a) = rd {
                    rtl_word = mem[a];
                }
                if let Some((a, w)) = written(&uut) {
                    mem[a] = w;
                }
                if let Some((i, j, v)) = out.write {
                    mem_m[addr(i, j)] = [word_q[0], word_q[1]];
                    mem_m[addr(i, j)][j as usize % lanes] = v;
                }
                if let Some(a) = rd {
                    word_q[..2].copy_from_slice(&mem_m[a]);
                }
                tick(&mut uut, clk);
            }
            uut.ins[0].next = false;
            assert_eq!(mem, mem_m, "{}", what("after the sweep"));
            // End, then (training) Sum and NormMul; Done.
            uut.nm_begin[0].next = true;
            tick(&mut uut, clk);
            uut.nm_begin[0].next = false;
            if learn {
                model.begin_sum();
                uut.n_sum[0].next = true;
                for cycle in 0..=m {
                    uut.word.next = word(rtl_word).into();
                    assert!(simulate(&mut uut, 1000));
                    let rd = model.sum_cycle(winner, &word_q[..2], None, &p);
                    let c = format!("Sum cycle {cycle}");
                    assert_eq!(uut.n_sum_end[0].val(), rd.is_none(), "{}", what(&c));
                    let got = uut.n_rd[0].val().then(|| uut.n_raddr[0].val().index());
                    assert_eq!(got, rd.map(|i| addr(i, winner)), "{}", what(&c));
                    if let Some(a) = got {
                        rtl_word = mem[a];
                        word_q[..2].copy_from_slice(&mem_m[a]);
                    }
                    tick(&mut uut, clk);
                }
                uut.n_sum[0].next = false;
                model.begin_norm_mul();
                norm_mul(&mut uut, &mut model, winner, &p, &what("NormMul"));
            }
            uut.n_finish[0].next = true;
            tick(&mut uut, clk);
            model.set_pending(learn, true, winner);
            uut.n_finish[0].next = false;
            // Idle: the host reads every word of every group, the update applied to the
            // pending row's group only.
            uut.host_mode[0].next = true;
            let pending_group = model.upd_lane as usize / lanes;
            for a in 0..p.groups * m {
                let i = a % m;
                uut.host_addr[0].next = (a as u64).into();
                tick(&mut uut, clk);
                uut.word.next = word(mem[a]).into();
                assert!(simulate(&mut uut, 1000));
                let mut want = mem_m[a];
                if a / m == pending_group {
                    if let Some(v) = model.pending_value(&mem_m[a], model.tag[i], &p) {
                        want[model.upd_lane as usize % lanes] = v;
                    }
                }
                let got = unword(uut.n_rdata[0].val().to_u64());
                assert_eq!(got, want, "{}", what(&format!("host_rdata {a}")));
                if k == 0 && a / m == 2 {
                    // The first update is SPEC's: the penalty where silent, then the step
                    // of the penalized row's sum.
                    let pen = |i: usize| {
                        let w = init[2 * m + i][1];
                        if silent[i] {
                            f.penalize(w)
                        } else {
                            w
                        }
                    };
                    let delta = f.norm_delta((0..m).map(|i| pen(i) as i64).sum());
                    assert_eq!(got, [init[a][0], f.normalize(pen(i), delta)], "input {i}");
                }
            }
            // Host writes: input 2's word of the pending group (the update must skip it) and
            // input 1's word of another group (input 1's tag stays).
            let other = (pending_group + 2) % p.groups;
            for (i, g, value) in [(2, pending_group, [-1, 2]), (1, other, [5, -6])] {
                uut.host_we[0].next = true;
                uut.host_addr[0].next = ((g * m + i) as u64).into();
                tick(&mut uut, clk);
                mem[g * m + i] = value;
                mem_m[g * m + i] = value;
                model.host_tag(i, g, &p);
            }
            uut.host_we[0].next = false;
        }
    }

    #[test]
    fn stdp_with_lane_groups_and_normalization_synthesizes_without_latches() {
        lint_and_synth(&mut Uut::new(&params(1.5)), "stdp_lanes_norm");
    }
}
