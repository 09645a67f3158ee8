//! `SnnCore`: the top module `snn_core`, its ports exactly the table of docs/ARCHITECTURE.md
//! ("Top-level ports of `snn_core`"). It wires the blocks (and gates the spike port's mask).
//!
//! # Why the outputs others use within the cycle come from sub-blocks
//!
//! rust-hdl writes each module's logic as one `always @(*)` block. Verilator orders such a
//! block as one unit unless it can split it, and it cannot split statements that share a local
//! (a signal written and read inside the block). Control reads the comparators of the neurons,
//! the list heads of spike_gen and the status of wta and stdp, and drives their commands in the
//! same cycle, so a block whose status outputs shared a local with its next-state logic would
//! close a false combinational loop through control (Verilator's UNOPTFLAT, and an evaluation
//! that has to iterate). Each block therefore computes the outputs that others use within the
//! cycle (comparators, heads and counts, strobes decoded from the state, the walk status) from
//! registers and inputs only, with no local of its next-state logic. Where the next-state logic
//! needs the same values, both read one sub-block, a module of its own whose outputs depend on
//! its registers and inputs only: control's and stdp's [`crate::walk::ClassWalk`] (the pending
//! classes, the walk status and the class read next), control's [`crate::decide::Decide`]
//! (Fire's and End's decisions), spike_gen's [`crate::class_lists::ClassLists`] (the head and
//! count read). A sub-block's inputs that reach its outputs within the cycle are driven by
//! statements of their own. Outputs that only feed registers or RAM addresses (`raddr`,
//! `class_next`) may depend on anything. `verilator --lint-only -Wall` checks the rule
//! (UNOPTFLAT).

use crate::control::Control;
use crate::neuron::Neurons;
use crate::spike_gen::SpikeGen;
use crate::stdp::Stdp;
use crate::weight_mem::WeightMem;
use crate::wta::Wta;
use rust_hdl::prelude::*;
use snn_arch::codes::STATE_BITS;
use snn_arch::widths::{NEURON_BITS, STEP_BITS};
use snn_arch::HwParams;

/// The accelerator. Widths: `N` neurons, `WB` weight bits, `PB` potential bits, `WORD = N * WB`,
/// `AW` address bits, `TB` theta bits and `VB` the WTA's value bits (`PB + 1` with homeostasis,
/// else `PB`, and `TB` unused); everything else comes from the [`HwParams`] given to
/// [`SnnCore::new`].
///
/// With homeostasis the core has the theta unit and the ports `theta_we`, `theta_wdata`,
/// `theta_out` (rust-hdl names them `theta_we$0`...: they are one-element vectors, empty
/// without homeostasis, and `crate::verilog` drops the suffix of the top's ports).
#[derive(LogicBlock)]
pub struct SnnCore<
    const N: usize,
    const WB: usize,
    const PB: usize,
    const WORD: usize,
    const AW: usize,
    const TB: usize,
    const VB: usize,
    const WAW: usize,
    const GB: usize,
    const SW: usize,
    const NB: usize = NEURON_BITS,
