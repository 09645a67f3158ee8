//! The machine: all blocks, their wiring and the clock. `step()` is one clock edge: every block's
//! next state is computed from the current state of all blocks (combinational paths as in
//! docs/ARCHITECTURE.md), with the effect of committing all of them together.

use crate::control::{Control, FireAction, FsmState};
use crate::mask::NeuronMask;
use crate::neuron::Neurons;
use crate::spike_gen::{SgCmd, SpikeGen};
use crate::spike_mem::SpikeMem;
use crate::stdp::{Stdp, StdpCmd, StdpIn, StdpOp};
use crate::weight_mem::{WeightMem, WordWrite};
use crate::wta::{Wta, WtaCmd};
use anyhow::{bail, Result};
use serde::Serialize;
use snn_arch::{HwParams, MAX_LANES};
use snn_core::config::SnnConfig;
use snn_core::control::Presentation;

/// Clock edges since the machine was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Cycle(pub u64);

/// The spike port: neurons firing at step `t` (bit `j` = neuron `j`), in a Fire cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpikeEvent {
    pub mask: NeuronMask,
    pub t: u32,
}

/// The WTA unit chose `neuron` at step `t` and inhibited the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WinnerEvent {
    pub neuron: u32,
    pub t: u32,
}

/// Stage C wrote weight_mem word `addr`: lane `lane` became `value`, the other lanes were written
/// back unchanged (the whole word is `machine.weight_mem().word(addr)` after the edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightWrite {
    pub addr: u32,
    pub lane: u32,
    pub value: i32,
}

/// The `done` port: end of the image, with the winner and the image's cycle count (Done included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoneEvent {
    pub winner: Option<u32>,
    pub cycles: u32,
}

/// What happened in one cycle (ports and strobes; registers are read through the accessors).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Events {
    /// Pixel taken from the host (`pix_ready` was high).
    pub pixel: Option<u8>,
    /// Address presented to weight_mem and next_mem.
    pub read: Option<u32>,
    pub spike: Option<SpikeEvent>,
    pub winner: Option<WinnerEvent>,
    pub weight_write: Option<WeightWrite>,
    pub done: Option<DoneEvent>,
}

/// Sees the machine after every clock edge (tracing: VCD, logs). `events` are those of the
/// cycle that just ended; the machine shows the registers after its edge.
pub trait Observer {
    fn observe(&mut self, machine: &Machine, events: &Events);
    /// Flush whatever the observer buffers; called by [`Machine::finish_observer`].
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The accelerator: blocks, host-side ports and the clock.
pub struct Machine {
    p: HwParams,
    spike_gen: SpikeGen,
    neurons: Neurons,
    wta: Wta,
    stdp: Stdp,
    weight_mem: WeightMem,
    control: Control,
    now: Cycle,
    /// Host side: the `start` pulse (with `learn`) for the next edge, and the pixel source.
    start: Option<bool>,
    pixels: Vec<u8>,
    pix_pos: usize,
    observer: Option<Box<dyn Observer>>,
    /// A layer fed by the layer below (layers >= 2): the spike memory it replays instead of
    /// an image (spike_gen then idles); `None` for the first layer.
    spike_mem: Option<SpikeMem>,
}

impl Machine {
    pub fn new(cfg: &SnnConfig) -> Result<Self> {
        Ok(Machine::with_params(HwParams::new(cfg)?))
    }

    /// A machine in Idle with all weights 0.
    pub fn with_params(p: HwParams) -> Self {
        Machine {
            spike_gen: SpikeGen::new(&p),
            neurons: Neurons::new(&p),
            wta: Wta::default(),
            stdp: Stdp::for_core(&p),
            weight_mem: WeightMem::new(&p),
            control: Control::new(),
            now: Cycle(0),
            start: None,
            pixels: Vec::new(),
            pix_pos: 0,
            observer: None,
            spike_mem: None,
            p,
        }
    }

    /// A machine for a layer fed by the layer below: its inputs are the `p.m` neurons of that
    /// layer, replayed from a spike memory ([`Machine::start_replay`]).
    pub fn for_replay(p: HwParams) -> Self {
        Machine {
            spike_mem: Some(SpikeMem::new(p.t_steps, p.m)),
            ..Machine::with_params(p)
        }
    }

    /// Whether this machine's inputs come from a spike memory.
    pub fn replays(&self) -> bool {
        self.spike_mem.is_some()
    }

    pub fn params(&self) -> &HwParams {
        &self.p
    }

    fn require_idle(&self, what: &str) -> Result<()> {
        if self.control.state != FsmState::Idle {
            bail!(
                "{what} needs the core in Idle, it is in {}",
                self.control.state.name()
            );
        }
        Ok(())
    }

    /// Host port, Idle only: raw weights, `w[j * M + i]` = neuron `j`, input `i` (the golden
    /// model's `weights` in row-major order), each within `[w_min, w_max]`.
    pub fn load_weights(&mut self, w: &[i32]) -> Result<()> {
        self.require_idle("load_weights")?;
        let (n, m) = (self.p.n, self.p.m);
        if w.len() != n * m {
            bail!(
                "load_weights: {} values, the core holds N x M = {n} x {m} = {}",
                w.len(),
                n * m
            );
        }
        let f = &self.p.format;
        if let Some(k) = w.iter().position(|&x| x < f.w_min || x > f.w_max) {
            bail!("load_weights: neuron {}, input {}: raw weight {} outside [w_min, w_max] = [{}, {}]", k / m, k % m, w[k], f.w_min, f.w_max);
        }
        let lanes = self.p.lanes;
        let mut word = vec![0; lanes];
        for g in 0..self.p.groups {
            for i in 0..m {
                for (l, lane) in word.iter_mut().enumerate() {
                    let j = g * lanes + l;
                    *lane = if j < n { w[j * m + i] } else { 0 };
                }
                let a = self.weight_mem.addr(g as u32, i as u32);
                self.weight_mem.host_write(a as usize, &word);
                self.stdp.host_tag(i, g, &self.p);
            }
        }
        Ok(())
    }

