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
        assert_eq!(
            (p.widths.word as usize, p.aw as usize),
            (WORD, AW),
            "word and address widths"
        );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::{lint_and_synth, tick};
    use snn_core::config::SnnConfig;

    type Uut = WeightMem<36, 9>;

    fn clk(u: &mut Uut, clk: bool) {
        u.clock.next = Clock { clk };
    }

    /// The host port in Idle, then the core's ports: synchronous reads (data one cycle after the
    /// address), read-first when the word being read is written at the same edge, and host
    /// signals ignored outside Idle.
    #[test]
    fn host_and_core_ports() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        let mut uut = Uut::new(&p);
        uut.connect_all();
        uut.host_mode.next = true;
        for i in 0..4u64 {
            uut.host_we.next = true;
            uut.host_addr.next = i.into();
            uut.host_wdata.next = (0x1_0000_0000 * i + 5).into();
            tick(&mut uut, clk);
        }
        uut.host_we.next = false;
        uut.host_addr.next = 2u64.into();
        tick(&mut uut, clk);
        assert_eq!(uut.rdata.val().to_u64(), 0x2_0000_0005);
        uut.host_mode.next = false;
        uut.host_we.next = true;
        uut.host_addr.next = 1u64.into();
        uut.raddr.next = 3u64.into();
        uut.we.next = true;
        uut.waddr.next = 3u64.into();
        uut.wdata.next = 77u64.into();
        tick(&mut uut, clk);
        assert_eq!(uut.rdata.val().to_u64(), 0x3_0000_0005, "read-first");
        uut.we.next = false;
        tick(&mut uut, clk);
        assert_eq!(uut.rdata.val().to_u64(), 77);
        uut.raddr.next = 1u64.into();
        tick(&mut uut, clk);
        assert_eq!(
            uut.rdata.val().to_u64(),
            0x1_0000_0005,
            "no host write outside Idle"
        );
    }

    #[test]
    fn weight_mem_is_block_ram() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        if let Some(r) = lint_and_synth(&mut WeightMem::<100, 10>::new(&p), "weight_mem") {
            assert_eq!(r.brams, 25, "1024 x 100 in 1024 x 4 blocks: {r:?}");
        }
    }
}