> {
    pub clock: Signal<In, Clock>,
    /// Sampled in Idle: begins one image.
    pub start: Signal<In, Bit>,
    /// Sampled with `start`: 1 = training (STDP + penalty), 0 = inference.
    pub learn: Signal<In, Bit>,
    /// Next pixel, row-major.
    pub pix_data: Signal<In, Bits<8>>,
    /// The host has a pixel; the scan stalls while `pix_ready && !pix_valid`.
    pub pix_valid: Signal<In, Bit>,
    /// The core takes `pix_data` this cycle if `pix_valid`.
    pub pix_ready: Signal<Out, Bit>,
    /// Idle only: write `host_wdata` to `weight_mem[host_addr]`.
    pub host_we: Signal<In, Bit>,
    /// Idle only: weight word address (input index; with lane groups `g * M` + input index)
    /// for write and read.
    pub host_addr: Signal<In, Bits<WAW>>,
    pub host_wdata: Signal<In, Bits<WORD>>,
    /// The word at the `host_addr` of the previous cycle (Idle only).
    pub host_rdata: Signal<Out, Bits<WORD>>,
    /// Selects a neuron for `pot_out`.
    pub pot_sel: Signal<In, Bits<NB>>,
    /// `pot[pot_sel]` (combinational; 0 for `pot_sel >= N`). With lane groups, Idle only and
    /// one cycle late: `pot` of the `pot_sel` of the previous cycle.
    pub pot_out: Signal<Out, Bits<PB>>,
    /// Homeostasis only, Idle only: write `theta_wdata` to `theta[pot_sel]`.
    pub theta_we: Vec<Signal<In, Bit>>,
    pub theta_wdata: Vec<Signal<In, Bits<TB>>>,
    /// Homeostasis only: `theta[pot_sel]` (combinational; 0 for `pot_sel >= N`).
    pub theta_out: Vec<Signal<Out, Bits<TB>>>,
    /// Not Idle.
    pub busy: Signal<Out, Bit>,
    /// One-cycle pulse in Done.
    pub done: Signal<Out, Bit>,
    /// WTA result of the last image.
    pub winner: Signal<Out, Bits<NB>>,
    pub winner_valid: Signal<Out, Bit>,
    /// Step at which the winner was chosen.
    pub inhibit_step: Signal<Out, Bits<16>>,
    /// Cycles of the current/last image.
    pub cycles: Signal<Out, Bits<32>>,
    /// `thr` of the current/last image.
    pub threshold: Signal<Out, Bits<PB>>,
    /// Peak simultaneous spike count.
    pub peak: Signal<Out, Bits<16>>,
    /// A Fire cycle in which some neuron spiked; `spike_mask` says which, at step `spike_t`.
    pub spike_valid: Signal<Out, Bit>,
    pub spike_mask: Signal<Out, Bits<N>>,
    pub spike_t: Signal<Out, Bits<16>>,
    /// FSM state code (`snn_arch::FsmState::code`).
    pub state: Signal<Out, Bits<STATE_BITS>>,
    /// Current step.
    pub t: Signal<Out, Bits<16>>,
    control: Control<PB, AW, WAW, GB>,
    spike_gen: SpikeGen<AW>,
    neurons: Neurons<N, WB, PB, WORD, TB, GB, SW, WAW, NB>,
    wta: Wta<N, PB, VB, TB, NB>,
    stdp: Stdp<N, WB, WORD, AW, WAW, GB, NB>,
    weight_mem: WeightMem<WORD, WAW>,
    _k: usize,
    /// 1 with homeostasis, else 0: the loop over it wires the theta path.
    _h: usize,
    /// 1 with homeostasis and one lane per neuron, else 0 (the Bias command: lane cells load
    /// their thresholds with each group).
    _hd: usize,
    /// 1 with row normalization, else 0.
    _nz: usize,
    /// 1 with lane groups, else 0; 1 with row normalization and lane groups (state Sum),
    /// else 0.
    _ln: usize,
    _nzl: usize,
}

