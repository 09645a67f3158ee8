//! stdp's row normalization (SPEC section 10, docs/ARCHITECTURE.md "Row normalization";
//! `snn_sim::stdp`'s `rsum`, `sum_cycle`, `track`, `norm_mul`, `norm_issue`): each row's sum
//! `rsum[j]`, summed from weight_mem during Ingest and Drain of a training image and moved by
//! every write of stage C; NormMul's product `(S - rsum[winner]) * norm_recip`, most
//! significant bit first with one adder, rounded into `delta`; the Norm pass's read address and
//! stage C's clamped value `min(max(w + delta, w_min), w_max)`.
//!
//! Built only with normalization (`norm_target > 0`): [`crate::stdp::Stdp`] holds it in a
//! vector of zero or one element, so designs without it keep their Verilog byte for byte.

use crate::neuron::twos;
use rust_hdl::prelude::*;
use snn_arch::widths::{NEURON_BITS, NORM_PRODUCT_BITS, ROW_SUM_BITS};
use snn_arch::HwParams;

/// Row sums and `delta` (`snn_arch::limits` checks that a row sum fits).
const RSUM_BITS: usize = ROW_SUM_BITS;
/// NormMul's product.
const NM_BITS: usize = NORM_PRODUCT_BITS;
/// Input counters `sum_a`, `norm_a` (they reach `M`, one past the last input).
const CNT_BITS: usize = 16;

#[derive(LogicBlock)]
pub struct NormUnit<const N: usize, const WB: usize, const WORD: usize, const AW: usize> {
    pub clock: Signal<In, Clock>,
    /// Idle with `start`: the row sums and their pass start over.
    pub start: Signal<In, Bit>,
    /// Ingest or Drain of a training image: one cycle of the sum pass.
    pub sum: Signal<In, Bit>,
    /// PenDrain: the product starts at 0.
    pub nm_begin: Signal<In, Bit>,
    /// NormMul: one bit of the reciprocal.
    pub nm_step: Signal<In, Bit>,
    /// Norm: the next input of the winner's row.
    pub walk: Signal<In, Bit>,
    pub winner: Signal<In, Bits<NEURON_BITS>>,
    /// weight_mem read data.
    pub word: Signal<In, Bits<WORD>>,
    /// Stage C writes lane `lane_c` with `wval` (its value before: `w_c`).
    pub we: Signal<In, Bit>,
    pub lane_c: Signal<In, Bits<NEURON_BITS>>,
    pub w_c: Signal<In, Bits<WB>>,
    pub wval: Signal<In, Bits<WB>>,
    /// The sum pass or the Norm pass reads `raddr` in this cycle (weight_mem only).
    pub rd: Signal<Out, Bit>,
    pub raddr: Signal<Out, Bits<AW>>,
    /// Norm: the read of this cycle is the row's next input (stage B loads op Norm).
    pub issue: Signal<Out, Bit>,
    /// NormMul: the last bit, `delta` loads at this edge.
    pub nm_last: Signal<Out, Bit>,
    /// Norm: every input of the row has been read.
    pub norm_done: Signal<Out, Bit>,
    /// Stage C's Norm value of `w_c`: `min(max(w_c + delta, w_min), w_max)`.
    pub nval: Signal<Out, Bits<WB>>,
    rsum: Vec<RowSum<WB, WORD>>,
    sum_a: DFF<Bits<CNT_BITS>>,
    sum_v: DFF<Bit>,
    nm_acc: DFF<Bits<NM_BITS>>,
    nm_bit: DFF<Bits<CNT_BITS>>,
    /// `S - rsum[winner]`, registered in NormMul's first cycle (no write moves it then).
    diff_r: DFF<Bits<NM_BITS>>,
    /// The reciprocal's bits still to use, the next one in the top bit.
    rcp: DFF<Bits<NM_BITS>>,
    delta: DFF<Bits<RSUM_BITS>>,
    norm_a: DFF<Bits<CNT_BITS>>,
    /// The lanes of `word`, `w_c`, `wval`, and `w_c + delta`, sign-extended.
    w_c_x: Signal<Local, Bits<RSUM_BITS>>,
    wval_x: Signal<Local, Bits<RSUM_BITS>>,
    /// `wval - w_c`: a write's change of its row sum.
    change: Signal<Local, Bits<RSUM_BITS>>,
    /// `w_c` sign-extended once more for `nval`: `nval` shares no local with the row-sum
    /// logic, which reads stdp's `wval`, itself made from `nval` (see `crate::core` on
    /// UNOPTFLAT).
    w_c_n: Signal<Local, Bits<RSUM_BITS>>,
    moved: Signal<Local, Bits<RSUM_BITS>>,
    moved_f: Signal<Local, Bits<RSUM_BITS>>,
    /// `rsum[winner]` and `S - rsum[winner]` (NM_BITS wide).
    rs_w: Signal<Local, Bits<RSUM_BITS>>,
    diff: Signal<Local, Bits<NM_BITS>>,
    add: Signal<Local, Bits<NM_BITS>>,
    acc_next: Signal<Local, Bits<NM_BITS>>,
    rounded: Signal<Local, Bits<RSUM_BITS>>,
    nids: Vec<Constant<Bits<NEURON_BITS>>>,
    m: Constant<Bits<CNT_BITS>>,
    last_bit: Constant<Bits<CNT_BITS>>,
    target: Constant<Bits<NM_BITS>>,
    rcp_init: Constant<Bits<NM_BITS>>,
    top: Constant<Bits<NM_BITS>>,
    half: Constant<Bits<NM_BITS>>,
    shift: Constant<Bits<8>>,
    w_sign: Constant<Bits<WB>>,
    w_sign_x: Constant<Bits<RSUM_BITS>>,
    x_sign: Constant<Bits<RSUM_BITS>>,
    w_min_f: Constant<Bits<RSUM_BITS>>,
    w_max_f: Constant<Bits<RSUM_BITS>>,
    w_min: Constant<Bits<WB>>,
    w_max: Constant<Bits<WB>>,
}

