//! control: the FSM of docs/ARCHITECTURE.md ("Control FSM, cycle by cycle"), the step counters
//! and class masks, the threshold pass, the divider, stage A of Int, and the strobes that drive
//! the other blocks (`snn_sim::control`, register for register).
//!
//! The counters `r[k] = t mod k`, `q[k] = t div k` (`k = 1..=K`, stored at index `k - 1`) replace
//! a divider: bit `k - 1` of a class mask is set when `t` is the `k`-th multiple of a spiking
//! period, whose class is `q[k] - lo`.
//!
//! spike_gen keeps the class lists in block RAM, read one cycle ahead: control tells it the
//! class it will look at in the next cycle (`class_next`), or stdp's when the next state is
//! Stdp. That class is chosen among candidates computed from registers in parallel (the lowest
//! class of `pend`, of `pend` without its lowest bit, of `mask(t + 1)`) by the few conditions
//! that decide `pend`'s next value; in Fire the WTA decision is left out, since after it (Wta,
//! End) nothing reads the lists. This keeps the comparators and the list-follow test off the
//! path into the list RAMs' address, the longest path of the core otherwise.

use crate::cmp::AtLeast;
use rust_hdl::prelude::*;
use snn_arch::codes::STATE_BITS;
use snn_arch::widths::*;
use snn_arch::{FsmState, HwParams};

/// `peak_acc`: a sum and its offset `2^SUM_BITS`.
const PEAK_ACC_BITS: usize = SUM_BITS + 1;

#[derive(LogicBlock)]
pub struct Control<const PB: usize, const AW: usize> {
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
    state_r: DFF<Bits<STATE_BITS>>,
    cycles_r: DFF<Bits<CYCLES_BITS>>,
    learn_r: DFF<Bit>,
    t_r: DFF<Bits<STEP_BITS>>,
    r: Vec<DFF<Bits<RESIDUE_BITS>>>,
    q: Vec<DFF<Bits<STEP_BITS>>>,
    pend: DFF<Bits<MASK_BITS>>,
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
    lag_r_r: Vec<DFF<Bits<RESIDUE_BITS>>>,
    lag_q_r: Vec<DFF<Bits<STEP_BITS>>>,
    // Combinational.
    /// `mask(t + 1)` of the counters (loaded together with an advance).
    mask_adv: Signal<Local, Bits<MASK_BITS>>,
    /// Per `k`: its bit of `mask_adv` / of the lag mask, as a one-bit mask.
    abit: Vec<Signal<Local, Bits<MASK_BITS>>>,
    lbit: Vec<Signal<Local, Bits<MASK_BITS>>>,
    /// The ORs of `abit`, `lbit` up to each `k`.
    aacc: Vec<Signal<Local, Bits<MASK_BITS>>>,
    lacc: Vec<Signal<Local, Bits<MASK_BITS>>>,
    /// `class_next` candidates: `q[k]` of the lowest bit of `pend`, of `rest`, and `q[k] + 1`
    /// of the lowest bit of `mask(t + 1)` (the counters after an advance).
    q_hold: Signal<Local, Bits<STEP_BITS>>,
    q_rest: Signal<Local, Bits<STEP_BITS>>,
    q_adv: Signal<Local, Bits<STEP_BITS>>,
    /// The class of `mask(1)`'s lowest bit (`1 - lo`; only read when `lo == 1`).
    class_one: Constant<Bits<CLASS_BITS>>,
    /// `pend` without its lowest bit.
    rest: Signal<Local, Bits<MASK_BITS>>,
    /// Stage A: follow the list (a read was issued last cycle and it has a successor).
    follow: Signal<Local, Bit>,
    /// Stage A: the address it presents and whether that is a real read.
    issue_addr: Signal<Local, Bits<AW>>,
    issued: Signal<Local, Bit>,
    /// Counter moves requested by the next-state logic (see there).
    first_step: Signal<Local, Bit>,
    advance: Signal<Local, Bit>,
    next_step: Signal<Local, Bit>,
    /// The Fire decision.
    to_wta: Signal<Local, Bit>,
    to_stdp: Signal<Local, Bit>,
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
    /// `k - 1` per counter index (the residue that wraps), and the counters of `t = 1`.
    kwrap: Vec<Constant<Bits<RESIDUE_BITS>>>,
    one_r: Vec<Constant<Bits<RESIDUE_BITS>>>,
    one_q: Vec<Constant<Bits<STEP_BITS>>>,
    /// Single-bit masks `1 << (k - 1)`.
    kbit: Vec<Constant<Bits<MASK_BITS>>>,
    /// The bits below bit `k - 1`: a set bit is the lowest when its `below` bits are clear.
    below: Vec<Constant<Bits<MASK_BITS>>>,
    mask_one: Constant<Bits<MASK_BITS>>,
    lo: Constant<Bits<STEP_BITS>>,
    t_steps: Constant<Bits<STEP_BITS>>,
    nil: Constant<Bits<AW>>,
    frac: Constant<Bits<DIV_BIT_BITS>>,
    qb_m1: Constant<Bits<DIV_BIT_BITS>>,
    divisor: Constant<Bits<REM_BITS>>,
    /// Constant comparisons: `q[k] >= lo - 1`, `q[k] >= hiT` (the range of `q` whose successor
    /// spikes), `lag_q[k] >= lo`, `lag_q[k] >= hiT + 1`, `t > whi`, `bit >= F`, and the
    /// divider's `2 rem + b >= divisor` as `rem >= ceil((divisor - b) / 2)` for `b = 0, 1`.
    q_ge_lo1: Vec<AtLeast<STEP_BITS>>,
    q_ge_hi: Vec<AtLeast<STEP_BITS>>,
    lq_ge_lo: Vec<AtLeast<STEP_BITS>>,
    lq_ge_hi1: Vec<AtLeast<STEP_BITS>>,
    t_gt_whi: AtLeast<STEP_BITS>,
    bit_ge_f: AtLeast<DIV_BIT_BITS>,
    rem_ge_0: AtLeast<REM_BITS>,
    rem_ge_1: AtLeast<REM_BITS>,
    _k: usize,
    /// `K - 1`: the loop `for k in _k1.._k` visits only the last counter pair.
    _k1: usize,
}

