//! stdp: the weight-update unit. It walks, for each neuron that fired at step `t`, the steps
//! `m` of the STDP window and the lists of the period classes spiking at each `m` (stage A),
//! computes the update of one lane (stage B: bound distance times lookup table) and writes the
//! word back (stage C). The end-of-image penalty walks the silent list through the same pipeline.
//!
//! With row normalization built it also runs the *sweep* (docs/ARCHITECTURE.md, Ingest): during
//! Ingest, while weight_mem is otherwise idle, it reads each word as spike_gen classifies its
//! input, applies the update the previous training image left pending (the winner's penalty
//! where that image's input was silent, then its normalization step), and sums every row with
//! the penalty this image's silent inputs will get; stage C's writes then move the sums, so
//! that at the end of the image the winner's sum after STDP and penalty is known without a
//! pass. NormMul multiplies `S - rsum[winner]` by the reciprocal of `M`, one bit per cycle, and
//! the winner's row is left pending for the next sweep (SPEC section 10): neither the penalty
//! walk nor a pass over the row costs a cycle of the image.

use crate::mask::NeuronMask;
use crate::spike_mem::SpikeMem;
pub use snn_arch::codes::StdpOp;
use snn_arch::counters::StepCounters;
use snn_arch::{HwParams, MAX_LANES};

/// What stage A does in one cycle (driven by control from its state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdpCmd {
    /// Issue nothing.
    Hold,
    /// Fire with learning: start the walk of the lowest neuron of `spikes`.
    Begin { spikes: NeuronMask },
    /// State Stdp: one step of the walk.
    Walk,
    /// State StdpDrain: start the walk of the next neuron, if any.
    Drain,
    /// State End with a winner: read the head of the silent list.
    PenStart { winner: u32 },
    /// State Pen: follow the silent list.
    PenWalk,
}

/// Inputs of one cycle.
#[derive(Clone, Copy, Debug)]
pub struct StdpIn<'a> {
    pub cmd: StdpCmd,
    /// control: current step and the lag counters (`lag_m = max(1, t - whi)`).
    pub t: u32,
    pub lag_m: u32,
    pub lag: &'a StepCounters,
    /// spike_gen: list heads.
    pub head: &'a [u32],
    pub head_silent: u32,
    /// next_mem and weight_mem read data (the node read last cycle).
    pub next_q: u32,
    pub word_q: &'a [i32],
    /// A layer fed by spike_mem (layers >= 2): its words replace the class lists.
    pub replay: Option<&'a SpikeMem>,
}

/// Combinational outputs of one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StdpOut {
    /// Address presented to weight_mem and next_mem by stage A.
    pub rd: Option<u32>,
    /// Stage C writes lane `.1` of word `.0` with value `.2` (the rest of the word is the
    /// `word_c` of before this edge).
    pub write: Option<(u32, u32, i32)>,
    /// Walk: the last `m` of the current neuron finished in this cycle.
    pub walk_done: bool,
    /// Drain: another neuron is to be walked (`stdp_mask != 0`).
    pub more: bool,
    /// PenWalk: the silent list ended.
    pub pen_done: bool,
}

/// `tag_mem` bit 0: the input was silent in the image that wrote the tag.
pub const TAG_SILENT: u8 = 1;
/// `tag_mem` bit 1: the host wrote the word while an update was pending.
pub const TAG_SKIP: u8 = 2;

/// The sweep's ports in one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepOut {
    /// Address read from weight_mem and `tag_mem`.
    pub rd: Option<u32>,
    /// Lane `.1` of word `.0` becomes `.2` (the rest is the data register's word).
    pub write: Option<(u32, u32, i32)>,
}

