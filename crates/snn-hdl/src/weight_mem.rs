//! weight_mem: `M` words of `N` weight lanes (word `i` = the weights of input `i`, lane `j` in bits
//! `[j*WB +: WB]` = neuron `j`), or with lane groups `G * M` words of `P` lanes (word `g * M + i`
//! = group `g`'s weights of input `i`), one simple dual-port block RAM (`snn_sim::weight_mem`),
//! of `2^WAW` words (`HwParams::waw`). The host
//! owns both ports in Idle; otherwise stage A of Int/Stdp/Pen reads and stage C of stdp writes.
//!
//! The RAM starts at zero, or with a trained network's weights baked into the Verilog
//! ([`WeightMem::with_words`], [`pack_words`]): such a core classifies from power-up without a
//! weight load through the host port, which makes an inference-only bitstream.

use crate::bram::{to_bits, Bram};
use rust_hdl::prelude::*;
use snn_arch::{HwParams, MemLayout};

#[derive(LogicBlock)]
pub struct WeightMem<const WORD: usize, const WAW: usize> {
    pub clock: Signal<In, Clock>,
    /// control: the core is in Idle, the host port is active.
    pub host_mode: Signal<In, Bit>,
    /// Host port (Idle only): write `host_wdata` at `host_addr`; `host_addr` is also read.
    pub host_we: Signal<In, Bit>,
    pub host_addr: Signal<In, Bits<WAW>>,
    pub host_wdata: Signal<In, Bits<WORD>>,
    /// Core read address (control's or stdp's stage A).
    pub raddr: Signal<In, Bits<WAW>>,
    /// Core write port (stdp's stage C): the word written is `wnew` in the bits of `wsel` and
    /// `wdata` elsewhere. `wnew` comes last (after stdp's multiplier and subtraction), so it
    /// meets everything else, the host port included, in the last level before the RAM.
    pub we: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<WAW>>,
    pub wdata: Signal<In, Bits<WORD>>,
    pub wnew: Signal<In, Bits<WORD>>,
    pub wsel: Signal<In, Bits<WORD>>,
    /// The word at the read address of the previous cycle (the host's in Idle).
    pub rdata: Signal<Out, Bits<WORD>>,
    ram: Bram<WAW, WORD>,
    /// The bits taken from `wnew` (none in host mode), and the word elsewhere.
    sel: Signal<Local, Bits<WORD>>,
    rest: Signal<Local, Bits<WORD>>,
}

impl<const WORD: usize, const WAW: usize> WeightMem<WORD, WAW> {
    /// All `2^WAW` words, zero: the `NIL` address is then a real word, so a read of it (presented
    /// when no read is issued) returns data rather than X in simulation; the block RAM count is
    /// that of `M` words anyway (`SB_RAM40_4K` depths are powers of two).
    pub fn new(p: &HwParams) -> Self {
        Self::with_words(p, &[])
    }

    /// As [`WeightMem::new`], but word `i` starts as `words[i]` (at most `M` words, usually
    /// [`pack_words`] of a trained network; the rest start at zero). The Verilog writes them in
    /// the RAM's `initial` block, which synthesis turns into block-RAM init values.
    pub fn with_words(p: &HwParams, words: &[Bits<WORD>]) -> Self {
        assert_eq!(
            (p.widths.word as usize, p.waw as usize),
            (WORD, WAW),
            "word and address widths"
        );
        assert!(
            words.len() <= p.groups * p.m,
            "{} initial words for {} x {} inputs",
            words.len(),
            p.groups,
            p.m
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
            wnew: Default::default(),
            wsel: Default::default(),
            sel: Default::default(),
            rest: Default::default(),
            rdata: Default::default(),
            ram: Bram::with_words(1 << WAW, words).without_read_during_write(),
        }
    }
}

/// The memory words of raw weights `raw` (`N x M`, `raw[j][i]` = weight of neuron `j` on input
/// `i`, `wb`-bit two's complement) in `snn_arch::MemLayout`'s layout with `lanes` lanes, that of
/// `snn export --format mem`.
///
/// Panics when `lanes * wb != WORD` or a weight does not fit `wb` bits: the generator checks
/// both with errors first (`crate::generate::check_initial_weights`).
pub fn pack_words<const WORD: usize>(raw: &[Vec<i32>], wb: usize, lanes: usize) -> Vec<Bits<WORD>> {
    assert_eq!(lanes * wb, WORD, "{lanes} lanes of {wb} bits");
    let layout = MemLayout {
        lanes,
        ..MemLayout::of(raw, wb as u32)
    };
    let words = layout.words(raw).unwrap_or_else(|e| panic!("{e:#}"));
    words.iter().map(to_bits).collect()
}

