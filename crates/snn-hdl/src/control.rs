//! control: the FSM of docs/ARCHITECTURE.md ("Control FSM, cycle by cycle"), the threshold
//! pass, the divider, stage A of Int, and the strobes that drive the other blocks
//! (`snn_sim::control`, register for register).
//!
//! The counters of `t` with the pending classes `pend` are a [`ClassWalk`] (shared with stdp),
//! which also tells spike_gen the class to read in the next cycle; control picks that class, or
//! stdp's when the next state is Stdp. The counters of `lag_m` are a [`StepCtr`] with their
//! [`ClassMask`]. Fire's and End's decisions, which the neurons, wta and stdp act on in the same
//! cycle, are one [`Decide`].

use crate::cmp::AtLeast;
use crate::counters::{ClassMask, Look, StepCtr};
use crate::decide::Decide;
use crate::neuron::many;
use crate::walk::ClassWalk;
use rust_hdl::prelude::*;
use snn_arch::codes::STATE_BITS;
use snn_arch::widths::*;
use snn_arch::{FsmState, HwParams, StepCounters};

/// `peak_acc`: a sum and its offset `2^SUM_BITS`.
const PEAK_ACC_BITS: usize = SUM_BITS + 1;

#[derive(LogicBlock)]
pub struct Control<const PB: usize, const AW: usize, const WAW: usize, const GB: usize> {
    pub clock: Signal<In, Clock>,
    // Host.
    /// Sampled in Idle: begins one image.
    pub start: Signal<In, Bit>,
    /// Sampled with `start`: training (STDP and penalty).
    pub learn: Signal<In, Bit>,
    pub state: Signal<Out, Bits<STATE_BITS>>,
    pub busy: Signal<Out, Bit>,
    /// One-cycle pulse in Done.
    pub done: Signal<Out, Bit>,
    pub t: Signal<Out, Bits<STEP_BITS>>,
    /// Cycles of this image spent outside Idle so far (the Done cycle is counted at its edge).
    pub cycles: Signal<Out, Bits<CYCLES_BITS>>,
    /// Threshold of the image (non-negative, `PB` bits).
    pub thr: Signal<Out, Bits<PB>>,
    /// Peak number of inputs spiking at one step.
    pub peak: Signal<Out, Bits<SUM_BITS>>,
    // spike_gen.
    pub scan_last: Signal<In, Bit>,
    /// `head` and count (`count_raw` if `listed`, else 0) of the class selected at the last
    /// edge (`class_next` then): in Thresh, Int and Fire that of `pend`'s lowest bit now.
    pub head: Signal<In, Bits<AW>>,
    pub count_raw: Signal<In, Bits<AW>>,
    /// The class has a list this image: `count_raw` is its count, else the count is 0.
    pub listed: Signal<In, Bit>,
    /// next_mem read data.
    pub next_q: Signal<In, Bits<AW>>,
    pub sg_start: Signal<Out, Bit>,
    pub sg_ingest: Signal<Out, Bit>,
    pub sg_drain: Signal<Out, Bit>,
    /// The class whose head and count spike_gen is to show in the next cycle: control's own
    /// select from its registers' next values, or stdp's when the next state is Stdp; and
    /// whether the next state is Ingest or Drain (spike_gen reads stage 3's class then).
    pub class_next: Signal<Out, Bits<CLASS_BITS>>,
    pub lists_next: Signal<Out, Bit>,
    /// Address presented to weight_mem and next_mem (control's stage A, or stdp's).
    pub raddr: Signal<Out, Bits<AW>>,
    // neuron array.
    /// Some `pot[j] >= thr` / some `shown[j] > thr`.
    pub spike_any: Signal<In, Bit>,
    pub above_any: Signal<In, Bit>,
    pub n_reset: Signal<Out, Bit>,
    pub n_int: Signal<Out, Bit>,
    pub n_add: Signal<Out, Bit>,
    pub n_complete: Signal<Out, Bit>,
    pub n_fire: Signal<Out, Bit>,
    /// A Fire cycle in which some neuron spikes (the spike port).
    pub spike_valid: Signal<Out, Bit>,
    // wta.
    pub wta_last: Signal<In, Bit>,
    pub winner_valid: Signal<In, Bit>,
    pub wta_clear: Signal<Out, Bit>,
    pub wta_enter: Signal<Out, Bit>,
    pub wta_scan: Signal<Out, Bit>,
    // stdp.
    pub st_class_next: Signal<In, Bits<CLASS_BITS>>,
    /// The first class of any STDP walk starting now (it depends only on the lag counters).
    pub st_begin_class: Signal<In, Bits<CLASS_BITS>>,
    pub st_raddr: Signal<In, Bits<AW>>,
    pub st_walk_done: Signal<In, Bit>,
    pub st_more: Signal<In, Bit>,
    pub st_pen_done: Signal<In, Bit>,
    pub st_begin: Signal<Out, Bit>,
    pub st_walk: Signal<Out, Bit>,
    pub st_drain: Signal<Out, Bit>,
    pub st_pen_start: Signal<Out, Bit>,
    pub st_pen_walk: Signal<Out, Bit>,
    /// `lag_m = max(1, t - whi)`, its counters and its class mask: where an STDP walk starts.
    pub lag_m: Signal<Out, Bits<STEP_BITS>>,
    pub lag_r: Vec<Signal<Out, Bits<RESIDUE_BITS>>>,
    pub lag_q: Vec<Signal<Out, Bits<STEP_BITS>>>,
    pub lag_mask: Signal<Out, Bits<MASK_BITS>>,
    /// With homeostasis (else empty): the Bias cycle (neurons load `thr + theta`), and the
    /// Done cycle of a training image (every `theta` moves).
    pub n_bias: Vec<Signal<Out, Bit>>,
    pub theta_upd: Vec<Signal<Out, Bit>>,
    /// With row normalization (else empty): the image's `learn` (stdp's sweep and row sums),
    /// End (NormMul's product starts), NormMul, Done (the winner's update is left pending);
    /// and NormMul's last cycle.
    pub n_learn: Vec<Signal<Out, Bit>>,
    pub n_nm_begin: Vec<Signal<Out, Bit>>,
    pub n_nm_step: Vec<Signal<Out, Bit>>,
    pub n_finish: Vec<Signal<Out, Bit>>,
    pub st_nm_last: Vec<Signal<In, Bit>>,
    /// With row normalization and lane groups (else empty): state Sum (the walk of the
    /// winner's row between End and NormMul), and its last cycle.
    pub n_sum: Vec<Signal<Out, Bit>>,
    pub st_sum_end: Vec<Signal<In, Bit>>,
    /// weight_mem's read address: `raddr`, with lane groups in the word of the group read for
    /// (`g * M + i`); stdp's (`st_wraddr`) in its states.
    pub wm_raddr: Signal<Out, Bits<WAW>>,
    pub st_wraddr: Signal<In, Bits<WAW>>,
    // Lane groups only (each vector empty without them; docs/ARCHITECTURE.md "Neuron lanes").
    /// The group the lane cells hold; a `step` to the next (Int's completion of a group, each
    /// Fire pass cycle); the first cycle of a Fire pass (`latch`) and its others (`hold`);
    /// the acting Fire cycle, which settles wta's pending inhibition.
    pub group: Vec<Signal<Out, Bits<GB>>>,
    pub n_step: Vec<Signal<Out, Bit>>,
    pub n_latch: Vec<Signal<Out, Bit>>,
    pub n_hold: Vec<Signal<Out, Bit>>,
    pub w_settle: Vec<Signal<Out, Bit>>,
    /// wta's inhibition is pending (Fire is a pass).
    pub wta_pending: Vec<Signal<In, Bit>>,
    group_r: Vec<DFF<Bits<GB>>>,
    /// `group * M` and the next group's base.
    base_r: Vec<DFF<Bits<WAW>>>,
    base_nx: Vec<DFF<Bits<WAW>>>,
    pass_r: Vec<DFF<Bit>>,
    last_g: Vec<Signal<Local, Bit>>,
    starts: Vec<Signal<Local, Bit>>,
    acting: Vec<Signal<Local, Bit>>,
    in_pass: Vec<Signal<Local, Bit>>,
    g_last: Vec<Constant<Bits<GB>>>,
    g_last2: Vec<Constant<Bits<GB>>>,
    m_words: Vec<Constant<Bits<WAW>>>,
    _ln: usize,
    state_r: DFF<Bits<STATE_BITS>>,
    cycles_r: DFF<Bits<CYCLES_BITS>>,
    learn_r: DFF<Bit>,
    t_r: DFF<Bits<STEP_BITS>>,
    acc: DFF<Bits<SUM_BITS>>,
    peak_r: DFF<Bits<SUM_BITS>>,
    /// `peak - acc + 2^16` (never negative): a step's sum beats the peak when its last count
    /// exceeds `peak - acc`, one comparison of the count instead of an adder and a comparator
    /// after the list read.
    peak_acc: DFF<Bits<PEAK_ACC_BITS>>,
    rem: DFF<Bits<REM_BITS>>,
    quo: DFF<Bits<PB>>,
    div_bit: DFF<Bits<DIV_BIT_BITS>>,
    thr_r: DFF<Bits<PB>>,
    rd_valid: DFF<Bit>,
    lag_m_r: DFF<Bits<STEP_BITS>>,
    /// The counters of `t` (of `t + 1` between the last Int cycle and Fire) and `pend`.
    cw: ClassWalk,
    /// The counters of `lag_m` and their class mask.
    lag: StepCtr,
    lag_now: ClassMask,
    decide: Decide,
    // Combinational.
    /// The class of `mask(1)`'s lowest bit (`1 - lo`; only read when `lo == 1`).
    class_one: Constant<Bits<CLASS_BITS>>,
    /// `pend`, and whether it holds more than one class.
    pend: Signal<Local, Bits<MASK_BITS>>,
    pend_more: Signal<Local, Bit>,
    /// Stage A: follow the list (a read was issued last cycle and it has a successor).
    follow: Signal<Local, Bit>,
    /// Stage A: the address it presents and whether that is a real read.
    issue_addr: Signal<Local, Bits<AW>>,
    issued: Signal<Local, Bit>,
    /// `t = t + 1`, and the lag counters with it once `t > whi` (requested by Fire and
    /// StdpDrain, carried out once below).
    next_step: Signal<Local, Bit>,
    last_step: Signal<Local, Bit>,
    /// Thresh: running sum with the selected class.
    v: Signal<Local, Bits<SUM_BITS>>,
    /// The selected class's count (0 when none is pending), and whether `acc + cnt > peak`.
    cnt: Signal<Local, Bits<SUM_BITS>>,
    beats_peak: Signal<Local, Bit>,
    /// `2^16`, the offset of `peak_acc`.
    acc_off: Constant<Bits<PEAK_ACC_BITS>>,
    /// Divide: the dividend bit shifted in, the shifted remainder and quotient.
    pidx: Signal<Local, Bits<4>>,
    dbit: Signal<Local, Bit>,
    r2: Signal<Local, Bits<REM_BITS>>,
    qbit: Signal<Local, Bit>,
    rem_n: Signal<Local, Bits<REM_BITS>>,
    quo_n: Signal<Local, Bits<PB>>,
    s_idle: Constant<Bits<STATE_BITS>>,
    s_ingest: Constant<Bits<STATE_BITS>>,
    s_drain: Constant<Bits<STATE_BITS>>,
    s_thresh: Constant<Bits<STATE_BITS>>,
    s_divide: Constant<Bits<STATE_BITS>>,
    s_int: Constant<Bits<STATE_BITS>>,
    s_fire: Constant<Bits<STATE_BITS>>,
    s_wta: Constant<Bits<STATE_BITS>>,
    s_stdp: Constant<Bits<STATE_BITS>>,
    s_stdp_drain: Constant<Bits<STATE_BITS>>,
    s_end: Constant<Bits<STATE_BITS>>,
    s_pen: Constant<Bits<STATE_BITS>>,
    s_pen_drain: Constant<Bits<STATE_BITS>>,
    s_done: Constant<Bits<STATE_BITS>>,
    s_bias: Vec<Constant<Bits<STATE_BITS>>>,
    s_norm_mul: Vec<Constant<Bits<STATE_BITS>>>,
    s_sum: Vec<Constant<Bits<STATE_BITS>>>,
    /// The counters of `t = 1` and `mask(1)`.
    one_r: Vec<Constant<Bits<RESIDUE_BITS>>>,
    one_q: Vec<Constant<Bits<STEP_BITS>>>,
    mask_one: Constant<Bits<MASK_BITS>>,
    t_steps: Constant<Bits<STEP_BITS>>,
    nil: Constant<Bits<AW>>,
    frac: Constant<Bits<DIV_BIT_BITS>>,
    qb_m1: Constant<Bits<DIV_BIT_BITS>>,
    divisor: Constant<Bits<REM_BITS>>,
    /// Constant comparisons: `t > whi`, `bit >= F`, and the divider's `2 rem + b >= divisor`
    /// as `rem >= ceil((divisor - b) / 2)` for `b = 0, 1`.
    t_gt_whi: AtLeast<STEP_BITS>,
    bit_ge_f: AtLeast<DIV_BIT_BITS>,
    rem_ge_0: AtLeast<REM_BITS>,
    rem_ge_1: AtLeast<REM_BITS>,
    _k: usize,
    /// 1 with homeostasis, else 0: the loops over it build the Bias state only when used.
    _h: usize,
    /// 1 with homeostasis and one lane per neuron (the Bias command), else 0; 1 with
    /// homeostasis and lane groups (Bias and a training image's Done are passes), else 0.
    _hd: usize,
    _lh: usize,
    /// 1 with row normalization, else 0: the NormMul state, End going to it instead of Pen;
    /// 1 with row normalization and lane groups, else 0: End goes to Sum, Sum to NormMul.
    _nz: usize,
    _nzl: usize,
}