/// The unit's registers. Data fields of a pipeline stage load only with its valid bit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stdp {
    /// Neuron being walked.
    pub sj: u32,
    /// Step of the window being walked, and its counters `sr[k], sq[k]` (as `sctr.r/q`).
    pub m: u32,
    pub sctr: StepCounters,
    /// Classes of step `m` not yet selected (empty when `|m - t| < wlo`).
    pub spend: u64,
    /// A layer fed by spike_mem: the inputs of step `m` not yet selected, and the silent
    /// inputs the penalty has not yet read; empty otherwise.
    pub spend_in: NeuronMask,
    pub pen_in: NeuronMask,
    /// A layer fed by spike_mem walks the window in SPEC section 6's order, the steps before
    /// `t` from nearest to farthest (`m` descending while `walk_down`), then those after.
    pub walk_down: bool,
    /// A layer fed by spike_mem: the word stage C wrote at the last edge (`fwd_v`), input
    /// `fwd_a` of group `fwd_g`; stage B takes it instead of weight_mem's read data when it
    /// holds that word. Such a layer may read an input two cycles after the read whose write
    /// lands at that edge, which the read-first RAM would answer with the old word.
    pub fwd_v: bool,
    pub fwd_a: u32,
    pub fwd_g: u32,
    pub fwd_word: [i32; MAX_LANES],
    /// Neurons still to walk after `sj`.
    pub stdp_mask: NeuronMask,
    /// Stage B (the word arrives from weight_mem in this stage).
    pub v_b: bool,
    pub op_b: StdpOp,
    pub d_b: u32,
    /// The neuron whose weight is updated: lane `lane_b mod P` of input `addr_b`'s word of
    /// group `lane_b div P` (with one lane per neuron, lane `lane_b` of word `addr_b`).
    pub lane_b: u32,
    pub addr_b: u32,
    /// Stage C (write-back).
    pub v_c: bool,
    pub op_c: StdpOp,
    pub lane_c: u32,
    pub addr_c: u32,
    pub word_c: [i32; MAX_LANES],
    pub w_c: i32,
    pub prod_c: u64,
    /// Row normalization: each row's sum (`RSB` bits, signed), with the penalty of this
    /// image's silent inputs.
    pub rsum: [i32; MAX_LANES],
    /// The sweep's stage: a word was read last cycle, of input `sw_a`, silent in this image
    /// when `sw_s`.
    pub sw_v: bool,
    pub sw_a: u32,
    pub sw_s: bool,
    /// The sweep's sum stage (training images): the word last written back (`U` of the word
    /// read), silent in this image when `sum_s`, to be added to the row sums at the next edge.
    /// A stage of its own so that the row-sum adders are not behind the read data and `U`.
    pub sum_v: bool,
    pub sum_w: [i32; MAX_LANES],
    pub sum_s: bool,
    /// NormMul: the product `(S - rsum[winner]) * norm_recip` so far, and the multiplier bit.
    pub nm_acc: i64,
    pub nm_bit: u32,
    /// The normalization step of the last training image with a winner.
    pub delta: i32,
    /// That image's update of row `upd_lane` is pending (the next sweep applies it).
    pub upd: bool,
    pub upd_lane: u32,
    /// `tag_mem` (`M` entries of [`TAG_SILENT`] and [`TAG_SKIP`], empty without normalization)
    /// and its read data register.
    pub tag: Vec<u8>,
    pub tag_q: u8,
    /// Sum walk (normalization with lane groups, `G > 1`): the next input to read, a word was
    /// read last cycle (of input `ws_i - 1`), and the winner's row sum so far.
    pub ws_i: u32,
    pub ws_v: bool,
    pub wsum: i32,
}

impl Stdp {
    pub fn new() -> Self {
        Stdp {
            sj: 0,
            m: 0,
            sctr: StepCounters::one(),
            spend: 0,
            spend_in: NeuronMask::EMPTY,
            pen_in: NeuronMask::EMPTY,
            walk_down: false,
            fwd_v: false,
            fwd_a: 0,
            fwd_g: 0,
            fwd_word: [0; MAX_LANES],
            stdp_mask: NeuronMask::EMPTY,
            v_b: false,
            op_b: StdpOp::Pot,
            d_b: 0,
            lane_b: 0,
            addr_b: 0,
            v_c: false,
            op_c: StdpOp::Pot,
            lane_c: 0,
            addr_c: 0,
            word_c: [0; MAX_LANES],
            w_c: 0,
            prod_c: 0,
            rsum: [0; MAX_LANES],
            sw_v: false,
            sw_a: 0,
            sw_s: false,
            sum_v: false,
            sum_w: [0; MAX_LANES],
            sum_s: false,
            nm_acc: 0,
            nm_bit: 0,
            delta: 0,
            upd: false,
            upd_lane: 0,
            tag: Vec::new(),
            tag_q: 0,
            ws_i: 0,
            ws_v: false,
            wsum: 0,
        }
    }