/// `v` modulo `2^NM_BITS`.
fn wide(v: i64) -> Bits<NM_BITS> {
    Bits::<NM_BITS>::from(v as u64)
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
            (p.n, WB, WORD),
            (N, p.widths.weight as usize, N * WB),
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
        assert!(p.m < 1 << CNT_BITS && p.rb >= 1, "input count");
        let flip = |v: i64| twos::<RSUM_BITS>(v) ^ Bits::<RSUM_BITS>::from(1u64 << (RSUM_BITS - 1));
        NormUnit {
            clock: Default::default(),
            start: Default::default(),
            sum: Default::default(),
            nm_begin: Default::default(),
            nm_step: Default::default(),
            walk: Default::default(),
            winner: Default::default(),
            word: Default::default(),
            we: Default::default(),
            lane_c: Default::default(),
            w_c: Default::default(),
            wval: Default::default(),
            rd: Default::default(),
            raddr: Default::default(),
            issue: Default::default(),
            nm_last: Default::default(),
            norm_done: Default::default(),
            nval: Default::default(),
            rsum: (0..N).map(|j| RowSum::new(j)).collect(),
            sum_a: Default::default(),
            sum_v: Default::default(),
            nm_acc: Default::default(),
            nm_bit: Default::default(),
            diff_r: Default::default(),
            rcp: Default::default(),
            delta: Default::default(),
            norm_a: Default::default(),
            w_c_x: Default::default(),
            wval_x: Default::default(),
            change: Default::default(),
            w_c_n: Default::default(),
            moved: Default::default(),
            moved_f: Default::default(),
            rs_w: Default::default(),
            diff: Default::default(),
            add: Default::default(),
            acc_next: Default::default(),
            rounded: Default::default(),
            nids: (0..N)
                .map(|j| Constant::new(Bits::<NEURON_BITS>::from(j as u64)))
                .collect(),
            m: Constant::new(Bits::<CNT_BITS>::from(p.m as u64)),
            last_bit: Constant::new(Bits::<CNT_BITS>::from(p.rb as u64 - 1)),
            target: Constant::new(wide(f.norm_target)),
            rcp_init: Constant::new(wide((f.norm_recip as i64) << (NM_BITS as u32 - p.rb))),
            top: Constant::new(wide(1 << (NM_BITS - 1))),
            half: Constant::new(wide(1 << (f.norm_shift - 1))),
            shift: Constant::new(Bits::<8>::from(f.norm_shift as u64)),
            w_sign: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
            w_sign_x: Constant::new(Bits::<RSUM_BITS>::from(1u64 << (WB - 1))),
            x_sign: Constant::new(Bits::<RSUM_BITS>::from(1u64 << (RSUM_BITS - 1))),
            w_min_f: Constant::new(flip(f.w_min as i64)),
            w_max_f: Constant::new(flip(f.w_max as i64)),
            w_min: Constant::new(twos::<WB>(f.w_min as i64)),
            w_max: Constant::new(twos::<WB>(f.w_max as i64)),
        }
    }
}