    /// Host port: all weights, `[j * M + i]` = neuron `j`, input `i`: the logical weights,
    /// with an update the next sweep would apply (normalization) applied, as `host_rdata`
    /// shows them.
    pub fn weights(&self) -> Vec<i32> {
        let (n, m) = (self.p.n, self.p.m);
        let mut w = vec![0; n * m];
        for i in 0..m {
            for (j, &x) in self.word(i).iter().enumerate() {
                w[j * m + i] = x;
            }
        }
        w
    }

    /// Input `i`'s N weights as the host port reads them, word by word (with the pending
    /// update, if any, applied to its row's word).
    fn word(&self, i: usize) -> Vec<i32> {
        let p = &self.p;
        let mut all = Vec::with_capacity(p.groups * p.lanes);
        for g in 0..p.groups as u32 {
            let a = self.weight_mem.addr(g, i as u32) as usize;
            let mut word = self.weight_mem.word(a).to_vec();
            let upd = self.stdp.upd_lane;
            if let Some(&tag) = self.stdp.tag.get(i).filter(|_| upd / p.lanes as u32 == g) {
                if let Some(v) = self.stdp.pending_value(&word, tag, p) {
                    word[upd as usize % p.lanes] = v;
                }
            }
            all.extend(word);
        }
        all.truncate(p.n);
        all
    }

    /// Host port, Idle only: the adaptive thresholds, raw, one per neuron, each in
    /// `[0, theta_max]` (all 0 when homeostasis is not built).
    pub fn load_theta(&mut self, theta: &[i32]) -> Result<()> {
        self.require_idle("load_theta")?;
        let n = self.p.n;
        if theta.len() != n {
            bail!(
                "load_theta: {} values, the core has N = {n} neurons",
                theta.len()
            );
        }
        let max = self.p.format.theta_max;
        if let Some(j) = theta.iter().position(|&x| !(0..=max).contains(&x)) {
            bail!(
                "load_theta: neuron {j}: raw theta {} outside [0, theta_max] = [0, {max}]",
                theta[j]
            );
        }
        for (j, &x) in theta.iter().enumerate() {
            self.neurons.set_theta(j, x);
        }
        Ok(())
    }

    /// Host port: the adaptive thresholds, raw.
    pub fn theta(&self) -> Vec<i32> {
        self.neurons.theta().to_vec()
    }

    /// Weight of neuron `j` for input `i` (as the host port reads it).
    pub fn weight(&self, j: usize, i: usize) -> i32 {
        self.word(i)[j]
    }

    /// Host side: the image whose pixels are handed over, one per `pix_ready` cycle, in raster
    /// order (`H * W` bytes).
    pub fn load_image(&mut self, pixels: &[u8]) -> Result<()> {
        self.require_idle("load_image")?;
        if pixels.len() != self.p.m {
            bail!(
                "image has {} pixels, the core takes H x W = {} x {} = {}",
                pixels.len(),
                self.p.height,
                self.p.width,
                self.p.m
            );
        }
        self.pixels.clear();
        self.pixels.extend_from_slice(pixels);
        self.pix_pos = 0;
        Ok(())
    }

    /// Host `start` pulse (with `learn`) for the next clock edge; the core leaves Idle there.
    pub fn start(&mut self, learn: bool) -> Result<()> {
        self.require_idle("start")?;
        if self.pixels.len() != self.p.m || self.pix_pos != 0 {
            bail!("start: load an image first (load_image)");
        }
        self.start = Some(learn);
        Ok(())
    }

    /// A layer fed by spike_mem: the edge that ends the layer below (its Done, counted there)
    /// starts this layer's image with `mem` written: the image's registers reset as at `start`,
    /// and control goes straight to Divide with spike_mem's peak.
    pub fn start_replay(&mut self, mem: SpikeMem, learn: bool) -> Result<()> {
        self.require_idle("start_replay")?;
        let Some(own) = self.spike_mem.as_mut() else {
            bail!("start_replay: this machine's inputs are an image (Machine::for_replay makes one fed by spikes)");
        };
        if mem.inputs() != self.p.m {
            bail!(
                "start_replay: a spike memory of {} inputs for a layer of {} inputs",
                mem.inputs(),
                self.p.m
            );
        }
        *own = mem;
        let peak = own.peak();
        self.reset_image();
        self.control.start_replay(learn, peak, &self.p);
        Ok(())
    }

    /// One clock edge.
    ///
    /// Each state clocks the blocks it drives, after sampling from the others every input they
    /// need: every register's next value comes from current values only. A block a state does
    /// not drive has no command and an empty pipeline there, so its next state is its current
    /// state: not clocking it is exact, and it is what makes the model fast.
    #[inline]
    pub fn step(&mut self) -> Events {
        let mut ev = Events::default();
        match self.control.state {
            FsmState::Idle => self.idle(),
            FsmState::Ingest => self.scan(SgCmd::Ingest, &mut ev),
            FsmState::Drain => self.scan(SgCmd::Drain, &mut ev),
            FsmState::Thresh => {
                self.sweep_tail(&mut ev);
                self.control.thresh(&self.spike_gen.count, &self.p);
            }
            FsmState::Divide => self.divide(),
            FsmState::Bias => {
                if self.p.groups == 1 {
                    self.neurons.load_thresholds(self.control.thr);
                } else {
                    let g = self.control.group;
                    self.neurons.load_thresholds_group(g, self.control.thr);
                }
                self.control.bias(&self.p);
            }
            FsmState::Int => self.int(&mut ev),
            FsmState::Fire => self.fire(&mut ev),
            FsmState::Wta => self.wta_scan(&mut ev),
            FsmState::Stdp
            | FsmState::StdpDrain
            | FsmState::End
            | FsmState::Pen
            | FsmState::PenDrain
            | FsmState::NormMul => self.learn_cycle(&mut ev),
            FsmState::Sum => self.sum_cycle(&mut ev),
            FsmState::Rewrite => self.rewrite_cycle(&mut ev),
            FsmState::Done => self.done(&mut ev),
        }
        self.now.0 += 1;
        if let Some(mut o) = self.observer.take() {
            o.observe(self, &ev);
            self.observer = Some(o);
        }
        ev
    }