    /// The unit of a core: with normalization, its `tag_mem` of `M` entries.
    pub fn for_core(p: &HwParams) -> Self {
        Stdp {
            tag: vec![0; if p.normalization { p.m } else { 0 }],
            ..Stdp::new()
        }
    }

    /// Whether a read of `addr` now would miss a write still in the pipeline (a design hazard).
    #[inline]
    pub fn in_flight(&self, addr: u32) -> bool {
        (self.v_b && self.addr_b == addr) || (self.v_c && self.addr_c == addr)
    }

    /// Stage C's new lane value.
    #[inline]
    pub fn stage_c_value(&self, p: &HwParams) -> i32 {
        Self::written(self.op_c, self.w_c, self.prod_c, p)
    }

    /// Stage C's value from lane `w`, stage B's product and (Norm) the step `delta`.
    #[inline(always)]
    fn written(op: StdpOp, w: i32, prod: u64, p: &HwParams) -> i32 {
        let f = &p.format;
        let step = ((prod + (1u64 << (f.lut_frac_bits - 1))) >> f.lut_frac_bits) as i32;
        match op {
            StdpOp::Pot => w + step,
            StdpOp::Dep => w - step,
            StdpOp::Pen => (w - f.penalty).max(f.w_min),
        }
    }

    /// Stage B's product `lut[d] * dist` (0 for the penalty).
    #[inline]
    fn product(op: StdpOp, d: u32, w: i32, p: &HwParams) -> u64 {
        let f = &p.format;
        match op {
            StdpOp::Pot => f.lut_pot[(d - p.wlo) as usize] as u64 * (f.w_max - w) as u64,
            StdpOp::Dep => f.lut_dep[(d - p.wlo) as usize] as u64 * (w - f.w_min) as u64,
            StdpOp::Pen => 0,
        }
    }

    /// What stages B and C make of lane value `w` read with `(op, d)`: the product and the
    /// value written back.
    #[inline(always)]
    pub fn update(op: StdpOp, d: u32, w: i32, p: &HwParams) -> (u64, i32) {
        let prod = Self::product(op, d, w, p);
        (prod, Self::written(op, w, prod, p))
    }

    /// `start`: the row sums start over and the sweep's stages empty.
    pub fn start_sums(&mut self) {
        self.rsum = [0; MAX_LANES];
        self.sw_v = false;
        self.sum_v = false;
    }

    /// `U(word, tag)` for lane `upd_lane`: its new value when the pending update applies to a
    /// word with this tag (the winner's penalty if the input was silent, then `+ delta`,
    /// clamped), else `None` (nothing pending, or the host wrote the word after it).
    #[inline(always)]
    pub fn pending_value(&self, word: &[i32], tag: u8, p: &HwParams) -> Option<i32> {
        if !self.upd || tag & TAG_SKIP != 0 {
            return None;
        }
        let w = word[self.upd_lane as usize % p.lanes];
        Some(self.normalized(w, tag & TAG_SILENT != 0, p))
    }

    /// A weight of the winner's row after the end of a training image with normalization: the
    /// penalty when its input was `silent`, then `+ delta`, clamped.
    #[inline(always)]
    fn normalized(&self, w: i32, silent: bool, p: &HwParams) -> i32 {
        p.format.normalize(Self::summand(w, silent, p), self.delta)
    }

    /// A lane's contribution to its row's sum: with the penalty when the input is silent.
    #[inline(always)]
    fn summand(w: i32, silent: bool, p: &HwParams) -> i32 {
        if silent {
            (w - p.format.penalty).max(p.format.w_min)
        } else {
            w
        }
    }

    /// The sweep's sum stage at an edge: the word of the sum stage, if any, is added to the
    /// row sums (with the penalty when its input is silent), and the stage empties.
    #[inline(always)]
    pub fn sum_stage(&mut self, p: &HwParams) {
        if self.sum_v {
            for (r, &w) in self.rsum[..p.n].iter_mut().zip(&self.sum_w[..p.n]) {
                *r += Self::summand(w, self.sum_s, p);
            }
            self.sum_v = false;
        }
    }

