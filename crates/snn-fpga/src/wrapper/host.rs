//! `Host`: the byte protocol between a UART and `snn_core`'s host ports.
//!
//! The core's ports are 394 bits wide for the default configuration (a weight word in and one
//! out, 100 bits each, plus pixels, results, the spike and debug outputs); a board has a serial
//! port and a few LEDs. `Host` turns a request/response byte stream into the core's port
//! protocol (docs/ARCHITECTURE.md, "Top-level ports"), so the whole accelerator needs three pins
//! and eight LEDs. Every request is answered, so a host program never has to guess timing:
//!
//! | request | then the host sends | the FPGA answers |
//! |---|---|---|
//! | `W` (0x57) | `M` words, `B` bytes each | `K` (0x4B) after the last word is written |
//! | `R` (0x52) | nothing | `M` words, `B` bytes each |
//! | `I` (0x49) / `L` (0x4C) | `M` pixels, row-major | 6 bytes: winner, valid, cycles (4) |
//! | `T` (0x54), homeostasis only | `N` thetas, `BT` bytes each | `K` after the last is written |
//! | `H` (0x48), homeostasis only | nothing | `N` thetas, `BT` bytes each |
//! | anything else | nothing | `?` (0x3F) |
//!
//! `I` presents the image for inference, `L` for training (STDP and penalty). The result's first
//! byte is the winner's low 8 bits; its second holds `winner_valid` in bit 0 and the winner's
//! bits 8-10 in bits 1-3 (zero with at most 255 neurons), so the answer keeps its 6 bytes up to
//! the 1,024 neurons of `snn_arch::limits::MAX_N`. `cycles` is the
//! core's cycle count minus the cycles its scan waited for a pixel from the serial line: what
//! the image costs when pixels come as fast as the core takes them, the cycle model's count, so
//! a board run can be checked against `snn-sim` and the throughput figures. Words are the
//! weight-memory words of `snn_fpga::bram` (address order = input order), `B = ceil(N*WB / 8)`
//! bytes, most significant byte first, the unused top bits zero; `cycles` is also most
//! significant byte first. A theta (homeostasis, SPEC section 10) is the raw unsigned value of
//! neuron 0, 1, ..., `BT = ceil(TB / 8)` bytes, most significant first: with `R` and `H` a
//! host saves all the learned state, and with `W` and `T` restores it (a core without
//! homeostasis answers `T` and `H` with `?`). The word register is `WORD8 = 8 * B` bits wide, so that bytes shift
//! in at the bottom and out at the top by a constant 8 (plain wiring): sending from a register
//! of exactly `N * WB` bits needs a barrel shifter to find a partial top byte, which made `Host`
//! 1,050 LUTs instead of 390 at `N * WB = 100` on the iCE40, where every LUT counts.

use rust_hdl::prelude::*;

/// Request bytes and the one-byte answers.
pub mod cmd {
    pub const WRITE: u8 = b'W';
    pub const READ: u8 = b'R';
    pub const INFER: u8 = b'I';
    pub const LEARN: u8 = b'L';
    pub const THETA_WRITE: u8 = b'T';
    pub const THETA_READ: u8 = b'H';
    pub const ACK: u8 = b'K';
    pub const UNKNOWN: u8 = b'?';
}

/// State codes of `Host`.
mod st {
    pub const IDLE: u64 = 0;
    pub const LOAD: u64 = 1;
    pub const WRITE: u64 = 2;
    pub const REPLY: u64 = 3;
    pub const START: u64 = 4;
    pub const PIXELS: u64 = 5;
    pub const WAIT: u64 = 6;
    pub const RESULT: u64 = 7;
    pub const READ_ADDR: u64 = 8;
    pub const READ_WORD: u64 = 9;
    pub const READ_SEND: u64 = 10;
    pub const CAPTURE: u64 = 11;
}