    /// Done: homeostasis moves every theta (with lane groups, one group per cycle, the last
    /// cycle being the one that pulses `done`), normalization leaves the winner's row pending.
    fn done(&mut self, ev: &mut Events) {
        let winner = self.winner();
        if self.control.learn && self.p.homeostasis {
            if self.p.groups == 1 {
                self.neurons.update_theta(winner, &self.p);
            } else {
                let g = self.control.group;
                self.neurons.update_theta_group(g, winner, &self.p);
                if g as usize + 1 < self.p.groups {
                    self.control.theta_pass();
                    return;
                }
            }
        }
        // A layer fed by spikes rewrote its winner's row already (Rewrite).
        if self.p.normalization && self.spike_mem.is_none() {
            let w = &self.wta;
            self.stdp
                .set_pending(self.control.learn, w.winner_valid, w.winner);
        }
        ev.done = Some(DoneEvent {
            winner,
            cycles: self.control.done(),
        });
    }

    /// Clocks the rest of the current phase: the same edges as calling [`Machine::step`] until
    /// the phase ends, with the same registers, memories and [`Machine::now`] after them, but
    /// without building the events of each edge and, where a phase's outcome has a closed form,
    /// without computing each edge (each phase function says how it gets the same state).
    ///
    /// The phases are Ingest with Drain, Thresh, Divide, the Int steps with their Fire edges
    /// (up to a Fire edge with spikes, or one that leaves for Wta, Stdp or End), and the
    /// learning states (Stdp, StdpDrain, End, Pen, PenDrain) up to Int or Done. Of the events
    /// of their edges, only a Fire edge's spike matters to [`Machine::run_image`], and a phase
    /// ends with its only Fire edge that has one: the returned events are those of the last
    /// edge when it is a Fire edge, else empty (the pixel, read and write strobes of a phase are
    /// not reported). In any other state (Idle, Fire, Wta, Done), and at every edge while an
    /// observer is attached (tracing must see every cycle), this is exactly one
    /// [`Machine::step`] and returns its events.
    pub fn advance(&mut self) -> Events {
        // Lane groups and layers fed by spikes are modelled edge by edge.
        if self.observer.is_some() || self.p.groups > 1 || self.spike_mem.is_some() {
            return self.step();
        }
        let mut ev = Events::default();
        let edges = match self.control.state {
            FsmState::Ingest | FsmState::Drain => self.scan_phase(),
            FsmState::Thresh => self.thresh_phase(),
            FsmState::Divide => self.divide_phase(),
            FsmState::Int => self.int_phase(&mut ev),
            FsmState::Stdp
            | FsmState::StdpDrain
            | FsmState::End
            | FsmState::Pen
            | FsmState::PenDrain
            | FsmState::NormMul => self.learn_phase(),
            FsmState::Idle
            | FsmState::Fire
            | FsmState::Wta
            | FsmState::Bias
            | FsmState::Done
            | FsmState::Sum
            | FsmState::Rewrite => {
                return self.step();
            }
        };
        self.now.0 += edges;
        ev
    }

    // The phases of `advance`. Each returns the number of edges it clocked. Where a phase's
    // shortcut needs the state its first edge sees and the machine was stepped past that edge,
    // the phase runs the handlers of `step` edge by edge. Not inlined: one call per phase, and
    // each is compiled (and profiled) on its own.

    /// Ingest and Drain: [`SpikeGen::ingest_image`] computes what their edges leave.
    #[inline(never)]
    fn scan_phase(&mut self) -> u64 {
        let p = &self.p;
        let sg = &self.spike_gen;
        if self.control.state == FsmState::Ingest
            && (sg.scan_r, sg.scan_c, sg.v1, sg.v2, sg.v3) == (0, 0, false, false, false)
        {
            let edges = self.spike_gen.ingest_image(&self.pixels, p);
            self.pix_pos = p.m;
            if p.normalization && (self.control.learn || self.stdp.upd) {
                // The sweep visits the inputs in order as they are classified; the last one's
                // word is read at the last Drain edge, written back in Thresh's first cycle and
                // summed in its second.
                let sg = &self.spike_gen;
                let mut silent = vec![false; p.m];
                let mut a = sg.head_silent;
                while a != p.nil {
                    silent[a as usize] = true;
                    a = sg.next_mem[a as usize];
                }
                let learn = self.control.learn;
                self.stdp
                    .sweep_rows(&silent, learn, &mut self.weight_mem, p);
                self.weight_mem.clock(Some(p.m as u32 - 1), None);
            }
            self.control.scan_edges(edges, p);
            return edges;
        }
        // Entered mid-scan (by stepping): edge by edge.
        let mut ev = Events::default();
        let mut edges = 0;
        while matches!(self.control.state, FsmState::Ingest | FsmState::Drain) {
            let cmd = if self.control.state == FsmState::Ingest {
                SgCmd::Ingest
            } else {
                SgCmd::Drain
            };
            self.scan(cmd, &mut ev);
            edges += 1;
        }
        edges
    }

