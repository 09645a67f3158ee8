//! neuron: one leaky integrate-and-fire neuron, the registers `pot`, `shown` and `free_at` of
//! docs/ARCHITECTURE.md and the operations control applies to all N neurons at once
//! (`snn_sim::neuron::Neuron`), and [`Neurons`], the array of N with its read muxes.
//!
//! Signed values (`pot`, `shown`, weights) are `Bits` in two's complement, and every signed
//! comparison is an unsigned comparison of the values with their sign bit flipped (offset
//! binary). That keeps Verilog's signed/unsigned rules out of the design entirely: rust-hdl
//! emits literals unsigned, so a `Signed` compare could silently turn unsigned in Verilog.

use crate::cmp::AtLeast;
use crate::lanes::LaneState;
use crate::theta::ThetaCell;
use rust_hdl::prelude::*;
use snn_arch::widths::{NEURON_BITS, STEP_BITS};
use snn_arch::HwParams;

/// The transfer of one neuron's registers: their next values from their values and the
/// commands, combinational. [`Neuron`] wraps it in the registers; with lane groups the lane
/// state ([`crate::lanes::LaneState`]) wraps one per lane in registers it also loads from and
/// writes back to its memory. `WB` is the weight width, `PB` the potential width, `WORD` the
/// width of a weight-memory word, from which the neuron takes its own lane.
#[derive(LogicBlock)]
pub struct NeuronCore<const WB: usize, const PB: usize, const WORD: usize> {
    // Commands from control; at most one of `reset`, `integrate`, `fire`, `inhibit` in a cycle.
    /// `start` of an image: `pot = shown = p_rest`, `free_at = 0`.
    pub reset: Signal<In, Bit>,
    /// A cycle of Int at step `t`; a refractory neuron (`free_at > t`) ignores it.
    pub integrate: Signal<In, Bit>,
    /// With `integrate`: stage B adds this neuron's lane of `word` (read last cycle).
    pub add: Signal<In, Bit>,
    /// With `integrate`: the step is complete, the sum is leaked and copied to `shown`.
    pub complete: Signal<In, Bit>,
    /// The Fire cycle at step `t` (not the one that starts the WTA scan).
    pub fire: Signal<In, Bit>,
    /// From wta, in its last scan cycle, for every neuron but the winner: `pot = p_min`.
    pub inhibit: Signal<In, Bit>,
    /// Current step, from control.
    pub t: Signal<In, Bits<STEP_BITS>>,
    /// `t + t_ref + 1`, the `free_at` of a spike now (one adder for all neurons).
    pub t_free: Signal<In, Bits<STEP_BITS>>,
    /// Threshold of the image (non-negative), from control.
    pub thr: Signal<In, Bits<PB>>,
    /// `p_rest >= thr` and `p_min >= thr`: the spike comparator's value after a reset to
    /// `p_rest` at Fire or to `p_min` by inhibition (shared by all neurons).
    pub rest_fires: Signal<In, Bit>,
    pub min_fires: Signal<In, Bit>,
    /// weight_mem's read data.
    pub word: Signal<In, Bits<WORD>>,
    /// The registers' values.
    pub pot_q: Signal<In, Bits<PB>>,
    pub shown_q: Signal<In, Bits<PB>>,
    pub free_q: Signal<In, Bits<STEP_BITS>>,
    pub spike_q: Signal<In, Bit>,
    pub above_q: Signal<In, Bit>,
    /// Their next values.
    pub pot_n: Signal<Out, Bits<PB>>,
    pub shown_n: Signal<Out, Bits<PB>>,
    pub free_n: Signal<Out, Bits<STEP_BITS>>,
    pub spike_n: Signal<Out, Bit>,
    pub above_n: Signal<Out, Bit>,
    /// This neuron's lane of `word`.
    pub lane_out: Signal<Out, Bits<WB>>,
    /// 1 with lane groups, else 0.
    _ln: usize,
    /// Lane groups only (`PB` entries each, else empty): bit chains of `sum >= p_min` and
    /// `sum >= p_min + leak` in offset binary, and the completing step's floor decided from
    /// them (the cycle model's `complete_group` resets a potential below `p_min` to rest),
    /// beside the leak rather than after it.
    min_ge: Vec<Signal<Local, Bit>>,
    minl_ge: Vec<Signal<Local, Bit>>,
    min_one: Vec<Constant<Bit>>,
    minl_one: Vec<Constant<Bit>>,
    below: Vec<Signal<Local, Bit>>,
    _lnpb: usize,
    /// This neuron's lane of `word`, and the lane sign-extended to `PB` bits.
    lane: Signal<Local, Bits<WB>>,
    lane_x: Signal<Local, Bits<PB>>,
    /// `pot` plus the lane when adding.
    sum: Signal<Local, Bits<PB>>,
    /// `sum` after the leak.
    leaked: Signal<Local, Bits<PB>>,
    /// Offset-binary (sign-flipped) form of the threshold for the signed comparisons.
    thr_f: Signal<Local, Bits<PB>>,
    /// `sum - thr`, exact (`PB + 1` bits used): the comparators of a completing step read it
    /// rather than `leaked`, so they run beside the leak instead of after it. With `neg` its
    /// sign and `diff` its low `PB` bits, `leaked >= thr` is `!neg && diff >= leak` when the
    /// leak applies and `!neg` when not (`leak >= 0`), and `leaked > thr` likewise with
    /// `diff > leak` and `diff != 0`.
    sum_thr: Signal<Local, Bits<DIFF_W>>,
    neg: Signal<Local, Bit>,
    neg_bit: Constant<Bits<DIFF_W>>,
    diff: Signal<Local, Bits<PB>>,
    /// Bit chains as `rest_gt`: bits `i..=0` of `diff` are at least those of `leak` (`ge_leak`)
    /// and of `leak + 1` (`gt_leak`).
    ge_leak: Vec<Signal<Local, Bit>>,
    gt_leak: Vec<Signal<Local, Bit>>,
    leak_one: Vec<Constant<Bit>>,
    leak1_one: Vec<Constant<Bit>>,
    /// The sign bit of a `PB`-bit value.
    sign: Constant<Bits<PB>>,
    /// The smallest negative lane (`2^(WB-1)` as unsigned).
    lane_neg: Constant<Bits<WB>>,
    /// Bits `WB..PB` set: ORed into a negative lane to sign-extend it.
    lane_ext: Constant<Bits<PB>>,
    p_rest: Constant<Bits<PB>>,
    p_min: Constant<Bits<PB>>,
    leak: Constant<Bits<PB>>,
    /// `pot >= p_min` (no floor at Fire), in offset binary.
    not_below_min: AtLeast<PB>,
    /// `sum > p_rest` (the leak applies), in offset binary: the bit chain of [`AtLeast`] written
    /// inline, because `sum` is a local of this block (a comparator module between two locals
    /// would close a false loop for Verilator, see `crate::core`). `rest_gt[i]`: bits `i..=0` of
    /// `sum_f` are at least those of `p_rest_f + 1`.
    sum_f: Signal<Local, Bits<PB>>,
    rest_gt: Vec<Signal<Local, Bit>>,
    rest_one: Vec<Constant<Bit>>,
    rest_reachable: Constant<Bit>,
    /// Position of this neuron's lane in a word: `j * WB`.
    lane_off: Constant<Bits<16>>,
}