/// The protocol engine. `WORD = N * WB` and `AW` are the core's widths, `WORD8 = 8 * ceil(WORD / 8)`.
#[derive(LogicBlock)]
pub struct Host<const WORD: usize, const WORD8: usize, const AW: usize, const NB: usize> {
    pub clock: Signal<In, Clock>,
    // From the UART receiver.
    /// A received byte, valid with `rx_valid`.
    pub rx_data: Signal<In, Bits<8>>,
    /// One-cycle pulse per received byte.
    pub rx_valid: Signal<In, Bit>,
    // To the UART transmitter.
    /// The byte to send, with `tx_send`.
    pub tx_data: Signal<Out, Bits<8>>,
    /// One-cycle request to send `tx_data`, only while `tx_busy` is low.
    pub tx_send: Signal<Out, Bit>,
    pub tx_busy: Signal<In, Bit>,
    // To and from snn_core (its port table).
    /// One-cycle pulse in the cycle after an `I` or `L` request.
    pub start: Signal<Out, Bit>,
    /// Held from the request until the next one: training (`L`) or inference (`I`).
    pub learn: Signal<Out, Bit>,
    /// A one-pixel buffer: each pixel byte waits here until the core takes it.
    pub pix_data: Signal<Out, Bits<8>>,
    pub pix_valid: Signal<Out, Bit>,
    pub pix_ready: Signal<In, Bit>,
    /// Weight-memory writes (`W`) and reads (`R`), only while the core is idle (the protocol
    /// never overlaps them with an image).
    pub host_we: Signal<Out, Bit>,
    pub host_addr: Signal<Out, Bits<AW>>,
    pub host_wdata: Signal<Out, Bits<WORD>>,
    pub host_rdata: Signal<In, Bits<WORD>>,
    /// Homeostasis: `theta_we` writes the theta the low bits of `host_wdata` hold into neuron
    /// `sel` (only while the core is idle), and `theta_in` is `theta[sel]` placed in the top
    /// `BT` bytes of a word (zero without homeostasis).
    pub sel: Signal<Out, Bits<NB>>,
    pub theta_we: Signal<Out, Bit>,
    pub theta_in: Signal<In, Bits<WORD8>>,
    pub busy: Signal<In, Bit>,
    pub done: Signal<In, Bit>,
    pub winner: Signal<In, Bits<NB>>,
    pub winner_valid: Signal<In, Bit>,
    pub cycles: Signal<In, Bits<32>>,
    // Board.
    /// `[3:0]` winner (low bits), `[4]` winner valid, `[5]` core busy, `[6]` toggles per
    /// received byte, `[7]` heartbeat (about 1 Hz at 12 MHz: the bitstream is running).
    pub led: Signal<Out, Bits<8>>,
    state: DFF<Bits<4>>,
    /// Word address during `W` and `R`, pixel index during `I` and `L`.
    addr: DFF<Bits<AW>>,
    /// Byte index within a word or the result.
    nbyte: DFF<Bits<8>>,
    /// The word being received (shifted in at the bottom) or sent (shifted out at the top),
    /// zero-extended to whole bytes.
    word: DFF<Bits<WORD8>>,
    /// `winner` (low byte), `valid | winner >> 8 << 1`, `cycles` being sent, top byte first.
    result: DFF<Bits<48>>,
    /// Cycles of the current image in which the core waited for a pixel (`pix_ready` without
    /// `pix_valid`): a 115200-baud line delivers a pixel every ~1000 cycles.
    stalls: DFF<Bits<32>>,
    /// `cycles - stalls`.
    compute: Signal<Local, Bits<32>>,
    /// The one-byte answer `REPLY` sends.
    reply: DFF<Bits<8>>,
    learn_r: DFF<Bit>,
    /// The transfer (`W`/`R`) moves thetas (`T`/`H`) instead of weight words: the same states
    /// with the theta's byte count and the neurons for the words, so that the word register
    /// gains no new source (a second shift path cost 450 iCE40 LUTs).
    theta_r: DFF<Bit>,
    /// The last byte of the item being moved, and the last item.
    last_b: Signal<Local, Bit>,
    last_a: Signal<Local, Bit>,
    pix: DFF<Bits<8>>,
    pix_full: DFF<Bit>,
    rx_toggle: DFF<Bit>,
    heartbeat: DFF<Bits<24>>,
    /// One LED bit each.
    led4: Signal<Local, Bits<8>>,
    led5: Signal<Local, Bits<8>>,
    led6: Signal<Local, Bits<8>>,
    led7: Signal<Local, Bits<8>>,
    s_idle: Constant<Bits<4>>,
    s_load: Constant<Bits<4>>,
    s_write: Constant<Bits<4>>,
    s_reply: Constant<Bits<4>>,
    s_start: Constant<Bits<4>>,
    s_pixels: Constant<Bits<4>>,
    s_wait: Constant<Bits<4>>,
    s_result: Constant<Bits<4>>,
    s_read_addr: Constant<Bits<4>>,
    s_read_word: Constant<Bits<4>>,
    s_read_send: Constant<Bits<4>>,
    s_capture: Constant<Bits<4>>,
    c_theta_write: Constant<Bits<8>>,
    c_theta_read: Constant<Bits<8>>,
    /// The core has homeostasis: `T` and `H` are served.
    has_theta: Constant<Bit>,
    /// `N - 1`: the last neuron; `BT - 1`: the last byte of a theta.
    last_neuron: Constant<Bits<AW>>,
    last_theta_byte: Constant<Bits<8>>,
    c_write: Constant<Bits<8>>,
    c_read: Constant<Bits<8>>,
    c_infer: Constant<Bits<8>>,
    c_learn: Constant<Bits<8>>,
    c_ack: Constant<Bits<8>>,
    c_unknown: Constant<Bits<8>>,
    /// `M - 1`: the last word address and the last pixel index.
    last_addr: Constant<Bits<AW>>,
    /// The last weight word's address (`last_addr` with one lane per neuron).
    last_word: Constant<Bits<AW>>,
    /// `B - 1`: the last byte of a word.
    last_byte: Constant<Bits<8>>,
    /// `WORD8 - 8`: the top byte of `word`.
    top_byte: Constant<Bits<16>>,
    /// The last byte of the result (6 bytes).
    last_result: Constant<Bits<8>>,
    valid_bit: Constant<Bits<48>>,
    low4: Constant<Bits<8>>,
    bit4: Constant<Bits<8>>,
    bit5: Constant<Bits<8>>,
    bit6: Constant<Bits<8>>,
    bit7: Constant<Bits<8>>,
}

