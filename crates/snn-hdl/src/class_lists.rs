//! `ClassLists`: spike_gen's per-class list heads and counts (`head[c]`, `count[c]` of
//! docs/ARCHITECTURE.md), kept in two block RAMs instead of registers behind a mux: as
//! registers they took about 1,340 flip-flops and 1,000 LUTs, a third of an iCE40 HX8K.
//!
//! A RAM answers one cycle after its address, so the reader presents the class it needs in the
//! next cycle (`rd_next`); an insertion at the last edge is forwarded to a read of the same
//! class at that edge (`byp_*`: the RAM returned the word before it); a `valid` bit per class,
//! cleared at `clear`, empties every list at once (a RAM cannot be emptied in one cycle). The
//! outputs are therefore exactly the registers of the doc after the last edge.
//!
//! The outputs come from this block's registers and RAMs only, so spike_gen uses them both for
//! its ports (control and stdp read them within the cycle) and for stage 3's insertion without
//! closing a loop through its own logic (see `crate::core`).

use crate::bram::Bram;
use crate::counters::defaults;
use rust_hdl::prelude::*;
use snn_arch::widths::CLASS_BITS;
use snn_arch::HwParams;

#[derive(LogicBlock)]
pub struct ClassLists<const AW: usize> {
    pub clock: Signal<In, Clock>,
    /// Every list empty after this edge (an image starts).
    pub clear: Signal<In, Bit>,
    /// Insert input index `node` at the head of class `wclass` at this edge; the class must be
    /// the one read at the last edge (spike_gen reads stage 3's class in Ingest and Drain).
    pub insert: Signal<In, Bit>,
    pub wclass: Signal<In, Bits<CLASS_BITS>>,
    pub node: Signal<In, Bits<AW>>,
    /// The class to show in the next cycle.
    pub rd_next: Signal<In, Bits<CLASS_BITS>>,
    /// Head of the class read at the last edge (`NIL` when it has no list).
    pub head: Signal<Out, Bits<AW>>,
    /// Its count in two parts: the count as read (RAM or bypass) and whether the class has a
    /// list this image (the count is `count_raw` if so, else 0). The valid bit is the last to
    /// arrive (a mux over every class), so a reader applies it after its own comparator.
    pub count_raw: Signal<Out, Bits<AW>>,
    pub listed: Signal<Out, Bit>,
    head_ram: Bram<CLASS_BITS, AW>,
    count_ram: Bram<CLASS_BITS, AW>,
    valid: Vec<DFF<Bit>>,
    /// The class read at the last edge. Its `valid` bit is looked up after the edge, off the
    /// path that computes the read address: a bit set at that edge belongs to an insertion
    /// into the class, which the bypass overrides anyway.
    rd_class: DFF<Bits<CLASS_BITS>>,
    /// The insertion at the last edge: its class, new head and count.
    byp_v: DFF<Bit>,
    byp_class: DFF<Bits<CLASS_BITS>>,
    byp_head: DFF<Bits<AW>>,
    byp_count: DFF<Bits<AW>>,
    /// The bypass applies / the class read has a valid bit set.
    hit: Signal<Local, Bit>,
    read_valid: Signal<Local, Bit>,
    /// The count of the class read (0 without a list).
    count_in: Signal<Local, Bits<AW>>,
    /// The head and count read (the outputs are assigned once, see `crate::core`).
    head_in: Signal<Local, Bits<AW>>,
    count_read: Signal<Local, Bits<AW>>,
    ids: Vec<Constant<Bits<CLASS_BITS>>>,
    nil: Constant<Bits<AW>>,
    _nc: usize,
}

impl<const AW: usize> ClassLists<AW> {
    pub fn new(p: &HwParams) -> Self {
        assert_eq!(p.aw as usize, AW, "address width");
        snn_arch::limits::assert_rtl(p);
        ClassLists {
            clock: Default::default(),
            clear: Default::default(),
            insert: Default::default(),
            wclass: Default::default(),
            node: Default::default(),
            rd_next: Default::default(),
            head: Default::default(),
            count_raw: Default::default(),
            listed: Default::default(),
            head_ram: Bram::new(1 << CLASS_BITS).without_read_during_write(),
            count_ram: Bram::new(1 << CLASS_BITS).without_read_during_write(),
            valid: defaults(p.nc),
            rd_class: Default::default(),
            byp_v: Default::default(),
            byp_class: Default::default(),
            byp_head: Default::default(),
            byp_count: Default::default(),
            hit: Default::default(),
            read_valid: Default::default(),
            count_in: Default::default(),
            head_in: Default::default(),
            count_read: Default::default(),
            ids: (0..p.nc)
                .map(|c| Constant::new(Bits::<CLASS_BITS>::from(c as u64)))
                .collect(),
            nil: Constant::new(Bits::<AW>::from(p.nil as u64)),
            _nc: p.nc,
        }
    }
}

