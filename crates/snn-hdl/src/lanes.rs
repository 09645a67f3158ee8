//! `LaneState`: the neuron array's part that exists only with lane groups (`P < N`,
//! docs/ARCHITECTURE.md "Neuron lanes"): the state memory of all `G` groups, the spike and
//! WTA-trigger comparators of all `N` neurons, and the reads wta and the host make of neurons
//! that are not in the lane cells.
//!
//! The `P` lane cells (each a [`NeuronCore`] in registers of this block) hold the group control
//! names (`group`). A
//! `step` writes the cells' next values to the group's word and loads the next group's word
//! into the cells, so that the cells always hold a group and the memory holds the others
//! (and, after a pass over all groups, every group: the cells go back to group 0 unchanged).
//! The memory reads one cycle ahead: the word of the group after the next `step` is presented
//! in every cycle, except while wta scans (the group of the neuron it reads next, when that is
//! not group 0, which the cells serve) and in Idle (the host's neuron). With `G = 2` the word
//! a `step` loads is the one the previous `step` wrote, in the same edge as its read: a bypass
//! register serves it.
//!
//! A group not yet written in this image is `fresh`: it loads at rest, so `start` need not
//! clear the memory. A completing group's potential below `p_min` is floored to rest by its
//! cell (the cycle model's `complete_group`: Fire need not visit the group for it). The comparators are
//! `N`-bit registers written with each group; after a WTA scan whose inhibition is pending,
//! the spikes are the winner's own and, for every other neuron, `p_min >= thr`.
//!
//! With homeostasis each lane has a memory of its groups' thetas, read with the state word;
//! the cells load a group's theta with its threshold of the image `thr + theta` and reset
//! comparators ([`ThetaBias`]) and, in Done's pass of a training image, write its update
//! ([`ThetaUpdate`]) back. `thr` is the image's from Bias on, and Bias is a pass that reloads
//! every group, so a cell's threshold is always Bias's.

use crate::bram::Bram;
use crate::neuron::{many, twos, NeuronCore};
use crate::split::{group_masks, indices, lane_masks, Split};
use crate::theta::{ThetaBias, ThetaUpdate};
use rust_hdl::prelude::*;
use snn_arch::widths::{NEURON_BITS, STEP_BITS};
use snn_arch::HwParams;