impl<const WORD: usize, const WORD8: usize, const AW: usize, const NB: usize>
    Host<WORD, WORD8, AW, NB>
{
    /// `inputs` is `M`, the number of pixels per image; `words` the number of weight words
    /// (`M`, or `G * M` with lane groups); `neurons` is `N`, and `theta_bits` `TB` with
    /// homeostasis (the `T` and `H` requests), else `None`.
    pub fn new(inputs: usize, words: usize, neurons: usize, theta_bits: Option<usize>) -> Self {
        assert!(WORD >= 8, "a word of {WORD} bits is narrower than a byte");
        assert!(
            inputs >= 1 && inputs <= words && words <= 1 << AW,
            "{inputs} inputs and {words} words do not fit {AW} address bits"
        );
        let bytes = WORD.div_ceil(8);
        assert_eq!(
            WORD8,
            8 * bytes,
            "WORD8 must be WORD rounded up to whole bytes"
        );
        assert!(
            bytes <= 256,
            "words of {bytes} bytes exceed the 8-bit byte counter"
        );
        let theta_bytes = theta_bits.unwrap_or(8).div_ceil(8);
        assert!(
            8 * theta_bytes <= WORD8,
            "a theta of {theta_bytes} bytes does not fit a word"
        );
        assert!(
            neurons >= 1 && neurons < 1 << NB.min(11) && neurons <= 1 << AW,
            "{neurons} neurons do not fit the {NB}-bit neuron select (and the result's 11 winner bits) and {AW} address bits"
        );
        let s = |v: u64| Constant::new(Bits::<4>::from(v));
        let c = |v: u8| Constant::new(Bits::<8>::from(v as u64));
        Host {
            clock: Default::default(),
            rx_data: Default::default(),
            rx_valid: Default::default(),
            tx_data: Default::default(),
            tx_send: Default::default(),
            tx_busy: Default::default(),
            start: Default::default(),
            learn: Default::default(),
            pix_data: Default::default(),
            pix_valid: Default::default(),
            pix_ready: Default::default(),
            host_we: Default::default(),
            host_addr: Default::default(),
            host_wdata: Default::default(),
            host_rdata: Default::default(),
            sel: Default::default(),
            theta_we: Default::default(),
            theta_in: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            winner: Default::default(),
            winner_valid: Default::default(),
            cycles: Default::default(),
            led: Default::default(),
            state: Default::default(),
            addr: Default::default(),
            nbyte: Default::default(),
            word: Default::default(),
            result: Default::default(),
            stalls: Default::default(),
            compute: Default::default(),
            reply: Default::default(),
            learn_r: Default::default(),
            theta_r: Default::default(),
            last_b: Default::default(),
            last_a: Default::default(),
            pix: Default::default(),
            pix_full: Default::default(),
            rx_toggle: Default::default(),
            heartbeat: Default::default(),
            led4: Default::default(),
            led5: Default::default(),
            led6: Default::default(),
            led7: Default::default(),
            s_idle: s(st::IDLE),
            s_load: s(st::LOAD),
            s_write: s(st::WRITE),
            s_reply: s(st::REPLY),
            s_start: s(st::START),
            s_pixels: s(st::PIXELS),
            s_wait: s(st::WAIT),
            s_result: s(st::RESULT),
            s_read_addr: s(st::READ_ADDR),
            s_read_word: s(st::READ_WORD),
            s_read_send: s(st::READ_SEND),
            s_capture: s(st::CAPTURE),
            c_theta_write: c(cmd::THETA_WRITE),
            c_theta_read: c(cmd::THETA_READ),
            has_theta: Constant::new(theta_bits.is_some()),
            last_neuron: Constant::new(Bits::<AW>::from(neurons as u64 - 1)),
            last_theta_byte: c((theta_bytes - 1) as u8),
            c_write: c(cmd::WRITE),
            c_read: c(cmd::READ),
            c_infer: c(cmd::INFER),
            c_learn: c(cmd::LEARN),
            c_ack: c(cmd::ACK),
            c_unknown: c(cmd::UNKNOWN),
            last_addr: Constant::new(Bits::<AW>::from(inputs as u64 - 1)),
            last_word: Constant::new(Bits::<AW>::from(words as u64 - 1)),
            last_byte: c((bytes - 1) as u8),
            top_byte: Constant::new(Bits::<16>::from(WORD8 as u64 - 8)),
            last_result: c(5),
            valid_bit: Constant::new(Bits::<48>::from(1u64 << 32)),
            low4: c(0x0f),
            bit4: c(0x10),
            bit5: c(0x20),
            bit6: c(0x40),
            bit7: c(0x80),
        }
    }
}