    /// Loads the sum stage (a training image's sweep) with word `u` as written, silent if `s`.
    #[inline(always)]
    fn load_sum(&mut self, u: &[i32], s: bool, p: &HwParams) {
        self.sum_w[..p.n].copy_from_slice(&u[..p.n]);
        (self.sum_v, self.sum_s) = (true, s);
    }

    /// One edge of the sweep (normalization built): the sum stage's word is added to the row
    /// sums; the stage of the word read last cycle (`word_q`, tag `tag_q`) gets the pending
    /// update, is written back with its new tag and (`learn`) moves to the sum stage; then, when
    /// stage 3 inserts input `ins.0` (`ins.1`: silent) and the sweep runs (`learn` or an update
    /// pending), that input is read.
    #[inline]
    pub fn sweep_cycle(
        &mut self,
        ins: Option<(u32, bool)>,
        word_q: &[i32],
        learn: bool,
        p: &HwParams,
    ) -> SweepOut {
        let mut out = SweepOut::default();
        let run = learn || self.upd;
        self.sum_stage(p);
        if self.sw_v {
            let lane = self.upd_lane as usize % p.lanes;
            let new = self.pending_value(word_q, self.tag_q, p);
            if self.upd {
                out.write = Some((self.sw_a, self.upd_lane, new.unwrap_or(word_q[lane])));
            }
            // With lane groups the winner's sum is taken by the Sum walk at the end of the image.
            if learn && p.groups == 1 {
                let mut u = [0; MAX_LANES];
                u[..p.n].copy_from_slice(&word_q[..p.n]);
                if let Some(v) = new {
                    u[lane] = v;
                }
                self.load_sum(&u, self.sw_s, p);
            }
            self.tag[self.sw_a as usize] = if self.sw_s { TAG_SILENT } else { 0 };
            if self.sw_a as usize == p.m - 1 {
                self.upd = false;
            }
        }
        self.sw_v = false;
        if let Some((i, silent)) = ins.filter(|_| run) {
            self.tag_q = self.tag[i as usize];
            (self.sw_v, self.sw_a, self.sw_s) = (true, i, silent);
            out.rd = Some(i);
        }
        out
    }

    /// The sweep of a whole Ingest and Drain at once (the machine's fast Ingest): `silent[i]`
    /// for every input, `mem` weight_mem. Leaves the registers and `tag_mem` as the insertion
    /// of input `M - 1` leaves them (its word read, not yet processed; input `M - 2`'s word in
    /// the sum stage when it was inserted at the edge before, that is when an image row holds
    /// both, `W >= 2`); the caller loads weight_mem's data register with word `M - 1`.
    pub fn sweep_rows(
        &mut self,
        silent: &[bool],
        learn: bool,
        mem: &mut crate::weight_mem::WeightMem,
        p: &HwParams,
    ) {
        if !(learn || self.upd) {
            return;
        }
        let last = p.m - 1;
        let lane = self.upd_lane;
        for (i, &s) in silent[..last].iter().enumerate() {
            let tag = self.tag[i];
            if let Some(v) = self.pending_value(mem.word(i), tag, p) {
                mem.set_lane(i as u32, lane, v);
            }
            if learn {
                if i + 1 == last {
                    self.load_sum(mem.word(i), s, p);
                    if p.width < 2 {
                        // Inserted three edges before input `M - 1`: already summed.
                        self.sum_stage(p);
                    }
                } else {
                    for (r, &w) in self.rsum[..p.n].iter_mut().zip(mem.word(i)) {
                        *r += Self::summand(w, s, p);
                    }
                }
            }
            self.tag[i] = if s { TAG_SILENT } else { 0 };
        }
        self.tag_q = self.tag[last];
        (self.sw_v, self.sw_a, self.sw_s) = (true, last as u32, silent[last]);
    }

    /// Done (normalization): the winner's row is pending when a training image had a winner.
    pub fn set_pending(&mut self, learn: bool, winner_valid: bool, winner: u32) {
        (self.upd, self.upd_lane) = (learn && winner_valid, winner);
    }

    /// Host port (normalization): a write of input `i`'s word of lane group `g` is final,
    /// whatever is pending. A word of another group than the pending row's leaves the tag alone
    /// (its silent bit still serves that row's update).
    pub fn host_tag(&mut self, i: usize, g: usize, p: &HwParams) {
        if !self.tag.is_empty() && g == self.upd_lane as usize / p.lanes {
            self.tag[i] = if self.upd { TAG_SKIP } else { 0 };
        }
    }

