//! `UartTx`: 8N1 serial transmitter.

use rust_hdl::prelude::*;

/// Sends one byte per frame (start bit, 8 data bits LSB first, stop bit) at `clocks_per_bit`
/// clock cycles per bit.
#[derive(LogicBlock)]
pub struct UartTx {
    pub clock: Signal<In, Clock>,
    /// The byte to send, sampled with `send`.
    pub data: Signal<In, Bits<8>>,
    /// Driven by the user for one cycle while `busy` is low: starts a frame with `data`.
    /// Ignored while `busy`.
    pub send: Signal<In, Bit>,
    /// High from the cycle after `send` until the stop bit has lasted a full bit time.
    pub busy: Signal<Out, Bit>,
    /// The serial line to the host (board pin), idle high.
    pub tx: Signal<Out, Bit>,
    /// The line inverted, so that the power-up value 0 is an idle (high) line.
    tx_low: DFF<Bit>,
    busy_r: DFF<Bit>,
    /// Cycles left in the current bit.
    cnt: DFF<Bits<16>>,
    /// Bits still to send after the current one (8 data + stop).
    left: DFF<Bits<4>>,
    /// The remaining data bits, inverted: once they are shifted out the zeros that follow are
    /// the (high) stop bit.
    shift_n: DFF<Bits<8>>,
    bit_last: Constant<Bits<16>>,
}

impl UartTx {
    /// `clocks_per_bit`: clock frequency / baud rate, at least 4 (the receiver's bound).
    pub fn new(clocks_per_bit: u32) -> Self {
        assert!(
            (4..=65535).contains(&clocks_per_bit),
            "clocks per bit {clocks_per_bit} outside 4..=65535"
        );
        UartTx {
            clock: Default::default(),
            data: Default::default(),
            send: Default::default(),
            busy: Default::default(),
            tx: Default::default(),
            tx_low: Default::default(),
            busy_r: Default::default(),
            cnt: Default::default(),
            left: Default::default(),
            shift_n: Default::default(),
            bit_last: Constant::new(Bits::<16>::from(clocks_per_bit as u64 - 1)),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, tx_low, busy_r, cnt, left, shift_n);
        self.tx.next = !self.tx_low.q.val();
        self.busy.next = self.busy_r.q.val();
        if !self.busy_r.q.val() {
            if self.send.val() {
                self.busy_r.d.next = true;
                self.tx_low.d.next = true;
                self.shift_n.d.next = !self.data.val();
                self.left.d.next = 9.into();
                self.cnt.d.next = self.bit_last.val();
            }
        } else if self.cnt.q.val() != 0 {
            self.cnt.d.next = self.cnt.q.val() - 1;
        } else if self.left.q.val() == 0 {
            self.busy_r.d.next = false;
        } else {
            self.cnt.d.next = self.bit_last.val();
            self.left.d.next = self.left.q.val() - 1;
            self.tx_low.d.next = self.shift_n.q.val().get_bit(0);
            self.shift_n.d.next = self.shift_n.q.val() >> 1;
        }
    }
}