impl<const PB: usize, const AW: usize, const WAW: usize, const GB: usize> Control<PB, AW, WAW, GB> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.aw as usize, AW, "address width");
        assert_eq!(p.widths.potential as usize, PB, "potential width");
        snn_arch::limits::assert_rtl(p);
        let cs4 = |s: FsmState| Constant::new(Bits::<STATE_BITS>::from(s.code()));
        let cs = |v: u64| Constant::new(Bits::<STEP_BITS>::from(v));
        let k = p.k;
        let h = usize::from(p.homeostasis);
        let nz = usize::from(p.normalization);
        let one = StepCounters::one();
        let ln = usize::from(p.lanes < p.n);
        let gc = |v: usize| Constant::new(Bits::<GB>::from(v as u64));
        Control {
            wm_raddr: Default::default(),
            st_wraddr: Default::default(),
            group: many(ln),
            n_step: many(ln),
            n_latch: many(ln),
            n_hold: many(ln),
            w_settle: many(ln),
            wta_pending: many(ln),
            group_r: many(ln),
            base_r: many(ln),
            base_nx: many(ln),
            pass_r: many(ln),
            last_g: many(ln),
            starts: many(ln),
            acting: many(ln),
            in_pass: many(ln),
            g_last: (0..ln).map(|_| gc(p.groups - 1)).collect(),
            g_last2: (0..ln).map(|_| gc(p.groups.saturating_sub(2))).collect(),
            m_words: (0..ln)
                .map(|_| Constant::new(Bits::<WAW>::from(p.m as u64)))
                .collect(),
            _ln: ln,
            clock: Default::default(),
            start: Default::default(),
            learn: Default::default(),
            state: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            t: Default::default(),
            cycles: Default::default(),
            thr: Default::default(),
            peak: Default::default(),
            scan_last: Default::default(),
            head: Default::default(),
            count_raw: Default::default(),
            listed: Default::default(),
            next_q: Default::default(),
            sg_start: Default::default(),
            sg_ingest: Default::default(),
            sg_drain: Default::default(),
            class_next: Default::default(),
            lists_next: Default::default(),
            raddr: Default::default(),
            spike_any: Default::default(),
            above_any: Default::default(),
            n_reset: Default::default(),
            n_int: Default::default(),
            n_add: Default::default(),
            n_complete: Default::default(),
            n_fire: Default::default(),
            spike_valid: Default::default(),
            wta_last: Default::default(),
            winner_valid: Default::default(),
            wta_clear: Default::default(),
            wta_enter: Default::default(),
            wta_scan: Default::default(),
            st_class_next: Default::default(),
            st_begin_class: Default::default(),
            st_raddr: Default::default(),
            st_walk_done: Default::default(),
            st_more: Default::default(),
            st_pen_done: Default::default(),
            st_begin: Default::default(),
            st_walk: Default::default(),
            st_drain: Default::default(),
            st_pen_start: Default::default(),
            st_pen_walk: Default::default(),
            lag_m: Default::default(),
            lag_r: (0..k).map(|_| Default::default()).collect(),
            lag_q: (0..k).map(|_| Default::default()).collect(),
            lag_mask: Default::default(),
            state_r: Default::default(),
            cycles_r: Default::default(),
            learn_r: Default::default(),
            t_r: Default::default(),
            acc: Default::default(),
            peak_r: Default::default(),
            peak_acc: Default::default(),
            rem: Default::default(),
            quo: Default::default(),
            div_bit: Default::default(),
            thr_r: Default::default(),
            rd_valid: Default::default(),
            lag_m_r: Default::default(),
            cw: ClassWalk::with_restart(p, ln == 1),
            lag: StepCtr::new(p),
            lag_now: ClassMask::new(p, Look::Now),
            decide: Default::default(),
            class_one: Constant::new(Bits::<CLASS_BITS>::from(
                (1 - p.lo as i64) as u64 & ((1 << CLASS_BITS) - 1),
            )),
            pend: Default::default(),
            pend_more: Default::default(),
            follow: Default::default(),
            issue_addr: Default::default(),
            issued: Default::default(),
            next_step: Default::default(),
            last_step: Default::default(),
            v: Default::default(),
            cnt: Default::default(),
            beats_peak: Default::default(),
            acc_off: Constant::new(Bits::<PEAK_ACC_BITS>::from(1u64 << SUM_BITS)),
            pidx: Default::default(),
            dbit: Default::default(),
            r2: Default::default(),
            qbit: Default::default(),
            rem_n: Default::default(),
            quo_n: Default::default(),
            s_idle: cs4(FsmState::Idle),
            s_ingest: cs4(FsmState::Ingest),
            s_drain: cs4(FsmState::Drain),
            s_thresh: cs4(FsmState::Thresh),
            s_divide: cs4(FsmState::Divide),
            s_int: cs4(FsmState::Int),
            s_fire: cs4(FsmState::Fire),
            s_wta: cs4(FsmState::Wta),
            s_stdp: cs4(FsmState::Stdp),
            s_stdp_drain: cs4(FsmState::StdpDrain),
            s_end: cs4(FsmState::End),
            s_pen: cs4(FsmState::Pen),
            s_pen_drain: cs4(FsmState::PenDrain),
            s_done: cs4(FsmState::Done),
            s_bias: (0..h).map(|_| cs4(FsmState::Bias)).collect(),
            s_norm_mul: (0..nz).map(|_| cs4(FsmState::NormMul)).collect(),
            n_learn: many(nz),
            n_nm_begin: many(nz),
            n_nm_step: many(nz),
            n_finish: many(nz),
            st_nm_last: many(nz),
            n_sum: many(nz * ln),
            st_sum_end: many(nz * ln),
            s_sum: (0..nz * ln).map(|_| cs4(FsmState::Sum)).collect(),
            _nzl: nz * ln,
            _nz: nz,
            n_bias: many(h * (1 - ln)),
            theta_upd: (0..h).map(|_| Default::default()).collect(),
            one_r: (0..k)
                .map(|i| Constant::new(Bits::<RESIDUE_BITS>::from(one.r[i] as u64)))
                .collect(),
            one_q: (0..k).map(|i| cs(one.q[i] as u64)).collect(),
            mask_one: Constant::new(Bits::<MASK_BITS>::from(p.mask_one)),
            t_steps: cs(p.t_steps as u64),
            nil: Constant::new(Bits::<AW>::from(p.nil as u64)),
            frac: Constant::new(Bits::<DIV_BIT_BITS>::from(p.format.frac_bits as u64)),
            qb_m1: Constant::new(Bits::<DIV_BIT_BITS>::from(p.qb as u64 - 1)),
            divisor: Constant::new(Bits::<REM_BITS>::from(p.threshold_divisor as u64)),
            t_gt_whi: AtLeast::new(p.whi as u64 + 1),
            bit_ge_f: AtLeast::new(p.format.frac_bits as u64),
            rem_ge_0: AtLeast::new((p.threshold_divisor as u64).div_ceil(2)),
            rem_ge_1: AtLeast::new(p.threshold_divisor as u64 / 2),
            _k: k,
            _h: h,
            _hd: h * (1 - ln),
            _lh: h * ln,
        }
    }
}

