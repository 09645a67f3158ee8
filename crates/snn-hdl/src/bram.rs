//! `Bram`: simple dual-port block RAM that Yosys maps onto iCE40 `SB_RAM40_4K` blocks.
//!
//! rust-hdl's own `RAM` declares `2^AW` words, has no `$readmemh` and reads each initial word
//! from a `BTreeMap`; this block declares exactly `depth` words (784 for a 28 x 28 image), takes
//! its initial contents inline or from a `$readmemh` file, and writes its Verilog so that
//! Verilator `-Wall` is silent and `synth_ice40` infers block RAM. Words wider than 16 bits are
//! split by Yosys across several `SB_RAM40_4K`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use rust_hdl::prelude::*;
use snn_arch::{readmemh, Word};

/// Simple dual-port RAM of `depth` words of `DW` bits, one clock.
///
/// * Write port: on a rising `clock` edge with `we` high, `wdata` is stored at `waddr`.
/// * Read port: on every rising edge the word at `raddr` is registered into `rdata`
///   (synchronous read, one cycle of latency: `rdata` changes just after the edge).
/// * Read-during-write of the same address returns the **old** word (the write lands after
///   the read), in Verilog and in the Rust simulation. `SB_RAM40_4K` leaves that collision
///   undefined, so Yosys guarantees it with a delayed write and a bypass: about `2 DW + AW`
///   flip-flops and `DW` LUTs (212 FF + 108 LUT for 784 x 100), and a LUT level after the
///   RAM. A design that never uses the word read at a colliding edge drops that logic with
///   [`Bram::without_read_during_write`].
/// * Addresses must be below `depth` when it is not a power of two: out of range, the
///   simulators drop writes and Icarus reads X, while the hardware aliases into unused rows.
///   The Rust simulation drops the write and reads 0.
/// * `rdata` is 0 until the first clock edge in the Rust simulation and undefined in Verilog:
///   an initial value is not something `SB_RAM40_4K` has, and Yosys emulates it with logic
///   (17 LUT + 1 FF for 256 x 16).
///
/// `AW` must be the address width `depth` needs (`clog2(depth)`, at least 1), so no address bit
/// is wasted and the index width matches the array for the linter.
#[derive(LogicBlock)]
pub struct Bram<const AW: usize, const DW: usize> {
    /// Clock of both ports, from the parent.
    pub clock: Signal<In, Clock>,
    /// Write address, sampled on the rising edge.
    pub waddr: Signal<In, Bits<AW>>,
    /// Write data, sampled on the rising edge.
    pub wdata: Signal<In, Bits<DW>>,
    /// Write enable, sampled on the rising edge.
    pub we: Signal<In, Bit>,
    /// Read address, sampled on the rising edge.
    pub raddr: Signal<In, Bits<AW>>,
    /// The word at the `raddr` of the last rising edge (as it was before that edge's write).
    pub rdata: Signal<Out, Bits<DW>>,
    _init: Init<DW>,
    _mem: Vec<Bits<DW>>,
    _no_collision: bool,
}

/// Initial contents and how the Verilog gets them.
#[derive(Clone, Debug)]
enum Init<const DW: usize> {
    /// Word `i` at address `i`, written inline in an `initial` block; addresses past the end
    /// start at zero.
    Words(Vec<Bits<DW>>),
    /// `$readmemh(name)`; `words` are the file's words, already read for the Rust simulation.
    MemFile {
        name: String,
        words: Vec<Option<Bits<DW>>>,
    },
}

impl<const AW: usize, const DW: usize> Bram<AW, DW> {
    /// A RAM of `depth` words that all start at zero.
    pub fn new(depth: usize) -> Self {
        Self::with_words(depth, &[])
    }

    /// A RAM of `depth` words; `words[i]` starts at address `i`, later addresses at zero.
    pub fn with_words(depth: usize, words: &[Bits<DW>]) -> Self {
        assert!(
            words.len() <= depth,
            "{} initial words for a depth of {depth}",
            words.len()
        );
        let mut mem = vec![Bits::<DW>::default(); depth];
        mem[..words.len()].copy_from_slice(words);
        Self::build(depth, Init::Words(words.to_vec()), mem)
    }

    /// A RAM of `depth` words loaded by `$readmemh` from the `.mem` file `file` (format:
    /// `snn_arch::readmemh`); addresses the file does not set start at zero. The Rust simulation
    /// reads `file` now; the Verilog reads `verilog_name` when it starts: the runners of
    /// [`crate::verilog`] resolve a relative name against the folder of the Verilog file, so
    /// pass the bare file name when the `.mem` file sits beside the generated Verilog.
    pub fn from_mem_file(depth: usize, file: &Path, verilog_name: &str) -> Result<Self> {
        ensure!(
            !verilog_name.contains(['"', '\\', '\n']),
            "`{verilog_name}` cannot be written into a Verilog string"
        );
        let text = std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
        let words: Vec<Option<Bits<DW>>> =
            readmemh::read_words(&text, DW, depth, &file.display().to_string())?
                .iter()
                .map(|w| w.as_ref().map(to_bits))
                .collect();
        let mem = words.iter().map(|w| w.unwrap_or_default()).collect();
        Ok(Self::build(
            depth,
            Init::MemFile {
                name: verilog_name.to_string(),
                words,
            },
            mem,
        ))
    }