/// Width of `sum - thr`: at least `PB + 1` for every supported potential width (`PB <= 32`).
const DIFF_W: usize = 33;

/// `v` as a `B`-bit two's-complement `Bits` (panics when it does not fit).
pub(crate) fn twos<const B: usize>(v: i64) -> Bits<B> {
    assert!(B < 64, "{B}-bit constants are not supported");
    let half = 1i64 << (B - 1);
    assert!(v >= -half && v < half, "{v} does not fit {B} signed bits");
    Bits::<B>::from((v as u64) & ((1u64 << B) - 1))
}

/// `n` default items: the vectors of zero or one element that build an optional part
/// (homeostasis, normalization) only where configured.
pub(crate) fn many<T: Default>(n: usize) -> Vec<T> {
    (0..n).map(|_| T::default()).collect()
}

/// Offset binary of a two's-complement constant: its sign bit flipped.
pub(crate) fn flipped<const B: usize>(v: i64) -> Bits<B> {
    twos::<B>(v) ^ Bits::<B>::from(1u64 << (B - 1))
}

impl<const WB: usize, const PB: usize, const WORD: usize> NeuronCore<WB, PB, WORD> {
    /// Neuron `j`'s (with lane groups, lane `j`'s).
    pub fn new(p: &HwParams, j: usize) -> Self {
        let ln = usize::from(p.lanes < p.n);
        assert_eq!(p.widths.weight as usize, WB, "weight width");
        assert_eq!(p.widths.potential as usize, PB, "potential width");
        assert!(WB < PB, "a weight is narrower than a potential");
        assert!((j + 1) * WB <= WORD, "lane {j} lies outside the word");
        let f = &p.format;
        let ext = ((1u64 << PB) - 1) ^ ((1u64 << WB) - 1);
        let rest_gt = flipped::<PB>(f.p_rest as i64).to_u64();
        assert!(PB < DIFF_W, "{PB}-bit potentials");
        assert!(f.leak >= 0, "a negative leak");
        let leak = twos::<PB>(f.leak as i64).to_u64();
        let min_f = flipped::<PB>(f.p_min as i64).to_u64();
        let minl_f = flipped::<PB>(f.p_min as i64 + f.leak as i64).to_u64();
        NeuronCore {
            reset: Default::default(),
            integrate: Default::default(),
            add: Default::default(),
            complete: Default::default(),
            fire: Default::default(),
            inhibit: Default::default(),
            t: Default::default(),
            t_free: Default::default(),
            thr: Default::default(),
            rest_fires: Default::default(),
            min_fires: Default::default(),
            word: Default::default(),
            lane_out: Default::default(),
            pot_q: Default::default(),
            shown_q: Default::default(),
            free_q: Default::default(),
            spike_q: Default::default(),
            above_q: Default::default(),
            pot_n: Default::default(),
            shown_n: Default::default(),
            free_n: Default::default(),
            spike_n: Default::default(),
            above_n: Default::default(),
            _ln: ln,
            min_ge: many(PB * ln),
            minl_ge: many(PB * ln),
            min_one: (0..PB * ln)
                .map(|i| Constant::new(min_f >> i & 1 == 1))
                .collect(),
            minl_one: (0..PB * ln)
                .map(|i| Constant::new(minl_f >> i & 1 == 1))
                .collect(),
            below: many(ln),
            _lnpb: PB * ln,
            lane: Default::default(),
            lane_x: Default::default(),
            sum: Default::default(),
            leaked: Default::default(),
            sum_thr: Default::default(),
            neg: Default::default(),
            neg_bit: Constant::new(Bits::<DIFF_W>::from(1u64 << PB)),
            diff: Default::default(),
            ge_leak: (0..PB).map(|_| Default::default()).collect(),
            gt_leak: (0..PB).map(|_| Default::default()).collect(),
            leak_one: (0..PB).map(|i| Constant::new(leak >> i & 1 == 1)).collect(),
            leak1_one: (0..PB)
                .map(|i| Constant::new((leak + 1) >> i & 1 == 1))
                .collect(),
            thr_f: Default::default(),
            sign: Constant::new(Bits::<PB>::from(1u64 << (PB - 1))),
            lane_neg: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
            lane_ext: Constant::new(Bits::<PB>::from(ext)),
            p_rest: Constant::new(twos::<PB>(f.p_rest as i64)),
            p_min: Constant::new(twos::<PB>(f.p_min as i64)),
            leak: Constant::new(twos::<PB>(f.leak as i64)),
            not_below_min: AtLeast::new(flipped::<PB>(f.p_min as i64).to_u64()),
            sum_f: Default::default(),
            rest_gt: (0..PB).map(|_| Default::default()).collect(),
            rest_one: (0..PB)
                .map(|i| Constant::new((rest_gt + 1) >> i & 1 == 1))
                .collect(),
            rest_reachable: Constant::new(rest_gt + 1 < 1 << PB),
            lane_off: Constant::new(Bits::<16>::from((j * WB) as u64)),
        }
    }
}

