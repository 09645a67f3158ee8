//! `UartRx`: 8N1 serial receiver (idle high, start bit low, 8 data bits LSB first, stop bit high).

use rust_hdl::prelude::*;

/// Receives one byte per frame at `clocks_per_bit` clock cycles per bit.
///
/// The line is sampled in the middle of each bit: a falling edge starts a frame, the start bit is
/// checked half a bit later (a shorter low pulse is a glitch and ignored), then each data bit and
/// the stop bit one bit time apart. A frame whose stop bit is low (a framing error or a break) is
/// dropped. The line is asynchronous to `clock` and passes two flip-flops first.
#[derive(LogicBlock)]
pub struct UartRx {
    pub clock: Signal<In, Clock>,
    /// The serial line from the host (board pin), idle high.
    pub rx: Signal<In, Bit>,
    /// The last byte received; valid while `valid` is high, held until the next frame ends.
    pub data: Signal<Out, Bits<8>>,
    /// One-cycle pulse after the middle of a correct stop bit.
    pub valid: Signal<Out, Bit>,
    /// The synchronizer holds the *inverted* line, so that the flip-flops' power-up value 0
    /// reads as an idle line instead of a start bit.
    low1: DFF<Bit>,
    low2: DFF<Bit>,
    /// Inside a frame.
    busy: DFF<Bit>,
    /// Cycles until the next sample.
    cnt: DFF<Bits<16>>,
    /// The bit sampled next: 0 start, 1..=8 data, 9 stop.
    phase: DFF<Bits<4>>,
    shift: DFF<Bits<8>>,
    valid_r: DFF<Bit>,
    /// `clocks_per_bit - 1` and `clocks_per_bit / 2 - 1`.
    bit_last: Constant<Bits<16>>,
    half_last: Constant<Bits<16>>,
    msb: Constant<Bits<8>>,
}

impl UartRx {
    /// `clocks_per_bit` (clock frequency / baud rate) must be at least 4 so that the middle of a
    /// bit is at least one cycle away from its edges.
    pub fn new(clocks_per_bit: u32) -> Self {
        assert!(
            (4..=65535).contains(&clocks_per_bit),
            "clocks per bit {clocks_per_bit} outside 4..=65535"
        );
        UartRx {
            clock: Default::default(),
            rx: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            low1: Default::default(),
            low2: Default::default(),
            busy: Default::default(),
            cnt: Default::default(),
            phase: Default::default(),
            shift: Default::default(),
            valid_r: Default::default(),
            bit_last: Constant::new(Bits::<16>::from(clocks_per_bit as u64 - 1)),
            half_last: Constant::new(Bits::<16>::from(clocks_per_bit as u64 / 2 - 1)),
            msb: Constant::new(Bits::<8>::from(0x80u64)),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, low1, low2, busy, cnt, phase, shift, valid_r);
        self.low1.d.next = !self.rx.val();
        self.low2.d.next = self.low1.q.val();
        self.data.next = self.shift.q.val();
        self.valid.next = self.valid_r.q.val();
        self.valid_r.d.next = false;
        if !self.busy.q.val() {
            if self.low2.q.val() {
                self.busy.d.next = true;
                self.cnt.d.next = self.half_last.val();
                self.phase.d.next = 0.into();
            }
        } else if self.cnt.q.val() != 0 {
            self.cnt.d.next = self.cnt.q.val() - 1;
        } else {
            self.cnt.d.next = self.bit_last.val();
            self.phase.d.next = self.phase.q.val() + 1;
            if self.phase.q.val() == 0 {
                // Middle of the start bit: the line must still be low.
                if !self.low2.q.val() {
                    self.busy.d.next = false;
                }
            } else if self.phase.q.val() == 9 {
                self.busy.d.next = false;
                self.valid_r.d.next = !self.low2.q.val();
            } else {
                // Data bits arrive LSB first: shift in from the top.
                self.shift.d.next = self.shift.q.val() >> 1;
                if !self.low2.q.val() {
                    self.shift.d.next = (self.shift.q.val() >> 1) | self.msb.val();
                }
            }
        }
    }
}