    /// Thresh: [`Control::thresh_pass`] computes what its edges leave.
    #[inline(never)]
    fn thresh_phase(&mut self) -> u64 {
        let c = &self.control;
        if (c.t, c.acc, c.pend) == (1, 0, self.p.mask_one) {
            // The sweep's last two edges are Thresh's first two (its edges leave stdp alone).
            self.sweep_tail(&mut Events::default());
            let edges = self.control.thresh_pass(&self.spike_gen.count, &self.p);
            if edges >= 2 {
                self.stdp.sum_stage(&self.p);
            }
            return edges;
        }
        // Entered after its first cycle (by stepping): edge by edge.
        let mut edges = 0;
        while self.control.state == FsmState::Thresh {
            self.stdp.sum_stage(&self.p);
            self.control.thresh(&self.spike_gen.count, &self.p);
            edges += 1;
        }
        edges
    }

    /// Divide: its `QB` edges (few and cheap), edge by edge.
    #[inline(never)]
    fn divide_phase(&mut self) -> u64 {
        let mut edges = 0;
        while self.control.state == FsmState::Divide {
            self.divide();
            edges += 1;
        }
        edges
    }

    /// One Divide edge. Without homeostasis the neurons' thresholds are `thr` itself, loaded
    /// with it at the last edge (the RTL compares with `thr`); with it, Bias loads them. When
    /// Thresh lasted one cycle (`T = 1`), the sweep's last word is summed at the first edge.
    #[inline]
    fn divide(&mut self) {
        self.stdp.sum_stage(&self.p);
        self.control.divide(&self.p);
        if self.control.state == FsmState::Int {
            self.neurons.load_thresholds(self.control.thr);
        }
        // A layer fed by spikes starts step 1 on spike_mem's first word instead of classes.
        if let Some(mem) = self.spike_mem.as_ref() {
            if self.control.state != FsmState::Divide {
                (self.control.pend, self.control.pend_in) = (0, mem.step(1));
            }
        }
    }

    /// Int steps, each with its Fire edge, up to a Fire edge with spikes (whose events are
    /// returned in `ev`) or one that leaves for Wta, Stdp or End.
    #[inline(never)]
    fn int_phase(&mut self, ev: &mut Events) -> u64 {
        let mut edges = 0;
        loop {
            edges += self.int_step() + 1;
            *ev = Events::default();
            self.fire(ev);
            if ev.spike.is_some() || self.control.state != FsmState::Int {
                return edges;
            }
        }
    }

    /// One step's Int: [`Machine::int`]'s transfers with control's stage A registers in locals
    /// (written back by [`Control::int_edges`]) and weight_mem's data register loaded once at
    /// the end with the last word read (stage B takes each word from the memory, which nothing
    /// writes in Int).
    #[inline(always)]
    fn int_step(&mut self) -> u64 {
        let p = &self.p;
        let c = &self.control;
        let sg = &self.spike_gen;
        let t = c.t;
        let (mut pend, mut rd_valid, mut next_q) = (c.pend, c.rd_valid, sg.next_q);
        let mut last_read = None;
        let mut edges = 0;
        loop {
            edges += 1;
            if rd_valid {
                let word = match last_read {
                    Some(a) => self.weight_mem.word_groups(a as usize),
                    None => self.weight_mem.q_groups(),
                };
                self.neurons.accumulate(t, word, p);
            }
            let is = Control::issue(pend, &c.ctr, rd_valid, next_q, &sg.head, p);
            if is.complete {
                break;
            }
            (pend, rd_valid) = (is.pend, is.rd.is_some());
            if let Some(a) = is.rd {
                next_q = sg.next_mem[a as usize];
                last_read = Some(a);
            }
        }
        self.neurons.complete(t, p);
        self.control.int_edges(edges, p);
        self.spike_gen.next_q = next_q;
        if last_read.is_some() {
            self.weight_mem.clock(last_read, None);
        }
        edges
    }

