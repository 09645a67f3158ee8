//! `Cast`: `bit_cast` as a block. rust-hdl's `#[hdl_gen]` cannot translate a function call whose
//! argument indexes a vector of signals (`bit_cast(self.x[i].val())` does not compile), so a
//! value that lives in a vector (a part built only for some configurations) is resized by
//! a vector of these instead.

use rust_hdl::prelude::*;

/// `y` = `x` zero-extended or truncated to `B` bits.
#[derive(LogicBlock, Default)]
pub struct Cast<const A: usize, const B: usize> {
    pub x: Signal<In, Bits<A>>,
    pub y: Signal<Out, Bits<B>>,
}

impl<const A: usize, const B: usize> Logic for Cast<A, B> {
    #[hdl_gen]
    fn update(&mut self) {
        self.y.next = bit_cast::<B, A>(self.x.val());
    }
}
