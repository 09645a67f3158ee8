//! `FpgaTop`: `snn_core` behind a UART, the module `snn_fpga_top` that the boards' constraint
//! files (`constraints/`) pin out: `clock`, `uart_rx`, `uart_tx`, `led[7:0]`.
//!
//! The bare core has 394 I/O bits in the default configuration (two 100-bit weight words among
//! them), more than the 206 user I/Os of the HX8K's CT256 package and ten times the UP5K's 39,
//! so no board can take it directly. Behind [`Host`]'s byte protocol it needs 11 pins. Outputs the protocol does not
//! carry (`pot_out`, the spike port, `threshold`, ...) are left open and Yosys removes the logic
//! that only fed them, which the utilization figures of the wrapped design reflect.

use super::host::Host;
use super::uart_rx::UartRx;
use super::uart_tx::UartTx;
use anyhow::{bail, ensure, Context, Result};
use rust_hdl::prelude::*;
use snn_arch::limits::check_rtl;
use snn_arch::widths::neuron_bits;
use snn_arch::HwParams;
use snn_core::config::SnnConfig;
use snn_hdl::core::SnnCore;
use snn_hdl::generate::check_initial_weights;
use snn_hdl::weight_mem::pack_words;
use std::path::{Path, PathBuf};

/// Name of the generated top module and stem of its file.
pub const TOP: &str = "snn_fpga_top";

/// The board-facing top. Widths as `SnnCore`'s, and `WORD8 = 8 * ceil(WORD / 8)` for [`Host`].
#[derive(LogicBlock)]
pub struct FpgaTop<
    const N: usize,
    const WB: usize,
    const PB: usize,
    const WORD: usize,
    const WORD8: usize,
    const AW: usize,
    const TB: usize,
    const VB: usize,
    const WAW: usize,
    const GB: usize,
    const SW: usize,
    const NB: usize,
> {
    /// The board oscillator; the whole design runs on it.
    pub clock: Signal<In, Clock>,
    /// Serial data from the host (8N1, idle high).
    pub uart_rx: Signal<In, Bit>,
    /// Serial data to the host.
    pub uart_tx: Signal<Out, Bit>,
    /// Status LEDs ([`Host::led`]).
    pub led: Signal<Out, Bits<8>>,
    rx: UartRx,
    tx: UartTx,
    /// The host port addresses the weight memory's words (`WAW` bits: `G * M` with lane groups).
    host: Host<WORD, WORD8, WAW, NB>,
    core: SnnCore<N, WB, PB, WORD, AW, TB, VB, WAW, GB, SW, NB>,
    /// 1 with homeostasis: the host's `T` and `H` requests reach the core's theta ports.
    _h: usize,
    /// `WORD8 - 8 * ceil(TB / 8)`: where a theta sits in the host's word to be sent first.
    theta_top: Constant<Bits<16>>,
    /// The core's `theta_out` (0 without homeostasis).
    theta_raw: Signal<Local, Bits<TB>>,
}

impl<
        const N: usize,
        const WB: usize,
        const PB: usize,
        const WORD: usize,
        const WORD8: usize,
        const AW: usize,
        const TB: usize,
        const VB: usize,
        const WAW: usize,
        const GB: usize,
        const SW: usize,
        const NB: usize,
    > FpgaTop<N, WB, PB, WORD, WORD8, AW, TB, VB, WAW, GB, SW, NB>
{
    /// `words`: the weight memory's initial contents ([`SnnCore::with_weights`]; empty: zero).
    pub fn new(p: &HwParams, clocks_per_bit: u32, words: &[Bits<WORD>]) -> Self {
        FpgaTop {
            clock: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            led: Default::default(),
            rx: UartRx::new(clocks_per_bit),
            tx: UartTx::new(clocks_per_bit),
            host: Host::new(
                p.m,
                p.groups * p.m,
                p.n,
                p.homeostasis.then_some(p.format.theta_bits as usize),
            ),
            core: SnnCore::with_weights(p, words),
            _h: usize::from(p.homeostasis),
            theta_top: Constant::new(Bits::<16>::from((WORD8 - 8 * TB.div_ceil(8)) as u64)),
            theta_raw: Default::default(),
        }
    }
}