    /// The learning states (Stdp, StdpDrain, End, Pen, PenDrain, and with normalization NormMul)
    /// up to Int or Done, each node of a walk applied when it is read (and its
    /// change added to its row's sum). Stepping writes a node's word two edges after reading it,
    /// and nothing reads that word in between (ARCHITECTURE "Read-after-write safety"), so the
    /// memory ends the same; stage A runs as in [`Stdp::clock`] (one edge per node, per empty
    /// class, per advance of `m`, per finished walk), and the registers of stages B and C, the
    /// data register and `next_q` end as the last node read leaves them ([`Machine::settle`]).
    #[inline(never)]
    fn learn_phase(&mut self) -> u64 {
        let learning = |s| {
            matches!(
                s,
                FsmState::Stdp
                    | FsmState::StdpDrain
                    | FsmState::End
                    | FsmState::Pen
                    | FsmState::PenDrain
                    | FsmState::NormMul
            )
        };
        let mut edges = 0;
        // The pipeline is empty here unless the machine was stepped into a walk.
        let mut ev = Events::default();
        while (self.stdp.v_b || self.stdp.v_c) && learning(self.control.state) {
            self.learn_cycle(&mut ev);
            edges += 1;
        }
        let p = &self.p;
        let nil = p.nil;
        let t = self.control.t;
        // (address, lane, lane value before) of the last node read.
        let mut last = None;
        loop {
            match self.control.state {
                FsmState::Stdp => {
                    edges += 1;
                    let (rd, done) = self.stdp.select(t, &self.spike_gen.head, p);
                    self.control.stdp(done);
                    let Some(mut a) = rd else { continue };
                    // The list from its head: each further node is read in a cycle of its own.
                    let (op, d, lane) = (self.stdp.op_b, self.stdp.d_b, self.stdp.lane_b);
                    loop {
                        let w = self.weight_mem.lane(a, lane);
                        let new = Stdp::update(op, d, w, p).1;
                        self.weight_mem.set_lane(a, lane, new);
                        self.stdp.track(lane, new - w, p);
                        last = Some((a, lane, w));
                        a = self.spike_gen.next_mem[a as usize];
                        if a == nil {
                            break;
                        }
                        edges += 1;
                        self.control.stdp(false);
                    }
                }
                FsmState::StdpDrain => {
                    edges += 1;
                    let (c, sg, wm) = (&self.control, &self.spike_gen, &self.weight_mem);
                    let inp = Self::stdp_in(StdpCmd::Drain, c, sg, wm, None);
                    let more = self.stdp.next_walk(&inp, p);
                    self.control.stdp_drain(more, p);
                }
                FsmState::End => {
                    edges += 1;
                    let winner_valid = self.wta.winner_valid;
                    self.control.end(winner_valid, false, p);
                    if self.control.state == FsmState::NormMul {
                        self.stdp.begin_norm_mul();
                    }
                    let mut a = self.spike_gen.head_silent;
                    if self.control.state != FsmState::Pen || a == nil {
                        continue;
                    }
                    // The silent list: the head read at End, each further node in a Pen cycle.
                    let lane = self.wta.winner;
                    self.stdp.begin_penalty(lane);
                    loop {
                        let w = self.weight_mem.lane(a, lane);
                        let new = Stdp::update(StdpOp::Pen, 0, w, p).1;
                        self.weight_mem.set_lane(a, lane, new);
                        self.stdp.track(lane, new - w, p);
                        last = Some((a, lane, w));
                        a = self.spike_gen.next_mem[a as usize];
                        if a == nil {
                            break;
                        }
                        edges += 1;
                        self.control.pen(false);
                    }
                }
                // Not following a list (the pipeline is empty): the list has ended.
                FsmState::Pen => {
                    edges += 1;
                    self.control.pen(true);
                }
                FsmState::PenDrain => {
                    edges += 1;
                    self.control.pen_drain();
                }
                FsmState::NormMul => {
                    edges += 1;
                    let last_bit = self.stdp.norm_mul(self.wta.winner, false, p);
                    self.control.norm_mul(last_bit, false);
                }
                _ => break,
            }
        }
        if let Some((a, lane, w)) = last {
            self.settle(a, lane, w);
        }
        edges
    }

    /// The registers a learning phase leaves after its last node read, word `a` with lane
    /// `lane` holding `w` when read: stage B and C hold that node (both invalid now: its write
    /// was the phase's last), weight_mem's data register the word as read (the write two edges
    /// after the read found it shown and held the old word), and `next_q` its successor.
    fn settle(&mut self, a: u32, lane: u32, w: i32) {
        let p = &self.p;
        let n = p.n;
        let s = &mut self.stdp;
        let written = self.weight_mem.lane(a, lane);
        s.word_c[..n].copy_from_slice(self.weight_mem.word(a as usize));
        s.word_c[lane as usize] = w;
        (s.v_b, s.addr_b) = (false, a);
        (s.v_c, s.op_c, s.lane_c, s.addr_c) = (false, s.op_b, lane, a);
        (s.w_c, s.prod_c) = (w, Stdp::update(s.op_b, s.d_b, w, p).0);
        // Replay the read and the write of the node on the word as it was read.
        self.weight_mem.set_lane(a, lane, w);
        self.weight_mem.clock(Some(a), None);
        self.weight_mem.clock(
            None,
            Some(WordWrite {
                addr: a,
                word: &s.word_c,
                lane,
                value: written,
            }),
        );
        self.spike_gen.read_next(a);
    }

    /// Idle: nothing changes until the host's `start` pulse, which resets the image's registers.
    fn idle(&mut self) {
        let Some(learn) = self.start.take() else {
            return;
        };
        self.reset_image();
        self.control.idle(learn);
    }

    /// The `start` edge's resets of the image's registers (every block but control).
    fn reset_image(&mut self) {
        let p = &self.p;
        let (wn, _) = self.wta.next(WtaCmd::Clear, p);
        self.wta = wn;
        self.neurons.reset(p);
        self.spike_gen.clock(SgCmd::Start, 0, p);
        self.stdp.start_sums();
    }

    /// Ingest and Drain: spike_gen's scan and pipeline.
    #[inline(always)]
    fn scan(&mut self, cmd: SgCmd, ev: &mut Events) {
        let p = &self.p;
        let mut pixel = 0;
        if cmd == SgCmd::Ingest && self.spike_gen.pix_ready(p) {
            pixel = self.pixels[self.pix_pos];
            self.pix_pos += 1;
            ev.pixel = Some(pixel);
        }
        let last = self.spike_gen.scan_last(cmd, p);
        let sg = &self.spike_gen;
        let ins = sg.v3.then_some((sg.i3, sg.class_reg as usize == p.nc));
        self.spike_gen.clock(cmd, pixel, p);
        if self.p.normalization {
            self.sweep(ins, ev);
        }
        if cmd == SgCmd::Ingest {
            self.control.ingest(last);
        } else {
            self.control.drain(last, &self.p);
        }
    }

    /// One edge of stdp's sweep (normalization): its stage's write and the read of the input
    /// stage 3 inserts at this edge (`ins`, with whether it is silent).
    #[inline(always)]
    fn sweep(&mut self, ins: Option<(u32, bool)>, ev: &mut Events) {
        let p = &self.p;
        let mut word = [0; MAX_LANES];
        word[..p.lanes].copy_from_slice(self.weight_mem.q());
        let out = self
            .stdp
            .sweep_cycle(ins, &word[..p.lanes], self.control.learn, p);
        // The pending row's word of each input (its lane group's).
        let rd = self.row_ports(self.stdp.upd_lane, out.rd, out.write, &word, ev);
        ev.read = ev.read.or(rd);
    }