/// `N` neurons, `PB`-bit potentials, `GB` bits of group index, `SW = P * (2 PB + STEP_BITS)`
/// bits of a memory word (lane `l`: `pot`, `shown`, `free_at` from bit `l * (2 PB + STEP_BITS)`),
/// `WAW` bits of weight address (only for the [`Split`]s).
#[derive(LogicBlock)]
pub struct LaneState<
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
    /// `start`: every group fresh.
    pub reset: Signal<In, Bit>,
    /// Write the cells back to group `group` and load the next group.
    pub step: Signal<In, Bit>,
    pub group: Signal<In, Bits<GB>>,
    /// A Fire pass cycle: the cells fire (after the pending inhibition).
    pub fire: Signal<In, Bit>,
    /// The first cycle of a Fire pass keeps its spikes for the pass (`latch`); its other
    /// cycles show them (`hold`).
    pub latch: Signal<In, Bit>,
    pub hold: Signal<In, Bit>,
    /// wta: the neurons whose inhibition is pending (every one but the winner, after a scan);
    /// the neuron its scan reads in this cycle (`ws + 1` is read in the next).
    pub inhibit: Signal<In, Bits<N>>,
    pub ws: Signal<In, Bits<NB>>,
    /// Idle: the memory reads the host's neuron `pot_sel`.
    pub idle: Signal<In, Bit>,
    pub pot_sel: Signal<In, Bits<NB>>,
    /// `p_rest >= thr`, `p_min >= thr`.
    pub rest_fires: Signal<In, Bit>,
    pub min_fires: Signal<In, Bit>,
    /// The neuron commands of control (see [`NeuronCore`]), for the cells.
    pub integrate: Signal<In, Bit>,
    pub add: Signal<In, Bit>,
    pub complete: Signal<In, Bit>,
    pub t: Signal<In, Bits<STEP_BITS>>,
    pub t_free: Signal<In, Bits<STEP_BITS>>,
    pub thr: Signal<In, Bits<PB>>,
    pub word: Signal<In, Bits<WORD>>,
    /// stdp's lane of `word`.
    pub lane_sel: Signal<In, Bits<NB>>,
    pub lane_w: Signal<Out, Bits<WB>>,
    /// The spikes latched by the last pass (what the spike port and stdp read in its last
    /// cycle); whether some neuron spikes (the latched spikes in a pass); some neuron above
    /// the threshold.
    pub spikes: Signal<Out, Bits<N>>,
    pub spike_any: Signal<Out, Bit>,
    pub above_any: Signal<Out, Bit>,
    /// `shown` of the neuron wta reads in this cycle; `pot[pot_sel]` of the last cycle's
    /// `pot_sel` (Idle).
    pub shown_sel: Signal<Out, Bits<PB>>,
    pub pot_out: Signal<Out, Bits<PB>>,
    /// Homeostasis (one-element vectors, empty without it): Done's theta pass of a training
    /// image (`theta_upd`, with each `step`) and wta's result it reads; the host's theta write
    /// to neuron `pot_sel` (Idle); `theta` of the neuron wta reads (as `shown_sel`) and of the
    /// last cycle's `pot_sel` (as `pot_out`).
    pub theta_upd: Vec<Signal<In, Bit>>,
    pub winner: Vec<Signal<In, Bits<NB>>>,
    pub winner_valid: Vec<Signal<In, Bit>>,
    pub theta_we: Vec<Signal<In, Bit>>,
    pub theta_wdata: Vec<Signal<In, Bits<TB>>>,
    pub theta_sel: Vec<Signal<Out, Bits<TB>>>,
    pub theta_out: Vec<Signal<Out, Bits<TB>>>,
    /// Homeostasis, per lane (`P` entries, else empty): the thetas of the groups (a memory per
    /// lane, so that the host writes one neuron's without the others'), read at the state
    /// memory's address; the cell's theta and its threshold and reset comparators of the image,
    /// loaded with the group at each `step` ([`ThetaBias`] on the loaded theta: `thr` is the
    /// image's from Bias on, so a group's `thr_j` is Bias's wherever it is read); the theta a
    /// Done pass writes back ([`ThetaUpdate`]); the word read (or bypassed) and the read muxes.
    th_mem: Vec<Bram<GB, TB>>,
    theta_r: Vec<DFF<Bits<TB>>>,
    thr_r: Vec<DFF<Bits<PB>>>,
    rest_r: Vec<DFF<Bit>>,
    min_r: Vec<DFF<Bit>>,
    bias_t: Vec<ThetaBias<PB, TB>>,
    upd_t: Vec<ThetaUpdate<TB>>,
    q_th: Vec<Signal<Local, Bits<TB>>>,
    byp_th: Vec<DFF<Bits<TB>>>,
    byp_u: Vec<DFF<Bit>>,
    th_we: Vec<Signal<Local, Bit>>,
    th_hit: Vec<Signal<Local, Bits<TB>>>,
    th_acc: Vec<Signal<Local, Bits<TB>>>,
    tp_hit: Vec<Signal<Local, Bits<TB>>>,
    tp_acc: Vec<Signal<Local, Bits<TB>>>,
    mn_acc: Vec<Signal<Local, Bits<N>>>,
    th_ones: Vec<Constant<Bits<TB>>>,
    /// Homeostasis: `p_min >= thr_j` of every neuron (written as each group loads), for the
    /// spikes of a pending inhibition; the winner's group and lane; the host's write address.
    min_all: Vec<DFF<Bits<N>>>,
    wsplit: Vec<Split<N, GB, NB>>,
    th_waddr: Vec<Signal<Local, Bits<GB>>>,
    /// The lane cells: a transfer and the registers of one neuron each.
    core: Vec<NeuronCore<WB, PB, WORD>>,
    pot_r: Vec<DFF<Bits<PB>>>,
    shown_r: Vec<DFF<Bits<PB>>>,
    free_r: Vec<DFF<Bits<STEP_BITS>>>,
    spike_r: Vec<DFF<Bit>>,
    above_r: Vec<DFF<Bit>>,
    /// Per lane: the cell's threshold and reset comparators (the image's, or with homeostasis
    /// its own).
    c_thr: Vec<Signal<Local, Bits<PB>>>,
    c_rest: Vec<Signal<Local, Bit>>,
    c_min: Vec<Signal<Local, Bit>>,
    /// Per lane: the inhibition of a Fire pass, and what the cell loads at a `step`.
    inh: Vec<Signal<Local, Bit>>,
    ld_pot: Vec<Signal<Local, Bits<PB>>>,
    ld_shown: Vec<Signal<Local, Bits<PB>>>,
    ld_free: Vec<Signal<Local, Bits<STEP_BITS>>>,
    ld_spike: Vec<Signal<Local, Bit>>,
    ld_above: Vec<Signal<Local, Bit>>,
    /// The AND-OR lane mux of stdp's lane.
    ln_hit: Vec<Signal<Local, Bits<WB>>>,
    ln_acc: Vec<Signal<Local, Bits<WB>>>,
    w_ones: Constant<Bits<WB>>,
    ram: Bram<GB, SW>,
    fresh: DFF<Bits<N>>,
    spk_all: DFF<Bits<N>>,
    abv_all: DFF<Bits<N>>,
    spk_latch: DFF<Bits<N>>,
    /// The host's lane (of the last cycle's `pot_sel`).
    p_l: DFF<Bits<NB>>,
    /// `G = 2` only: the word written at the last edge, read at it.
    byp: Vec<DFF<Bit>>,
    byp_w: Vec<DFF<Bits<SW>>>,
    /// wta's neuron of this cycle (`ws`) and the group of the one after it, which the memory
    /// reads for the next cycle (group 0 is the cells').
    fsplit: Split<N, GB, NB>,
    fg_next: Signal<Local, Bits<GB>>,
    psplit: Split<N, GB, NB>,
    /// The group's neurons (for the write-back, and for the inhibition), the next group's,
    /// and the prefetch address: decoded apart, so that the outputs others use within the cycle
    /// share no local with the next-state logic (see `crate::core`).
    gm_w: Signal<Local, Bits<N>>,
    gm_o: Signal<Local, Bits<N>>,
    nmask: Signal<Local, Bits<N>>,
    pf: Signal<Local, Bits<GB>>,
    raddr: Signal<Local, Bits<GB>>,
    q: Signal<Local, Bits<SW>>,
    fresh_next: Signal<Local, Bit>,
    /// The packed word so far.
    w_acc: Vec<Signal<Local, Bits<SW>>>,
    /// The lanes' bits spread to every group's position of the lane.
    sp_acc: Vec<Signal<Local, Bits<N>>>,
    ab_acc: Vec<Signal<Local, Bits<N>>>,
    /// The spikes with the pending inhibition: for the latch and for the outputs (apart, as
    /// the group masks).
    spk_eff: Signal<Local, Bits<N>>,
    spk_o: Signal<Local, Bits<N>>,
    /// The AND-OR read muxes over the lanes.
    sh_hit: Vec<Signal<Local, Bits<PB>>>,
    sh_acc: Vec<Signal<Local, Bits<PB>>>,
    po_hit: Vec<Signal<Local, Bits<PB>>>,
    po_acc: Vec<Signal<Local, Bits<PB>>>,
    g_mask: Vec<Constant<Bits<N>>>,
    g_next_mask: Vec<Constant<Bits<N>>>,
    g_id: Vec<Constant<Bits<GB>>>,
    g_next: Vec<Constant<Bits<GB>>>,
    g_next2: Vec<Constant<Bits<GB>>>,
    l_mask: Vec<Constant<Bits<N>>>,
    l_id: Vec<Constant<Bits<NB>>>,
    /// Per lane: its fields of a memory word.
    lw: Vec<LaneWord<PB, SW>>,
    all: Constant<Bits<N>>,
    g_zero: Constant<Bits<GB>>,
    /// The last lane and the last group.
    p_last: Constant<Bits<NB>>,
    g_last: Constant<Bits<GB>>,
    ones: Constant<Bits<PB>>,
    p_rest: Constant<Bits<PB>>,
    _g: usize,
    _p: usize,
    /// 1 when `G = 2` (the bypass), else 0.
    _b: usize,
    /// 1 with homeostasis, else 0; `P` with it, else 0.
    _h: usize,
    _hp: usize,
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
    > LaneState<N, WB, PB, WORD, TB, GB, SW, WAW, NB>
{
    /// The lane state; with homeostasis the thetas start at `theta` (raw, one per neuron;
    /// empty: 0).
    pub fn new(p: &HwParams, theta: &[u64]) -> Self {
        let (lanes, groups) = (p.lanes, p.groups);
        let h = usize::from(p.homeostasis);
        let hp = h * lanes;
        assert!(
            theta.is_empty() || theta.len() == h * p.n,
            "one initial theta per neuron"
        );
        let th0 = |l: usize| -> Vec<Bits<TB>> {
            (0..groups)
                .map(|g| Bits::<TB>::from(theta.get(g * lanes + l).copied().unwrap_or(0)))
                .collect()
        };
        let lw = 2 * PB + STEP_BITS;
        assert!(groups >= 2, "lane groups need G >= 2");
        assert_eq!(SW, lanes * lw, "state word width");
        assert!(
            groups <= 1 << GB && (GB == 1 || groups > 1 << (GB - 1)),
            "{groups} groups need exactly {GB} address bits"
        );
        let f = &p.format;
        let b = usize::from(groups == 2);
        LaneState {
            clock: Default::default(),
            reset: Default::default(),
            step: Default::default(),
            group: Default::default(),
            fire: Default::default(),
            latch: Default::default(),
            hold: Default::default(),
            inhibit: Default::default(),
            ws: Default::default(),
            idle: Default::default(),
            pot_sel: Default::default(),
            rest_fires: Default::default(),
            min_fires: Default::default(),
            integrate: Default::default(),
            add: Default::default(),
            complete: Default::default(),
            t: Default::default(),
            t_free: Default::default(),
            thr: Default::default(),
            word: Default::default(),
            lane_sel: Default::default(),
            lane_w: Default::default(),
            core: (0..lanes).map(|l| NeuronCore::new(p, l)).collect(),
            pot_r: many(lanes),
            shown_r: many(lanes),
            free_r: many(lanes),
            spike_r: many(lanes),
            above_r: many(lanes),
            inh: many(lanes),
            c_thr: many(lanes),
            c_rest: many(lanes),
            c_min: many(lanes),
            ld_pot: many(lanes),
            ld_shown: many(lanes),
            ld_free: many(lanes),
            ld_spike: many(lanes),
            ld_above: many(lanes),
            ln_hit: many(lanes),
            ln_acc: many(lanes),
            w_ones: Constant::new(Bits::<WB>::mask()),
            spikes: Default::default(),
            spike_any: Default::default(),
            above_any: Default::default(),
            shown_sel: Default::default(),
            pot_out: Default::default(),
            ram: Bram::new(groups),
            fresh: Default::default(),
            spk_all: Default::default(),
            abv_all: Default::default(),
            spk_latch: Default::default(),
            p_l: Default::default(),
            byp: many(b),
            byp_w: many(b),
            fsplit: Split::new(p),
            fg_next: Default::default(),
            p_last: Constant::new(Bits::<NB>::from(lanes as u64 - 1)),
            g_last: Constant::new(Bits::<GB>::from(groups as u64 - 1)),
            psplit: Split::new(p),
            gm_w: Default::default(),
            gm_o: Default::default(),
            nmask: Default::default(),
            pf: Default::default(),
            raddr: Default::default(),
            q: Default::default(),
            fresh_next: Default::default(),
            w_acc: many(lanes),
            sp_acc: many(lanes),
            ab_acc: many(lanes),
            spk_eff: Default::default(),
            spk_o: Default::default(),
            sh_hit: many(lanes),
            sh_acc: many(lanes),
            po_hit: many(lanes),
            po_acc: many(lanes),
            g_mask: group_masks(p, 0),
            g_next_mask: group_masks(p, 1),
            g_id: indices(groups, 0),
            g_next: indices(groups, 1),
            g_next2: indices(groups, 2),
            l_mask: lane_masks(p),
            l_id: indices(lanes, 0),
            lw: (0..lanes).map(|l| LaneWord::new(l * lw)).collect(),
            all: Constant::new(Bits::<N>::mask()),
            g_zero: Constant::new(Bits::<GB>::from(0u64)),
            ones: Constant::new(Bits::<PB>::mask()),
            p_rest: Constant::new(twos::<PB>(f.p_rest as i64)),
            _g: groups,
            _p: lanes,
            _b: b,
            _h: h,
            _hp: hp,
            theta_upd: many(h),
            winner: many(h),
            winner_valid: many(h),
            theta_we: many(h),
            theta_wdata: many(h),
            theta_sel: many(h),
            theta_out: many(h),
            th_mem: (0..hp).map(|l| Bram::with_words(groups, &th0(l))).collect(),
            theta_r: many(hp),
            thr_r: many(hp),
            rest_r: many(hp),
            min_r: many(hp),
            bias_t: (0..hp).map(|_| ThetaBias::new(p)).collect(),
            upd_t: (0..hp).map(|_| ThetaUpdate::new(p)).collect(),
            q_th: many(hp),
            byp_th: many(b * hp),
            byp_u: many(b * h),
            th_we: many(hp),
            th_hit: many(hp),
            th_acc: many(hp),
            tp_hit: many(hp),
            tp_acc: many(hp),
            mn_acc: many(hp),
            th_ones: (0..h).map(|_| Constant::new(Bits::<TB>::mask())).collect(),
            min_all: many(h),
            wsplit: (0..h).map(|_| Split::new(p)).collect(),
            th_waddr: many(h),
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
    > Logic for LaneState<N, WB, PB, WORD, TB, GB, SW, WAW, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, fresh, spk_all, abv_all, spk_latch, p_l);
        self.ram.clock.next = self.clock.val();
        // The inhibition of a Fire pass (the cells' input, ahead of them).
        self.gm_o.next = 0.into();
        for g in 0..self._g {
            if self.group.val() == self.g_id[g].val() {
                self.gm_o.next = self.g_mask[g].val();
            }
        }
        for l in 0..self._p {
            self.inh[l].next = self.fire.val()
                & (self.inhibit.val() & self.gm_o.val() & self.l_mask[l].val()).any();
        }

        // The cells: each lane's transfer on its registers.
        for l in 0..self._p {
            self.pot_r[l].clock.next = self.clock.val();
            self.shown_r[l].clock.next = self.clock.val();
            self.free_r[l].clock.next = self.clock.val();
            self.spike_r[l].clock.next = self.clock.val();
            self.above_r[l].clock.next = self.clock.val();
            self.core[l].reset.next = self.reset.val();
            self.core[l].integrate.next = self.integrate.val();
            self.core[l].add.next = self.add.val();
            self.core[l].complete.next = self.complete.val();
            self.core[l].fire.next = self.fire.val();
            self.core[l].inhibit.next = self.inh[l].val();
            self.core[l].t.next = self.t.val();
            self.core[l].t_free.next = self.t_free.val();
            self.c_thr[l].next = self.thr.val();
            self.c_rest[l].next = self.rest_fires.val();
            self.c_min[l].next = self.min_fires.val();
            self.core[l].word.next = self.word.val();
            self.core[l].pot_q.next = self.pot_r[l].q.val();
            self.core[l].shown_q.next = self.shown_r[l].q.val();
            self.core[l].free_q.next = self.free_r[l].q.val();
            self.core[l].spike_q.next = self.spike_r[l].q.val();
            self.core[l].above_q.next = self.above_r[l].q.val();
        }
        // Homeostasis: each cell compares with its own threshold of the image.
        for l in 0..self._hp {
            self.theta_r[l].clock.next = self.clock.val();
            self.thr_r[l].clock.next = self.clock.val();
            self.rest_r[l].clock.next = self.clock.val();
            self.min_r[l].clock.next = self.clock.val();
            self.c_thr[l].next = self.thr_r[l].q.val();
            self.c_rest[l].next = self.rest_r[l].q.val();
            self.c_min[l].next = self.min_r[l].q.val();
        }
        // Each cell input written once: Icarus passes every value a blocking assignment gives
        // a port to the sub-module at once, and the cells' outputs come back to this block.
        for l in 0..self._p {
            self.core[l].thr.next = self.c_thr[l].val();
            self.core[l].rest_fires.next = self.c_rest[l].val();
            self.core[l].min_fires.next = self.c_min[l].val();
        }
        for b in 0..self._b {
            self.byp[b].clock.next = self.clock.val();
            self.byp_w[b].clock.next = self.clock.val();
        }
        // The group's masks and the prefetch address (the group after the next `step`).
        self.gm_w.next = 0.into();
        for g in 0..self._g {
            if self.group.val() == self.g_id[g].val() {
                self.gm_w.next = self.g_mask[g].val();
            }
        }
        self.nmask.next = 0.into();
        for g in 0..self._g {
            if self.group.val() == self.g_id[g].val() {
                self.nmask.next = self.g_next_mask[g].val();
            }
        }
        self.pf.next = 0.into();
        for g in 0..self._g {
            if self.group.val() == self.g_id[g].val() {
                self.pf.next = self.g_next[g].val();
                if self.step.val() {
                    self.pf.next = self.g_next2[g].val();
                }
            }
        }
        // wta reads neuron `ws` now and `ws + 1` next (0 and 1 outside a scan: the cells).
        self.fsplit.j.next = self.ws.val();
        self.fg_next.next = self.fsplit.g.val();
        if self.fsplit.l.val() == self.p_last.val() {
            self.fg_next.next = self.fsplit.g.val() + 1;
            if self.fsplit.g.val() == self.g_last.val() {
                self.fg_next.next = 0.into();
            }
        }
        self.psplit.j.next = self.pot_sel.val();
        self.raddr.next = self.pf.val();
        if self.fg_next.val() != self.g_zero.val() {
            self.raddr.next = self.fg_next.val();
        }
        if self.idle.val() {
            self.raddr.next = self.psplit.g.val();
        }
        self.ram.raddr.next = self.raddr.val();
        self.q.next = self.ram.rdata.val();
        for b in 0..self._b {
            if self.byp[b].q.val() {
                self.q.next = self.byp_w[b].q.val();
            }
        }

        // Homeostasis: the thetas of the group the state memory reads; a Done pass writes the
        // cells' updated thetas back with the group, the host (Idle) one neuron's.
        for h in 0..self._h {
            self.min_all[h].clock.next = self.clock.val();
            self.wsplit[h].j.next = self.winner[h].val();
            self.th_waddr[h].next = self.group.val();
            if self.idle.val() {
                self.th_waddr[h].next = self.psplit.g.val();
            }
        }
        for l in 0..self._hp {
            self.th_mem[l].clock.next = self.clock.val();
            self.th_mem[l].raddr.next = self.raddr.val();
            self.q_th[l].next = self.th_mem[l].rdata.val();
            self.upd_t[l].theta.next = self.theta_r[l].q.val();
            self.upd_t[l].won.next = self.winner_valid[0].val()
                & (self.wsplit[0].g.val() == self.group.val())
                & (self.wsplit[0].l.val() == self.l_id[l].val());
            self.th_we[l].next = self.step.val() & self.theta_upd[0].val();
            self.th_mem[l].wdata.next = self.upd_t[l].theta_n.val();
            if self.idle.val() {
                self.th_we[l].next =
                    self.theta_we[0].val() & (self.psplit.l.val() == self.l_id[l].val());
                self.th_mem[l].wdata.next = self.theta_wdata[0].val();
            }
            self.th_mem[l].we.next = self.th_we[l].val();
            self.th_mem[l].waddr.next = self.th_waddr[0].val();
        }
        // `G = 2`: a Done pass's theta written at the edge of its read.
        for _y in 0..self._b {
            for h in 0..self._h {
                self.byp_u[h].clock.next = self.clock.val();
                self.byp_u[h].d.next = self.step.val()
                    & self.theta_upd[h].val()
                    & (self.raddr.val() == self.group.val());
            }
            for l in 0..self._hp {
                self.byp_th[l].clock.next = self.clock.val();
                self.byp_th[l].d.next = self.upd_t[l].theta_n.val();
                if self.byp_u[0].q.val() {
                    self.q_th[l].next = self.byp_th[l].q.val();
                }
            }
        }

        // Write-back (the cells floor a completing group's potentials below `p_min`): the
        // packed word, the comparators spread over the groups.
        for l in 0..self._p {
            self.lw[l].pot.next = self.core[l].pot_n.val();
            self.lw[l].shown.next = self.core[l].shown_n.val();
            self.lw[l].free.next = self.core[l].free_n.val();
            self.lw[l].q.next = self.q.val();
        }
        self.w_acc[0].next = self.lw[0].word.val();
        self.sp_acc[0].next = 0.into();
        if self.core[0].spike_n.val() {
            self.sp_acc[0].next = self.l_mask[0].val();
        }
        self.ab_acc[0].next = 0.into();
        if self.core[0].above_n.val() {
            self.ab_acc[0].next = self.l_mask[0].val();
        }
        for l in 1..self._p {
            self.w_acc[l].next = self.w_acc[l - 1].val() | self.lw[l].word.val();
            self.sp_acc[l].next = self.sp_acc[l - 1].val();
            if self.core[l].spike_n.val() {
                self.sp_acc[l].next = self.sp_acc[l - 1].val() | self.l_mask[l].val();
            }
            self.ab_acc[l].next = self.ab_acc[l - 1].val();
            if self.core[l].above_n.val() {
                self.ab_acc[l].next = self.ab_acc[l - 1].val() | self.l_mask[l].val();
            }
        }
        self.ram.we.next = self.step.val();
        self.ram.waddr.next = self.group.val();
        self.ram.wdata.next = 0.into();
        for l in (self._p - 1)..self._p {
            self.ram.wdata.next = self.w_acc[l].val();
            if self.step.val() {
                self.spk_all.d.next = (self.spk_all.q.val() & !self.gm_w.val())
                    | (self.sp_acc[l].val() & self.gm_w.val());
                self.abv_all.d.next = (self.abv_all.q.val() & !self.gm_w.val())
                    | (self.ab_acc[l].val() & self.gm_w.val());
            }
        }
        for b in 0..self._b {
            self.byp[b].d.next = self.step.val() & (self.raddr.val() == self.group.val());
            self.byp_w[b].d.next = self.ram.wdata.val();
        }
        if self.step.val() {
            self.fresh.d.next = self.fresh.q.val() & !self.gm_w.val();
        }
        if self.reset.val() {
            self.fresh.d.next = self.all.val();
        }

        // What the cells load: the next group's word, or rest when it is fresh.
        self.fresh_next.next = (self.fresh.q.val() & self.nmask.val()).any();
        for l in 0..self._p {
            self.ld_pot[l].next = self.lw[l].q_pot.val();
            self.ld_shown[l].next = self.lw[l].q_shown.val();
            self.ld_free[l].next = self.lw[l].q_free.val();
            if self.fresh_next.val() {
                self.ld_pot[l].next = self.p_rest.val();
                self.ld_shown[l].next = self.p_rest.val();
                self.ld_free[l].next = 0.into();
            }
            self.ld_spike[l].next =
                (self.spk_all.q.val() & self.nmask.val() & self.l_mask[l].val()).any();
            self.ld_above[l].next =
                (self.abv_all.q.val() & self.nmask.val() & self.l_mask[l].val()).any();
            self.pot_r[l].d.next = self.core[l].pot_n.val();
            self.shown_r[l].d.next = self.core[l].shown_n.val();
            self.free_r[l].d.next = self.core[l].free_n.val();
            self.spike_r[l].d.next = self.core[l].spike_n.val();
            self.above_r[l].d.next = self.core[l].above_n.val();
            if self.step.val() {
                self.pot_r[l].d.next = self.ld_pot[l].val();
                self.shown_r[l].d.next = self.ld_shown[l].val();
                self.free_r[l].d.next = self.ld_free[l].val();
                self.spike_r[l].d.next = self.ld_spike[l].val();
                self.above_r[l].d.next = self.ld_above[l].val();
            }
        }

        // Homeostasis: the cells load the next group's thetas and thresholds of the image, and
        // its `p_min >= thr_j` go to their neurons' bits.
        for l in 0..self._hp {
            self.bias_t[l].thr.next = self.thr.val();
            self.bias_t[l].theta.next = self.q_th[l].val();
            self.theta_r[l].d.next = self.theta_r[l].q.val();
            self.thr_r[l].d.next = self.thr_r[l].q.val();
            self.rest_r[l].d.next = self.rest_r[l].q.val();
            self.min_r[l].d.next = self.min_r[l].q.val();
            if self.step.val() {
                self.theta_r[l].d.next = self.q_th[l].val();
                self.thr_r[l].d.next = self.bias_t[l].thr_j.val();
                self.rest_r[l].d.next = self.bias_t[l].rest_fires.val();
                self.min_r[l].d.next = self.bias_t[l].min_fires.val();
            }
        }
        for l in 0..self._hp.min(1) {
            self.mn_acc[l].next = 0.into();
            if self.bias_t[l].min_fires.val() {
                self.mn_acc[l].next = self.l_mask[l].val();
            }
        }
        for l in 1..self._hp {
            self.mn_acc[l].next = self.mn_acc[l - 1].val();
            if self.bias_t[l].min_fires.val() {
                self.mn_acc[l].next = self.mn_acc[l - 1].val() | self.l_mask[l].val();
            }
        }
        for h in 0..self._h {
            self.min_all[h].d.next = self.min_all[h].q.val();
            if self.step.val() {
                for l in (self._p - 1)..self._p {
                    self.min_all[h].d.next = (self.min_all[h].q.val() & !self.nmask.val())
                        | (self.mn_acc[l].val() & self.nmask.val());
                }
            }
        }

        // The comparators, with the pending inhibition applied; a pass keeps its first
        // cycle's spikes.
        self.spk_eff.next = (self.spk_all.q.val() & !self.inhibit.val()) | self.inhibit.val();
        if !self.min_fires.val() {
            self.spk_eff.next = self.spk_all.q.val() & !self.inhibit.val();
        }
        for h in 0..self._h {
            self.spk_eff.next = (self.spk_all.q.val() & !self.inhibit.val())
                | (self.inhibit.val() & self.min_all[h].q.val());
        }
        if self.latch.val() {
            self.spk_latch.d.next = self.spk_eff.val();
        }
        self.spk_o.next = (self.spk_all.q.val() & !self.inhibit.val()) | self.inhibit.val();
        if !self.min_fires.val() {
            self.spk_o.next = self.spk_all.q.val() & !self.inhibit.val();
        }
        for h in 0..self._h {
            self.spk_o.next = (self.spk_all.q.val() & !self.inhibit.val())
                | (self.inhibit.val() & self.min_all[h].q.val());
        }
        // The mask is read only in a pass's last cycle (the spike port, stdp's walk): a spike
        // always makes Fire a pass, so it is the latch, a register.
        self.spikes.next = self.spk_latch.q.val();
        self.spike_any.next = self.spk_o.val().any();
        if self.hold.val() {
            self.spike_any.next = self.spk_latch.q.val().any();
        }
        self.above_any.next = self.abv_all.q.val().any();
        // The reads of wta and the host.
        self.p_l.d.next = self.psplit.l.val();
        for l in 0..self._p {
            self.sh_hit[l].next = 0.into();
            if self.fsplit.l.val() == self.l_id[l].val() {
                self.sh_hit[l].next = self.ones.val();
            }
            self.po_hit[l].next = 0.into();
            if self.p_l.q.val() == self.l_id[l].val() {
                self.po_hit[l].next = self.ones.val();
            }
        }
        self.sh_acc[0].next = self.lw[0].q_shown.val() & self.sh_hit[0].val();
        self.po_acc[0].next = self.lw[0].q_pot.val() & self.po_hit[0].val();
        for l in 1..self._p {
            self.sh_acc[l].next =
                self.sh_acc[l - 1].val() | (self.lw[l].q_shown.val() & self.sh_hit[l].val());
            self.po_acc[l].next =
                self.po_acc[l - 1].val() | (self.lw[l].q_pot.val() & self.po_hit[l].val());
        }
        for l in (self._p - 1)..self._p {
            self.shown_sel.next = self.sh_acc[l].val();
            self.pot_out.next = self.po_acc[l].val();
        }
        if self.fsplit.g.val() == self.g_zero.val() {
            self.shown_sel.next = 0.into();
            for l in 0..self._p {
                if self.fsplit.l.val() == self.l_id[l].val() {
                    self.shown_sel.next = self.shown_r[l].q.val();
                }
            }
        }
        // Homeostasis: the thetas read like `shown_sel` and `pot_out`.
        for l in 0..self._hp {
            self.th_hit[l].next = 0.into();
            if self.fsplit.l.val() == self.l_id[l].val() {
                self.th_hit[l].next = self.th_ones[0].val();
            }
            self.tp_hit[l].next = 0.into();
            if self.p_l.q.val() == self.l_id[l].val() {
                self.tp_hit[l].next = self.th_ones[0].val();
            }
        }
        for l in 0..self._hp.min(1) {
            self.th_acc[l].next = self.q_th[l].val() & self.th_hit[l].val();
            self.tp_acc[l].next = self.q_th[l].val() & self.tp_hit[l].val();
        }
        for l in 1..self._hp {
            self.th_acc[l].next =
                self.th_acc[l - 1].val() | (self.q_th[l].val() & self.th_hit[l].val());
            self.tp_acc[l].next =
                self.tp_acc[l - 1].val() | (self.q_th[l].val() & self.tp_hit[l].val());
        }
        for h in 0..self._h {
            for l in (self._p - 1)..self._p {
                self.theta_sel[h].next = self.th_acc[l].val();
                self.theta_out[h].next = self.tp_acc[l].val();
            }
            if self.fsplit.g.val() == self.g_zero.val() {
                self.theta_sel[h].next = 0.into();
                for l in 0..self._p {
                    if self.fsplit.l.val() == self.l_id[l].val() {
                        self.theta_sel[h].next = self.theta_r[l].q.val();
                    }
                }
            }
        }
        // stdp's lane as an AND-OR over the lanes.
        for l in 0..self._p {
            self.ln_hit[l].next = 0.into();
            if self.lane_sel.val() == self.l_id[l].val() {
                self.ln_hit[l].next = self.w_ones.val();
            }
        }
        self.ln_acc[0].next = self.core[0].lane_out.val() & self.ln_hit[0].val();
        for l in 1..self._p {
            self.ln_acc[l].next =
                self.ln_acc[l - 1].val() | (self.core[l].lane_out.val() & self.ln_hit[l].val());
        }
        for l in (self._p - 1)..self._p {
            self.lane_w.next = self.ln_acc[l].val();
        }
    }
}