impl<const WB: usize, const PB: usize, const WORD: usize> Logic for NeuronCore<WB, PB, WORD> {
    #[hdl_gen]
    fn update(&mut self) {
        self.lane_out.next = bit_cast::<WB, WORD>(self.word.val() >> self.lane_off.val());
        // Stage B of Int, then the leak of SPEC 5.1 (only above rest).
        self.thr_f.next = self.thr.val() ^ self.sign.val();
        self.lane.next = bit_cast::<WB, WORD>(self.word.val() >> self.lane_off.val());
        self.lane_x.next = bit_cast::<PB, WB>(self.lane.val());
        if self.lane.val() >= self.lane_neg.val() {
            self.lane_x.next = bit_cast::<PB, WB>(self.lane.val()) | self.lane_ext.val();
        }
        self.sum.next = self.pot_q.val();
        if self.add.val() {
            self.sum.next = self.pot_q.val() + self.lane_x.val();
        }
        self.not_below_min.x.next = self.pot_q.val() ^ self.sign.val();
        self.sum_f.next = self.sum.val() ^ self.sign.val();
        self.rest_gt[0].next = self.sum_f.val().get_bit(0) | !self.rest_one[0].val();
        for i in 1..PB {
            self.rest_gt[i].next = (self.sum_f.val().get_bit(i) & !self.rest_one[i].val())
                | (!(self.sum_f.val().get_bit(i) ^ self.rest_one[i].val())
                    & self.rest_gt[i - 1].val());
        }
        self.leaked.next = self.sum.val();
        for i in (PB - 1)..PB {
            if self.rest_gt[i].val() & self.rest_reachable.val() {
                self.leaked.next = self.sum.val() - self.leak.val();
            }
        }
        self.sum_thr.next =
            bit_cast::<DIFF_W, PB>(self.sum_f.val()) - bit_cast::<DIFF_W, PB>(self.thr_f.val());
        self.neg.next = (self.sum_thr.val() & self.neg_bit.val()).any();
        self.diff.next = bit_cast::<PB, DIFF_W>(self.sum_thr.val());
        self.ge_leak[0].next = self.diff.val().get_bit(0) | !self.leak_one[0].val();
        self.gt_leak[0].next = self.diff.val().get_bit(0) | !self.leak1_one[0].val();
        for i in 1..PB {
            self.ge_leak[i].next = (self.diff.val().get_bit(i) & !self.leak_one[i].val())
                | (!(self.diff.val().get_bit(i) ^ self.leak_one[i].val())
                    & self.ge_leak[i - 1].val());
            self.gt_leak[i].next = (self.diff.val().get_bit(i) & !self.leak1_one[i].val())
                | (!(self.diff.val().get_bit(i) ^ self.leak1_one[i].val())
                    & self.gt_leak[i - 1].val());
        }
        for i in 0..self._ln {
            self.min_ge[i].next = self.sum_f.val().get_bit(i) | !self.min_one[i].val();
            self.minl_ge[i].next = self.sum_f.val().get_bit(i) | !self.minl_one[i].val();
        }
        for i in 1..self._lnpb {
            self.min_ge[i].next = (self.sum_f.val().get_bit(i) & !self.min_one[i].val())
                | (!(self.sum_f.val().get_bit(i) ^ self.min_one[i].val())
                    & self.min_ge[i - 1].val());
            self.minl_ge[i].next = (self.sum_f.val().get_bit(i) & !self.minl_one[i].val())
                | (!(self.sum_f.val().get_bit(i) ^ self.minl_one[i].val())
                    & self.minl_ge[i - 1].val());
        }
        // `spike_r` and `above_r` follow `pot` and `shown` wherever a Fire cycle can come next:
        // a completing step compares the value it writes, a refractory neuron's registers hold
        // with its potential, and Fire and inhibition write constants. A reset leaves them to
        // the first step, which every neuron integrates (`free_at = 0`).
        self.pot_n.next = self.pot_q.val();
        self.shown_n.next = self.shown_q.val();
        self.free_n.next = self.free_q.val();
        self.spike_n.next = self.spike_q.val();
        self.above_n.next = self.above_q.val();
        if self.reset.val() {
            self.pot_n.next = self.p_rest.val();
            self.shown_n.next = self.p_rest.val();
            self.free_n.next = 0.into();
        }
        if self.integrate.val() & (self.free_q.val() <= self.t.val()) {
            if self.complete.val() {
                self.pot_n.next = self.leaked.val();
                self.shown_n.next = self.leaked.val();
                self.spike_n.next = !self.neg.val();
                self.above_n.next = !self.neg.val() & self.diff.val().any();
                for i in (PB - 1)..PB {
                    if self.rest_gt[i].val() & self.rest_reachable.val() {
                        self.spike_n.next = !self.neg.val() & self.ge_leak[i].val();
                        self.above_n.next = !self.neg.val() & self.gt_leak[i].val();
                    }
                }
            } else {
                self.pot_n.next = self.sum.val();
            }
        }
        // Lane groups: a completing step floors a potential below `p_min` to rest (a
        // refractory neuron's is its register's).
        for z in 0..self._ln {
            self.below[z].next = false;
            if self.integrate.val() & self.complete.val() {
                self.below[z].next = !self.not_below_min.ge.val();
                if self.free_q.val() <= self.t.val() {
                    for i in (PB - 1)..PB {
                        self.below[z].next = !self.min_ge[i].val();
                        if self.rest_gt[i].val() & self.rest_reachable.val() {
                            self.below[z].next = !self.minl_ge[i].val();
                        }
                    }
                }
            }
            if self.below[z].val() {
                self.pot_n.next = self.p_rest.val();
                self.spike_n.next = self.rest_fires.val();
            }
        }
        if self.fire.val() {
            if self.spike_q.val() {
                self.pot_n.next = self.p_rest.val();
                self.free_n.next = self.t_free.val();
                self.spike_n.next = self.rest_fires.val();
            } else if !self.not_below_min.ge.val() {
                self.pot_n.next = self.p_rest.val();
                self.spike_n.next = self.rest_fires.val();
            }
        }
        if self.inhibit.val() {
            self.pot_n.next = self.p_min.val();
            self.spike_n.next = self.min_fires.val();
        }
        // Lane groups: a Fire pass inhibits and fires in one cycle, the inhibition the WTA scan
        // left pending first and then Fire's transfer on `p_min`.
        for _z in 0..self._ln {
            if self.inhibit.val() & self.fire.val() {
                self.free_n.next = self.free_q.val();
                if self.min_fires.val() {
                    self.pot_n.next = self.p_rest.val();
                    self.free_n.next = self.t_free.val();
                    self.spike_n.next = self.rest_fires.val();
                }
            }
        }
    }
}