    fn build(depth: usize, init: Init<DW>, mem: Vec<Bits<DW>>) -> Self {
        assert!(
            depth >= 1 && depth <= 1 << AW,
            "depth {depth} does not fit {AW} address bits"
        );
        assert_eq!(
            AW,
            clog2(depth).max(1),
            "a depth of {depth} needs {} address bits",
            clog2(depth).max(1)
        );
        Self {
            clock: Signal::default(),
            waddr: Signal::default(),
            wdata: Signal::default(),
            we: Signal::default(),
            raddr: Signal::default(),
            rdata: Signal::default(),
            _init: init,
            _mem: mem,
            _no_collision: false,
        }
    }

    /// Declares the word read at an edge that also writes `raddr` a don't-care, which lets
    /// Yosys map the RAM onto block RAM alone (`(* no_rw_check *)`). The hardware then reads
    /// an undefined word; the Rust simulation and the Verilog simulators (code outside
    /// `SYNTHESIS`) read the old word inverted, so a design that uses such a word fails its
    /// comparisons instead of passing on the simulators' read-first luck.
    pub fn without_read_during_write(mut self) -> Self {
        self._no_collision = true;
        self
    }

    /// Number of words.
    pub fn depth(&self) -> usize {
        self._mem.len()
    }

    /// Verilog `initial` block: the zero fill (when the initial words do not cover every
    /// address) and the words or the `$readmemh`.
    fn initial_block(&self) -> String {
        let depth = self.depth();
        let covered = match &self._init {
            Init::Words(words) => words.len() == depth,
            Init::MemFile { words, .. } => words.iter().all(Option::is_some),
        };
        let mut v = String::from("initial begin\n");
        if !covered {
            // The integer is 32 bits and the array index AW bits: select exactly AW of them.
            let _ = writeln!(
                v,
                "    for (i = 0; i < {depth}; i = i + 1) begin\n        mem[i[{}:0]] = {DW}'h0;\n    end",
                AW - 1
            );
        }
        match &self._init {
            Init::Words(words) => {
                for (addr, w) in words.iter().enumerate() {
                    let _ = writeln!(v, "    mem[{addr}] = {DW}'h{w:x};");
                }
            }
            Init::MemFile { name, .. } => {
                let _ = writeln!(v, "    $readmemh(\"{name}\", mem);");
            }
        }
        v.push_str("end\n");
        if !covered {
            v.insert_str(0, "integer i;\n");
        }
        v
    }
}

impl<const AW: usize, const DW: usize> Logic for Bram<AW, DW> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            // Read before write: a read of the address being written sees the old word, or
            // its inverse when the collision is a don't-care.
            let old = self
                ._mem
                .get(self.raddr.val().index())
                .copied()
                .unwrap_or_default();
            let collision = self.we.val() && self.waddr.val() == self.raddr.val();
            self.rdata.next = if collision && self._no_collision {
                !old
            } else {
                old
            };
            if self.we.val() {
                if let Some(word) = self._mem.get_mut(self.waddr.val().index()) {
                    *word = self.wdata.val();
                }
            }
        }
    }

    fn connect(&mut self) {
        self.rdata.connect();
    }

    fn hdl(&self) -> Verilog {
        let (attr, comment, read) = if self._no_collision {
            (
                "(* no_rw_check *) ",
                "// reading the address being written is a don't-care: simulators (not synthesis)\n\
                 // return the old word inverted so that a design using it fails its tests.\n",
                "`ifdef SYNTHESIS\n\
                 \x20   rdata <= mem[raddr];\n\
                 `else\n\
                 \x20   rdata <= (we && waddr == raddr) ? ~mem[raddr] : mem[raddr];\n\
                 `endif\n",
            )
        } else {
            (
                "",
                "// reading the address being written returns the old word (non-blocking write\n\
                 // after the read).\n",
                "    rdata <= mem[raddr];\n",
            )
        };
        Verilog::Custom(format!(
            "// {depth} x {DW} simple dual-port RAM, registered read;\n\
             {comment}\
             {attr}reg [{dhi}:0] mem [0:{ahi}];\n\
             {init}\n\
             always @(posedge clock) begin\n\
             \x20   if (we) begin\n\
             \x20       mem[waddr] <= wdata;\n\
             \x20   end\n\
             {read}\
             end\n",
            depth = self.depth(),
            dhi = DW - 1,
            ahi = self.depth() - 1,
            init = self.initial_block(),
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "bram".into(),
            clock: "clock".into(),
            inputs: vec!["waddr".into(), "wdata".into(), "we".into(), "raddr".into()],
            outputs: vec!["rdata".into()],
        }]
    }
}

/// A word of `snn_arch` as rust-hdl bits (of the same width).
pub fn to_bits<const B: usize>(w: &Word) -> Bits<B> {
    assert_eq!(w.bits(), B, "word width");
    w.ones()
        .fold(Bits::<B>::default(), |b, i| b.replace_bit(i, true))
}

/// rust-hdl bits as a word of `snn_arch` (to write or compare `$readmemh` files).
pub fn to_word<const B: usize>(b: &Bits<B>) -> Word {
    let mut w = Word::zeros(B);
    for i in (0..B).filter(|&i| b.get_bit(i)) {
        w.set(i);
    }
    w
}