impl<const PB: usize, const AW: usize, const WAW: usize, const GB: usize> Logic
    for Control<PB, AW, WAW, GB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state_r, cycles_r, learn_r, t_r, acc, peak_r, peak_acc, rem, quo, div_bit,
            thr_r, rd_valid, lag_m_r
        );
        self.cw.clock.next = self.clock.val();
        self.lag.clock.next = self.clock.val();
        for k in 0..self._k {
            self.cw.r_in[k].next = self.one_r[k].val();
            self.cw.q_in[k].next = self.one_q[k].val();
            self.lag.r_in[k].next = self.one_r[k].val();
            self.lag.q_in[k].next = self.one_q[k].val();
            self.lag_now.r[k].next = self.lag.r[k].val();
            self.lag_now.q[k].next = self.lag.q[k].val();
            self.lag_r[k].next = self.lag.r[k].val();
            self.lag_q[k].next = self.lag.q[k].val();
        }
        self.cw.mask_in.next = self.mask_one.val();
        self.cw.more.next = true;
        self.cw.gate.next = true;
        self.lag_mask.next = self.lag_now.mask.val();
        self.state.next = self.state_r.q.val();
        self.busy.next = self.state_r.q.val() != self.s_idle.val();
        self.t.next = self.t_r.q.val();
        self.cycles.next = self.cycles_r.q.val();
        self.thr.next = self.thr_r.q.val();
        self.peak.next = self.peak_r.q.val();
        self.lag_m.next = self.lag_m_r.q.val();

        // Inputs of the walk and of the decisions whose outputs come back within the cycle,
        // and the outputs other blocks use in this cycle: from registers and inputs only,
        // through no local of the next-state logic (see `crate::core`).
        self.cw.sweep.next = self.state_r.q.val() == self.s_thresh.val();
        self.cw.walk.next = self.state_r.q.val() == self.s_int.val();
        self.cw.follow.next = self.rd_valid.q.val() & (self.next_q.val() != self.nil.val());
        self.cw.pop_next.next = self.state_r.q.val() == self.s_fire.val();
        self.decide.in_fire.next = self.state_r.q.val() == self.s_fire.val();
        self.decide.in_end.next = self.state_r.q.val() == self.s_end.val();
        self.decide.learn.next = self.learn_r.q.val();
        self.decide.last_step.next = self.t_r.q.val() == self.t_steps.val();
        self.decide.winner_valid.next = self.winner_valid.val();
        self.decide.above_any.next = self.above_any.val();
        self.decide.spike_any.next = self.spike_any.val();
        self.sg_start.next = (self.state_r.q.val() == self.s_idle.val()) & self.start.val();
        self.sg_ingest.next = self.state_r.q.val() == self.s_ingest.val();
        self.sg_drain.next = self.state_r.q.val() == self.s_drain.val();
        self.n_reset.next = (self.state_r.q.val() == self.s_idle.val()) & self.start.val();
        self.n_int.next = self.state_r.q.val() == self.s_int.val();
        self.n_add.next = self.rd_valid.q.val();
        self.n_complete.next = self.cw.done.val();
        self.n_fire.next = self.decide.fires.val();
        self.spike_valid.next = self.decide.spike_valid.val();
        self.wta_clear.next = (self.state_r.q.val() == self.s_idle.val()) & self.start.val();
        self.wta_enter.next = self.decide.to_wta.val();
        self.wta_scan.next = self.state_r.q.val() == self.s_wta.val();
        self.st_begin.next = self.decide.to_stdp.val();
        self.st_walk.next = self.state_r.q.val() == self.s_stdp.val();
        self.st_drain.next = self.state_r.q.val() == self.s_stdp_drain.val();
        self.st_pen_start.next = self.decide.pen_start.val();
        self.st_pen_walk.next = self.state_r.q.val() == self.s_pen.val();
        self.done.next = self.state_r.q.val() == self.s_done.val();
        // Row normalization: End leaves the penalty to the next image's sweep.
        for z in 0..self._nz {
            self.st_pen_start.next = false;
            self.n_learn[z].next = self.learn_r.q.val();
            self.n_nm_begin[z].next = self.state_r.q.val() == self.s_end.val();
            self.n_nm_step[z].next = self.state_r.q.val() == self.s_norm_mul[z].val();
            self.n_finish[z].next = self.state_r.q.val() == self.s_done.val();
        }
        for z in 0..self._nzl {
            self.n_sum[z].next = self.state_r.q.val() == self.s_sum[z].val();
        }
        for h in 0..self._hd {
            self.n_bias[h].next = self.state_r.q.val() == self.s_bias[h].val();
        }
        for h in 0..self._h {
            self.theta_upd[h].next =
                (self.state_r.q.val() == self.s_done.val()) & self.learn_r.q.val();
        }

        // Lane groups: Int walks the step once per group (the walk restarts the step until the
        // last group completes), and Fire, when it changes neurons, is a pass over the groups
        // that acts in its last cycle (docs/ARCHITECTURE.md, "Neuron lanes").
        for z in 0..self._ln {
            self.group_r[z].clock.next = self.clock.val();
            self.base_r[z].clock.next = self.clock.val();
            self.base_nx[z].clock.next = self.clock.val();
            self.pass_r[z].clock.next = self.clock.val();
            self.group[z].next = self.group_r[z].q.val();
            self.last_g[z].next = self.group_r[z].q.val() == self.g_last[z].val();
            self.cw.more.next = self.group_r[z].q.val() == self.g_last[z].val();
            // A restart may follow an Int cycle of a group that is not the last, and Fire (the
            // next step's first group).
            self.cw.restart[z].next = ((self.state_r.q.val() == self.s_int.val())
                & (self.group_r[z].q.val() != self.g_last[z].val()))
                | (self.state_r.q.val() == self.s_fire.val());
            self.starts[z].next = (self.state_r.q.val() == self.s_fire.val())
                & !self.pass_r[z].q.val()
                & (self.winner_valid.val() | !self.above_any.val())
                & (self.spike_any.val() | self.wta_pending[z].val());
            self.acting[z].next = (self.state_r.q.val() == self.s_fire.val())
                & !self.starts[z].val()
                & (!self.pass_r[z].q.val() | self.last_g[z].val());
            self.in_pass[z].next = (self.state_r.q.val() == self.s_fire.val())
                & (self.starts[z].val() | self.pass_r[z].q.val());
            // The walk's and the decisions' inputs, from registers and inputs only: the acting
            // Fire cycle (the only one, or a pass's last) and the pop the walk may do in it.
            self.decide.in_fire.next = (self.state_r.q.val() == self.s_fire.val())
                & ((self.pass_r[z].q.val() & (self.group_r[z].q.val() == self.g_last[z].val()))
                    | (!self.pass_r[z].q.val()
                        & !((self.winner_valid.val() | !self.above_any.val())
                            & (self.spike_any.val() | self.wta_pending[z].val()))));
            self.cw.pop_next.next = (self.state_r.q.val() == self.s_fire.val())
                & ((self.pass_r[z].q.val() & (self.group_r[z].q.val() == self.g_last[z].val()))
                    | (!self.pass_r[z].q.val()
                        & !((self.winner_valid.val() | !self.above_any.val())
                            & (self.spike_any.val() | self.wta_pending[z].val()))));
            self.n_fire.next = self.in_pass[z].val();
            self.n_step[z].next = ((self.state_r.q.val() == self.s_int.val()) & self.cw.done.val())
                | self.in_pass[z].val();
            self.n_latch[z].next = self.starts[z].val();
            self.n_hold[z].next = self.pass_r[z].q.val();
            self.w_settle[z].next = self.acting[z].val();
        }
        // Homeostasis with lane groups: Bias, and Done of a training image, are passes that
        // step through the groups; `done` pulses in the last cycle.
        for z in 0..self._lh {
            self.n_step[z].next = ((self.state_r.q.val() == self.s_int.val()) & self.cw.done.val())
                | self.in_pass[z].val()
                | (self.state_r.q.val() == self.s_bias[z].val())
                | ((self.state_r.q.val() == self.s_done.val()) & self.learn_r.q.val());
            self.done.next = (self.state_r.q.val() == self.s_done.val())
                & (!self.learn_r.q.val() | self.last_g[z].val());
        }

        // Stage A of Int (also run by Fire for the next step's first class, with no read last
        // cycle): follow the list, else read the head of the lowest pending class.
        self.pend.next = self.cw.pend.val();
        self.pend_more.next = (self.pend.val() & (self.pend.val() - 1)).any();
        self.follow.next = self.rd_valid.q.val() & (self.next_q.val() != self.nil.val());
        if self.state_r.q.val() == self.s_fire.val() {
            self.follow.next = false;
        }
        self.issue_addr.next = self.head.val();
        self.issued.next = self.pend.val().any() & (self.head.val() != self.nil.val());
        if self.follow.val() {
            self.issue_addr.next = self.next_q.val();
            self.issued.next = true;
        }
        self.raddr.next = self.issue_addr.val();
        self.wm_raddr.next = bit_cast::<WAW, AW>(self.issue_addr.val());
        // Lane groups: the word of the group the read is for, the next group's in a
        // completing cycle, group 0's for Fire's read of the next step.
        for z in 0..self._ln {
            self.wm_raddr.next =
                bit_cast::<WAW, AW>(self.issue_addr.val()) + self.base_r[z].q.val();
            if self.cw.done.val() {
                self.wm_raddr.next = bit_cast::<WAW, AW>(self.head.val()) + self.base_nx[z].q.val();
            }
            if self.state_r.q.val() == self.s_fire.val() {
                self.wm_raddr.next = bit_cast::<WAW, AW>(self.issue_addr.val());
            }
        }
        if (self.state_r.q.val() == self.s_stdp.val())
            | (self.state_r.q.val() == self.s_end.val())
            | (self.state_r.q.val() == self.s_pen.val())
        {
            self.raddr.next = self.st_raddr.val();
            self.wm_raddr.next = self.st_wraddr.val();
        }
        self.last_step.next = self.t_r.q.val() == self.t_steps.val();
        self.t_gt_whi.x.next = self.t_r.q.val();

        // Thresh: the running sum with the selected class.
        self.cnt.next = 0.into();
        if self.pend.val().any() & self.listed.val() {
            self.cnt.next = bit_cast::<SUM_BITS, AW>(self.count_raw.val());
        }
        self.v.next = self.acc.q.val() + self.cnt.val();
        // `cnt > peak - acc`, compared for the count as read and for 0 and then chosen: the
        // valid bit behind `listed` arrives last.
        self.beats_peak.next = self.acc_off.val() > self.peak_acc.q.val();
        if self.pend.val().any() & self.listed.val() {
            self.beats_peak.next = (bit_cast::<PEAK_ACC_BITS, AW>(self.count_raw.val())
                | self.acc_off.val())
                > self.peak_acc.q.val();
        }

        // Divide: one restoring step, the dividend `peak << F` entering MSB first.
        self.pidx.next = bit_cast::<4, DIV_BIT_BITS>(self.div_bit.q.val() - self.frac.val());
        self.bit_ge_f.x.next = self.div_bit.q.val();
        self.dbit.next = false;
        if self.bit_ge_f.ge.val() {
            self.dbit.next = self.peak_r.q.val().get_bit(self.pidx.val().index());
        }
        self.r2.next = self.rem.q.val() << 1;
        if self.dbit.val() {
            self.r2.next = (self.rem.q.val() << 1) | 1;
        }
        self.rem_ge_0.x.next = self.rem.q.val();
        self.rem_ge_1.x.next = self.rem.q.val();
        self.qbit.next = self.rem_ge_0.ge.val();
        if self.dbit.val() {
            self.qbit.next = self.rem_ge_1.ge.val();
        }
        self.rem_n.next = self.r2.val();
        self.quo_n.next = self.quo.q.val() << 1;
        if self.qbit.val() {
            self.rem_n.next = self.r2.val() - self.divisor.val();
            self.quo_n.next = (self.quo.q.val() << 1) | 1;
        }

        // Next state. The walk's commands that only load registers (`load`, `pop`), and
        // `next_step`, are requested here.
        self.cw.load.next = false;
        self.cw.pop.next = false;
        self.lag.load.next = false;
        self.next_step.next = false;
        if self.state_r.q.val() != self.s_idle.val() {
            self.cycles_r.d.next = self.cycles_r.q.val() + 1;
        }
        if self.state_r.q.val() == self.s_idle.val() {
            if self.start.val() {
                self.state_r.d.next = self.s_ingest.val();
                self.cycles_r.d.next = 0.into();
                self.learn_r.d.next = self.learn.val();
            }
        } else if self.state_r.q.val() == self.s_ingest.val() {
            if self.scan_last.val() {
                self.state_r.d.next = self.s_drain.val();
            }
        } else if self.state_r.q.val() == self.s_drain.val() {
            if self.scan_last.val() {
                self.state_r.d.next = self.s_thresh.val();
                self.t_r.d.next = 1.into();
                self.cw.load.next = true;
                self.acc.d.next = 0.into();
                self.peak_r.d.next = 0.into();
                self.peak_acc.d.next = self.acc_off.val();
            }
        } else if self.state_r.q.val() == self.s_thresh.val() {
            // The walk sweeps: the next class of the step, or the next step after its last.
            if self.pend_more.val() {
                self.acc.d.next = self.v.val();
                self.peak_acc.d.next =
                    self.peak_acc.q.val() - bit_cast::<PEAK_ACC_BITS, SUM_BITS>(self.cnt.val());
            } else {
                self.peak_acc.d.next =
                    bit_cast::<PEAK_ACC_BITS, SUM_BITS>(self.peak_r.q.val()) | self.acc_off.val();
                if self.beats_peak.val() {
                    self.peak_r.d.next = self.v.val();
                    self.peak_acc.d.next =
                        bit_cast::<PEAK_ACC_BITS, SUM_BITS>(self.v.val()) | self.acc_off.val();
                }
                self.acc.d.next = 0.into();
                self.t_r.d.next = self.t_r.q.val() + 1;
                if self.last_step.val() {
                    self.state_r.d.next = self.s_divide.val();
                    self.rem.d.next = 0.into();
                    self.quo.d.next = 0.into();
                    self.div_bit.d.next = self.qb_m1.val();
                }
            }
        } else if self.state_r.q.val() == self.s_divide.val() {
            self.rem.d.next = self.rem_n.val();
            self.quo.d.next = self.quo_n.val();
            if self.div_bit.q.val() == 0 {
                self.state_r.d.next = self.s_int.val();
                self.thr_r.d.next = self.quo_n.val();
                self.t_r.d.next = 1.into();
                self.cw.load.next = true;
                self.lag.load.next = true;
                self.rd_valid.d.next = false;
                self.lag_m_r.d.next = 1.into();
            } else {
                self.div_bit.d.next = self.div_bit.q.val() - 1;
            }
        } else if self.state_r.q.val() == self.s_int.val() {
            // The walk takes the lowest class or, the step's integration completing in this
            // cycle, advances to t + 1.
            self.rd_valid.d.next = self.issued.val();
            if self.cw.done.val() {
                self.rd_valid.d.next = false;
                self.state_r.d.next = self.s_fire.val();
            }
        } else if self.state_r.q.val() == self.s_fire.val() {
            if self.decide.to_wta.val() {
                self.state_r.d.next = self.s_wta.val();
            } else if self.decide.to_stdp.val() {
                self.state_r.d.next = self.s_stdp.val();
            } else if self.decide.next_step.val() {
                self.next_step.next = true;
                // The counters hold t + 1 already (advanced in the last Int cycle): take the
                // first class of the new step.
                self.rd_valid.d.next = self.issued.val();
                self.cw.pop.next = true;
                self.state_r.d.next = self.s_int.val();
            } else {
                self.state_r.d.next = self.s_end.val();
            }
        } else if self.state_r.q.val() == self.s_wta.val() {
            if self.wta_last.val() {
                self.state_r.d.next = self.s_fire.val();
            }
        } else if self.state_r.q.val() == self.s_stdp.val() {
            if self.st_walk_done.val() {
                self.state_r.d.next = self.s_stdp_drain.val();
            }
        } else if self.state_r.q.val() == self.s_stdp_drain.val() {
            if self.st_more.val() {
                self.state_r.d.next = self.s_stdp.val();
            } else if self.last_step.val() {
                self.state_r.d.next = self.s_end.val();
            } else {
                self.next_step.next = true;
                self.rd_valid.d.next = false;
                self.state_r.d.next = self.s_int.val();
            }
        } else if self.state_r.q.val() == self.s_end.val() {
            if self.decide.pen_start.val() {
                self.state_r.d.next = self.s_pen.val();
            } else {
                self.state_r.d.next = self.s_done.val();
            }
        } else if self.state_r.q.val() == self.s_pen.val() {
            if self.st_pen_done.val() {
                self.state_r.d.next = self.s_pen_drain.val();
            }
        } else if self.state_r.q.val() == self.s_pen_drain.val() {
            self.state_r.d.next = self.s_done.val();
        } else if self.state_r.q.val() == self.s_done.val() {
            self.state_r.d.next = self.s_idle.val();
        }
        // Homeostasis: Divide's last cycle goes to Bias (its registers for Int are loaded
        // already), and Bias to Int.
        for h in 0..self._h {
            if (self.state_r.q.val() == self.s_divide.val()) & (self.div_bit.q.val() == 0) {
                self.state_r.d.next = self.s_bias[h].val();
            }
            if self.state_r.q.val() == self.s_bias[h].val() {
                self.state_r.d.next = self.s_int.val();
            }
        }
        for z in 0..self._lh {
            if (self.state_r.q.val() == self.s_bias[z].val()) & !self.last_g[z].val() {
                self.state_r.d.next = self.s_bias[z].val();
            }
            if (self.state_r.q.val() == self.s_done.val())
                & self.learn_r.q.val()
                & !self.last_g[z].val()
            {
                self.state_r.d.next = self.s_done.val();
            }
        }

        // Lane groups: a group's completion restarts the step for the next group (its first
        // read issued now), a Fire pass stays in Fire until its acting cycle; each step moves
        // the cells to the next group.
        for z in 0..self._ln {
            if (self.state_r.q.val() == self.s_int.val())
                & self.cw.done.val()
                & !self.last_g[z].val()
            {
                self.state_r.d.next = self.s_int.val();
                self.rd_valid.d.next =
                    self.cw.now_any[z].val() & (self.head.val() != self.nil.val());
            }
            if (self.state_r.q.val() == self.s_fire.val()) & !self.acting[z].val() {
                self.state_r.d.next = self.s_fire.val();
            }
            self.pass_r[z].d.next =
                self.starts[z].val() | (self.pass_r[z].q.val() & !self.last_g[z].val());
            self.group_r[z].d.next = self.group_r[z].q.val();
            self.base_r[z].d.next = self.base_r[z].q.val();
            self.base_nx[z].d.next = self.base_nx[z].q.val();
            if self.n_step[z].val() {
                self.group_r[z].d.next = self.group_r[z].q.val() + 1;
                self.base_r[z].d.next = self.base_nx[z].q.val();
                self.base_nx[z].d.next = self.base_nx[z].q.val() + self.m_words[z].val();
                if self.group_r[z].q.val() == self.g_last2[z].val() {
                    self.base_nx[z].d.next = 0.into();
                }
                if self.last_g[z].val() {
                    self.group_r[z].d.next = 0.into();
                    self.base_nx[z].d.next = self.m_words[z].val();
                }
            }
            if (self.state_r.q.val() == self.s_idle.val()) & self.start.val() {
                self.group_r[z].d.next = 0.into();
                self.base_r[z].d.next = 0.into();
                self.base_nx[z].d.next = self.m_words[z].val();
                self.pass_r[z].d.next = false;
            }
        }

        // Row normalization: End with learning and a winner goes to NormMul (RB cycles), then
        // Done; the row's update waits for the next image's sweep.
        for z in 0..self._nz {
            if (self.state_r.q.val() == self.s_end.val()) & self.decide.pen_start.val() {
                self.state_r.d.next = self.s_norm_mul[z].val();
            }
            if (self.state_r.q.val() == self.s_norm_mul[z].val()) & self.st_nm_last[z].val() {
                self.state_r.d.next = self.s_done.val();
            }
        }
        for z in 0..self._nzl {
            if (self.state_r.q.val() == self.s_end.val()) & self.decide.pen_start.val() {
                self.state_r.d.next = self.s_sum[z].val();
            }
            if (self.state_r.q.val() == self.s_sum[z].val()) & self.st_sum_end[z].val() {
                self.state_r.d.next = self.s_norm_mul[z].val();
            }
        }

        // The step move Fire and StdpDrain ask for, written once.
        self.lag.advance.next = false;
        if self.next_step.val() {
            self.t_r.d.next = self.t_r.q.val() + 1;
            if self.t_gt_whi.ge.val() {
                self.lag_m_r.d.next = self.lag_m_r.q.val() + 1;
                self.lag.advance.next = true;
            }
        }

        // The class spike_gen reads at this edge for the next cycle: the walk's, the class of
        // `mask(1)` when a pass begins, or stdp's.
        self.class_next.next = self.cw.class_next.val();
        if (self.state_r.q.val() == self.s_drain.val())
            | (self.state_r.q.val() == self.s_divide.val())
        {
            self.class_next.next = self.class_one.val();
        } else if (self.state_r.q.val() == self.s_fire.val())
            & self.learn_r.q.val()
            & self.spike_any.val()
        {
            self.class_next.next = self.st_begin_class.val();
        } else if self.state_r.q.val() == self.s_stdp.val() {
            self.class_next.next = self.st_class_next.val();
        } else if (self.state_r.q.val() == self.s_stdp_drain.val()) & self.st_more.val() {
            self.class_next.next = self.st_begin_class.val();
        }
        // Bias holds what Divide loaded for Int's first cycle: the class of `mask(1)`.
        for h in 0..self._h {
            if self.state_r.q.val() == self.s_bias[h].val() {
                self.class_next.next = self.class_one.val();
            }
        }
        // The next state is Ingest or Drain.
        self.lists_next.next = ((self.state_r.q.val() == self.s_idle.val()) & self.start.val())
            | (self.state_r.q.val() == self.s_ingest.val())
            | ((self.state_r.q.val() == self.s_drain.val()) & !self.scan_last.val());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_core::config::SnnConfig;
    use snn_sim::control::{Control as Model, FsmState};

    type Uut = Control<18, 9, 9, 1>;

    fn clk(u: &mut Uut, clk: bool) {
        u.clock.next = Clock { clk };
    }

    /// From `start` through a one-cycle Ingest and Drain, the threshold pass over stub class
    /// counts and the divider, against `snn_sim::control::Control`: state, step, cycle count and
    /// peak after every edge, and the threshold.
    #[test]
    fn threshold_pass_and_divider_like_the_cycle_model() {
        let cfg = SnnConfig {
            t_steps: 150,
            ..SnnConfig::small()
        };
        let p = HwParams::new(&cfg).unwrap();
        let count: Vec<u32> = (0..p.nc as u32).map(|c| (c * 7 + 3) % 11).collect();
        let mut uut = Uut::new(&p);
        uut.connect_all();
        let mut model = Model::new();
        uut.start.next = true;
        uut.learn.next = true;
        tick(&mut uut, clk);
        model.idle(true);
        uut.start.next = false;
        uut.scan_last.next = true;
        // spike_gen's count is that of the class control selected at the previous edge.
        let mut c_read = 0;
        for _ in 0..2 {
            assert!(simulate(&mut uut, 1000));
            c_read = uut.class_next.val().index();
            tick(&mut uut, clk);
            match model.state {
                FsmState::Ingest => model.ingest(true),
                _ => model.drain(true, &p),
            }
        }
        uut.scan_last.next = false;
        let mut cycles = 0;
        while model.state != FsmState::Int {
            assert!(simulate(&mut uut, 1000));
            // A class without a list reads as such whatever the RAM holds.
            let n = count.get(c_read).copied().unwrap_or(0);
            uut.listed.next = n > 0;
            uut.count_raw.next = (if n > 0 { n as u64 } else { 0x55 }).into();
            assert!(simulate(&mut uut, 1000));
            c_read = uut.class_next.val().index();
            tick(&mut uut, clk);
            match model.state {
                FsmState::Thresh => model.thresh(&count, &p),
                FsmState::Divide => model.divide(&p),
                s => panic!("unexpected state {s:?}"),
            }
            let got = (
                uut.state.val().index(),
                uut.t.val().to_u64() as u32,
                uut.cycles.val().to_u64() as u32,
            );
            assert_eq!(
                got,
                (model.state as usize, model.t, model.cycles),
                "after edge {cycles}"
            );
            assert_eq!(
                uut.peak.val().to_u64() as u32,
                model.peak,
                "peak after edge {cycles}"
            );
            cycles += 1;
        }
        assert_eq!(uut.thr.val().to_u64() as i32, model.thr);
        assert!(model.peak > 0 && model.thr == p.format.threshold(model.peak));
    }

    #[test]
    fn control_synthesizes_without_latches() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        lint_and_synth(&mut Uut::new(&p), "control");
    }
}