/// One neuron: its registers around a [`NeuronCore`]. `WORD = N * WB`.
#[derive(LogicBlock)]
pub struct Neuron<const WB: usize, const PB: usize, const WORD: usize> {
    pub clock: Signal<In, Clock>,
    // Commands from control; at most one of `reset`, `integrate`, `fire`, `inhibit` in a cycle
    // (see [`NeuronCore`]).
    pub reset: Signal<In, Bit>,
    pub integrate: Signal<In, Bit>,
    pub add: Signal<In, Bit>,
    pub complete: Signal<In, Bit>,
    pub fire: Signal<In, Bit>,
    pub inhibit: Signal<In, Bit>,
    pub t: Signal<In, Bits<STEP_BITS>>,
    pub t_free: Signal<In, Bits<STEP_BITS>>,
    pub thr: Signal<In, Bits<PB>>,
    pub rest_fires: Signal<In, Bit>,
    pub min_fires: Signal<In, Bit>,
    pub word: Signal<In, Bits<WORD>>,
    // Outputs, from the registers.
    /// Membrane potential (two's complement).
    pub pot: Signal<Out, Bits<PB>>,
    /// The potential the WTA unit sees (two's complement).
    pub shown: Signal<Out, Bits<PB>>,
    /// Spike comparator `pot >= thr`, valid in every cycle control can enter Fire from (after
    /// a completing Int cycle or an inhibition).
    pub spike: Signal<Out, Bit>,
    /// WTA trigger comparator `shown > thr`, valid like `spike`.
    pub above: Signal<Out, Bit>,
    /// This neuron's lane of `word`.
    pub lane_out: Signal<Out, Bits<WB>>,
    pot_r: DFF<Bits<PB>>,
    shown_r: DFF<Bits<PB>>,
    free_at: DFF<Bits<STEP_BITS>>,
    /// `spike` and `above`, compared when `pot` and `shown` are written rather than read: the
    /// Fire decision then starts from registers instead of 2N comparators.
    spike_r: DFF<Bit>,
    above_r: DFF<Bit>,
    core: NeuronCore<WB, PB, WORD>,
}

impl<const WB: usize, const PB: usize, const WORD: usize> Neuron<WB, PB, WORD> {
    /// Neuron `j`.
    pub fn new(p: &HwParams, j: usize) -> Self {
        Neuron {
            clock: Default::default(),
            reset: Default::default(),
            integrate: Default::default(),
            add: Default::default(),
            complete: Default::default(),
            fire: Default::default(),
            inhibit: Default::default(),
            t: Default::default(),
            t_free: Default::default(),
            thr: Default::default(),
            rest_fires: Default::default(),
            min_fires: Default::default(),
            word: Default::default(),
            pot: Default::default(),
            shown: Default::default(),
            spike: Default::default(),
            above: Default::default(),
            lane_out: Default::default(),
            pot_r: Default::default(),
            shown_r: Default::default(),
            free_at: Default::default(),
            spike_r: Default::default(),
            above_r: Default::default(),
            core: NeuronCore::new(p, j),
        }
    }
}

impl<const WB: usize, const PB: usize, const WORD: usize> Logic for Neuron<WB, PB, WORD> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pot_r, shown_r, free_at, spike_r, above_r);
        // Outputs other blocks use in this cycle: from registers (see `crate::core`).
        self.pot.next = self.pot_r.q.val();
        self.shown.next = self.shown_r.q.val();
        self.spike.next = self.spike_r.q.val();
        self.above.next = self.above_r.q.val();
        self.lane_out.next = self.core.lane_out.val();
        self.core.reset.next = self.reset.val();
        self.core.integrate.next = self.integrate.val();
        self.core.add.next = self.add.val();
        self.core.complete.next = self.complete.val();
        self.core.fire.next = self.fire.val();
        self.core.inhibit.next = self.inhibit.val();
        self.core.t.next = self.t.val();
        self.core.t_free.next = self.t_free.val();
        self.core.thr.next = self.thr.val();
        self.core.rest_fires.next = self.rest_fires.val();
        self.core.min_fires.next = self.min_fires.val();
        self.core.word.next = self.word.val();
        self.core.pot_q.next = self.pot_r.q.val();
        self.core.shown_q.next = self.shown_r.q.val();
        self.core.free_q.next = self.free_at.q.val();
        self.core.spike_q.next = self.spike_r.q.val();
        self.core.above_q.next = self.above_r.q.val();
        self.pot_r.d.next = self.core.pot_n.val();
        self.shown_r.d.next = self.core.shown_n.val();
        self.free_at.d.next = self.core.free_n.val();
        self.spike_r.d.next = self.core.spike_n.val();
        self.above_r.d.next = self.core.above_n.val();
    }
}

/// The N neurons with the shared parts around them: the lanes of the weight word, the spike and
/// WTA-trigger masks, and the three read muxes (`pot_out` for the host, `shown[ws]` for wta,
/// the lane of stage B for stdp). With homeostasis also a [`ThetaCell`] per neuron (`TB` theta
/// bits) and two more muxes (`theta_out` for the host, `theta[ws]` for wta); the ports and
/// signals of that part are one-element vectors (`N` for per-neuron ones), empty without it.
#[derive(LogicBlock)]
pub struct Neurons<
    const N: usize,
    const WB: usize,
    const PB: usize,
    const WORD: usize,
    const TB: usize,
    const GB: usize,
    const SW: usize,
    const WAW: usize,
    const NB: usize = NEURON_BITS,