    /// A stage C write changed lane `lane` by `change`: its row sum follows (normalization).
    #[inline(always)]
    pub fn track(&mut self, lane: u32, change: i32, p: &HwParams) {
        if p.normalization && p.groups == 1 {
            self.rsum[lane as usize] += change;
        }
    }

    /// End's edge into Sum (lane groups): the walk starts at input 0 with an empty sum.
    pub fn begin_sum(&mut self) {
        (self.ws_i, self.ws_v, self.wsum) = (0, false, 0);
    }

    /// One Sum cycle: the word read last cycle (`word_q`, `tag_q`: input `ws_i - 1`) adds the
    /// winner's lane to `wsum`, with the penalty when that input was silent in this image (in
    /// a layer fed by spikes, `replay`: when no word of spike_mem has it); then input `ws_i` is
    /// read while inputs remain. Returns the input read (`None` in the last cycle, which only
    /// adds).
    #[inline]
    pub fn sum_cycle(
        &mut self,
        winner: u32,
        word_q: &[i32],
        replay: Option<&SpikeMem>,
        p: &HwParams,
    ) -> Option<u32> {
        if self.ws_v {
            let w = word_q[winner as usize % p.lanes];
            let silent = match replay {
                Some(mem) => !mem.spiked(self.ws_i - 1),
                None => self.tag_q & TAG_SILENT != 0,
            };
            self.wsum += Self::summand(w, silent, p);
        }
        self.ws_v = (self.ws_i as usize) < p.m;
        if !self.ws_v {
            return None;
        }
        let i = self.ws_i;
        if replay.is_none() {
            self.tag_q = self.tag[i as usize];
        }
        self.ws_i += 1;
        Some(i)
    }

    /// NormMul's edge into Rewrite (a layer fed by spikes): the walk starts over at input 0.
    pub fn begin_rewrite(&mut self) {
        (self.ws_i, self.ws_v) = (0, false);
    }

    /// One Rewrite cycle (a layer fed by spikes, normalization): the winner's lane of the word
    /// read last cycle (input `ws_i - 1`) is written back penalized when the input was silent
    /// (not in `mem`), then moved by `delta`, clamped; then input `ws_i` is read while inputs
    /// remain. Returns the input read and the write (input, neuron, value); the last cycle
    /// only writes.
    #[inline]
    pub fn rewrite_cycle(
        &mut self,
        winner: u32,
        word_q: &[i32],
        mem: &SpikeMem,
        p: &HwParams,
    ) -> (Option<u32>, Option<(u32, u32, i32)>) {
        let mut write = None;
        if self.ws_v {
            let i = self.ws_i - 1;
            let w = word_q[winner as usize % p.lanes];
            write = Some((i, winner, self.normalized(w, !mem.spiked(i), p)));
        }
        self.ws_v = (self.ws_i as usize) < p.m;
        if !self.ws_v {
            return (None, write);
        }
        self.ws_i += 1;
        (Some(self.ws_i - 1), write)
    }

    /// The winner's row sum NormMul starts from: its `rsum`, or the Sum walk's with lane groups
    /// or in a layer fed by spikes (`replay`).
    #[inline]
    fn row_sum(&self, winner: u32, replay: bool, p: &HwParams) -> i32 {
        if p.groups == 1 && !replay {
            self.rsum[winner as usize]
        } else {
            self.wsum
        }
    }

    /// End's edge into NormMul: the product starts at 0.
    pub fn begin_norm_mul(&mut self) {
        self.nm_acc = 0;
        self.nm_bit = 0;
    }