impl<
        const N: usize,
        const WB: usize,
        const PB: usize,
        const WORD: usize,
        const AW: usize,
        const TB: usize,
        const VB: usize,
        const WAW: usize,
        const GB: usize,
        const SW: usize,
        const NB: usize,
    > SnnCore<N, WB, PB, WORD, AW, TB, VB, WAW, GB, SW, NB>
{
    /// The core with an all-zero weight memory: the host loads weights through its port.
    pub fn new(p: &HwParams) -> Self {
        Self::with_weights(p, &[])
    }

    /// The core whose weight memory starts with `words` (word `i` = the weights of input `i`,
    /// [`crate::weight_mem::pack_words`]): a trained network classifies from power-up, without
    /// a weight load through the host port. The host port still works as with [`SnnCore::new`].
    pub fn with_weights(p: &HwParams, words: &[Bits<WORD>]) -> Self {
        Self::with_state(p, words, &[])
    }

    /// As [`SnnCore::with_weights`], with homeostasis `theta` starting at `theta` (raw, one per
    /// neuron; empty: all 0), the learned state that travels with the weights.
    pub fn with_state(p: &HwParams, words: &[Bits<WORD>], theta: &[u64]) -> Self {
        let h = usize::from(p.homeostasis);
        assert!(h == 1 || theta.is_empty(), "theta without homeostasis");
        SnnCore {
            theta_we: (0..h).map(|_| Default::default()).collect(),
            theta_wdata: (0..h).map(|_| Default::default()).collect(),
            theta_out: (0..h).map(|_| Default::default()).collect(),
            _h: h,
            _nz: usize::from(p.normalization),
            _hd: usize::from(p.homeostasis && p.lanes == p.n),
            _ln: usize::from(p.lanes < p.n),
            _nzl: usize::from(p.normalization && p.lanes < p.n),
            clock: Default::default(),
            start: Default::default(),
            learn: Default::default(),
            pix_data: Default::default(),
            pix_valid: Default::default(),
            pix_ready: Default::default(),
            host_we: Default::default(),
            host_addr: Default::default(),
            host_wdata: Default::default(),
            host_rdata: Default::default(),
            pot_sel: Default::default(),
            pot_out: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            winner: Default::default(),
            winner_valid: Default::default(),
            inhibit_step: Default::default(),
            cycles: Default::default(),
            threshold: Default::default(),
            peak: Default::default(),
            spike_valid: Default::default(),
            spike_mask: Default::default(),
            spike_t: Default::default(),
            state: Default::default(),
            t: Default::default(),
            control: Control::new(p),
            spike_gen: SpikeGen::new(p),
            neurons: Neurons::new(p, theta),
            wta: Wta::new(p),
            stdp: Stdp::new(p),
            weight_mem: WeightMem::with_words(p, words),
            _k: p.k,
        }
    }
}