> {
    pub clock: Signal<In, Clock>,
    /// Commands from control, broadcast to every neuron (see [`Neuron`]).
    pub reset: Signal<In, Bit>,
    pub integrate: Signal<In, Bit>,
    pub add: Signal<In, Bit>,
    pub complete: Signal<In, Bit>,
    pub fire: Signal<In, Bit>,
    /// From wta: the neurons to inhibit.
    pub inhibit: Signal<In, Bits<N>>,
    pub t: Signal<In, Bits<STEP_BITS>>,
    pub thr: Signal<In, Bits<PB>>,
    /// weight_mem read data: lane `j` (bits `[j*WB +: WB]`) goes to neuron `j`.
    pub word: Signal<In, Bits<WORD>>,
    /// Host: selects the neuron shown on `pot_out`.
    pub pot_sel: Signal<In, Bits<NB>>,
    pub pot_out: Signal<Out, Bits<PB>>,
    /// stdp: selects the lane shown on `lane_w`.
    pub lane_sel: Signal<In, Bits<NB>>,
    pub lane_w: Signal<Out, Bits<WB>>,
    /// wta (its `fetch`): selects the neuron shown on `shown_sel`.
    pub ws: Signal<In, Bits<NB>>,
    pub shown_sel: Signal<Out, Bits<PB>>,
    /// The spike comparators (`pot >= thr`) and their OR, valid where Fire reads them.
    pub spikes: Signal<Out, Bits<N>>,
    pub spike_any: Signal<Out, Bit>,
    /// Some `shown[j] > thr`.
    pub above_any: Signal<Out, Bit>,
    /// Homeostasis: control's Bias cycle (one lane per neuron only: lane cells load their
    /// thresholds with each group) and the Done cycle of a training image.
    pub bias: Vec<Signal<In, Bit>>,
    pub theta_upd: Vec<Signal<In, Bit>>,
    /// Homeostasis: wta's result, which the update reads.
    pub winner: Vec<Signal<In, Bits<NB>>>,
    pub winner_valid: Vec<Signal<In, Bit>>,
    /// Homeostasis, host port (Idle only, `host_mode`): `theta_we` writes `theta_wdata` to
    /// `theta[pot_sel]`; `theta_out = theta[pot_sel]`.
    pub host_mode: Vec<Signal<In, Bit>>,
    pub theta_we: Vec<Signal<In, Bit>>,
    pub theta_wdata: Vec<Signal<In, Bits<TB>>>,
    pub theta_out: Vec<Signal<Out, Bits<TB>>>,
    /// Homeostasis: `theta[ws]` for wta.
    pub theta_ws: Vec<Signal<Out, Bits<TB>>>,
    /// Lane groups only (each vector empty without them, see [`LaneState`]): control's
    /// `step`, `group` and Fire pass; Idle.
    pub step: Vec<Signal<In, Bit>>,
    pub group: Vec<Signal<In, Bits<GB>>>,
    pub latch: Vec<Signal<In, Bit>>,
    pub hold: Vec<Signal<In, Bit>>,
    pub idle: Vec<Signal<In, Bit>>,
    /// One cell per neuron (with lane groups the cells are the lane state's).
    nrn: Vec<Neuron<WB, PB, WORD>>,
    lane: Vec<LaneState<N, WB, PB, WORD, TB, GB, SW, WAW, NB>>,
    /// Homeostasis: neuron `j`'s `theta` and threshold registers, and the theta muxes' chains.
    cell: Vec<ThetaCell<PB, TB>>,
    th_host_hit: Vec<Signal<Local, Bits<TB>>>,
    th_host_acc: Vec<Signal<Local, Bits<TB>>>,
    th_ws_hit: Vec<Signal<Local, Bits<TB>>>,
    th_ws_acc: Vec<Signal<Local, Bits<TB>>>,
    theta_ones: Vec<Constant<Bits<TB>>>,
    /// `t + t_ref + 1`: a neuron spiking at `t` integrates again from then.
    t_free: Signal<Local, Bits<STEP_BITS>>,
    t_ref1: Constant<Bits<STEP_BITS>>,
    /// `p_rest >= thr`, `p_min >= thr` for every neuron (see [`Neuron`]), in offset binary.
    rest_fires: Signal<Local, Bit>,
    min_fires: Signal<Local, Bit>,
    thr_f: Signal<Local, Bits<PB>>,
    p_rest_f: Constant<Bits<PB>>,
    p_min_f: Constant<Bits<PB>>,
    sign: Constant<Bits<PB>>,
    /// The masks accumulated over `j` (entry `j` holds neurons `0..=j`).
    spk_acc: Vec<Signal<Local, Bits<N>>>,
    abv_acc: Vec<Signal<Local, Bits<N>>>,
    above: Signal<Local, Bits<N>>,
    ids: Vec<Constant<Bits<NB>>>,
    onehot: Vec<Constant<Bits<N>>>,
    /// Per lane: all ones when `lane_sel` picks it; the ORs of the picked lanes up to `j`.
    lane_hit: Vec<Signal<Local, Bits<WB>>>,
    lane_acc: Vec<Signal<Local, Bits<WB>>>,
    lane_ones: Vec<Constant<Bits<WB>>>,
    ws_hit: Vec<Signal<Local, Bits<PB>>>,
    ws_acc: Vec<Signal<Local, Bits<PB>>>,
    pot_ones: Vec<Constant<Bits<PB>>>,
    /// The cells: `N` without lane groups, else 0; and the last one's index.
    _d: usize,
    _d1: usize,
    /// 1 with lane groups, else 0.
    _ln: usize,
    /// `N` with homeostasis and one lane per neuron, else 0: the neurons with a theta cell;
    /// and `N - 1` likewise (the last mux entry).
    _hn: usize,
    _hn1: usize,
    /// 1 with homeostasis and lane groups, else 0: the theta path through the lane state.
    _lh: usize,
}