/// One lane's fields of a state memory word (`pot`, `shown`, `free_at` from bit `at`): the
/// word a cell writes, and the fields of the word read.
#[derive(LogicBlock)]
pub struct LaneWord<const PB: usize, const SW: usize> {
    pub pot: Signal<In, Bits<PB>>,
    pub shown: Signal<In, Bits<PB>>,
    pub free: Signal<In, Bits<STEP_BITS>>,
    /// The fields in place, zero elsewhere.
    pub word: Signal<Out, Bits<SW>>,
    pub q: Signal<In, Bits<SW>>,
    pub q_pot: Signal<Out, Bits<PB>>,
    pub q_shown: Signal<Out, Bits<PB>>,
    pub q_free: Signal<Out, Bits<STEP_BITS>>,
    off_pot: Constant<Bits<16>>,
    off_shown: Constant<Bits<16>>,
    off_free: Constant<Bits<16>>,
}

impl<const PB: usize, const SW: usize> LaneWord<PB, SW> {
    pub fn new(at: usize) -> Self {
        assert!(at + 2 * PB + STEP_BITS <= SW, "lane fields past the word");
        let c = |v: usize| Constant::new(Bits::<16>::from(v as u64));
        LaneWord {
            pot: Default::default(),
            shown: Default::default(),
            free: Default::default(),
            word: Default::default(),
            q: Default::default(),
            q_pot: Default::default(),
            q_shown: Default::default(),
            q_free: Default::default(),
            off_pot: c(at),
            off_shown: c(at + PB),
            off_free: c(at + 2 * PB),
        }
    }
}