    /// One NormMul cycle for the winner's row, most significant bit first (Horner: no shifter,
    /// one adder): `nm_acc = 2 * nm_acc + (S - rsum[winner])` when bit `RB - 1 - nm_bit` of the
    /// reciprocal is set, else `2 * nm_acc`. The last cycle (`nm_bit == RB - 1`) rounds and
    /// shifts the product into `delta`. Returns whether it was the last.
    #[inline]
    pub fn norm_mul(&mut self, winner: u32, replay: bool, p: &HwParams) -> bool {
        let f = &p.format;
        let sum = self.row_sum(winner, replay, p);
        let diff = f.norm_target - sum as i64;
        let bit = p.rb - 1 - self.nm_bit;
        let add = if f.norm_recip >> bit & 1 == 1 {
            diff
        } else {
            0
        };
        self.nm_acc = 2 * self.nm_acc + add;
        let last = self.nm_bit + 1 == p.rb;
        if last {
            self.delta = ((self.nm_acc + (1i64 << (f.norm_shift - 1))) >> f.norm_shift) as i32;
            debug_assert_eq!(self.delta, f.norm_delta(sum as i64));
        } else {
            self.nm_bit += 1;
        }
        last
    }

    /// Mask of step `m` restricted to the window: no class (or input) when `|m - t| < wlo`.
    #[inline]
    fn windowed<M: Default>(m: u32, t: u32, mask: M, p: &HwParams) -> M {
        if m.abs_diff(t) >= p.wlo {
            mask
        } else {
            M::default()
        }
    }

    /// Stage C's write port this cycle: lane `.1` of word `.0` becomes `.2`, the other lanes are
    /// those of `word_c` (read it before [`Stdp::clock`] reloads it).
    #[inline(always)]
    pub fn write_port(&self, p: &HwParams) -> Option<(u32, u32, i32)> {
        self.v_c
            .then(|| (self.addr_c, self.lane_c, self.stage_c_value(p)))
    }

    /// Loads the walk of neuron `sj` for the output spike at step `inp.t`: at its first step
    /// `m0 = lag_m` (`lag` its counters) with its classes, or (`replay`) at the window's step
    /// nearest `t` with its inputs (spike_mem's word).
    #[inline(always)]
    fn begin_walk(&mut self, inp: &StdpIn, p: &HwParams) {
        let t = inp.t;
        self.m = inp.lag_m;
        self.sctr = *inp.lag;
        if let Some(mem) = inp.replay {
            // The nearest step before `t` in the window, else the nearest after, else none
            // (the walk's one cycle then finds it done).
            (self.walk_down, self.m) = if t > p.wlo {
                (true, t - p.wlo)
            } else if t + p.wlo <= p.t_steps {
                (false, t + p.wlo)
            } else {
                (false, p.t_steps)
            };
            self.spend_in = Self::windowed(self.m, t, mem.step(self.m), p);
            return;
        }
        let mask = p.masks[inp.lag_m as usize];
        debug_assert_eq!(mask, inp.lag.mask(p));
        self.spend = Self::windowed(inp.lag_m, t, mask, p);
    }

    /// Stage B's operation for a node of step `m` in the walk of `sj` at step `t`.
    #[inline(always)]
    fn aim(&mut self, t: u32) {
        self.op_b = if self.m < t { StdpOp::Pot } else { StdpOp::Dep };
        self.d_b = self.m.abs_diff(t);
        self.lane_b = self.sj;
    }

    /// Stage A issues a read of `addr` (stage B's other fields are set by the caller).
    #[inline(always)]
    fn issue(&mut self, addr: u32, out: &mut StdpOut) {
        self.v_b = true;
        self.addr_b = addr;
        out.rd = Some(addr);
    }

    /// Stage A in state Stdp when not following a list, for the output spike at step `t`: select
    /// the lowest class left of step `m` (its head is to be read unless `NIL`, with stage B's
    /// `op_b, d_b, lane_b` set), else advance `m`, else the walk is done. Returns the head to
    /// read and whether the walk is done.
    #[inline(always)]
    pub fn select(&mut self, t: u32, head: &[u32], p: &HwParams) -> (Option<u32>, bool) {
        if self.spend != 0 {
            let bit = self.spend.trailing_zeros();
            self.spend &= self.spend - 1;
            let h = head[self.sctr.class(bit, p)];
            if h == p.nil {
                return (None, false);
            }
            self.aim(t);
            (Some(h), false)
        } else if self.m < p.t_steps.min(t + p.whi) {
            self.spend = Self::windowed(self.m + 1, t, self.sctr.advance(p), p);
            self.m += 1;
            (None, false)
        } else {
            (None, true)
        }
    }

