//! stdp: the weight-update unit (`snn_sim::stdp`, register for register). For each neuron that
//! fired at step `t` it walks the steps `m` of the STDP window and the lists of the period classes
//! spiking at each `m` (stage A), computes the update of one lane (stage B: bound distance times
//! lookup table, the design's one multiplier) and writes the word back (stage C). The
//! end-of-image penalty walks the silent list through the same pipeline.

use crate::control::KMAX;
use crate::mult::UMul;
use crate::neuron::{flipped, twos};
use rust_hdl::prelude::*;
use snn_sim::params::HwParams;

/// Operand width of the multiplier: any lookup-table entry (`lut_frac_bits <= 24`) and any
/// bound distance (below `2^WB`, `WB <= 24`). Unused high bits are constant zero and synthesis
/// trims them, so the hardware multiplier is `L x WB`.
pub const MUL_W: usize = 24;
/// Product width.
pub const PROD_W: usize = 2 * MUL_W;

/// `op_b`/`op_c` encoding (`snn_sim::stdp::StdpOp as u8`).
const OP_POT: u64 = 0;
const OP_DEP: u64 = 1;
const OP_PEN: u64 = 2;

#[derive(LogicBlock)]
pub struct Stdp<const N: usize, const WB: usize, const PB: usize, const WORD: usize, const AW: usize> {
    pub clock: Signal<In, Clock>,
    // Commands from control (one per cycle).
    /// Fire with learning and some spike: start the walk of the lowest neuron of `spikes`.
    pub walk_start: Signal<In, Bit>,
    /// State Stdp: one step of the walk.
    pub walk: Signal<In, Bit>,
    /// State StdpDrain: start the walk of the next neuron, if any.
    pub drain: Signal<In, Bit>,
    /// State End with learning and a winner: read the head of the silent list.
    pub pen_start: Signal<In, Bit>,
    /// State Pen: follow the silent list.
    pub pen_walk: Signal<In, Bit>,
    // Operands.
    /// The neurons spiking in this Fire cycle.
    pub spikes: Signal<In, Bits<N>>,
    pub winner: Signal<In, Bits<8>>,
    /// control: current step, and `lag_m = max(1, t - whi)` with its counters and class mask.
    pub t: Signal<In, Bits<16>>,
    pub lag_m: Signal<In, Bits<16>>,
    pub lag_r: Vec<Signal<In, Bits<8>>>,
    pub lag_q: Vec<Signal<In, Bits<16>>>,
    pub lag_mask: Signal<In, Bits<KMAX>>,
    /// spike_gen: head of `class_sel`, head of the silent list, next_mem read data.
    pub head: Signal<In, Bits<AW>>,
    pub head_silent: Signal<In, Bits<AW>>,
    pub next_q: Signal<In, Bits<AW>>,
    /// weight_mem read data.
    pub word: Signal<In, Bits<WORD>>,
    /// Lane `lane_sel` of `word` (the neuron array splits the word into lanes).
    pub lane_w: Signal<In, Bits<WB>>,
    // Results.
    /// Stage B's lane (`lane_b`), for the neuron array's lane mux.
    pub lane_sel: Signal<Out, Bits<8>>,
    /// The class whose head stage A looks at.
    pub class_sel: Signal<Out, Bits<8>>,
    /// Address stage A presents to weight_mem and next_mem.
    pub raddr: Signal<Out, Bits<AW>>,
    /// Walk: the last `m` of the current neuron finished in this cycle.
    pub walk_done: Signal<Out, Bit>,
    /// Drain: another neuron is to be walked.
    pub more: Signal<Out, Bit>,
    /// Pen: the silent list ended.
    pub pen_done: Signal<Out, Bit>,
    /// Stage C's write to weight_mem.
    pub we: Signal<Out, Bit>,
    pub waddr: Signal<Out, Bits<AW>>,
    pub wdata: Signal<Out, Bits<WORD>>,
    sj: DFF<Bits<8>>,
    m: DFF<Bits<16>>,
    sr: Vec<DFF<Bits<8>>>,
    sq: Vec<DFF<Bits<16>>>,
    spend: DFF<Bits<KMAX>>,
    stdp_mask: DFF<Bits<N>>,
    v_b: DFF<Bit>,
    op_b: DFF<Bits<2>>,
    d_b: DFF<Bits<8>>,
    lane_b: DFF<Bits<8>>,
    addr_b: DFF<Bits<AW>>,
    v_c: DFF<Bit>,
    op_c: DFF<Bits<2>>,
    lane_c: DFF<Bits<8>>,
    addr_c: DFF<Bits<AW>>,
    word_c: DFF<Bits<WORD>>,
    w_c: DFF<Bits<WB>>,
    prod_c: DFF<Bits<PROD_W>>,
    mul: UMul<MUL_W, MUL_W, PROD_W>,
    // Stage A.
    /// `sq[k]` of the lowest bit of `spend`, for `class_sel`.
    sel_q: Signal<Local, Bits<16>>,
    follow: Signal<Local, Bit>,
    /// `spend` without its lowest bit.
    rest: Signal<Local, Bits<KMAX>>,
    /// `mask(m + 1)` of `sr/sq`, accumulated over `k` as in control.
    abit: Vec<Signal<Local, Bits<KMAX>>>,
    aacc: Vec<Signal<Local, Bits<KMAX>>>,
    mask_adv: Signal<Local, Bits<KMAX>>,
    m1: Signal<Local, Bits<16>>,
    /// `t - m` and `m - t`: the distance of a potentiation / depression.
    d_before: Signal<Local, Bits<8>>,
    d_after: Signal<Local, Bits<8>>,
    /// `|m + 1 - t| >= wlo` and `|lag_m - t| >= wlo`: the step is inside the window.
    in_win1: Signal<Local, Bit>,
    in_win_lag: Signal<Local, Bit>,
    /// The last `m` of the walk: `min(T, t + whi)`.
    m_end: Signal<Local, Bit>,
    /// Next neuron: the lowest of `spikes` (Begin) or of `stdp_mask` (Drain).
    nsrc: Signal<Local, Bits<N>>,
    nlow: Signal<Local, Bits<N>>,
    nsj: Signal<Local, Bits<8>>,
    // Stage B.
    w: Signal<Local, Bits<WB>>,
    bound_dist: Signal<Local, Bits<WB>>,
    lut: Signal<Local, Bits<MUL_W>>,
    // Stage C.
    stepv: Signal<Local, Bits<WB>>,
    w_x: Signal<Local, Bits<PB>>,
    pen_x: Signal<Local, Bits<PB>>,
    value: Signal<Local, Bits<WB>>,
    kwrap: Vec<Constant<Bits<8>>>,
    kbit: Vec<Constant<Bits<KMAX>>>,
    /// The bits below bit `k - 1`: a set bit is the lowest when its `below` bits are clear.
    below: Vec<Constant<Bits<KMAX>>>,
    lo: Constant<Bits<16>>,
    lo_m1: Constant<Bits<16>>,
    hi_t_m1: Constant<Bits<16>>,
    t_steps: Constant<Bits<16>>,
    wlo: Constant<Bits<16>>,
    whi: Constant<Bits<16>>,
    nil: Constant<Bits<AW>>,
    nids: Vec<Constant<Bits<8>>>,
    lane_off: Vec<Constant<Bits<16>>>,
    lane_clr: Vec<Constant<Bits<WORD>>>,
    /// Window distances `wlo..=whi` and their table entries.
    dids: Vec<Constant<Bits<8>>>,
    lut_pot: Vec<Constant<Bits<MUL_W>>>,
    lut_dep: Vec<Constant<Bits<MUL_W>>>,
    op_pot: Constant<Bits<2>>,
    op_dep: Constant<Bits<2>>,
    op_pen: Constant<Bits<2>>,
    w_max: Constant<Bits<WB>>,
    w_min: Constant<Bits<WB>>,
    w_min_f: Constant<Bits<PB>>,
    penalty: Constant<Bits<PB>>,
    half: Constant<Bits<PROD_W>>,
    lut_shift: Constant<Bits<8>>,
    w_neg: Constant<Bits<WB>>,
    w_ext: Constant<Bits<PB>>,
    sign: Constant<Bits<PB>>,
    _k: usize,
    _k1: usize,
    _nd: usize,
}