impl<const PB: usize, const AW: usize> Control<PB, AW> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.aw as usize, AW, "address width");
        assert_eq!(p.widths.potential as usize, PB, "potential width");
        snn_arch::limits::assert_rtl(p);
        let cs4 = |s: FsmState| Constant::new(Bits::<STATE_BITS>::from(s.code()));
        let cs = |v: u64| Constant::new(Bits::<STEP_BITS>::from(v));
        let k = p.k;
        Control {
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
            r: (0..k).map(|_| Default::default()).collect(),
            q: (0..k).map(|_| Default::default()).collect(),
            pend: Default::default(),
            acc: Default::default(),
            peak_r: Default::default(),
            peak_acc: Default::default(),
            rem: Default::default(),
            quo: Default::default(),
            div_bit: Default::default(),
            thr_r: Default::default(),
            rd_valid: Default::default(),
            lag_m_r: Default::default(),
            lag_r_r: (0..k).map(|_| Default::default()).collect(),
            lag_q_r: (0..k).map(|_| Default::default()).collect(),
            mask_adv: Default::default(),
            abit: (0..k).map(|_| Default::default()).collect(),
            lbit: (0..k).map(|_| Default::default()).collect(),
            aacc: (0..k).map(|_| Default::default()).collect(),
            lacc: (0..k).map(|_| Default::default()).collect(),
            q_hold: Default::default(),
            q_rest: Default::default(),
            q_adv: Default::default(),
            class_one: Constant::new(Bits::<CLASS_BITS>::from(
                (1 - p.lo as i64) as u64 & ((1 << CLASS_BITS) - 1),
            )),
            rest: Default::default(),
            follow: Default::default(),
            issue_addr: Default::default(),
            issued: Default::default(),
            first_step: Default::default(),
            advance: Default::default(),
            next_step: Default::default(),
            to_wta: Default::default(),
            to_stdp: Default::default(),
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
            kwrap: (0..k)
                .map(|i| Constant::new(Bits::<RESIDUE_BITS>::from(i as u64)))
                .collect(),
            one_r: (0..k)
                .map(|i| Constant::new(Bits::<RESIDUE_BITS>::from(if i == 0 { 0 } else { 1 })))
                .collect(),
            one_q: (0..k).map(|i| cs(if i == 0 { 1 } else { 0 })).collect(),
            kbit: (0..k)
                .map(|i| Constant::new(Bits::<MASK_BITS>::from(1u64 << i)))
                .collect(),
            below: (0..k)
                .map(|i| Constant::new(Bits::<MASK_BITS>::from((1u64 << i) - 1)))
                .collect(),
            mask_one: Constant::new(Bits::<MASK_BITS>::from(mask_of_one(p))),
            lo: cs(p.lo as u64),
            t_steps: cs(p.t_steps as u64),
            nil: Constant::new(Bits::<AW>::from(p.nil as u64)),
            frac: Constant::new(Bits::<DIV_BIT_BITS>::from(p.format.frac_bits as u64)),
            qb_m1: Constant::new(Bits::<DIV_BIT_BITS>::from(p.qb as u64 - 1)),
            divisor: Constant::new(Bits::<REM_BITS>::from(p.threshold_divisor as u64)),
            q_ge_lo1: (0..k).map(|_| AtLeast::new(p.lo as u64 - 1)).collect(),
            q_ge_hi: (0..k).map(|_| AtLeast::new(p.hi_t as u64)).collect(),
            lq_ge_lo: (0..k).map(|_| AtLeast::new(p.lo as u64)).collect(),
            lq_ge_hi1: (0..k).map(|_| AtLeast::new(p.hi_t as u64 + 1)).collect(),
            t_gt_whi: AtLeast::new(p.whi as u64 + 1),
            bit_ge_f: AtLeast::new(p.format.frac_bits as u64),
            rem_ge_0: AtLeast::new((p.threshold_divisor as u64).div_ceil(2)),
            rem_ge_1: AtLeast::new(p.threshold_divisor as u64 / 2),
            _k: k,
            _k1: k - 1,
        }
    }
}