impl<
        const N: usize,
        const WB: usize,
        const PB: usize,
        const WORD: usize,
        const AW: usize,
        const TB: usize,
        const VB: usize,
        const WAW: usize,
        const GB: usize,
        const SW: usize,
        const NB: usize,
    > Logic for SnnCore<N, WB, PB, WORD, AW, TB, VB, WAW, GB, SW, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        self.control.clock.next = self.clock.val();
        self.spike_gen.clock.next = self.clock.val();
        self.neurons.clock.next = self.clock.val();
        self.wta.clock.next = self.clock.val();
        self.stdp.clock.next = self.clock.val();
        self.weight_mem.clock.next = self.clock.val();

        // Host.
        self.control.start.next = self.start.val();
        self.control.learn.next = self.learn.val();
        self.spike_gen.pix_data.next = self.pix_data.val();
        self.spike_gen.pix_valid.next = self.pix_valid.val();
        self.pix_ready.next = self.spike_gen.pix_ready.val();
        self.weight_mem.host_mode.next = !self.control.busy.val();
        self.weight_mem.host_we.next = self.host_we.val();
        self.weight_mem.host_addr.next = self.host_addr.val();
        self.weight_mem.host_wdata.next = self.host_wdata.val();
        self.host_rdata.next = self.weight_mem.rdata.val();
        self.neurons.pot_sel.next = self.pot_sel.val();
        self.pot_out.next = self.neurons.pot_out.val();
        self.busy.next = self.control.busy.val();
        self.done.next = self.control.done.val();
        self.winner.next = self.wta.winner.val();
        self.winner_valid.next = self.wta.winner_valid.val();
        self.inhibit_step.next = self.wta.inhibit_step.val();
        self.cycles.next = self.control.cycles.val();
        self.threshold.next = self.control.thr.val();
        self.peak.next = self.control.peak.val();
        self.spike_valid.next = self.control.spike_valid.val();
        // The spike port carries the comparators' mask only in a cycle whose spikes take effect.
        self.spike_mask.next = 0.into();
        if self.control.spike_valid.val() {
            self.spike_mask.next = self.neurons.spikes.val();
        }
        self.spike_t.next = bit_cast::<16, STEP_BITS>(self.control.t.val());
        self.state.next = self.control.state.val();
        self.t.next = bit_cast::<16, STEP_BITS>(self.control.t.val());

        // control <-> spike_gen.
        self.spike_gen.start.next = self.control.sg_start.val();
        self.spike_gen.ingest.next = self.control.sg_ingest.val();
        self.spike_gen.drain.next = self.control.sg_drain.val();
        self.spike_gen.class_next.next = self.control.class_next.val();
        self.spike_gen.lists_next.next = self.control.lists_next.val();
        self.spike_gen.raddr.next = self.control.raddr.val();
        self.control.scan_last.next = self.spike_gen.scan_last.val();
        self.control.head.next = self.spike_gen.head.val();
        self.control.count_raw.next = self.spike_gen.count_raw.val();
        self.control.listed.next = self.spike_gen.listed.val();
        self.control.next_q.next = self.spike_gen.next_q.val();

        // control <-> neurons, wta.
        self.neurons.reset.next = self.control.n_reset.val();
        self.neurons.integrate.next = self.control.n_int.val();
        self.neurons.add.next = self.control.n_add.val();
        self.neurons.complete.next = self.control.n_complete.val();
        self.neurons.fire.next = self.control.n_fire.val();
        self.neurons.t.next = self.control.t.val();
        self.neurons.thr.next = self.control.thr.val();
        self.neurons.word.next = self.weight_mem.rdata.val();
        self.neurons.inhibit.next = self.wta.inhibit.val();
        self.neurons.ws.next = self.wta.fetch.val();
        self.control.spike_any.next = self.neurons.spike_any.val();
        self.control.above_any.next = self.neurons.above_any.val();
        self.wta.clear.next = self.control.wta_clear.val();
        self.wta.enter.next = self.control.wta_enter.val();
        self.wta.scan.next = self.control.wta_scan.val();
        self.wta.t.next = self.control.t.val();
        self.wta.shown_sel.next = self.neurons.shown_sel.val();
        self.control.wta_last.next = self.wta.last.val();
        self.control.winner_valid.next = self.wta.winner_valid.val();

        // control <-> stdp.
        self.stdp.walk_start.next = self.control.st_begin.val();
        self.stdp.walk.next = self.control.st_walk.val();
        self.stdp.drain.next = self.control.st_drain.val();
        self.stdp.pen_start.next = self.control.st_pen_start.val();
        self.stdp.pen_walk.next = self.control.st_pen_walk.val();
        self.stdp.spikes.next = self.neurons.spikes.val();
        self.stdp.winner.next = self.wta.winner.val();
        self.stdp.t.next = self.control.t.val();
        self.stdp.lag_m.next = self.control.lag_m.val();
        for k in 0..self._k {
            self.stdp.lag_r[k].next = self.control.lag_r[k].val();
            self.stdp.lag_q[k].next = self.control.lag_q[k].val();
        }
        self.stdp.lag_mask.next = self.control.lag_mask.val();
        self.stdp.head.next = self.spike_gen.head.val();
        self.stdp.head_silent.next = self.spike_gen.head_silent.val();
        self.stdp.next_q.next = self.spike_gen.next_q.val();
        self.stdp.word.next = self.weight_mem.rdata.val();
        self.neurons.lane_sel.next = self.stdp.lane_sel.val();
        self.stdp.lane_w.next = self.neurons.lane_w.val();
        self.control.st_class_next.next = self.stdp.class_next.val();
        self.control.st_begin_class.next = self.stdp.begin_class.val();
        self.control.st_raddr.next = self.stdp.raddr.val();
        self.control.st_walk_done.next = self.stdp.walk_done.val();
        self.control.st_more.next = self.stdp.more.val();
        self.control.st_pen_done.next = self.stdp.pen_done.val();

        // weight_mem.
        self.weight_mem.raddr.next = self.control.wm_raddr.val();
        self.control.st_wraddr.next = self.stdp.wraddr.val();
        self.weight_mem.we.next = self.stdp.we.val();
        self.weight_mem.waddr.next = self.stdp.waddr.val();
        self.weight_mem.wdata.next = self.stdp.wdata.val();
        self.weight_mem.wnew.next = self.stdp.wnew.val();
        self.weight_mem.wsel.next = self.stdp.wsel.val();

        // Row normalization: control, spike_gen's insertions and the host port <-> stdp; the
        // sweep reads weight_mem alone (next_mem keeps control's address: it is written
        // during the sweep), and the host reads the weights with the pending update applied.
        for z in 0..self._nz {
            self.stdp.sum_start[z].next = self.control.wta_clear.val();
            self.stdp.n_learn[z].next = self.control.n_learn[z].val();
            self.stdp.nm_begin[z].next = self.control.n_nm_begin[z].val();
            self.stdp.nm_step[z].next = self.control.n_nm_step[z].val();
            self.stdp.n_finish[z].next = self.control.n_finish[z].val();
            self.stdp.winner_valid[z].next = self.wta.winner_valid.val();
            self.stdp.ins[z].next = self.spike_gen.ins[z].val();
            self.stdp.ins_a[z].next = self.spike_gen.ins_a[z].val();
            self.stdp.ins_s[z].next = self.spike_gen.ins_s[z].val();
            self.stdp.craddr[z].next = self.control.raddr.val();
            self.stdp.host_mode[z].next = !self.control.busy.val();
            self.stdp.host_we[z].next = self.host_we.val();
            self.stdp.host_addr[z].next = self.host_addr.val();
            self.control.st_nm_last[z].next = self.stdp.nm_last[z].val();
            if self.stdp.n_rd[z].val() {
                self.weight_mem.raddr.next = self.stdp.n_raddr[z].val();
            }
            self.host_rdata.next = self.stdp.n_rdata[z].val();
        }
        for z in 0..self._nzl {
            self.stdp.n_sum[z].next = self.control.n_sum[z].val();
            self.control.st_sum_end[z].next = self.stdp.n_sum_end[z].val();
        }

        // Lane groups: control's group steps and Fire pass, wta's pending inhibition and
        // reads ahead, to the neuron array.
        for z in 0..self._ln {
            self.neurons.step[z].next = self.control.n_step[z].val();
            self.neurons.group[z].next = self.control.group[z].val();
            self.neurons.latch[z].next = self.control.n_latch[z].val();
            self.neurons.hold[z].next = self.control.n_hold[z].val();
            self.neurons.idle[z].next = !self.control.busy.val();
            self.control.wta_pending[z].next = self.wta.pending[z].val();
            self.wta.settle[z].next = self.control.w_settle[z].val();
        }

        // Homeostasis: the neurons' theta <-> host, control, wta.
        for h in 0..self._hd {
            self.neurons.bias[h].next = self.control.n_bias[h].val();
        }
        for h in 0..self._h {
            self.neurons.theta_upd[h].next = self.control.theta_upd[h].val();
            self.neurons.winner[h].next = self.wta.winner.val();
            self.neurons.winner_valid[h].next = self.wta.winner_valid.val();
            self.neurons.host_mode[h].next = !self.control.busy.val();
            self.neurons.theta_we[h].next = self.theta_we[h].val();
            self.neurons.theta_wdata[h].next = self.theta_wdata[h].val();
            self.theta_out[h].next = self.neurons.theta_out[h].val();
            self.wta.theta_sel[h].next = self.neurons.theta_ws[h].val();
        }
    }
}