    /// weight_mem's ports in a walk over the words of row `row` (the sweep, Rewrite): input
    /// `rd`'s word of the row's lane group is read, and `write` (input, neuron, value) puts a
    /// lane into `word` (the word read the cycle before) and writes it back. Returns the
    /// address read.
    fn row_ports(
        &mut self,
        row: u32,
        rd: Option<u32>,
        write: Option<(u32, u32, i32)>,
        word: &[i32; MAX_LANES],
        ev: &mut Events,
    ) -> Option<u32> {
        let wm = &self.weight_mem;
        let rd = rd.map(|i| wm.locate(i, row).0);
        let write = write.map(|(i, j, value)| {
            let (addr, lane) = wm.locate(i, j);
            ev.weight_write = Some(WeightWrite { addr, lane, value });
            WordWrite {
                addr,
                word,
                lane,
                value,
            }
        });
        if rd.is_some() || write.is_some() {
            self.weight_mem.clock(rd, write);
        }
        rd
    }

    /// Thresh's first cycle writes the sweep's last input back (inserted at the last Drain
    /// edge), its second adds that word to the row sums.
    #[inline(always)]
    fn sweep_tail(&mut self, ev: &mut Events) {
        if self.stdp.sw_v {
            self.sweep(None, ev);
        } else {
            self.stdp.sum_stage(&self.p);
        }
    }

    /// The read ports at this edge: next_mem at input `rd`, weight_mem at that input's word of
    /// lane group `g` (the same address when `G = 1`).
    #[inline(always)]
    fn read(&mut self, rd: Option<u32>, g: u32, ev: &mut Events) {
        if let Some(i) = rd {
            debug_assert!(
                !self.stdp.in_flight(i),
                "read-after-write hazard at cycle {}: word {i} is read while its write is in stdp stage B/C",
                self.now.0
            );
            let a = self.weight_mem.addr(g, i);
            self.weight_mem.clock(Some(a), None);
            self.spike_gen.read_next(i);
            ev.read = Some(a);
        }
    }

    /// Int: the neurons' stage B, control's stage A.
    #[inline(always)]
    fn int(&mut self, ev: &mut Events) {
        let p = &self.p;
        debug_assert!(
            !self.stdp.v_b && !self.stdp.v_c,
            "stdp pipeline busy in Int"
        );
        let (t, add, g) = (self.control.t, self.control.rd_valid, self.control.group);
        let is = match self.spike_mem.as_ref() {
            Some(mem) => self.control.int_replay(mem.step(t), mem.step(t + 1), p),
            None => self
                .control
                .int(self.spike_gen.next_q, &self.spike_gen.head, p),
        };
        // Stage B, then (completing cycle) leak and publish: one pass per operation.
        if p.groups == 1 {
            if add {
                self.neurons.accumulate(t, self.weight_mem.q_groups(), p);
            }
            if is.complete {
                self.neurons.complete(t, p);
            }
        } else {
            if add {
                self.neurons.accumulate_group(g, t, self.weight_mem.q(), p);
            }
            if is.complete {
                self.neurons.complete_group(g, t, p);
            }
        }
        // A completing cycle may select the next group's first class: the read is for it.
        self.read(is.rd, self.control.group, ev);
    }

    /// Fire: the neurons' comparators decide; spikes, or the WTA scan, or an STDP walk. With
    /// lane groups a decision that changes neurons (spikes, a pending inhibition; a potential
    /// below `p_min` was reset when its group completed) makes Fire a pass of `G` cycles, one
    /// group each, the action in the last.
    fn fire(&mut self, ev: &mut Events) {
        let p = &self.p;
        let t = self.control.t;
        if p.groups > 1 {
            let inhibit = self.wta.pending.then_some(self.wta.winner);
            let g = self.control.group;
            if g == 0 {
                let cmp = match inhibit {
                    Some(w) => self.neurons.compare_inhibited(w, p),
                    None => self.neurons.compare(!self.wta.winner_valid, p),
                };
                let action =
                    self.control
                        .fire_action(self.wta.winner_valid, cmp.above, cmp.spikes, p);
                if action != FireAction::Wta && (!cmp.spikes.is_empty() || inhibit.is_some()) {
                    self.neurons.fire_group(0, t, inhibit, p);
                    self.control.fire_pass_start(action, cmp.spikes);
                    return;
                }
                return self.fire_act(action, cmp.spikes, ev);
            }
            self.neurons.fire_group(g, t, inhibit, p);
            if g as usize + 1 < p.groups {
                self.control.fire_pass(p);
                return;
            }
            self.wta.pending = false;
            let c = &self.control;
            return self.fire_act(c.fire_action, c.fire_spikes, ev);
        }
        let cmp = self.neurons.compare(!self.wta.winner_valid, p);
        let action = self
            .control
            .fire_action(self.wta.winner_valid, cmp.above, cmp.spikes, p);
        if action != FireAction::Wta && (!cmp.spikes.is_empty() || cmp.below_min) {
            self.neurons.fire(t, p);
        }
        self.fire_act(action, cmp.spikes, ev)
    }

    /// The Fire cycle's action (of a Fire pass's last cycle): the spike port, the WTA scan, the
    /// first STDP walk, End, or the next step's first selection.
    fn fire_act(&mut self, action: FireAction, spikes: NeuronMask, ev: &mut Events) {
        let p = &self.p;
        let t = self.control.t;
        if action == FireAction::Wta {
            let (wn, _) = self.wta.next(WtaCmd::Enter, p);
            self.wta = wn;
        } else if !spikes.is_empty() {
            ev.spike = Some(SpikeEvent { mask: spikes, t });
        }
        if action == FireAction::Stdp {
            let inp = Self::stdp_in(
                StdpCmd::Begin { spikes },
                &self.control,
                &self.spike_gen,
                &self.weight_mem,
                self.spike_mem.as_ref(),
            );
            self.stdp.clock(&inp, p);
        }
        let replay = self.spike_mem.is_some();
        let rd = self.control.fire(action, &self.spike_gen.head, replay, p);
        self.read(rd, 0, ev);
    }