/// `mask(1)`: only `k = 1` can divide 1, and period 1 spikes only when `lo == 1`.
fn mask_of_one(p: &HwParams) -> u64 {
    u64::from(p.lo <= 1 && 1 <= p.hi_t)
}

impl<const PB: usize, const AW: usize> Logic for Control<PB, AW> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state_r, cycles_r, learn_r, t_r, pend, acc, peak_r, peak_acc, rem, quo,
            div_bit, thr_r, rd_valid, lag_m_r
        );
        for k in 0..self._k {
            self.r[k].clock.next = self.clock.val();
            self.r[k].d.next = self.r[k].q.val();
            self.q[k].clock.next = self.clock.val();
            self.q[k].d.next = self.q[k].q.val();
            self.lag_r_r[k].clock.next = self.clock.val();
            self.lag_r_r[k].d.next = self.lag_r_r[k].q.val();
            self.lag_q_r[k].clock.next = self.clock.val();
            self.lag_q_r[k].d.next = self.lag_q_r[k].q.val();
            self.lag_r[k].next = self.lag_r_r[k].q.val();
            self.lag_q[k].next = self.lag_q_r[k].q.val();
        }
        self.state.next = self.state_r.q.val();
        self.busy.next = self.state_r.q.val() != self.s_idle.val();
        self.t.next = self.t_r.q.val();
        self.cycles.next = self.cycles_r.q.val();
        self.thr.next = self.thr_r.q.val();
        self.peak.next = self.peak_r.q.val();
        self.lag_m.next = self.lag_m_r.q.val();

        // Class masks of t + 1 and of lag_m, accumulated over k (entry k holds the bits
        // 0..=k; the last entry is the mask).
        for k in 0..self._k {
            self.abit[k].next = 0.into();
            self.lbit[k].next = 0.into();
            self.q_ge_lo1[k].x.next = self.q[k].q.val();
            self.q_ge_hi[k].x.next = self.q[k].q.val();
            self.lq_ge_lo[k].x.next = self.lag_q_r[k].q.val();
            self.lq_ge_hi1[k].x.next = self.lag_q_r[k].q.val();
            if (self.r[k].q.val() == self.kwrap[k].val())
                & self.q_ge_lo1[k].ge.val()
                & !self.q_ge_hi[k].ge.val()
            {
                self.abit[k].next = self.kbit[k].val();
            }
            if (self.lag_r_r[k].q.val() == 0)
                & self.lq_ge_lo[k].ge.val()
                & !self.lq_ge_hi1[k].ge.val()
            {
                self.lbit[k].next = self.kbit[k].val();
            }
        }
        self.aacc[0].next = self.abit[0].val();
        self.lacc[0].next = self.lbit[0].val();
        for k in 1..self._k {
            self.aacc[k].next = self.aacc[k - 1].val() | self.abit[k].val();
            self.lacc[k].next = self.lacc[k - 1].val() | self.lbit[k].val();
        }
        for k in self._k1..self._k {
            self.mask_adv.next = self.aacc[k].val();
            self.lag_mask.next = self.lacc[k].val();
        }

        // Outputs other blocks use in this cycle: from registers and inputs only, through locals
        // of their own (see `crate::core`).
        self.sg_start.next = (self.state_r.q.val() == self.s_idle.val()) & self.start.val();
        self.sg_ingest.next = self.state_r.q.val() == self.s_ingest.val();
        self.sg_drain.next = self.state_r.q.val() == self.s_drain.val();
        self.n_reset.next = (self.state_r.q.val() == self.s_idle.val()) & self.start.val();
        self.n_int.next = self.state_r.q.val() == self.s_int.val();
        self.n_add.next = self.rd_valid.q.val();
        self.wta_clear.next = (self.state_r.q.val() == self.s_idle.val()) & self.start.val();
        self.wta_scan.next = self.state_r.q.val() == self.s_wta.val();
        self.st_walk.next = self.state_r.q.val() == self.s_stdp.val();
        self.st_drain.next = self.state_r.q.val() == self.s_stdp_drain.val();
        self.st_pen_walk.next = self.state_r.q.val() == self.s_pen.val();
        self.done.next = self.state_r.q.val() == self.s_done.val();

        // Stage A of Int (also run by Fire for the next step's first class, with no read last
        // cycle): follow the list, else select the lowest pending class and read its head.
        self.rest.next = self.pend.q.val() & (self.pend.q.val() - 1);
        self.follow.next = self.rd_valid.q.val() & (self.next_q.val() != self.nil.val());
        if self.state_r.q.val() == self.s_fire.val() {
            self.follow.next = false;
        }
        self.issue_addr.next = self.head.val();
        self.issued.next = self.pend.q.val().any() & (self.head.val() != self.nil.val());
        if self.follow.val() {
            self.issue_addr.next = self.next_q.val();
            self.issued.next = true;
        }
        self.raddr.next = self.issue_addr.val();
        if (self.state_r.q.val() == self.s_stdp.val())
            | (self.state_r.q.val() == self.s_end.val())
            | (self.state_r.q.val() == self.s_pen.val())
        {
            self.raddr.next = self.st_raddr.val();
        }

        // The Fire decision (ARCHITECTURE step 7).
        self.to_wta.next = !self.winner_valid.val() & self.above_any.val();
        self.to_stdp.next = !self.to_wta.val() & self.learn_r.q.val() & self.spike_any.val();
        self.last_step.next = self.t_r.q.val() == self.t_steps.val();
        self.t_gt_whi.x.next = self.t_r.q.val();
        // The Fire decision's strobes, written out from registers and inputs (no local shared
        // with the next-state logic, see `crate::core`).
        self.n_complete.next = (self.state_r.q.val() == self.s_int.val())
            & !(self.rd_valid.q.val() & (self.next_q.val() != self.nil.val()))
            & !self.pend.q.val().any();
        self.wta_enter.next = (self.state_r.q.val() == self.s_fire.val())
            & !self.winner_valid.val()
            & self.above_any.val();
        self.n_fire.next = (self.state_r.q.val() == self.s_fire.val())
            & (self.winner_valid.val() | !self.above_any.val());
        self.spike_valid.next = (self.state_r.q.val() == self.s_fire.val())
            & (self.winner_valid.val() | !self.above_any.val())
            & self.spike_any.val();
        self.st_begin.next = (self.state_r.q.val() == self.s_fire.val())
            & (self.winner_valid.val() | !self.above_any.val())
            & self.learn_r.q.val()
            & self.spike_any.val();
        self.st_pen_start.next = (self.state_r.q.val() == self.s_end.val())
            & self.learn_r.q.val()
            & self.winner_valid.val();

        // Thresh: the running sum with the selected class.
        self.cnt.next = 0.into();
        if self.pend.q.val().any() & self.listed.val() {
            self.cnt.next = bit_cast::<SUM_BITS, AW>(self.count_raw.val());
        }
        self.v.next = self.acc.q.val() + self.cnt.val();
        // `cnt > peak - acc`, compared for the count as read and for 0 and then chosen: the
        // valid bit behind `listed` arrives last.
        self.beats_peak.next = self.acc_off.val() > self.peak_acc.q.val();
        if self.pend.q.val().any() & self.listed.val() {
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

        // Next state. Three counter moves shared by several states are requested with a flag
        // and carried out once below: `first_step` (t = 1, its counters and mask), `advance`
        // (the class counters to t + 1 and `pend = mask(t + 1)`), `next_step` (t + 1 and the lag
        // counters).
        self.first_step.next = false;
        self.advance.next = false;
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
                self.first_step.next = true;
                self.acc.d.next = 0.into();
                self.peak_r.d.next = 0.into();
                self.peak_acc.d.next = self.acc_off.val();
            }
        } else if self.state_r.q.val() == self.s_thresh.val() {
            if self.pend.q.val().any() & self.rest.val().any() {
                self.acc.d.next = self.v.val();
                self.peak_acc.d.next =
                    self.peak_acc.q.val() - bit_cast::<PEAK_ACC_BITS, SUM_BITS>(self.cnt.val());
                self.pend.d.next = self.rest.val();
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
                self.advance.next = true;
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
                self.first_step.next = true;
                for k in 0..self._k {
                    self.lag_r_r[k].d.next = self.one_r[k].val();
                    self.lag_q_r[k].d.next = self.one_q[k].val();
                }
                self.rd_valid.d.next = false;
                self.lag_m_r.d.next = 1.into();
            } else {
                self.div_bit.d.next = self.div_bit.q.val() - 1;
            }
        } else if self.state_r.q.val() == self.s_int.val() {
            self.rd_valid.d.next = self.issued.val();
            if !self.follow.val() & self.pend.q.val().any() {
                self.pend.d.next = self.rest.val();
            }
            if !self.follow.val() & !self.pend.q.val().any() {
                // The step's integration completes in this cycle.
                self.rd_valid.d.next = false;
                self.advance.next = true;
                self.state_r.d.next = self.s_fire.val();
            }
        } else if self.state_r.q.val() == self.s_fire.val() {
            if self.to_wta.val() {
                self.state_r.d.next = self.s_wta.val();
            } else if self.to_stdp.val() {
                self.state_r.d.next = self.s_stdp.val();
            } else if self.last_step.val() {
                self.state_r.d.next = self.s_end.val();
            } else {
                self.next_step.next = true;
                // The counters hold t + 1 already (advanced in the last Int cycle): select the
                // first class of the new step.
                self.rd_valid.d.next = self.issued.val();
                if self.pend.q.val().any() {
                    self.pend.d.next = self.rest.val();
                }
                self.state_r.d.next = self.s_int.val();
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
            if self.learn_r.q.val() & self.winner_valid.val() {
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

        // The counter moves the states above ask for, written once.
        if self.first_step.val() {
            self.t_r.d.next = 1.into();
            for k in 0..self._k {
                self.r[k].d.next = self.one_r[k].val();
                self.q[k].d.next = self.one_q[k].val();
            }
            self.pend.d.next = self.mask_one.val();
        }
        if self.advance.val() {
            for k in 0..self._k {
                if self.r[k].q.val() == self.kwrap[k].val() {
                    self.r[k].d.next = 0.into();
                    self.q[k].d.next = self.q[k].q.val() + 1;
                } else {
                    self.r[k].d.next = self.r[k].q.val() + 1;
                }
            }
            self.pend.d.next = self.mask_adv.val();
        }
        if self.next_step.val() {
            self.t_r.d.next = self.t_r.q.val() + 1;
            if self.t_gt_whi.ge.val() {
                self.lag_m_r.d.next = self.lag_m_r.q.val() + 1;
                for k in 0..self._k {
                    if self.lag_r_r[k].q.val() == self.kwrap[k].val() {
                        self.lag_r_r[k].d.next = 0.into();
                        self.lag_q_r[k].d.next = self.lag_q_r[k].q.val() + 1;
                    } else {
                        self.lag_r_r[k].d.next = self.lag_r_r[k].q.val() + 1;
                    }
                }
            }
        }

        // The class spike_gen reads at this edge for the next cycle: the lowest class of `pend`
        // after the edge (the next-state logic above, case by case), or stdp's.
        self.q_hold.next = 0.into();
        self.q_rest.next = 0.into();
        self.q_adv.next = 0.into();
        for k in 0..self._k {
            if self.pend.q.val().get_bit(k) & !(self.pend.q.val() & self.below[k].val()).any() {
                self.q_hold.next = self.q[k].q.val();
            }
            if self.rest.val().get_bit(k) & !(self.rest.val() & self.below[k].val()).any() {
                self.q_rest.next = self.q[k].q.val();
            }
            if self.mask_adv.val().get_bit(k) & !(self.mask_adv.val() & self.below[k].val()).any() {
                self.q_adv.next = self.q[k].q.val() + 1;
            }
        }
        self.class_next.next = self.q_hold.val() - self.lo.val();
        if (self.state_r.q.val() == self.s_drain.val())
            | (self.state_r.q.val() == self.s_divide.val())
        {
            self.class_next.next = self.class_one.val();
        } else if self.state_r.q.val() == self.s_thresh.val() {
            self.class_next.next = self.q_adv.val() - self.lo.val();
            if self.pend.q.val().any() & self.rest.val().any() {
                self.class_next.next = self.q_rest.val() - self.lo.val();
            }
        } else if self.state_r.q.val() == self.s_int.val() {
            if !(self.rd_valid.q.val() & (self.next_q.val() != self.nil.val())) {
                self.class_next.next = self.q_adv.val() - self.lo.val();
                if self.pend.q.val().any() {
                    self.class_next.next = self.q_rest.val() - self.lo.val();
                }
            }
        } else if self.state_r.q.val() == self.s_fire.val() {
            self.class_next.next = self.q_rest.val() - self.lo.val();
            if self.learn_r.q.val() & self.spike_any.val() {
                self.class_next.next = self.st_begin_class.val();
            }
        } else if self.state_r.q.val() == self.s_stdp.val() {
            self.class_next.next = self.st_class_next.val();
        } else if (self.state_r.q.val() == self.s_stdp_drain.val()) & self.st_more.val() {
            self.class_next.next = self.st_begin_class.val();
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

    type Uut = Control<18, 9>;

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
