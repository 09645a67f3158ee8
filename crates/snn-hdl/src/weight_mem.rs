//! weight_mem: `M` words of `N` weight lanes (word `i` = the weights of input `i`, lane `j` in bits
//! `[j*WB +: WB]` = neuron `j`), one simple dual-port block RAM (`snn_sim::weight_mem`). The host
//! owns both ports in Idle; otherwise stage A of Int/Stdp/Pen reads and stage C of stdp writes.

use crate::bram::Bram;
use rust_hdl::prelude::*;
use snn_sim::params::HwParams;

#[derive(LogicBlock)]
pub struct WeightMem<const WORD: usize, const AW: usize> {
    pub clock: Signal<In, Clock>,
    /// control: the core is in Idle, the host port is active.
    pub host_mode: Signal<In, Bit>,
    /// Host port (Idle only): write `host_wdata` at `host_addr`; `host_addr` is also read.
    pub host_we: Signal<In, Bit>,
    pub host_addr: Signal<In, Bits<AW>>,
    pub host_wdata: Signal<In, Bits<WORD>>,
    /// Core read address (control's or stdp's stage A).
    pub raddr: Signal<In, Bits<AW>>,
    /// Core write port (stdp's stage C).
    pub we: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<AW>>,
    pub wdata: Signal<In, Bits<WORD>>,
    /// The word at the read address of the previous cycle (the host's in Idle).
    pub rdata: Signal<Out, Bits<WORD>>,
    ram: Bram<AW, WORD>,
}

impl<const WORD: usize, const AW: usize> WeightMem<WORD, AW> {
    /// All `2^AW` words: the `NIL` address is then a real word, so a read of it (presented when
    /// no read is issued) returns data rather than X in simulation; the block RAM count is that
    /// of `M` words anyway (`SB_RAM40_4K` depths are powers of two).
    pub fn new(p: &HwParams) -> Self {
        assert_eq!((p.widths.word as usize, p.aw as usize), (WORD, AW), "word and address widths");
        WeightMem {
            clock: Default::default(),
            host_mode: Default::default(),
            host_we: Default::default(),
            host_addr: Default::default(),
            host_wdata: Default::default(),
            raddr: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            rdata: Default::default(),
            ram: Bram::new(1 << AW),
        }
    }
}

impl<const WORD: usize, const AW: usize> Logic for WeightMem<WORD, AW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.ram.clock.next = self.clock.val();
        self.ram.raddr.next = self.raddr.val();
        self.ram.we.next = self.we.val();
        self.ram.waddr.next = self.waddr.val();
        self.ram.wdata.next = self.wdata.val();
        if self.host_mode.val() {
            self.ram.raddr.next = self.host_addr.val();
            self.ram.we.next = self.host_we.val();
            self.ram.waddr.next = self.host_addr.val();
            self.ram.wdata.next = self.host_wdata.val();
        }
        self.rdata.next = self.ram.rdata.val();
    }
}