impl<
        const N: usize,
        const WB: usize,
        const PB: usize,
        const WORD: usize,
        const TB: usize,
        const GB: usize,
        const SW: usize,
        const WAW: usize,
        const NB: usize,
    > Neurons<N, WB, PB, WORD, TB, GB, SW, WAW, NB>
{
    /// The array; with homeostasis `theta` starts at `theta` (raw, one per neuron; empty: 0).
    pub fn new(p: &HwParams, theta: &[u64]) -> Self {
        assert_eq!(
            (p.n, WORD),
            (N, p.lanes * WB),
            "neuron count and word width"
        );
        let ln = usize::from(p.lanes < N);
        let d = N * (1 - ln);
        snn_arch::limits::assert_rtl(p);
        let h = usize::from(p.homeostasis);
        let hn = h * d;
        assert!(
            theta.is_empty() || theta.len() == h * N,
            "one initial theta per neuron"
        );
        Neurons {
            bias: many(hn.min(1)),
            theta_upd: many(h),
            winner: many(h),
            winner_valid: many(h),
            host_mode: many(h),
            theta_we: many(h),
            theta_wdata: many(h),
            theta_out: many(h),
            theta_ws: many(h),
            cell: (0..hn)
                .map(|j| ThetaCell::new(p, theta.get(j).copied().unwrap_or(0)))
                .collect(),
            th_host_hit: many(hn),
            th_host_acc: many(hn),
            th_ws_hit: many(hn),
            th_ws_acc: many(hn),
            theta_ones: (0..hn.min(1))
                .map(|_| Constant::new(Bits::<TB>::mask()))
                .collect(),
            _hn: hn,
            _hn1: hn.saturating_sub(1),
            _lh: ln * h,
            clock: Default::default(),
            reset: Default::default(),
            integrate: Default::default(),
            add: Default::default(),
            complete: Default::default(),
            fire: Default::default(),
            inhibit: Default::default(),
            t: Default::default(),
            thr: Default::default(),
            word: Default::default(),
            pot_sel: Default::default(),
            pot_out: Default::default(),
            lane_sel: Default::default(),
            lane_w: Default::default(),
            ws: Default::default(),
            shown_sel: Default::default(),
            spikes: Default::default(),
            spike_any: Default::default(),
            above_any: Default::default(),
            step: many(ln),
            group: many(ln),
            latch: many(ln),
            hold: many(ln),
            idle: many(ln),
            nrn: (0..d).map(|j| Neuron::new(p, j)).collect(),
            lane: (0..ln).map(|_| LaneState::new(p, theta)).collect(),
            _d: d,
            _d1: d.saturating_sub(1),
            _ln: ln,
            t_free: Default::default(),
            t_ref1: Constant::new(Bits::<STEP_BITS>::from(p.t_ref as u64 + 1)),
            rest_fires: Default::default(),
            min_fires: Default::default(),
            thr_f: Default::default(),
            p_rest_f: Constant::new(flipped::<PB>(p.format.p_rest as i64)),
            p_min_f: Constant::new(flipped::<PB>(p.format.p_min as i64)),
            sign: Constant::new(Bits::<PB>::from(1u64 << (PB - 1))),
            spk_acc: many(d),
            abv_acc: many(d),
            above: Default::default(),
            ids: (0..d.max(hn))
                .map(|j| Constant::new(Bits::<NB>::from(j as u64)))
                .collect(),
            lane_hit: many(d),
            lane_acc: many(d),
            lane_ones: (0..d.min(1))
                .map(|_| Constant::new(Bits::<WB>::mask()))
                .collect(),
            ws_hit: many(d),
            ws_acc: many(d),
            pot_ones: (0..d.min(1))
                .map(|_| Constant::new(Bits::<PB>::mask()))
                .collect(),
            onehot: (0..d)
                .map(|j| Constant::new(crate::stdp::only::<N>(j..j + 1)))
                .collect(),
        }
    }
}