impl<const AW: usize> Logic for ClassLists<AW> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rd_class, byp_v, byp_class, byp_head, byp_count);
        for c in 0..self._nc {
            self.valid[c].clock.next = self.clock.val();
            self.valid[c].d.next = self.valid[c].q.val();
        }
        self.head_ram.clock.next = self.clock.val();
        self.count_ram.clock.next = self.clock.val();

        // The class read at the last edge, with the insertion of that edge forwarded.
        self.hit.next = self.byp_v.q.val() & (self.byp_class.q.val() == self.rd_class.q.val());
        self.read_valid.next = false;
        for c in 0..self._nc {
            if self.rd_class.q.val() == self.ids[c].val() {
                self.read_valid.next = self.valid[c].q.val();
            }
        }
        self.head_in.next = self.nil.val();
        if self.read_valid.val() {
            self.head_in.next = self.head_ram.rdata.val();
        }
        if self.hit.val() {
            self.head_in.next = self.byp_head.q.val();
        }
        self.count_read.next = self.count_ram.rdata.val();
        if self.hit.val() {
            self.count_read.next = self.byp_count.q.val();
        }
        self.head.next = self.head_in.val();
        self.count_raw.next = self.count_read.val();
        self.listed.next = self.read_valid.val() | self.hit.val();
        self.count_in.next = 0.into();
        if self.read_valid.val() {
            self.count_in.next = self.count_ram.rdata.val();
        }
        if self.hit.val() {
            self.count_in.next = self.byp_count.q.val();
        }

        // Insertion: the node becomes the head, the count grows by one.
        self.head_ram.waddr.next = self.wclass.val();
        self.head_ram.wdata.next = self.node.val();
        self.head_ram.we.next = self.insert.val();
        self.count_ram.waddr.next = self.wclass.val();
        self.count_ram.wdata.next = self.count_in.val() + 1;
        self.count_ram.we.next = self.insert.val();
        self.byp_v.d.next = self.insert.val();
        self.byp_class.d.next = self.wclass.val();
        self.byp_head.d.next = self.node.val();
        self.byp_count.d.next = self.count_in.val() + 1;
        for c in 0..self._nc {
            if self.insert.val() & (self.wclass.val() == self.ids[c].val()) {
                self.valid[c].d.next = true;
            }
            if self.clear.val() {
                self.valid[c].d.next = false;
            }
        }
        if self.clear.val() {
            self.byp_v.d.next = false;
        }

        // Read one cycle ahead.
        self.head_ram.raddr.next = self.rd_next.val();
        self.count_ram.raddr.next = self.rd_next.val();
        self.rd_class.d.next = self.rd_next.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_core::config::SnnConfig;

    type Uut = ClassLists<9>;

    fn clk(u: &mut Uut, clk: bool) {
        u.clock.next = Clock { clk };
    }

    /// Random insertions (of the class read at the previous edge, as stage 3 does), reads of
    /// random classes and clears, against the lists of the cycle model's registers (`head[c]`,
    /// `count[c]`, emptied by `start`): after every edge the block shows the head and count of
    /// the class read at that edge as they are after the edge, for several images.
    #[test]
    fn heads_and_counts_are_those_of_the_models_registers() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        let mut uut = Uut::new(&p);
        uut.connect_all();
        let (mut head, mut count) = (vec![p.nil; p.nc], vec![0u32; p.nc]);
        let mut rng = snn_testkit::Lcg::new(7);
        let mut rand = |n: u64| rng.below(n);
        // Clear once (the RAMs and valid bits start unknown in hardware).
        uut.clear.next = true;
        tick(&mut uut, clk);
        let mut read = 0usize;
        let mut inserts = 0;
        for edge in 0..4000 {
            let clear = rand(500) == 0;
            let insert = !clear && rand(3) > 0;
            let input = rand(p.m as u64) as u32;
            // Usually read a class near the last (to exercise the bypass), sometimes any.
            let next = if rand(2) == 0 {
                read
            } else {
                rand(p.nc as u64) as usize
            };
            uut.clear.next = clear;
            uut.insert.next = insert;
            uut.wclass.next = (read as u64).into();
            uut.node.next = (input as u64).into();
            uut.rd_next.next = (next as u64).into();
            tick(&mut uut, clk);
            if clear {
                head.fill(p.nil);
                count.fill(0);
            }
            if insert {
                head[read] = input;
                count[read] += 1;
                inserts += 1;
            }
            read = next;
            let got_count = if uut.listed.val() {
                uut.count_raw.val().to_u64() as u32
            } else {
                0
            };
            assert_eq!(
                (uut.head.val().to_u64() as u32, got_count),
                (head[read], count[read]),
                "class {read} after edge {edge}"
            );
        }
        assert!(inserts > 2000);
    }

    #[test]
    fn class_lists_are_block_ram() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        if let Some(r) = lint_and_synth(&mut Uut::new(&p), "class_lists") {
            assert_eq!(r.brams, 2, "{r:?}");
        }
    }
}