impl<
        const N: usize,
        const WB: usize,
        const PB: usize,
        const WORD: usize,
        const WORD8: usize,
        const AW: usize,
        const TB: usize,
        const VB: usize,
        const WAW: usize,
        const GB: usize,
        const SW: usize,
        const NB: usize,
    > Logic for FpgaTop<N, WB, PB, WORD, WORD8, AW, TB, VB, WAW, GB, SW, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        self.rx.clock.next = self.clock.val();
        self.tx.clock.next = self.clock.val();
        self.host.clock.next = self.clock.val();
        self.core.clock.next = self.clock.val();

        self.rx.rx.next = self.uart_rx.val();
        self.uart_tx.next = self.tx.tx.val();
        self.led.next = self.host.led.val();

        self.host.rx_data.next = self.rx.data.val();
        self.host.rx_valid.next = self.rx.valid.val();
        self.tx.data.next = self.host.tx_data.val();
        self.tx.send.next = self.host.tx_send.val();
        self.host.tx_busy.next = self.tx.busy.val();

        self.core.start.next = self.host.start.val();
        self.core.learn.next = self.host.learn.val();
        self.core.pix_data.next = self.host.pix_data.val();
        self.core.pix_valid.next = self.host.pix_valid.val();
        self.host.pix_ready.next = self.core.pix_ready.val();
        self.core.host_we.next = self.host.host_we.val();
        self.core.host_addr.next = self.host.host_addr.val();
        self.core.host_wdata.next = self.host.host_wdata.val();
        self.host.host_rdata.next = self.core.host_rdata.val();
        self.core.pot_sel.next = self.host.sel.val();
        self.theta_raw.next = 0.into();
        for h in 0..self._h {
            self.core.theta_we[h].next = self.host.theta_we.val();
            self.core.theta_wdata[h].next = bit_cast::<TB, WORD>(self.host.host_wdata.val());
            self.theta_raw.next = self.core.theta_out[h].val();
        }
        self.host.theta_in.next =
            bit_cast::<WORD8, TB>(self.theta_raw.val()) << self.theta_top.val();
        self.host.busy.next = self.core.busy.val();
        self.host.done.next = self.core.done.val();
        self.host.winner.next = self.core.winner.val();
        self.host.winner_valid.next = self.core.winner_valid.val();
        self.host.cycles.next = self.core.cycles.val();
    }
}

/// Clock cycles per UART bit for a board clock and baud rate: the nearest integer, refused when
/// it is below the receiver's 4 or the rounding leaves more than 2 % baud error (a UART frame
/// tolerates about 4 % between both ends).
pub fn clocks_per_bit(clock_hz: u64, baud: u32) -> Result<u32> {
    ensure!(baud > 0, "baud rate must be positive");
    let div = ((clock_hz as f64) / baud as f64).round();
    ensure!(
        (4.0..=65535.0).contains(&div),
        "{clock_hz} Hz / {baud} baud = {div} clocks per bit, outside 4..=65535"
    );
    let err = (clock_hz as f64 / div / baud as f64 - 1.0).abs();
    ensure!(
        err <= 0.02,
        "{clock_hz} Hz cannot make {baud} baud: {div} clocks per bit is {:.1} % off",
        err * 100.0
    );
    Ok(div as u32)
}

/// The core's widths for which the wrapper is compiled: those of `snn_hdl::presets::PRESETS`.
/// rust-hdl widths are const generics, so each needs its own instantiation here.
macro_rules! widths {
    ($p:expr, $div:expr, $init:expr; $($n:literal, $wb:literal, $pb:literal, $aw:literal, $tb:literal, $vb:literal, $lanes:literal, $waw:literal, $gb:literal, $sw:literal;)+) => {{
        let p: &HwParams = $p;
        let init: Option<&[Vec<i32>]> = $init;
        let key = (p.n, p.widths.weight as usize, p.widths.potential as usize, p.aw as usize, p.lanes);
        let theta = p.homeostasis.then_some(p.format.theta_bits as usize);
        $(
            if key == ($n, $wb, $pb, $aw, $lanes) && theta == ($vb > $pb).then_some($tb) {
                let words = init.map_or_else(Vec::new, |raw| pack_words::<{ $lanes * $wb }>(raw, $wb, $lanes));
                let mut top = FpgaTop::<$n, $wb, $pb, { $lanes * $wb }, { usize::div_ceil($lanes * $wb, 8) * 8 }, $aw, $tb, $vb, $waw, $gb, $sw, { neuron_bits($n) }>::new(p, $div, &words);
                return Ok(snn_hdl::verilog::generate(&mut top, TOP));
            }
        )+
        bail!(
            "no compiled wrapper for N = {}, WB = {}, PB = {}, AW = {}, lanes = {} (compiled: {})",
            key.0, key.1, key.2, key.3, key.4,
            [$(format!("N = {}, WB = {}, PB = {}, AW = {}, lanes = {}", $n, $wb, $pb, $aw, $lanes)),+].join("; ")
        )
    }};
}