impl<
        const N: usize,
        const WB: usize,
        const PB: usize,
        const WORD: usize,
        const TB: usize,
        const GB: usize,
        const SW: usize,
        const WAW: usize,
        const NB: usize,
    > Logic for Neurons<N, WB, PB, WORD, TB, GB, SW, WAW, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        self.pot_out.next = 0.into();
        self.spikes.next = 0.into();
        self.above.next = 0.into();
        self.shown_sel.next = 0.into();
        self.t_free.next = self.t.val() + self.t_ref1.val();
        self.thr_f.next = self.thr.val() ^ self.sign.val();
        self.rest_fires.next = self.p_rest_f.val() >= self.thr_f.val();
        self.min_fires.next = self.p_min_f.val() >= self.thr_f.val();
        for j in 0..self._d {
            self.nrn[j].clock.next = self.clock.val();
            self.nrn[j].reset.next = self.reset.val();
            self.nrn[j].integrate.next = self.integrate.val();
            self.nrn[j].add.next = self.add.val();
            self.nrn[j].complete.next = self.complete.val();
            self.nrn[j].fire.next = self.fire.val();
            self.nrn[j].t.next = self.t.val();
            self.nrn[j].t_free.next = self.t_free.val();
            self.nrn[j].thr.next = self.thr.val();
            self.nrn[j].rest_fires.next = self.rest_fires.val();
            self.nrn[j].min_fires.next = self.min_fires.val();
            self.nrn[j].word.next = self.word.val();
            self.lane_hit[j].next = 0.into();
            if self.lane_sel.val() == self.ids[j].val() {
                self.lane_hit[j].next = self.lane_ones[0].val();
            }
            self.nrn[j].inhibit.next = self.inhibit.val().get_bit(j);
            if self.pot_sel.val() == self.ids[j].val() {
                self.pot_out.next = self.nrn[j].pot.val();
            }
            self.ws_hit[j].next = 0.into();
            if self.ws.val() == self.ids[j].val() {
                self.ws_hit[j].next = self.pot_ones[0].val();
            }
        }
        // stdp's lane as an AND-OR over the lanes (a chain of N muxes was on the critical path
        // from the weight RAM to the multiplier).
        self.lane_w.next = 0.into();
        for j in 0..self._d.min(1) {
            self.lane_acc[j].next = self.nrn[j].lane_out.val() & self.lane_hit[j].val();
        }
        for j in 1..self._d {
            self.lane_acc[j].next =
                self.lane_acc[j - 1].val() | (self.nrn[j].lane_out.val() & self.lane_hit[j].val());
        }
        for j in self._d1..self._d {
            self.lane_w.next = self.lane_acc[j].val();
        }
        // wta's `shown[ws]` likewise (it feeds the WTA comparator and the inhibit decision).
        for j in 0..self._d.min(1) {
            self.ws_acc[j].next = self.nrn[j].shown.val() & self.ws_hit[j].val();
        }
        for j in 1..self._d {
            self.ws_acc[j].next =
                self.ws_acc[j - 1].val() | (self.nrn[j].shown.val() & self.ws_hit[j].val());
        }
        // Homeostasis: each neuron compares with its own threshold; the theta muxes.
        for j in 0..self._hn {
            self.cell[j].clock.next = self.clock.val();
            self.cell[j].bias.next = self.bias[0].val();
            self.cell[j].update.next = self.theta_upd[0].val();
            self.cell[j].won.next =
                self.winner_valid[0].val() & (self.winner[0].val() == self.ids[j].val());
            self.cell[j].thr.next = self.thr.val();
            self.cell[j].we.next = self.host_mode[0].val()
                & self.theta_we[0].val()
                & (self.pot_sel.val() == self.ids[j].val());
            self.cell[j].wdata.next = self.theta_wdata[0].val();
            self.nrn[j].thr.next = self.cell[j].thr_j.val();
            self.nrn[j].rest_fires.next = self.cell[j].rest_fires.val();
            self.nrn[j].min_fires.next = self.cell[j].min_fires.val();
            self.th_host_hit[j].next = 0.into();
            if self.pot_sel.val() == self.ids[j].val() {
                self.th_host_hit[j].next = self.theta_ones[0].val();
            }
            self.th_ws_hit[j].next = 0.into();
            if self.ws.val() == self.ids[j].val() {
                self.th_ws_hit[j].next = self.theta_ones[0].val();
            }
        }
        for j in 0..self._hn.min(1) {
            self.th_host_acc[j].next = self.cell[j].theta.val() & self.th_host_hit[j].val();
            self.th_ws_acc[j].next = self.cell[j].theta.val() & self.th_ws_hit[j].val();
        }
        for j in 1..self._hn {
            self.th_host_acc[j].next = self.th_host_acc[j - 1].val()
                | (self.cell[j].theta.val() & self.th_host_hit[j].val());
            self.th_ws_acc[j].next =
                self.th_ws_acc[j - 1].val() | (self.cell[j].theta.val() & self.th_ws_hit[j].val());
        }
        for j in self._hn1..self._hn {
            self.theta_out[0].next = self.th_host_acc[j].val();
            self.theta_ws[0].next = self.th_ws_acc[j].val();
        }
        for j in self._d1..self._d {
            self.shown_sel.next = self.ws_acc[j].val();
        }
        for j in 0..self._d.min(1) {
            self.spk_acc[j].next = 0.into();
            if self.nrn[j].spike.val() {
                self.spk_acc[j].next = self.onehot[j].val();
            }
            self.abv_acc[j].next = 0.into();
            if self.nrn[j].above.val() {
                self.abv_acc[j].next = self.onehot[j].val();
            }
        }
        for j in 1..self._d {
            if self.nrn[j].spike.val() {
                self.spk_acc[j].next = self.spk_acc[j - 1].val() | self.onehot[j].val();
            } else {
                self.spk_acc[j].next = self.spk_acc[j - 1].val();
            }
            if self.nrn[j].above.val() {
                self.abv_acc[j].next = self.abv_acc[j - 1].val() | self.onehot[j].val();
            } else {
                self.abv_acc[j].next = self.abv_acc[j - 1].val();
            }
        }
        for j in self._d1..self._d {
            self.spikes.next = self.spk_acc[j].val();
            self.above.next = self.abv_acc[j].val();
        }
        self.spike_any.next = self.spikes.val().any();
        self.above_any.next = self.above.val().any();

        // Lane groups: the cells move to and from the state memory, which serves the reads of
        // the neurons not in the cells and holds the comparators of all.
        for z in 0..self._ln {
            self.lane[z].clock.next = self.clock.val();
            self.lane[z].reset.next = self.reset.val();
            self.lane[z].step.next = self.step[z].val();
            self.lane[z].group.next = self.group[z].val();
            self.lane[z].fire.next = self.fire.val();
            self.lane[z].latch.next = self.latch[z].val();
            self.lane[z].hold.next = self.hold[z].val();
            self.lane[z].inhibit.next = self.inhibit.val();
            self.lane[z].ws.next = self.ws.val();
            self.lane[z].idle.next = self.idle[z].val();
            self.lane[z].pot_sel.next = self.pot_sel.val();
            self.lane[z].rest_fires.next = self.rest_fires.val();
            self.lane[z].min_fires.next = self.min_fires.val();
            self.lane[z].integrate.next = self.integrate.val();
            self.lane[z].add.next = self.add.val();
            self.lane[z].complete.next = self.complete.val();
            self.lane[z].t.next = self.t.val();
            self.lane[z].t_free.next = self.t_free.val();
            self.lane[z].thr.next = self.thr.val();
            self.lane[z].word.next = self.word.val();
            self.lane[z].lane_sel.next = self.lane_sel.val();
            self.lane_w.next = self.lane[z].lane_w.val();
            self.spikes.next = self.lane[z].spikes.val();
            self.spike_any.next = self.lane[z].spike_any.val();
            self.above_any.next = self.lane[z].above_any.val();
            self.shown_sel.next = self.lane[z].shown_sel.val();
            self.pot_out.next = self.lane[z].pot_out.val();
        }
        for z in 0..self._lh {
            self.lane[z].theta_upd[0].next = self.theta_upd[0].val();
            self.lane[z].winner[0].next = self.winner[0].val();
            self.lane[z].winner_valid[0].next = self.winner_valid[0].val();
            self.lane[z].theta_we[0].next = self.host_mode[0].val() & self.theta_we[0].val();
            self.lane[z].theta_wdata[0].next = self.theta_wdata[0].val();
            self.theta_out[0].next = self.lane[z].theta_out[0].val();
            self.theta_ws[0].next = self.lane[z].theta_sel[0].val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_core::config::SnnConfig;
    use snn_sim::neuron::Neuron as Model;

    const WB: usize = 9;
    const PB: usize = 18;
    const WORD: usize = 36;

    fn params() -> HwParams {
        HwParams::new(&SnnConfig::small()).unwrap()
    }

    /// What control asks of the neurons in one cycle.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Cmd {
        Hold,
        Reset,
        Int { add: bool, complete: bool },
        Fire,
        Inhibit,
    }

    /// Neuron 2 of the small preset under a random command stream (integration with and without
    /// the lane, completion, fire, inhibition, reset), against `snn_sim::neuron::Neuron`. Fire
    /// comes only where control can issue it (after a completing step, a Fire or an
    /// inhibition), and the comparators are checked wherever they must be valid.
    #[test]
    fn follows_the_cycle_model_on_random_commands() {
        let p = params();
        let f = &p.format;
        let j = 2;
        let mut uut = Neuron::<WB, PB, WORD>::new(&p, j);
        uut.connect_all();
        let mut model = Model::new(&p);
        let mut rng = snn_testkit::XorShift::new(0x1234_5678);
        let mut t = 1u32;
        let thr = 200i32;
        // `spike` is valid after a completing step, a Fire or an inhibition, until pot changes
        // otherwise; `above` from a completing step to the next reset.
        let (mut spike_ok, mut above_ok) = (false, false);
        let (mut fires, mut completed) = (0, false);
        for cycle in 0..6000 {
            let r = rng.next_u64();
            let cmd = match (cycle, r % 16) {
                // An image: reset, steps, and late in it the inhibition (p_min is far below rest).
                (c, _) if c % 700 == 0 => {
                    t = 1;
                    Cmd::Reset
                }
                (c, _) if c % 700 == 600 => Cmd::Inhibit,
                // Mostly as control runs a step: its Fire right after the completing cycle.
                (_, 4..=15) if completed => Cmd::Fire,
                (_, 0) if spike_ok => Cmd::Fire,
                (_, 0) => Cmd::Hold,
                (_, 1 | 2) => {
                    t += 1;
                    Cmd::Int {
                        add: r & 0x100 != 0,
                        complete: true,
                    }
                }
                (_, 3) => Cmd::Hold,
                _ => Cmd::Int {
                    add: true,
                    complete: false,
                },
            };
            let w = f.w_min + ((r >> 16) % (f.w_max - f.w_min + 1) as u64) as i32;
            let word = ((w as i64 as u64) & ((1 << WB) - 1)) << (j * WB);
            uut.word.next = word.into();
            uut.thr.next = (thr as u64).into();
            uut.reset.next = cmd == Cmd::Reset;
            uut.integrate.next = matches!(cmd, Cmd::Int { .. });
            uut.add.next = matches!(cmd, Cmd::Int { add: true, .. });
            uut.complete.next = matches!(cmd, Cmd::Int { complete: true, .. });
            uut.fire.next = cmd == Cmd::Fire;
            uut.inhibit.next = cmd == Cmd::Inhibit;
            uut.t.next = (t as u64).into();
            uut.t_free.next = (t as u64 + p.t_ref as u64 + 1).into();
            assert!(simulate(&mut uut, 1000));
            let signed = |v: u64, b: usize| ((v << (64 - b)) as i64 >> (64 - b)) as i32;
            assert_eq!(
                signed(uut.pot.val().to_u64(), PB),
                model.pot,
                "pot before cycle {cycle}"
            );
            assert_eq!(
                signed(uut.shown.val().to_u64(), PB),
                model.shown,
                "shown before cycle {cycle}"
            );
            if spike_ok {
                assert_eq!(
                    uut.spike.val(),
                    model.fires(thr),
                    "spike before cycle {cycle}"
                );
                fires += usize::from(model.fires(thr) && cmd == Cmd::Fire);
            }
            if above_ok {
                assert_eq!(
                    uut.above.val(),
                    model.above(thr),
                    "above before cycle {cycle}"
                );
            }
            assert_eq!(
                signed(uut.lane_out.val().to_u64(), WB),
                w,
                "lane before cycle {cycle}"
            );
            tick(&mut uut, |u, clk| u.clock.next = Clock { clk });
            completed = matches!(cmd, Cmd::Int { complete: true, .. });
            match cmd {
                Cmd::Hold => {}
                Cmd::Reset => {
                    model = Model::new(&p);
                    (spike_ok, above_ok) = (false, false);
                }
                Cmd::Int { add, complete } => {
                    if add {
                        model.accumulate(t, w, &p);
                    }
                    if complete {
                        model.complete(t, &p);
                        (spike_ok, above_ok) = (true, true);
                    } else {
                        spike_ok = false;
                    }
                }
                Cmd::Fire => model.fire(t, thr, &p),
                Cmd::Inhibit => {
                    model.inhibit(&p);
                    spike_ok = true;
                }
            }
        }
        assert!(fires > 10, "the stream fired only {fires} times");
    }

    /// The registered comparators at their boundaries: from rest, one completing step adds
    /// each weight, for thresholds at and around rest, the leak and beyond, and `spike` and
    /// `above` then equal the model's `pot >= thr` and `shown > thr` (the leak applied or not).
    #[test]
    fn comparators_agree_at_every_boundary() {
        let p = params();
        let f = &p.format;
        let j = 1;
        let mut uut = Neuron::<WB, PB, WORD>::new(&p, j);
        uut.connect_all();
        let clk = |u: &mut Neuron<WB, PB, WORD>, clk: bool| u.clock.next = Clock { clk };
        uut.t.next = 1u64.into();
        uut.t_free.next = (1 + p.t_ref as u64 + 1).into();
        let (mut spikes, mut checks) = (0, 0);
        for thr in [0, 1, f.leak - 1, f.leak, f.leak + 1, 2 * f.leak + 1, 150] {
            uut.thr.next = (thr as u64).into();
            for w in f.w_min..=f.w_max {
                uut.word.next = (((w as i64 as u64) & ((1 << WB) - 1)) << (j * WB)).into();
                uut.reset.next = true;
                tick(&mut uut, clk);
                uut.reset.next = false;
                uut.integrate.next = true;
                uut.add.next = true;
                uut.complete.next = true;
                tick(&mut uut, clk);
                uut.integrate.next = false;
                uut.add.next = false;
                uut.complete.next = false;
                assert!(simulate(&mut uut, 1000));
                let mut model = Model::new(&p);
                model.accumulate(1, w, &p);
                model.complete(1, &p);
                assert_eq!(uut.spike.val(), model.fires(thr), "spike, w {w} thr {thr}");
                assert_eq!(uut.above.val(), model.above(thr), "above, w {w} thr {thr}");
                spikes += usize::from(model.fires(thr));
                checks += 1;
            }
        }
        assert!(
            spikes > 100 && spikes < checks - 100,
            "{spikes} of {checks} spiked"
        );
    }

    #[test]
    fn neuron_synthesizes_without_latches() {
        let p = params();
        let mut uut = Neuron::<WB, PB, WORD>::new(&p, 1);
        if let Some(r) = lint_and_synth(&mut uut, "neuron") {
            assert_eq!(r.brams, 0);
        }
    }
}