impl<const N: usize, const WB: usize, const WORD: usize, const AW: usize> Logic
    for NormUnit<N, WB, WORD, AW>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sum_a, sum_v, nm_acc, nm_bit, diff_r, rcp, delta, norm_a);
        // Sign extension: `(x ^ 2^(WB-1)) - 2^(WB-1)` on the zero-extended value.
        self.w_c_x.next =
            bit_cast::<RSUM_BITS, WB>(self.w_c.val() ^ self.w_sign.val()) - self.w_sign_x.val();
        self.wval_x.next =
            bit_cast::<RSUM_BITS, WB>(self.wval.val() ^ self.w_sign.val()) - self.w_sign_x.val();
        self.change.next = self.wval_x.val() - self.w_c_x.val();
        self.rs_w.next = 0.into();
        for j in 0..N {
            // The sum pass adds the word read last cycle; stage C's writes move their lane.
            self.rsum[j].clock.next = self.clock.val();
            self.rsum[j].start.next = self.start.val();
            self.rsum[j].add.next = self.sum.val() & self.sum_v.q.val();
            self.rsum[j].word.next = self.word.val();
            self.rsum[j].hit.next = self.we.val() & (self.lane_c.val() == self.nids[j].val());
            self.rsum[j].change.next = self.change.val();
            if self.winner.val() == self.nids[j].val() {
                self.rs_w.next = self.rsum[j].sum.val();
            }
        }

        // Reads: the sum pass while inputs are left, the Norm pass likewise.
        self.rd.next = false;
        self.issue.next = false;
        self.norm_done.next = false;
        self.raddr.next = bit_cast::<AW, CNT_BITS>(self.sum_a.q.val());
        if self.sum.val() {
            self.sum_v.d.next = self.sum_a.q.val() < self.m.val();
            if self.sum_a.q.val() < self.m.val() {
                self.rd.next = true;
                self.sum_a.d.next = self.sum_a.q.val() + 1;
            }
        }
        if self.start.val() {
            self.sum_a.d.next = 0.into();
            self.sum_v.d.next = false;
        }
        if self.walk.val() {
            self.raddr.next = bit_cast::<AW, CNT_BITS>(self.norm_a.q.val());
            if self.norm_a.q.val() < self.m.val() {
                self.rd.next = true;
                self.issue.next = true;
                self.norm_a.d.next = self.norm_a.q.val() + 1;
            } else {
                self.norm_done.next = true;
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
        // The product's bits from `norm_shift` on: `delta` fits them, so the truncation is the
        // arithmetic shift.
        self.rounded.next = bit_cast::<RSUM_BITS, NM_BITS>(
            (self.acc_next.val() + self.half.val()) >> self.shift.val(),
        );
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
                self.norm_a.d.next = 0.into();
            } else {
                self.nm_bit.d.next = self.nm_bit.q.val() + 1;
            }
        }

        // Stage C's Norm value, clamped in offset binary.
        self.w_c_n.next =
            bit_cast::<RSUM_BITS, WB>(self.w_c.val() ^ self.w_sign.val()) - self.w_sign_x.val();
        self.moved.next = self.w_c_n.val() + self.delta.q.val();
        self.moved_f.next = self.moved.val() ^ self.x_sign.val();
        self.nval.next = bit_cast::<WB, RSUM_BITS>(self.moved.val());
        if self.moved_f.val() < self.w_min_f.val() {
            self.nval.next = self.w_min.val();
        }
        if self.moved_f.val() > self.w_max_f.val() {
            self.nval.next = self.w_max.val();
        }
    }
}

/// One row's sum `rsum[j]`: cleared at `start`, plus lane `j` of `word` (sign-extended) in the
/// sum pass, plus `change` when stage C writes this lane.
#[derive(LogicBlock)]
pub struct RowSum<const WB: usize, const WORD: usize> {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub add: Signal<In, Bit>,
    /// weight_mem's read data.
    pub word: Signal<In, Bits<WORD>>,
    pub hit: Signal<In, Bit>,
    pub change: Signal<In, Bits<RSUM_BITS>>,
    pub sum: Signal<Out, Bits<RSUM_BITS>>,
    rsum: DFF<Bits<RSUM_BITS>>,
    lane: Signal<Local, Bits<WB>>,
    lane_x: Signal<Local, Bits<RSUM_BITS>>,
    w_sign: Constant<Bits<WB>>,
    w_sign_x: Constant<Bits<RSUM_BITS>>,
    lane_off: Constant<Bits<16>>,
}

impl<const WB: usize, const WORD: usize> RowSum<WB, WORD> {
    /// The sum of row `j`.
    pub fn new(j: usize) -> Self {
        RowSum {
            clock: Default::default(),
            start: Default::default(),
            add: Default::default(),
            word: Default::default(),
            hit: Default::default(),
            change: Default::default(),
            sum: Default::default(),
            rsum: Default::default(),
            lane: Default::default(),
            lane_x: Default::default(),
            w_sign: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
            w_sign_x: Constant::new(Bits::<RSUM_BITS>::from(1u64 << (WB - 1))),
            lane_off: Constant::new(Bits::<16>::from((j * WB) as u64)),
        }
    }
}

impl<const WB: usize, const WORD: usize> Logic for RowSum<WB, WORD> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rsum);
        self.sum.next = self.rsum.q.val();
        self.lane.next = bit_cast::<WB, WORD>(self.word.val() >> self.lane_off.val());
        // Sign extension: `(x ^ 2^(WB-1)) - 2^(WB-1)` on the zero-extended value.
        self.lane_x.next =
            bit_cast::<RSUM_BITS, WB>(self.lane.val() ^ self.w_sign.val()) - self.w_sign_x.val();
        if self.add.val() {
            self.rsum.d.next = self.rsum.q.val() + self.lane_x.val();
        }
        if self.hit.val() {
            self.rsum.d.next = self.rsum.q.val() + self.change.val();
        }
        if self.start.val() {
            self.rsum.d.next = 0.into();
        }
    }
}