/// The Verilog of `snn_fpga_top` (and the core inside it) for `cfg`, with a UART at `baud` on a
/// `clock_hz` board clock. With `init` (raw weights `N x M`, e.g. [`crate::bram::initial_weights`])
/// the weight memory starts with them, so the bitstream classifies from configuration on without
/// a `W` request.
pub fn generate_top(
    cfg: &SnnConfig,
    clock_hz: u64,
    baud: u32,
    init: Option<&[Vec<i32>]>,
) -> Result<String> {
    let p = HwParams::new(cfg)?;
    check_rtl(&p)?;
    if let Some(raw) = init {
        check_initial_weights(&p, raw)?;
    }
    let div = clocks_per_bit(clock_hz, baud)?;
    widths!(&p, div, init;
        10, 10, 20, 10, 16, 20, 10, 10, 1, 1;
        4, 9, 18, 9, 16, 18, 4, 9, 1, 1;
        32, 10, 20, 10, 16, 20, 32, 10, 1, 1;
        100, 10, 20, 10, 16, 20, 100, 10, 1, 1;
        10, 10, 21, 10, 17, 22, 10, 10, 1, 1;
        100, 10, 21, 10, 17, 22, 100, 10, 1, 1;
        4, 9, 18, 9, 16, 19, 4, 9, 1, 1;
        10, 9, 18, 9, 16, 18, 4, 10, 2, 176;
        8, 9, 18, 9, 16, 18, 4, 10, 1, 176;
        100, 10, 20, 10, 16, 20, 10, 13, 4, 480;
        10, 9, 18, 9, 16, 19, 4, 10, 2, 176;
        8, 9, 18, 9, 16, 19, 4, 10, 1, 176;
        100, 10, 21, 10, 17, 22, 10, 13, 4, 500;
        200, 10, 21, 10, 17, 22, 20, 13, 4, 1000;
        100, 10, 21, 10, 17, 22, 5, 14, 5, 250;
        400, 10, 21, 10, 17, 22, 50, 13, 3, 2500;
    )
}

/// Writes `snn_fpga_top.v` into `dir` (created if needed; atomically) and returns its path.
pub fn write_top(
    cfg: &SnnConfig,
    clock_hz: u64,
    baud: u32,
    init: Option<&[Vec<i32>]>,
    dir: &Path,
) -> Result<PathBuf> {
    let text = generate_top(cfg, clock_hz, baud, init)?;
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let path = dir.join(format!("{TOP}.v"));
    snn_core::atomic::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_per_bit_rounds_and_refuses_bad_rates() {
        assert_eq!(clocks_per_bit(12_000_000, 115_200).unwrap(), 104);
        assert_eq!(clocks_per_bit(100_000_000, 115_200).unwrap(), 868);
        assert_eq!(clocks_per_bit(25_000_000, 115_200).unwrap(), 217);
        assert!(clocks_per_bit(12_000_000, 4_000_000).is_err());
        // 12 MHz / 1 Mbaud: 12 exactly; 12 MHz / 921600 = 13.02 -> 13, 0.2 % off.
        assert_eq!(clocks_per_bit(12_000_000, 921_600).unwrap(), 13);
        // 12 MHz / 2.4 Mbaud = 5 exactly; / 2.2 Mbaud = 5.45 -> 5, 9 % off.
        assert!(clocks_per_bit(12_000_000, 2_200_000)
            .unwrap_err()
            .to_string()
            .contains("off"));
    }

    #[test]
    fn every_core_preset_has_a_wrapper() {
        for preset in snn_hdl::presets::PRESETS {
            let cfg = snn_hdl::presets::preset_config(preset.name).unwrap();
            let v = generate_top(&cfg, 12_000_000, 115_200, None).unwrap();
            assert!(v.contains(&format!("module {TOP}(")), "{}", preset.name);
        }
    }
}