    /// Wta: one neuron of the scan; the last cycle latches the winner and inhibits the others.
    fn wta_scan(&mut self, ev: &mut Events) {
        let p = &self.p;
        let t = self.control.t;
        let (wn, out) = self.wta.next(
            WtaCmd::Scan {
                shown: self.neurons.wta_value(self.wta.ws as usize),
                t,
            },
            p,
        );
        if out.last {
            if p.groups == 1 {
                self.neurons.inhibit_all_but(out.winner, p);
            }
            ev.winner = Some(WinnerEvent {
                neuron: out.winner,
                t,
            });
        }
        self.wta = wn;
        self.control.wta(out.last);
    }

    /// stdp's inputs from the other blocks' current registers.
    #[inline(always)]
    fn stdp_in<'a>(
        cmd: StdpCmd,
        control: &'a Control,
        sg: &'a SpikeGen,
        wm: &'a WeightMem,
        replay: Option<&'a SpikeMem>,
    ) -> StdpIn<'a> {
        StdpIn {
            cmd,
            t: control.t,
            lag_m: control.lag_m,
            lag: &control.lag,
            head: &sg.head,
            head_silent: sg.head_silent,
            next_q: sg.next_q,
            word_q: wm.q(),
            replay,
        }
    }

    /// Stdp, StdpDrain, End, Pen, PenDrain, NormMul: the stdp unit's walks and pipeline.
    fn learn_cycle(&mut self, ev: &mut Events) {
        let state = self.control.state;
        let winner_valid = self.wta.winner_valid;
        let winner = self.wta.winner;
        let replay = self.spike_mem.is_some();
        if state == FsmState::NormMul {
            let last = self.stdp.norm_mul(winner, replay, &self.p);
            self.control.norm_mul(last, replay);
            if self.control.state == FsmState::Rewrite {
                self.stdp.begin_rewrite();
            }
            return;
        }
        let cmd = match state {
            FsmState::Stdp => StdpCmd::Walk,
            FsmState::StdpDrain => StdpCmd::Drain,
            FsmState::End if self.control.learn && winner_valid && !self.p.normalization => {
                StdpCmd::PenStart { winner }
            }
            FsmState::Pen => StdpCmd::PenWalk,
            _ => StdpCmd::Hold,
        };
        let p = &self.p;
        // Stage C writes the word_c of before this edge, which stage B reloads from weight_mem's
        // current read data; weight_mem's read port captures before its write port (read-first).
        let write = self.stdp.write_port(p);
        let word = if write.is_some() {
            self.stdp.word_c
        } else {
            [0; MAX_LANES]
        };
        let inp = Self::stdp_in(
            cmd,
            &self.control,
            &self.spike_gen,
            &self.weight_mem,
            self.spike_mem.as_ref(),
        );
        let out = self.stdp.clock(&inp, p);
        // stdp names a weight by input and neuron: its word is that neuron's group's.
        let wm = &self.weight_mem;
        let rd = out.rd.map(|i| wm.locate(i, self.stdp.lane_b).0);
        let write = write.map(|(i, j, value)| {
            let (addr, lane) = wm.locate(i, j);
            (addr, lane, value)
        });
        if let Some(i) = out.rd {
            // Stage B of before this edge is stage C now; stage C of before writes at this edge.
            // A layer fed by spikes may read the word written at this edge: stage B then takes
            // it from stdp's forward register.
            debug_assert!(
                !(self.stdp.v_c && self.stdp.addr_c == i)
                    && (self.spike_mem.is_some() || write.is_none_or(|w| Some(w.0) != rd)),
                "read-after-write hazard at cycle {}: word {i} is read while its write is in stdp stage B/C",
                self.now.0
            );
            self.spike_gen.read_next(i);
            ev.read = rd;
        }
        match write {
            Some((addr, lane, value)) => {
                self.weight_mem.clock(
                    rd,
                    Some(WordWrite {
                        addr,
                        word: &word,
                        lane,
                        value,
                    }),
                );
                ev.weight_write = Some(WeightWrite { addr, lane, value });
            }
            None if rd.is_some() => self.weight_mem.clock(rd, None),
            None => {}
        }
        match state {
            FsmState::Stdp => self.control.stdp(out.walk_done),
            FsmState::StdpDrain => self.control.stdp_drain(out.more, p),
            FsmState::End => {
                self.control.end(winner_valid, replay, p);
                match self.control.state {
                    FsmState::NormMul => self.stdp.begin_norm_mul(),
                    FsmState::Sum => self.stdp.begin_sum(),
                    _ => {}
                }
            }
            FsmState::Pen => self.control.pen(out.pen_done),
            _ => self.control.pen_drain(),
        }
    }

    /// Sum (normalization with lane groups): one cycle of the walk over the winner's row, which
    /// reads `weight_mem` (the winner's group's word of each input) and `tag_mem` together.
    fn sum_cycle(&mut self, ev: &mut Events) {
        let p = &self.p;
        let winner = self.wta.winner;
        let replay = self.spike_mem.as_ref();
        let rd = self.stdp.sum_cycle(winner, self.weight_mem.q(), replay, p);
        let rd = rd.map(|i| self.weight_mem.locate(i, winner).0);
        if rd.is_some() {
            self.weight_mem.clock(rd, None);
            ev.read = rd;
        }
        self.control.sum(rd.is_none());
        if self.control.state == FsmState::NormMul {
            self.stdp.begin_norm_mul();
        }
    }

    /// Rewrite (a layer fed by spikes, normalization): one cycle of the walk that writes the
    /// winner's row back with its penalty and normalization, reading each word (of the
    /// winner's group) a cycle before writing it.
    fn rewrite_cycle(&mut self, ev: &mut Events) {
        let p = &self.p;
        let winner = self.wta.winner;
        let mem = self
            .spike_mem
            .as_ref()
            .expect("Rewrite is a layer fed by spikes");
        let mut word = [0; MAX_LANES];
        word[..p.lanes].copy_from_slice(self.weight_mem.q());
        let (rd, write) = self.stdp.rewrite_cycle(winner, &word[..p.lanes], mem, p);
        let rd = self.row_ports(winner, rd, write, &word, ev);
        ev.read = rd;
        self.control.rewrite(rd.is_none());
    }

    /// Upper bound on the cycles of one image, from the cycle counts of the doc: ingest, the
    /// threshold pass, the divider, Bias, per step and lane group at most every input and class
    /// once plus a Fire cycle, one Wta scan, per step and neuron one STDP walk (each input at
    /// most twice), the penalty or Sum and NormMul, Done.
    pub fn cycle_bound(&self) -> u64 {
        let p = &self.p;
        let (m, k, t, n) = (p.m as u64, p.k as u64, p.t_steps as u64, p.n as u64);
        let g = p.groups as u64;
        let walk = (2 * p.whi as u64 + 1) * (1 + k) + 2 * m + 1;
        let norm = p.rb as u64 + m + 1;
        p.scan_cycles
            + 3
            + t * k.max(1)
            + p.qb as u64
            + g
            + t * g * (m + k + 2)
            + t * g
            + n
            + t * n * walk
            + m
            + 3
            + g
            + norm
    }

    /// Presents one image: load it, start, clock until `done` ([`Machine::advance`]: phase by
    /// phase, or edge by edge while an observer is attached).
    pub fn run_image(&mut self, pixels: &[u8], learn: bool) -> Result<Presentation<i32>> {
        self.load_image(pixels)?;
        self.start(learn)?;
        self.finish_image()
    }

    /// Presents the spike trains of the layer below (a machine [`Machine::for_replay`]): starts
    /// on `mem` and clocks until `done`, as [`Machine::run_image`].
    pub fn run_replay(&mut self, mem: SpikeMem, learn: bool) -> Result<Presentation<i32>> {
        self.start_replay(mem, learn)?;
        self.finish_image()
    }

    /// Clocks a started image until `done`; its presentation.
    fn finish_image(&mut self) -> Result<Presentation<i32>> {
        let mut spike_times = vec![Vec::new(); self.p.n];
        let bound = self.cycle_bound() + 1;
        let start = self.now.0;
        while self.now.0 - start <= bound {
            let ev = self.advance();
            if let Some(s) = ev.spike {
                for (j, times) in spike_times.iter_mut().enumerate() {
                    if s.mask.get(j) {
                        times.push(s.t);
                    }
                }
            }
            if let Some(d) = ev.done {
                return Ok(Presentation {
                    winner: d.winner.map(|w| w as usize),
                    inhibit_step: self.inhibit_step(),
                    spike_times,
                    final_potentials: self.potentials(),
                    threshold: self.control.thr,
                    peak_count: self.control.peak,
                    cycles: Some(d.cycles as u64),
                    trace: None,
                });
            }
        }
        bail!("the core did not finish the image within {bound} cycles (a model bug)")
    }

    // Observation.

    /// Clock edges since the machine was built.
    pub fn now(&self) -> Cycle {
        self.now
    }

    pub fn state(&self) -> FsmState {
        self.control.state
    }

    /// The `cycles` register: cycles of the current image spent outside Idle so far.
    pub fn cycles(&self) -> u32 {
        self.control.cycles
    }

    /// Current step.
    pub fn t(&self) -> u32 {
        self.control.t
    }

    pub fn potentials(&self) -> Vec<i32> {
        self.neurons.pot().to_vec()
    }

    pub fn shown(&self) -> Vec<i32> {
        self.neurons.shown().to_vec()
    }

    pub fn free_at(&self) -> Vec<u32> {
        self.neurons.free_at().to_vec()
    }

    pub fn winner(&self) -> Option<u32> {
        self.wta.winner_valid.then_some(self.wta.winner)
    }

    pub fn inhibit_step(&self) -> Option<u32> {
        self.wta.winner_valid.then_some(self.wta.inhibit_step)
    }

    pub fn threshold(&self) -> i32 {
        self.control.thr
    }

    pub fn control(&self) -> &Control {
        &self.control
    }

    pub fn spike_gen(&self) -> &SpikeGen {
        &self.spike_gen
    }

    pub fn neurons(&self) -> &Neurons {
        &self.neurons
    }

    pub fn wta(&self) -> &Wta {
        &self.wta
    }

    pub fn stdp(&self) -> &Stdp {
        &self.stdp
    }

    pub fn weight_mem(&self) -> &WeightMem {
        &self.weight_mem
    }

    /// Attach a tracer; it is called after every edge.
    pub fn set_observer(&mut self, o: Box<dyn Observer>) {
        self.observer = Some(o);
    }

    /// Detach the tracer.
    pub fn take_observer(&mut self) -> Option<Box<dyn Observer>> {
        self.observer.take()
    }

    /// Flush the tracer (e.g. the VCD file) and report its first error.
    pub fn finish_observer(&mut self) -> std::io::Result<()> {
        match self.observer.as_mut() {
            Some(o) => o.finish(),
            None => Ok(()),
        }
    }
}