/// Shared by the blocks' unit tests: the synth check of one block.
#[cfg(test)]
pub(crate) mod testing {
    use crate::verilog::{self, lint_verilator, synth_ice40, SynthReport};
    use rust_hdl::prelude::*;

    /// Generates `uut` as module `top`, lints it with Verilator `-Wall` and synthesises it for
    /// iCE40; asserts no latch. `None` when a tool is missing (`snn_testkit::tools`).
    pub fn lint_and_synth(uut: &mut impl Block, top: &str) -> Option<SynthReport> {
        if !snn_testkit::tools(top, &["verilator", "yosys"]) {
            return None;
        }
        let dir = snn_testkit::workdir(&format!("snn-hdl-units/{top}"));
        let path = dir.join(format!("{top}.v"));
        std::fs::write(&path, verilog::generate(uut, top)).unwrap();
        lint_verilator(&path, top).unwrap();
        let r = synth_ice40(&path, top).unwrap();
        assert_eq!(r.latches, 0, "{top}: latches in {r:?}");
        Some(r)
    }

    /// Lets combinational logic settle, then clocks one rising edge (and lets it settle).
    pub fn tick<T: Block>(uut: &mut T, clock: impl Fn(&mut T, bool)) {
        assert!(simulate(uut, 1000), "settles");
        clock(uut, true);
        assert!(simulate(uut, 1000), "settles");
        clock(uut, false);
        assert!(simulate(uut, 1000), "settles");
    }
}