impl<const WORD: usize, const WAW: usize> Logic for WeightMem<WORD, WAW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.ram.clock.next = self.clock.val();
        self.ram.raddr.next = self.raddr.val();
        self.ram.we.next = self.we.val();
        self.ram.waddr.next = self.waddr.val();
        self.sel.next = self.wsel.val();
        self.rest.next = self.wdata.val();
        if self.host_mode.val() {
            self.ram.raddr.next = self.host_addr.val();
            self.ram.we.next = self.host_we.val();
            self.ram.waddr.next = self.host_addr.val();
            self.sel.next = 0.into();
            self.rest.next = self.host_wdata.val();
        }
        self.ram.wdata.next =
            (self.wnew.val() & self.sel.val()) | (self.rest.val() & !self.sel.val());
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

    /// The host port in Idle (stdp's lane select ignored), then the core's ports: synchronous
    /// reads (data one cycle after the address), a read and a write of different words at one
    /// edge, the word read at an edge that writes it a don't-care (the design never uses one), a
    /// write of one new lane into a word, and host signals ignored outside Idle.
    #[test]
    fn host_and_core_ports() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        let mut uut = Uut::new(&p);
        uut.connect_all();
        uut.host_mode.next = true;
        uut.wsel.next = ((1u64 << 36) - 1).into();
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
        uut.raddr.next = 2u64.into();
        uut.we.next = true;
        uut.waddr.next = 3u64.into();
        uut.wdata.next = 77u64.into();
        uut.wsel.next = 0u64.into();
        tick(&mut uut, clk);
        assert_eq!(uut.rdata.val().to_u64(), 0x2_0000_0005);
        uut.raddr.next = 3u64.into();
        uut.wdata.next = 0x7_0000_0078u64.into();
        uut.wnew.next = 0x5_5555_5555u64.into();
        uut.wsel.next = (0x1ffu64 << 9).into();
        tick(&mut uut, clk);
        assert_eq!(
            uut.rdata.val().to_u64(),
            !77u64 & ((1 << 36) - 1),
            "don't-care"
        );
        uut.we.next = false;
        tick(&mut uut, clk);
        assert_eq!(
            uut.rdata.val().to_u64(),
            0x7_0000_0078 | (0x5_5555_5555 & (0x1ff << 9))
        );
        uut.raddr.next = 1u64.into();
        tick(&mut uut, clk);
        assert_eq!(
            uut.rdata.val().to_u64(),
            0x1_0000_0005,
            "no host write outside Idle"
        );
    }

    /// Lanes low neuron first, two's complement, one word per input.
    #[test]
    fn pack_words_lays_out_lanes_like_snn_export() {
        // Neuron 0 = (1, -1), neuron 1 = (-8, 0), 4-bit lanes: word 0 = 0x81, word 1 = 0x0f.
        let words = pack_words::<8>(&[vec![1, -1], vec![-8, 0]], 4, 2);
        assert_eq!(
            words.iter().map(|w| w.to_u64()).collect::<Vec<_>>(),
            [0x81, 0x0f]
        );
        // 100 lanes of 10 bits: lane 99 = -1 fills the top 10 bits of a 1000-bit word.
        let mut raw = vec![vec![0]; 100];
        raw[99][0] = -1;
        raw[0][0] = 3;
        let w = pack_words::<1000>(&raw, 10, 100)[0];
        assert!((990..1000).all(|b| w.get_bit(b)) && !w.get_bit(989));
        assert_eq!(w.get_bits::<10>(0).to_u64(), 3);
    }

    /// Initial words read back through the host port without any write, the rest are zero.
    #[test]
    fn initial_words_are_there_at_power_up() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        let words: Vec<Bits<36>> = (0..3u64)
            .map(|i| ((0x8_0000_0001 * (i + 1)) >> 1).into())
            .collect();
        let mut uut = Uut::with_words(&p, &words);
        uut.connect_all();
        uut.host_mode.next = true;
        for (i, want) in [0x4_0000_0000u64, 0x8_0000_0001, 0xc_0000_0001, 0]
            .into_iter()
            .enumerate()
        {
            uut.host_addr.next = (i as u64).into();
            tick(&mut uut, clk);
            assert_eq!(uut.rdata.val().to_u64(), want, "word {i}");
        }
    }

    #[test]
    fn weight_mem_is_block_ram() {
        let p = HwParams::new(&SnnConfig::default()).unwrap();
        if let Some(r) = lint_and_synth(&mut WeightMem::<100, 10>::new(&p), "weight_mem") {
            assert_eq!(r.brams, 25, "1024 x 100 in 1024 x 4 blocks: {r:?}");
        }
    }
}