impl<const PB: usize, const SW: usize> Logic for LaneWord<PB, SW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.word.next = (bit_cast::<SW, PB>(self.pot.val()) << self.off_pot.val())
            | (bit_cast::<SW, PB>(self.shown.val()) << self.off_shown.val())
            | (bit_cast::<SW, STEP_BITS>(self.free.val()) << self.off_free.val());
        self.q_pot.next = bit_cast::<PB, SW>(self.q.val() >> self.off_pot.val());
        self.q_shown.next = bit_cast::<PB, SW>(self.q.val() >> self.off_shown.val());
        self.q_free.next = bit_cast::<STEP_BITS, SW>(self.q.val() >> self.off_free.val());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_sim::neuron::Neurons as Model;

    type Uut = LaneState<10, 9, 18, 36, 16, 2, 176, 10>;

    fn clk(u: &mut Uut, clk: bool) {
        u.clock.next = Clock { clk };
    }

    /// Sets every command input low (the group and the step counters stay).
    fn quiet(u: &mut Uut) {
        for b in [
            &mut u.reset,
            &mut u.step,
            &mut u.fire,
            &mut u.latch,
            &mut u.hold,
            &mut u.idle,
            &mut u.integrate,
            &mut u.add,
            &mut u.complete,
        ] {
            b.next = false;
        }
        u.inhibit.next = 0.into();
        u.ws.next = 0.into();
    }

    fn mask(u: &Uut) -> Vec<bool> {
        (0..10).map(|j| u.spikes.val().get_bit(j)).collect()
    }

    /// A Fire pass over the `groups` as control drives it (the spikes latched in the first
    /// cycle), `check(uut, g)` before each cycle's edge, the model's group transfer after it.
    fn fire_pass(
        uut: &mut Uut,
        model: &mut Model,
        t: u32,
        pending: Option<u32>,
        p: &HwParams,
        mut check: impl FnMut(&Uut, u32),
    ) {
        for g in 0..p.groups as u32 {
            uut.fire.next = true;
            uut.step.next = true;
            uut.latch.next = g == 0;
            uut.hold.next = g > 0;
            uut.group.next = (g as u64).into();
            assert!(simulate(uut, 1000));
            check(uut, g);
            tick(uut, clk);
            model.fire_group(g, t, pending, p);
        }
    }

    /// wta's reads as a scan makes them: `ws` 0 (outside the scan, then its entry), then
    /// 1..N - 1, `check(uut, ws)` once each has settled; then the scan's last cycle, which reads
    /// no neuron (`fetch = N`), so that the prefetch resumes.
    fn wta_reads(uut: &mut Uut, mut check: impl FnMut(&Uut, usize)) {
        quiet(uut);
        uut.group.next = 0u64.into();
        tick(uut, clk);
        for (k, ws) in [0u64].into_iter().chain(0..10).enumerate() {
            uut.ws.next = ws.into();
            assert!(simulate(uut, 1000));
            if k > 0 {
                check(uut, ws as usize);
            }
            tick(uut, clk);
        }
        quiet(uut);
        uut.ws.next = 10u64.into();
        tick(uut, clk);
    }

    /// The lane state of 10 neurons in groups of 4 against the cycle model's group transfers
    /// (`snn_sim::neuron::Neurons`), driven as control drives it: images of steps whose groups
    /// integrate random words and complete one after another, Fire passes when a neuron
    /// spikes (the spike mask latched in the first cycle), a WTA-like read of every `shown`
    /// through `ws`, a pass with a pending inhibition, and the potentials through `pot_sel`.
    #[test]
    fn follows_the_cycle_models_group_transfers() {
        let p = HwParams::new(&crate::presets::small_lanes()).unwrap();
        let f = p.format.clone();
        let (g_n, lanes) = (p.groups as u32, p.lanes);
        let mut uut = Uut::new(&p, &[]);
        uut.connect_all();
        let mut model = Model::new(&p);
        let mut rng = snn_testkit::XorShift::new(0x5eed);
        let thr = 40i32;
        let signed = |v: u64, b: usize| ((v << (64 - b)) as i64 >> (64 - b)) as i32;
        uut.thr.next = (thr as u64).into();
        uut.rest_fires.next = f.p_rest >= thr;
        uut.min_fires.next = f.p_min >= thr;
        let (mut passes, mut inhibited, mut floored) = (0, 0, false);
        for image in 0..3 {
            quiet(&mut uut);
            uut.reset.next = true;
            uut.group.next = 0u64.into();
            tick(&mut uut, clk);
            model.reset(&p);
            model.load_thresholds(thr);
            for t in 1..=25u32 {
                uut.t.next = (t as u64).into();
                uut.t_free.next = ((t + p.t_ref + 1) as u64).into();
                for g in 0..g_n {
                    // The third image drives the potentials below `p_min` (the floor).
                    let adds = if image == 2 { 30 } else { rng.next_u64() % 4 };
                    for k in 0..=adds {
                        quiet(&mut uut);
                        let last = k == adds;
                        let lane: Vec<i32> = (0..lanes)
                            .map(|_| match image {
                                2 => f.w_min,
                                _ => (rng.next_u64() % (f.w_max as u64 + 1)) as i32 - 2,
                            })
                            .collect();
                        let word = lane.iter().enumerate().fold(0u64, |w, (l, &v)| {
                            w | ((v as i64 as u64) & 0x1ff) << (9 * l)
                        });
                        uut.word.next = word.into();
                        uut.integrate.next = true;
                        uut.add.next = k > 0;
                        uut.complete.next = last;
                        uut.step.next = last;
                        uut.group.next = (g as u64).into();
                        tick(&mut uut, clk);
                        if k > 0 {
                            model.accumulate_group(g, t, &lane, &p);
                        }
                        if last {
                            let below =
                                |m: &Model| m.pot().iter().filter(|&&v| v < f.p_min).count();
                            let before = below(&model);
                            model.complete_group(g, t, &p);
                            floored |= before > below(&model);
                        }
                    }
                }
                quiet(&mut uut);
                uut.group.next = 0u64.into();
                // The winner of a pending inhibition: late in the second image.
                let pending = (image == 1 && t == 20).then_some(3u32);
                if let Some(w) = pending {
                    uut.inhibit.next = (0x3ffu64 ^ (1 << w)).into();
                }
                assert!(simulate(&mut uut, 1000));
                let want = match pending {
                    Some(w) => model.compare_inhibited(w, &p).spikes,
                    None => model.compare(false, &p).spikes,
                };
                let want: Vec<bool> = (0..10).map(|j| want.get(j)).collect();
                assert_eq!(
                    uut.spike_any.val(),
                    want.contains(&true),
                    "image {image}, some spike at step {t}"
                );
                if want.contains(&true) || pending.is_some() {
                    passes += 1;
                    inhibited += usize::from(pending.is_some());
                    fire_pass(&mut uut, &mut model, t, pending, &p, |uut, g| {
                        if g > 0 {
                            assert_eq!(mask(uut), want, "image {image}, spikes at step {t}");
                            assert_eq!(uut.spike_any.val(), want.contains(&true));
                        }
                    });
                }
            }
            wta_reads(&mut uut, |uut, ws| {
                assert_eq!(
                    signed(uut.shown_sel.val().to_u64(), 18),
                    model.shown()[ws],
                    "image {image}, shown[{ws}]"
                );
            });
            // The host's potentials, a cycle after `pot_sel`.
            quiet(&mut uut);
            uut.idle.next = true;
            for j in 0..10u64 {
                uut.pot_sel.next = j.into();
                tick(&mut uut, clk);
                assert_eq!(
                    signed(uut.pot_out.val().to_u64(), 18),
                    model.pot()[j as usize],
                    "image {image}, pot[{j}]"
                );
            }
        }
        assert!(
            passes > 3 && inhibited == 1,
            "{passes} passes, {inhibited} inhibited"
        );
        assert!(floored, "no potential went below p_min");
    }

    /// With homeostasis (`small_lanes_theta`, 10 neurons in groups of 4): the lane state against
    /// the cycle model's neurons through host writes and reads of theta (`theta_out` a cycle
    /// after `pot_sel`), Bias passes that give each neuron `thr + theta`, steps whose spikes
    /// and WTA triggers follow each neuron's own threshold, wta's reads of `theta` beside
    /// `shown`, and Done passes that move every theta (the winner's up).
    #[test]
    fn thetas_follow_the_cycle_models_bias_and_done_passes() {
        let p = HwParams::new(&crate::presets::small_lanes_theta()).unwrap();
        let f = p.format.clone();
        let g_n = p.groups as u32;
        let mut rng = snn_testkit::XorShift::new(0x7e7a);
        let init: Vec<u64> = (0..10).map(|_| rng.next_u64() % 40).collect();
        let mut uut = Uut::new(&p, &init);
        uut.connect_all();
        let mut model = Model::new(&p);
        for (j, &th) in init.iter().enumerate() {
            model.set_theta(j, th as i32);
        }
        let host_reads = |uut: &mut Uut, model: &Model, when: &str| {
            quiet(uut);
            uut.idle.next = true;
            for j in 0..10u64 {
                uut.pot_sel.next = j.into();
                tick(uut, clk);
                let want = model.theta()[j as usize];
                assert_eq!(
                    uut.theta_out[0].val().to_u64() as i32,
                    want,
                    "{when}: theta[{j}]"
                );
            }
        };
        host_reads(&mut uut, &model, "initial");
        // The host overwrites three thetas.
        quiet(&mut uut);
        uut.idle.next = true;
        for j in [1u64, 6, 9] {
            let v = rng.next_u64() % (f.theta_max as u64 + 1);
            uut.pot_sel.next = j.into();
            uut.theta_we[0].next = true;
            uut.theta_wdata[0].next = v.into();
            tick(&mut uut, clk);
            model.set_theta(j as usize, v as i32);
        }
        uut.theta_we[0].next = false;
        host_reads(&mut uut, &model, "after the host's writes");
        let (mut spiked, mut won) = (0, 0);
        for image in 0..6 {
            let thr = 20 + (rng.next_u64() % 60) as i32;
            quiet(&mut uut);
            uut.reset.next = true;
            uut.group.next = 0u64.into();
            tick(&mut uut, clk);
            model.reset(&p);
            uut.thr.next = (thr as u64).into();
            uut.rest_fires.next = f.p_rest >= thr;
            uut.min_fires.next = f.p_min >= thr;
            // Bias: one group per cycle.
            for g in 0..g_n {
                quiet(&mut uut);
                uut.step.next = true;
                uut.group.next = (g as u64).into();
                tick(&mut uut, clk);
                model.load_thresholds_group(g, thr);
            }
            for t in 1..=6u32 {
                uut.t.next = (t as u64).into();
                uut.t_free.next = ((t + p.t_ref + 1) as u64).into();
                for g in 0..g_n {
                    let lane: Vec<i32> = (0..p.lanes)
                        .map(|_| (rng.next_u64() % (f.w_max as u64 + 1)) as i32)
                        .collect();
                    let word = lane.iter().enumerate().fold(0u64, |w, (l, &v)| {
                        w | ((v as i64 as u64) & 0x1ff) << (9 * l)
                    });
                    for k in 0..2 {
                        quiet(&mut uut);
                        uut.word.next = word.into();
                        uut.integrate.next = true;
                        uut.add.next = k > 0;
                        uut.complete.next = k == 1;
                        uut.step.next = k == 1;
                        uut.group.next = (g as u64).into();
                        tick(&mut uut, clk);
                    }
                    model.accumulate_group(g, t, &lane, &p);
                    model.complete_group(g, t, &p);
                }
                quiet(&mut uut);
                uut.group.next = 0u64.into();
                assert!(simulate(&mut uut, 1000));
                let want = model.compare(true, &p);
                let any = want.spikes.count() > 0;
                assert_eq!(uut.spike_any.val(), any, "image {image}, step {t}: spikes");
                assert_eq!(
                    uut.above_any.val(),
                    want.above,
                    "image {image}, step {t}: above"
                );
                if any {
                    spiked += 1;
                    fire_pass(&mut uut, &mut model, t, None, &p, |_, _| {});
                }
            }
            // wta's reads: `theta[ws]` beside `shown[ws]`.
            wta_reads(&mut uut, |uut, ws| {
                assert_eq!(
                    uut.theta_sel[0].val().to_u64() as i32,
                    model.theta()[ws],
                    "image {image}, theta[{ws}]"
                );
            });
            // Done of a training image: every theta moves, the winner's up (none in image 0).
            let winner = (image > 0).then(|| (rng.next_u64() % 10) as u32);
            won += usize::from(winner.is_some());
            for g in 0..g_n {
                quiet(&mut uut);
                uut.step.next = true;
                uut.group.next = (g as u64).into();
                uut.theta_upd[0].next = true;
                uut.winner[0].next = (winner.unwrap_or(0) as u64).into();
                uut.winner_valid[0].next = winner.is_some();
                tick(&mut uut, clk);
                model.update_theta_group(g, winner, &p);
            }
            uut.theta_upd[0].next = false;
            host_reads(&mut uut, &model, &format!("after image {image}"));
        }
        assert!(
            spiked > 0 && won > 0,
            "{spiked} spiking steps, {won} winners"
        );
        assert!(
            model.theta().contains(&0),
            "no theta reached the lower clamp"
        );
    }

    /// Three groups (the last half padding) and two (the bypass; also with homeostasis, the
    /// theta memories' bypass) lint and synthesize without latches (Yosys keeps a state memory this shallow in flip-flops; the 10 words of
    /// `configs/n100-p10.toml` go to block RAM). Behaviour: the co-simulations of the lane
    /// presets (`crates/snn-rtlsim/tests/cosim.rs`), which compare every cycle's state and
    /// step, the spikes, winners and potentials, and every weight with the cycle model.
    #[test]
    fn lane_state_synthesizes_without_latches() {
        let p = HwParams::new(&crate::presets::small_lanes()).unwrap();
        let mut uut = LaneState::<10, 9, 18, 36, 16, 2, 176, 10>::new(&p, &[]);
        lint_and_synth(&mut uut, "lane_state");
        let p = HwParams::new(&crate::presets::small_lanes2()).unwrap();
        let mut uut = LaneState::<8, 9, 18, 36, 16, 1, 176, 10>::new(&p, &[]);
        lint_and_synth(&mut uut, "lane_state2");
        let p = HwParams::new(&crate::presets::small_lanes2_theta()).unwrap();
        let mut uut = LaneState::<8, 9, 18, 36, 16, 1, 176, 10>::new(&p, &[3; 8]);
        lint_and_synth(&mut uut, "lane_state2_theta");
    }
}
