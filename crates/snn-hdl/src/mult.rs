//! `UMul`: combinational unsigned multiplier of any widths.
//!
//! rust-hdl only has `Bits<16> * Bits<16>`, and Verilog sizes a product by its context (an
//! `a * b` inside a narrower expression silently loses its high bits). This block emits the
//! product with every width explicit and simulates it exactly in Rust.

use rust_hdl::prelude::*;

/// `p = a * b`, unsigned, combinational. `P` must be `A + B` (checked at compile time when
/// the block is built), so the product never overflows; stable Rust cannot spell `A + B` as a
/// const-generic argument, hence the third parameter.
#[derive(LogicBlock)]
pub struct UMul<const A: usize, const B: usize, const P: usize> {
    /// Multiplicand, from the parent.
    pub a: Signal<In, Bits<A>>,
    /// Multiplier, from the parent.
    pub b: Signal<In, Bits<B>>,
    /// The exact product, valid in the same cycle.
    pub p: Signal<Out, Bits<P>>,
}

impl<const A: usize, const B: usize, const P: usize> UMul<A, B, P> {
    const WIDTHS_OK: () = assert!(
        P == A + B && A > 0 && B > 0,
        "UMul<A, B, P> needs P == A + B"
    );

    pub fn new() -> Self {
        let () = Self::WIDTHS_OK;
        Self {
            a: Signal::default(),
            b: Signal::default(),
            p: Signal::default(),
        }
    }
}

impl<const A: usize, const B: usize, const P: usize> Default for UMul<A, B, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const A: usize, const B: usize, const P: usize> Logic for UMul<A, B, P> {
    fn update(&mut self) {
        // Shift-and-add on `Bits<P>`: exact for any width (no u128 limit).
        let a: Bits<P> = bit_cast(self.a.val());
        let b = self.b.val();
        let mut p = Bits::<P>::default();
        for i in 0..B {
            if b.get_bit(i) {
                p = p + (a << i as LiteralType);
            }
        }
        self.p.next = p;
    }

    fn connect(&mut self) {
        self.p.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "// Unsigned {A} x {B} multiplier. Both operands are zero-extended to the {P}-bit\n\
             // product width, so the product is exact and no width is left to context rules.\n\
             always @(*) begin\n\
             \x20   p = {{{{{B}{{1'b0}}}}, a}} * {{{{{A}{{1'b0}}}}, b}};\n\
             end\n"
        ))
    }
}