impl<const WORD: usize, const WORD8: usize, const AW: usize, const NB: usize> Logic
    for Host<WORD, WORD8, AW, NB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, addr, nbyte, word, result, stalls, reply, learn_r, theta_r, pix,
            pix_full, rx_toggle, heartbeat
        );
        self.tx_data.next = self.reply.q.val();
        self.tx_send.next = false;
        self.start.next = false;
        self.learn.next = self.learn_r.q.val();
        self.pix_data.next = self.pix.q.val();
        self.pix_valid.next = self.pix_full.q.val();
        self.host_we.next = false;
        self.host_addr.next = self.addr.q.val();
        self.host_wdata.next = bit_cast::<WORD, WORD8>(self.word.q.val());
        self.sel.next = bit_cast::<NB, AW>(self.addr.q.val());
        self.theta_we.next = false;
        self.last_b.next = self.nbyte.q.val() == self.last_byte.val();
        self.last_a.next = self.addr.q.val() == self.last_word.val();
        if self.theta_r.q.val() {
            self.last_b.next = self.nbyte.q.val() == self.last_theta_byte.val();
            self.last_a.next = self.addr.q.val() == self.last_neuron.val();
        }

        // LEDs.
        self.heartbeat.d.next = self.heartbeat.q.val() + 1;
        if self.rx_valid.val() {
            self.rx_toggle.d.next = !self.rx_toggle.q.val();
        }
        self.led4.next = 0.into();
        if self.winner_valid.val() {
            self.led4.next = self.bit4.val();
        }
        self.led5.next = 0.into();
        if self.busy.val() {
            self.led5.next = self.bit5.val();
        }
        self.led6.next = 0.into();
        if self.rx_toggle.q.val() {
            self.led6.next = self.bit6.val();
        }
        self.led7.next = 0.into();
        if self.heartbeat.q.val().get_bit(23) {
            self.led7.next = self.bit7.val();
        }
        self.led.next = (bit_cast::<8, NB>(self.winner.val()) & self.low4.val())
            | self.led4.val()
            | self.led5.val()
            | self.led6.val()
            | self.led7.val();

        // The pixel buffer empties when the core takes the pixel (a new byte, below, wins).
        if self.pix_ready.val() & self.pix_full.q.val() {
            self.pix_full.d.next = false;
        }
        if self.pix_ready.val() & !self.pix_full.q.val() {
            self.stalls.d.next = self.stalls.q.val() + 1;
        }
        self.compute.next = self.cycles.val() - self.stalls.q.val();

        if self.state.q.val() == self.s_idle.val() {
            if self.rx_valid.val() {
                self.addr.d.next = 0.into();
                self.nbyte.d.next = 0.into();
                self.theta_r.d.next = false;
                if self.rx_data.val() == self.c_write.val() {
                    self.state.d.next = self.s_load.val();
                } else if self.rx_data.val() == self.c_read.val() {
                    self.state.d.next = self.s_read_addr.val();
                } else if self.has_theta.val() & (self.rx_data.val() == self.c_theta_write.val()) {
                    self.theta_r.d.next = true;
                    self.state.d.next = self.s_load.val();
                } else if self.has_theta.val() & (self.rx_data.val() == self.c_theta_read.val()) {
                    self.theta_r.d.next = true;
                    self.state.d.next = self.s_read_addr.val();
                } else if (self.rx_data.val() == self.c_infer.val())
                    | (self.rx_data.val() == self.c_learn.val())
                {
                    self.learn_r.d.next = self.rx_data.val() == self.c_learn.val();
                    self.state.d.next = self.s_start.val();
                } else {
                    self.reply.d.next = self.c_unknown.val();
                    self.state.d.next = self.s_reply.val();
                }
            }
        } else if self.state.q.val() == self.s_load.val() {
            if self.rx_valid.val() {
                self.word.d.next =
                    (self.word.q.val() << 8) | bit_cast::<WORD8, 8>(self.rx_data.val());
                if self.last_b.val() {
                    self.nbyte.d.next = 0.into();
                    self.state.d.next = self.s_write.val();
                } else {
                    self.nbyte.d.next = self.nbyte.q.val() + 1;
                }
            }
        } else if self.state.q.val() == self.s_write.val() {
            self.host_we.next = !self.theta_r.q.val();
            self.theta_we.next = self.theta_r.q.val();
            if self.last_a.val() {
                self.reply.d.next = self.c_ack.val();
                self.state.d.next = self.s_reply.val();
            } else {
                self.addr.d.next = self.addr.q.val() + 1;
                self.state.d.next = self.s_load.val();
            }
        } else if self.state.q.val() == self.s_reply.val() {
            if !self.tx_busy.val() {
                self.tx_send.next = true;
                self.state.d.next = self.s_idle.val();
            }
        } else if self.state.q.val() == self.s_start.val() {
            self.start.next = true;
            self.stalls.d.next = 0.into();
            self.state.d.next = self.s_pixels.val();
        } else if self.state.q.val() == self.s_pixels.val() {
            if self.rx_valid.val() {
                self.pix.d.next = self.rx_data.val();
                self.pix_full.d.next = true;
                if self.addr.q.val() == self.last_addr.val() {
                    self.state.d.next = self.s_wait.val();
                } else {
                    self.addr.d.next = self.addr.q.val() + 1;
                }
            }
        } else if self.state.q.val() == self.s_wait.val() {
            if self.done.val() {
                self.state.d.next = self.s_capture.val();
            }
        } else if self.state.q.val() == self.s_capture.val() {
            // The cycle after `done`: the core is idle and `cycles` includes the Done cycle.
            self.result.d.next = (bit_cast::<48, 8>(bit_cast::<8, NB>(self.winner.val())) << 40)
                | (bit_cast::<48, NB>(self.winner.val() >> 8) << 33)
                | bit_cast::<48, 32>(self.compute.val());
            if self.winner_valid.val() {
                self.result.d.next = (bit_cast::<48, 8>(bit_cast::<8, NB>(self.winner.val()))
                    << 40)
                    | (bit_cast::<48, NB>(self.winner.val() >> 8) << 33)
                    | bit_cast::<48, 32>(self.compute.val())
                    | self.valid_bit.val();
            }
            self.nbyte.d.next = 0.into();
            self.state.d.next = self.s_result.val();
        } else if self.state.q.val() == self.s_result.val() {
            self.tx_data.next = bit_cast::<8, 48>(self.result.q.val() >> 40);
            if !self.tx_busy.val() {
                self.tx_send.next = true;
                self.result.d.next = self.result.q.val() << 8;
                if self.nbyte.q.val() == self.last_result.val() {
                    self.state.d.next = self.s_idle.val();
                } else {
                    self.nbyte.d.next = self.nbyte.q.val() + 1;
                }
            }
        } else if self.state.q.val() == self.s_read_addr.val() {
            // host_addr = addr this cycle; the RAM answers in the next.
            self.state.d.next = self.s_read_word.val();
        } else if self.state.q.val() == self.s_read_word.val() {
            self.word.d.next = bit_cast::<WORD8, WORD>(self.host_rdata.val());
            if self.theta_r.q.val() {
                self.word.d.next = self.theta_in.val();
            }
            self.nbyte.d.next = 0.into();
            self.state.d.next = self.s_read_send.val();
        } else if self.state.q.val() == self.s_read_send.val() {
            self.tx_data.next = bit_cast::<8, WORD8>(self.word.q.val() >> self.top_byte.val());
            if !self.tx_busy.val() {
                self.tx_send.next = true;
                self.word.d.next = self.word.q.val() << 8;
                if self.last_b.val() {
                    if self.last_a.val() {
                        self.state.d.next = self.s_idle.val();
                    } else {
                        self.addr.d.next = self.addr.q.val() + 1;
                        self.state.d.next = self.s_read_addr.val();
                    }
                } else {
                    self.nbyte.d.next = self.nbyte.q.val() + 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settles, clocks one rising edge and settles again.
    fn edge(u: &mut Host<16, 16, 10, 10>) {
        for clk in [true, false] {
            assert!(simulate(u, 1000), "settles");
            u.clock.next = Clock { clk };
        }
        assert!(simulate(u, 1000), "settles");
    }

    /// A winner of more than 8 bits reaches the host: its low byte first, its bits 8-10 beside
    /// `winner_valid` in the second byte, then the cycles (an `I` request on a 1-pixel image,
    /// the core's `done` driven by hand).
    #[test]
    fn result_carries_a_ten_bit_winner() {
        let mut u = Host::<16, 16, 10, 10>::new(1, 1, 700, None);
        u.connect_all();
        u.tx_busy.next = false;
        u.pix_ready.next = false;
        for byte in [cmd::INFER, 0, 0x2a] {
            u.rx_data.next = (byte as u64).into();
            u.rx_valid.next = byte != 0;
            edge(&mut u);
        }
        u.rx_valid.next = false;
        u.winner.next = 700u64.into();
        u.winner_valid.next = true;
        u.cycles.next = 1234u64.into();
        u.done.next = true;
        edge(&mut u);
        u.done.next = false;
        let mut sent = Vec::new();
        for _ in 0..20 {
            assert!(simulate(&mut u, 1000));
            if u.tx_send.val() {
                sent.push(u.tx_data.val().index() as u8);
            }
            edge(&mut u);
        }
        let valid_and_high = 1 | ((700 >> 8) << 1) as u8;
        assert_eq!(sent, [700u16 as u8, valid_and_high, 0, 0, 0x04, 0xd2]);
    }
}