impl<const N: usize, const WB: usize, const PB: usize, const WORD: usize, const AW: usize>
    Stdp<N, WB, PB, WORD, AW>
{
    pub fn new(p: &HwParams) -> Self {
        assert_eq!((p.n, p.widths.weight as usize, p.widths.potential as usize), (N, WB, PB), "widths");
        assert_eq!((WORD, p.aw as usize), (N * WB, AW), "word and address widths");
        assert!(WB <= MUL_W && (p.format.lut_frac_bits as usize) <= MUL_W, "multiplier operands");
        assert!(p.k >= 1 && p.k <= KMAX, "K = {} must be in 1..={KMAX}", p.k);
        assert!(WORD <= 128, "weight words are at most 128 bits");
        let f = &p.format;
        let c16 = |v: u64| Constant::new(Bits::<16>::from(v));
        let nd = (p.whi - p.wlo + 1) as usize;
        let lane_mask = (1u128 << WB) - 1;
        let word_mask = if WORD == 128 { u128::MAX } else { (1u128 << WORD) - 1 };
        Stdp {
            clock: Default::default(),
            walk_start: Default::default(),
            walk: Default::default(),
            drain: Default::default(),
            pen_start: Default::default(),
            pen_walk: Default::default(),
            spikes: Default::default(),
            winner: Default::default(),
            t: Default::default(),
            lag_m: Default::default(),
            lag_r: (0..p.k).map(|_| Default::default()).collect(),
            lag_q: (0..p.k).map(|_| Default::default()).collect(),
            lag_mask: Default::default(),
            head: Default::default(),
            head_silent: Default::default(),
            next_q: Default::default(),
            word: Default::default(),
            lane_w: Default::default(),
            lane_sel: Default::default(),
            class_sel: Default::default(),
            raddr: Default::default(),
            walk_done: Default::default(),
            more: Default::default(),
            pen_done: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            sj: Default::default(),
            m: Default::default(),
            sr: (0..p.k).map(|_| Default::default()).collect(),
            sq: (0..p.k).map(|_| Default::default()).collect(),
            spend: Default::default(),
            stdp_mask: Default::default(),
            v_b: Default::default(),
            op_b: Default::default(),
            d_b: Default::default(),
            lane_b: Default::default(),
            addr_b: Default::default(),
            v_c: Default::default(),
            op_c: Default::default(),
            lane_c: Default::default(),
            addr_c: Default::default(),
            word_c: Default::default(),
            w_c: Default::default(),
            prod_c: Default::default(),
            mul: UMul::new(),
            sel_q: Default::default(),
            follow: Default::default(),
            rest: Default::default(),
            abit: (0..p.k).map(|_| Default::default()).collect(),
            aacc: (0..p.k).map(|_| Default::default()).collect(),
            mask_adv: Default::default(),
            m1: Default::default(),
            d_before: Default::default(),
            d_after: Default::default(),
            in_win1: Default::default(),
            in_win_lag: Default::default(),
            m_end: Default::default(),
            nsrc: Default::default(),
            nlow: Default::default(),
            nsj: Default::default(),
            w: Default::default(),
            bound_dist: Default::default(),
            lut: Default::default(),
            stepv: Default::default(),
            w_x: Default::default(),
            pen_x: Default::default(),
            value: Default::default(),
            kwrap: (0..p.k).map(|i| Constant::new(Bits::<8>::from(i as u64))).collect(),
            kbit: (0..p.k).map(|i| Constant::new(Bits::<KMAX>::from(1u64 << i))).collect(),
            below: (0..p.k).map(|i| Constant::new(Bits::<KMAX>::from((1u64 << i) - 1))).collect(),
            lo: c16(p.lo as u64),
            lo_m1: c16(p.lo as u64 - 1),
            hi_t_m1: c16(p.hi_t as u64 - 1),
            t_steps: c16(p.t_steps as u64),
            wlo: c16(p.wlo as u64),
            whi: c16(p.whi as u64),
            nil: Constant::new(Bits::<AW>::from(p.nil as u64)),
            nids: (0..N).map(|j| Constant::new(Bits::<8>::from(j as u64))).collect(),
            lane_off: (0..N).map(|j| c16((j * WB) as u64)).collect(),
            lane_clr: (0..N)
                .map(|j| Constant::new(bits_u128::<WORD>(word_mask ^ (lane_mask << (j * WB)))))
                .collect(),
            dids: (0..nd).map(|d| Constant::new(Bits::<8>::from(p.wlo as u64 + d as u64))).collect(),
            lut_pot: f.lut_pot.iter().map(|&v| Constant::new(Bits::<MUL_W>::from(v as u64))).collect(),
            lut_dep: f.lut_dep.iter().map(|&v| Constant::new(Bits::<MUL_W>::from(v as u64))).collect(),
            op_pot: Constant::new(OP_POT.into()),
            op_dep: Constant::new(OP_DEP.into()),
            op_pen: Constant::new(OP_PEN.into()),
            w_max: Constant::new(twos::<WB>(f.w_max as i64)),
            w_min: Constant::new(twos::<WB>(f.w_min as i64)),
            w_min_f: Constant::new(flipped::<PB>(f.w_min as i64)),
            penalty: Constant::new(twos::<PB>(f.penalty as i64)),
            half: Constant::new(Bits::<PROD_W>::from(1u64 << (f.lut_frac_bits - 1))),
            lut_shift: Constant::new(Bits::<8>::from(f.lut_frac_bits as u64)),
            w_neg: Constant::new(Bits::<WB>::from(1u64 << (WB - 1))),
            w_ext: Constant::new(Bits::<PB>::from(((1u64 << PB) - 1) ^ ((1u64 << WB) - 1))),
            sign: Constant::new(Bits::<PB>::from(1u64 << (PB - 1))),
            _k: p.k,
            _k1: p.k - 1,
            _nd: nd,
        }
    }
}