    /// Stage A in state Stdp of a layer fed by spike_mem: the lowest input left of step `m`
    /// (each input is a one-node list), else the next step of the window in SPEC section 6's
    /// order (`t - wlo` down to `max(1, t - whi)`, then `t + wlo` up to `min(T, t + whi)`) with
    /// `mem`'s word, else the walk is done. Returns the input to read and whether it is done.
    #[inline]
    fn select_input(&mut self, t: u32, mem: &SpikeMem, p: &HwParams) -> (Option<u32>, bool) {
        if let Some(i) = self.spend_in.pop_lowest() {
            self.aim(t);
            return (Some(i), false);
        }
        let next = if self.walk_down && self.m > t.saturating_sub(p.whi).max(1) {
            Some(self.m - 1)
        } else if self.walk_down && t + p.wlo <= p.t_steps {
            self.walk_down = false;
            Some(t + p.wlo)
        } else if !self.walk_down && self.m < p.t_steps.min(t + p.whi) {
            Some(self.m + 1)
        } else {
            None
        };
        match next {
            Some(m) => {
                self.m = m;
                self.spend_in = mem.step(m);
                (None, false)
            }
            None => (None, true),
        }
    }

    /// Stage A in state StdpDrain: loads the walk of the next neuron of `stdp_mask`, if any
    /// (returned: `more`).
    #[inline(always)]
    pub fn next_walk(&mut self, inp: &StdpIn, p: &HwParams) -> bool {
        let more = !self.stdp_mask.is_empty();
        if let Some(j) = self.stdp_mask.lowest() {
            self.sj = j;
            self.stdp_mask = self.stdp_mask.without_lowest();
            self.begin_walk(inp, p);
        }
        more
    }

    /// Stage A of the penalty's first cycle (state End): stage B's fields for the silent list,
    /// whose head is to be read.
    #[inline(always)]
    pub fn begin_penalty(&mut self, winner: u32) {
        self.op_b = StdpOp::Pen;
        self.d_b = 0;
        self.lane_b = winner;
    }

    /// One clock edge of the unit: stages updated last first (C's write is [`Stdp::write_port`],
    /// B moves to C, A to B), so every register gets its next value from current values only.
    #[inline(always)]
    pub fn clock(&mut self, inp: &StdpIn, p: &HwParams) -> StdpOut {
        let mut out = StdpOut {
            write: self.write_port(p),
            ..StdpOut::default()
        };
        if let Some((_, lane, value)) = out.write {
            self.track(lane, value - self.w_c, p);
        }
        // Stage B -> C: the word read last cycle arrives, or the one written at the last edge
        // when it is that word.
        let lanes = p.lanes as u32;
        let fwd = self.fwd_v && (self.fwd_a, self.fwd_g) == (self.addr_b, self.lane_b / lanes);
        let fwd_word;
        let word_q: &[i32] = if fwd {
            fwd_word = self.fwd_word;
            &fwd_word
        } else {
            inp.word_q
        };
        self.fwd_v = false;
        if let Some((a, lane, value)) = out.write.filter(|_| inp.replay.is_some()) {
            (self.fwd_v, self.fwd_a, self.fwd_g) = (true, a, lane / lanes);
            self.fwd_word[..p.lanes].copy_from_slice(&self.word_c[..p.lanes]);
            self.fwd_word[(lane % lanes) as usize] = value;
        }
        self.v_c = self.v_b;
        if self.v_b {
            let w = word_q[self.lane_b as usize % p.lanes];
            self.op_c = self.op_b;
            self.lane_c = self.lane_b;
            self.addr_c = self.addr_b;
            self.word_c[..p.lanes].copy_from_slice(&word_q[..p.lanes]);
            self.w_c = w;
            self.prod_c = Self::product(self.op_b, self.d_b, w, p);
        }
        // Stage A -> B. A layer fed by spike_mem has no lists to follow.
        let following = self.v_b && inp.next_q != p.nil && inp.replay.is_none();
        self.v_b = false;
        match inp.cmd {
            StdpCmd::Hold => {}
            StdpCmd::Begin { spikes } => {
                self.sj = spikes.lowest().expect("a walk begins with a spike");
                self.stdp_mask = spikes.without_lowest();
                self.begin_walk(inp, p);
            }
            StdpCmd::Walk => {
                if following {
                    self.issue(inp.next_q, &mut out);
                } else {
                    let (rd, done) = match inp.replay {
                        Some(mem) => self.select_input(inp.t, mem, p),
                        None => self.select(inp.t, inp.head, p),
                    };
                    if let Some(h) = rd {
                        self.issue(h, &mut out);
                    }
                    out.walk_done = done;
                }
            }
            StdpCmd::Drain => out.more = self.next_walk(inp, p),
            // A layer fed by spike_mem walks its silent inputs (never set in any word) lowest
            // first instead of the silent list: one read per cycle as well.
            StdpCmd::PenStart { winner } => {
                let head = match inp.replay {
                    Some(mem) => {
                        self.pen_in = mem.silent();
                        self.pen_in.pop_lowest()
                    }
                    None => (inp.head_silent != p.nil).then_some(inp.head_silent),
                };
                if let Some(h) = head {
                    self.issue(h, &mut out);
                    self.begin_penalty(winner);
                }
            }
            StdpCmd::PenWalk => {
                let next = match inp.replay {
                    Some(_) => self.pen_in.pop_lowest(),
                    None => following.then_some(inp.next_q),
                };
                match next {
                    Some(i) => self.issue(i, &mut out),
                    None => out.pen_done = true,
                }
            }
        }
        out
    }
}

