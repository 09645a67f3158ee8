//! The codes the hardware levels exchange: the FSM state (the RTL's `state` port, the cycle
//! model's `Control::state`, the traces) and the STDP pipeline's operation (`op_b`, `op_c`).
//! The RTL's constants are `code()` of these enums, so no level keeps a copy.

use serde::Serialize;

/// FSM states (docs/ARCHITECTURE.md, "Control FSM, cycle by cycle"), with their 4-bit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum FsmState {
    Idle = 0,
    Ingest = 1,
    Drain = 2,
    Thresh = 3,
    Divide = 4,
    Int = 5,
    Fire = 6,
    Wta = 7,
    Stdp = 8,
    StdpDrain = 9,
    End = 10,
    Pen = 11,
    PenDrain = 12,
    Done = 13,
    /// Homeostasis only: one cycle after Divide loads every neuron's own threshold
    /// `thr + theta[j]`.
    Bias = 14,
    /// Normalization only: the step `(S - rsum[winner]) / M`, one multiplier bit per cycle (the
    /// winner's row is rewritten by the next image's sweep, in its Ingest).
    NormMul = 15,
    /// Normalization with lane groups (`P < N`) only: after End, a walk over the winner's row
    /// (`M + 1` cycles) sums it with this image's penalty where silent, for NormMul.
    Sum = 16,
    /// Normalization in a layer fed by spikes (several layers) only: after NormMul, a walk over
    /// the winner's row (`M + 1` cycles) writes its penalty and normalization, there being no
    /// Ingest sweep to leave them pending for.
    Rewrite = 17,
}

/// Width of the `state` register and port.
pub const STATE_BITS: usize = 5;

impl FsmState {
    pub const ALL: [FsmState; 18] = [
        FsmState::Idle,
        FsmState::Ingest,
        FsmState::Drain,
        FsmState::Thresh,
        FsmState::Divide,
        FsmState::Int,
        FsmState::Fire,
        FsmState::Wta,
        FsmState::Stdp,
        FsmState::StdpDrain,
        FsmState::End,
        FsmState::Pen,
        FsmState::PenDrain,
        FsmState::Done,
        FsmState::Bias,
        FsmState::NormMul,
        FsmState::Sum,
        FsmState::Rewrite,
    ];

    /// The code on the `state` port.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The state of a `state` port code, `None` for a code no state has.
    pub fn from_code(code: u64) -> Option<Self> {
        FsmState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The name used in the doc, the VCD and the traces.
    pub fn name(self) -> &'static str {
        match self {
            FsmState::Idle => "Idle",
            FsmState::Ingest => "Ingest",
            FsmState::Drain => "Drain",
            FsmState::Thresh => "Thresh",
            FsmState::Divide => "Divide",
            FsmState::Int => "Int",
            FsmState::Fire => "Fire",
            FsmState::Wta => "Wta",
            FsmState::Stdp => "Stdp",
            FsmState::StdpDrain => "StdpDrain",
            FsmState::End => "End",
            FsmState::Pen => "Pen",
            FsmState::PenDrain => "PenDrain",
            FsmState::Done => "Done",
            FsmState::Bias => "Bias",
            FsmState::NormMul => "NormMul",
            FsmState::Sum => "Sum",
            FsmState::Rewrite => "Rewrite",
        }
    }
}

/// Operation carried down the STDP pipeline, with its 2-bit code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum StdpOp {
    /// Input spiked `d` steps before the output spike: `w + round(lut_pot[d] * (w_max - w))`.
    #[default]
    Pot = 0,
    /// Input spiked `d` steps after: `w - round(lut_dep[d] * (w - w_min))`.
    Dep = 1,
    /// End-of-image penalty (without normalization, which folds it into the sweep):
    /// `max(w - penalty, w_min)`.
    Pen = 2,
}

/// Width of `op_b` and `op_c`.
pub const OP_BITS: usize = 2;

impl StdpOp {
    pub const fn code(self) -> u64 {
        self as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_fit_the_port_and_names_are_distinct() {
        for (i, s) in FsmState::ALL.iter().enumerate() {
            assert_eq!(s.code(), i as u64);
            assert!(s.code() < 1 << STATE_BITS);
            assert_eq!(FsmState::from_code(s.code()), Some(*s));
            assert_eq!(
                FsmState::ALL
                    .iter()
                    .filter(|o| o.name() == s.name())
                    .count(),
                1
            );
        }
        assert_eq!(FsmState::from_code(FsmState::ALL.len() as u64), None);
        for op in [StdpOp::Pot, StdpOp::Dep, StdpOp::Pen] {
            assert!(op.code() < 1 << OP_BITS);
        }
    }
}