/// A `u128` as `Bits<B>` (`B <= 128`), for word-wide constants.
pub(crate) fn bits_u128<const B: usize>(v: u128) -> Bits<B> {
    let mut b = Bits::<B>::default();
    for i in 0..B {
        if v >> i & 1 == 1 {
            b = b.replace_bit(i, true);
        }
    }
    b
}

impl<const N: usize, const WB: usize, const PB: usize, const WORD: usize, const AW: usize> Logic
    for Stdp<N, WB, PB, WORD, AW>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, sj, m, spend, stdp_mask, v_b, op_b, d_b, lane_b, addr_b, v_c, op_c, lane_c, addr_c,
            word_c, w_c, prod_c
        );
        for k in 0..self._k {
            self.sr[k].clock.next = self.clock.val();
            self.sr[k].d.next = self.sr[k].q.val();
            self.sq[k].clock.next = self.clock.val();
            self.sq[k].d.next = self.sq[k].q.val();
        }

        // Stage C: the new lane value, written back into the word read two cycles ago.
        self.stepv.next = bit_cast::<WB, PROD_W>((self.prod_c.q.val() + self.half.val()) >> self.lut_shift.val());
        self.w_x.next = bit_cast::<PB, WB>(self.w_c.q.val());
        if self.w_c.q.val() >= self.w_neg.val() {
            self.w_x.next = bit_cast::<PB, WB>(self.w_c.q.val()) | self.w_ext.val();
        }
        self.pen_x.next = self.w_x.val() - self.penalty.val();
        self.value.next = self.w_c.q.val() + self.stepv.val();
        if self.op_c.q.val() == self.op_dep.val() {
            self.value.next = self.w_c.q.val() - self.stepv.val();
        }
        if self.op_c.q.val() == self.op_pen.val() {
            self.value.next = self.pen_x.val().get_bits::<WB>(0);
            if (self.pen_x.val() ^ self.sign.val()) < self.w_min_f.val() {
                self.value.next = self.w_min.val();
            }
        }
        self.we.next = self.v_c.q.val();
        self.waddr.next = self.addr_c.q.val();
        self.wdata.next = self.word_c.q.val();
        for j in 0..N {
            if self.lane_c.q.val() == self.nids[j].val() {
                self.wdata.next = (self.word_c.q.val() & self.lane_clr[j].val())
                    | (bit_cast::<WORD, WB>(self.value.val()) << self.lane_off[j].val());
            }
        }

        // Stage B: the lane arrives from weight_mem; distance to the bound times the table entry.
        self.w.next = self.lane_w.val();
        self.bound_dist.next = self.w_max.val() - self.w.val();
        if self.op_b.q.val() != self.op_pot.val() {
            self.bound_dist.next = self.w.val() - self.w_min.val();
        }
        self.lut.next = 0.into();
        for d in 0..self._nd {
            if self.d_b.q.val() == self.dids[d].val() {
                self.lut.next = self.lut_dep[d].val();
                if self.op_b.q.val() == self.op_pot.val() {
                    self.lut.next = self.lut_pot[d].val();
                }
            }
        }
        self.mul.a.next = self.lut.val();
        self.mul.b.next = bit_cast::<MUL_W, WB>(self.bound_dist.val());
        self.v_c.d.next = self.v_b.q.val();
        if self.v_b.q.val() {
            self.op_c.d.next = self.op_b.q.val();
            self.lane_c.d.next = self.lane_b.q.val();
            self.addr_c.d.next = self.addr_b.q.val();
            self.word_c.d.next = self.word.val();
            self.w_c.d.next = self.w.val();
            self.prod_c.d.next = self.mul.p.val();
        }

        // Outputs control and spike_gen use in this cycle: from registers and inputs only,
        // through locals of their own (see `crate::core`).
        self.lane_sel.next = self.lane_b.q.val();
        self.sel_q.next = 0.into();
        for k in 0..self._k {
            if self.spend.q.val().get_bit(k) & !(self.spend.q.val() & self.below[k].val()).any() {
                self.sel_q.next = self.sq[k].q.val();
            }
        }
        self.class_sel.next = bit_cast::<8, 16>(self.sel_q.val() - self.lo.val());
        self.walk_done.next = self.walk.val()
            & !(self.v_b.q.val() & (self.next_q.val() != self.nil.val()))
            & !self.spend.q.val().any()
            & ((self.m.q.val() >= self.t_steps.val()) | (self.m.q.val() >= self.t.val() + self.whi.val()));
        self.more.next = self.drain.val() & self.stdp_mask.q.val().any();
        // Stage A's read address: follow the list, else the head of the selected class, or the
        // head of the silent list for the penalty.
        self.raddr.next = self.head.val();
        if self.v_b.q.val() & (self.next_q.val() != self.nil.val()) {
            self.raddr.next = self.next_q.val();
        }
        if self.pen_start.val() {
            self.raddr.next = self.head_silent.val();
        }
        self.pen_done.next = self.pen_walk.val() & !(self.v_b.q.val() & (self.next_q.val() != self.nil.val()));

        // Stage A: the walk.
        self.follow.next = self.v_b.q.val() & (self.next_q.val() != self.nil.val());
        self.rest.next = self.spend.q.val() & (self.spend.q.val() - 1);
        for k in 0..self._k {
            self.abit[k].next = 0.into();
            if (self.sr[k].q.val() == self.kwrap[k].val())
                & (self.sq[k].q.val() >= self.lo_m1.val())
                & (self.sq[k].q.val() <= self.hi_t_m1.val())
            {
                self.abit[k].next = self.kbit[k].val();
            }
        }
        self.aacc[0].next = self.abit[0].val();
        for k in 1..self._k {
            self.aacc[k].next = self.aacc[k - 1].val() | self.abit[k].val();
        }
        for k in self._k1..self._k {
            self.mask_adv.next = self.aacc[k].val();
        }
        self.m1.next = self.m.q.val() + 1;
        self.d_before.next = bit_cast::<8, 16>(self.t.val() - self.m.q.val());
        self.d_after.next = bit_cast::<8, 16>(self.m.q.val() - self.t.val());
        self.in_win1.next = (self.m1.val() >= self.t.val() + self.wlo.val())
            | (self.m1.val() + self.wlo.val() <= self.t.val());
        self.in_win_lag.next = (self.lag_m.val() >= self.t.val() + self.wlo.val())
            | (self.lag_m.val() + self.wlo.val() <= self.t.val());
        self.m_end.next = (self.m.q.val() >= self.t_steps.val()) | (self.m.q.val() >= self.t.val() + self.whi.val());
        self.nsrc.next = self.spikes.val();
        if self.drain.val() {
            self.nsrc.next = self.stdp_mask.q.val();
        }
        self.nlow.next = self.nsrc.val() & (!self.nsrc.val() + 1);
        self.nsj.next = 0.into();
        for j in 0..N {
            if self.nlow.val().get_bit(j) {
                self.nsj.next = self.nids[j].val();
            }
        }

        self.v_b.d.next = false;
        if self.walk_start.val() | (self.drain.val() & self.stdp_mask.q.val().any()) {
            // Start the walk of a neuron at m0 = lag_m.
            self.sj.d.next = self.nsj.val();
            self.stdp_mask.d.next = self.nsrc.val() ^ self.nlow.val();
            self.m.d.next = self.lag_m.val();
            for k in 0..self._k {
                self.sr[k].d.next = self.lag_r[k].val();
                self.sq[k].d.next = self.lag_q[k].val();
            }
            self.spend.d.next = 0.into();
            if self.in_win_lag.val() {
                self.spend.d.next = self.lag_mask.val();
            }
        }
        if self.walk.val() {
            if self.follow.val() {
                self.v_b.d.next = true;
                self.addr_b.d.next = self.next_q.val();
            } else if self.spend.q.val().any() {
                self.spend.d.next = self.rest.val();
                if self.head.val() != self.nil.val() {
                    self.v_b.d.next = true;
                    self.addr_b.d.next = self.head.val();
                    self.lane_b.d.next = self.sj.q.val();
                    if self.m.q.val() < self.t.val() {
                        self.op_b.d.next = self.op_pot.val();
                        self.d_b.d.next = self.d_before.val();
                    } else {
                        self.op_b.d.next = self.op_dep.val();
                        self.d_b.d.next = self.d_after.val();
                    }
                }
            } else if !self.m_end.val() {
                self.m.d.next = self.m1.val();
                for k in 0..self._k {
                    if self.sr[k].q.val() == self.kwrap[k].val() {
                        self.sr[k].d.next = 0.into();
                        self.sq[k].d.next = self.sq[k].q.val() + 1;
                    } else {
                        self.sr[k].d.next = self.sr[k].q.val() + 1;
                    }
                }
                self.spend.d.next = 0.into();
                if self.in_win1.val() {
                    self.spend.d.next = self.mask_adv.val();
                }
            }
        }
        if self.pen_start.val() {
            if self.head_silent.val() != self.nil.val() {
                self.v_b.d.next = true;
                self.addr_b.d.next = self.head_silent.val();
                self.op_b.d.next = self.op_pen.val();
                self.d_b.d.next = 0.into();
                self.lane_b.d.next = self.winner.val();
            }
        }
        if self.pen_walk.val() {
            if self.follow.val() {
                self.v_b.d.next = true;
                self.addr_b.d.next = self.next_q.val();
            }
        }
    }
}