impl Default for Stdp {
    fn default() -> Self {
        Stdp::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use snn_core::config::SnnConfig;

    /// A stub context: one class list, a weight memory as a plain array, the unit clocked alone.
    /// Period 40 (class 10) holds inputs 3 -> 1 -> NIL; neuron 1 fires at t = 60, so the walk
    /// covers m = 40..=80: input spikes at m = 40 (potentiation, d = 20) and 80 (depression, d = 20).
    #[test]
    fn one_walk_updates_each_visited_lane_like_the_fixed_model() {
        let p = HwParams::new(&SnnConfig {
            neurons: 2,
            height: 2,
            width: 2,
            ..SnnConfig::default()
        })
        .unwrap();
        let mut head = vec![p.nil; p.nc];
        head[10] = 3;
        let next = [p.nil, p.nil, p.nil, 1];
        let mut mem = [[100i32, -50]; 4];
        let t = 60;
        let mut lag = StepCounters::one();
        for _ in 1..t - p.whi {
            lag.advance(&p);
        }
        let mut s = Stdp::new();
        let (mut next_q, mut word_q) = (0u32, [0i32; MAX_LANES]);
        let mut cmd = StdpCmd::Begin {
            spikes: NeuronMask::from_fn(2, |j| j == 1),
        };
        let mut reads = Vec::new();
        let mut cycles = 0;
        loop {
            let inp = StdpIn {
                cmd,
                t,
                lag_m: t - p.whi,
                lag: &lag,
                head: &head,
                head_silent: p.nil,
                next_q,
                word_q: &word_q,
                replay: None,
            };
            if let Some((a, lane, v)) = s.write_port(&p) {
                let mut w = [s.word_c[0], s.word_c[1]];
                w[lane as usize] = v;
                mem[a as usize] = w;
            }
            let out = s.clock(&inp, &p);
            if let Some(a) = out.rd {
                reads.push((cycles, a));
                next_q = next[a as usize];
                word_q[..2].copy_from_slice(&mem[a as usize]);
            }
            cycles += 1;
            match cmd {
                StdpCmd::Drain => break,
                _ if out.walk_done => cmd = StdpCmd::Drain,
                _ => cmd = StdpCmd::Walk,
            }
        }
        let f = &p.format;
        let want = f.depress(f.potentiate(-50, 20), 20);
        assert_eq!(mem[3], [100, want]);
        assert_eq!(mem[1], [100, want]);
        assert_eq!(mem[0], [100, -50]);
        // Begin, then per m one cycle plus one per class of the windowed mask (empty or not)
        // plus one per further node (a second node at m = 40 and at m = 80), then Drain.
        let mut c = lag;
        let mut want = 2 + 2;
        for m in t - p.whi..=t + p.whi {
            want += 1 + Stdp::windowed(m, t, c.mask(&p), &p).count_ones();
            c.advance(&p);
        }
        assert_eq!(cycles, want);
        assert_eq!(reads.iter().map(|r| r.1).collect::<Vec<_>>(), [3, 1, 3, 1]);
    }
}
