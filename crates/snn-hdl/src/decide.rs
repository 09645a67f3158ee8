//! `Decide`: control's decisions that other blocks act on in the same cycle (docs/ARCHITECTURE.md,
//! "Control FSM", steps 7 and 10): what the Fire cycle does, and whether End starts the penalty.
//! They come from registers and inputs only (the neurons' registered comparators, wta's
//! winner, control's state, step and `learn`), so control's next-state logic and the strobes it
//! sends the neuron array, wta and stdp read one copy without closing a loop through control's
//! own logic (see `crate::core`).

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Decide {
    /// control is in Fire / in End.
    pub in_fire: Signal<In, Bit>,
    pub in_end: Signal<In, Bit>,
    /// The image's `learn` bit; the step is `T`.
    pub learn: Signal<In, Bit>,
    pub last_step: Signal<In, Bit>,
    /// wta has a winner; some `shown[j] > thr`; some `pot[j] >= thr`.
    pub winner_valid: Signal<In, Bit>,
    pub above_any: Signal<In, Bit>,
    pub spike_any: Signal<In, Bit>,
    /// Fire goes to Wta (no winner yet and some neuron above threshold): nothing fires.
    pub to_wta: Signal<Out, Bit>,
    /// Fire takes effect: the neurons fire, reset and start their refractory time.
    pub fires: Signal<Out, Bit>,
    /// ... and some neuron spikes (the spike port).
    pub spike_valid: Signal<Out, Bit>,
    /// ... and learning: stdp starts the walk of the first neuron that fired.
    pub to_stdp: Signal<Out, Bit>,
    /// ... and nothing else: the next step begins.
    pub next_step: Signal<Out, Bit>,
    /// End with learning and a winner: stdp reads the head of the silent list.
    pub pen_start: Signal<Out, Bit>,
}

impl Logic for Decide {
    #[hdl_gen]
    fn update(&mut self) {
        self.to_wta.next = self.in_fire.val() & !self.winner_valid.val() & self.above_any.val();
        self.fires.next = self.in_fire.val() & (self.winner_valid.val() | !self.above_any.val());
        self.spike_valid.next = self.in_fire.val()
            & (self.winner_valid.val() | !self.above_any.val())
            & self.spike_any.val();
        self.to_stdp.next = self.in_fire.val()
            & (self.winner_valid.val() | !self.above_any.val())
            & self.learn.val()
            & self.spike_any.val();
        self.next_step.next = self.in_fire.val()
            & (self.winner_valid.val() | !self.above_any.val())
            & !(self.learn.val() & self.spike_any.val())
            & !self.last_step.val();
        self.pen_start.next = self.in_end.val() & self.learn.val() & self.winner_valid.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::lint_and_synth;
    use snn_arch::{FsmState, HwParams};
    use snn_core::config::SnnConfig;
    use snn_sim::control::{Control as Model, FireAction};
    use snn_sim::NeuronMask;

    /// Every combination of the inputs against the cycle model's control: Fire's action
    /// (`Control::fire_action`), End's next state (`Control::end`).
    #[test]
    fn decisions_are_the_models() {
        let p = HwParams::new(&SnnConfig::small()).unwrap();
        let mut uut = Decide::default();
        uut.connect_all();
        for bits in 0..64u32 {
            let b = |i: u32| bits >> i & 1 == 1;
            let (learn, last, winner_valid, above, spikes) = (b(0), b(1), b(2), b(3), b(4));
            let in_fire = b(5);
            let mut model = Model::new();
            model.learn = learn;
            model.t = if last { p.t_steps } else { 1 };
            uut.in_fire.next = in_fire;
            uut.in_end.next = !in_fire;
            uut.learn.next = learn;
            uut.last_step.next = last;
            uut.winner_valid.next = winner_valid;
            uut.above_any.next = above;
            uut.spike_any.next = spikes;
            assert!(simulate(&mut uut, 100));
            let got = [
                uut.to_wta.val(),
                uut.fires.val(),
                uut.spike_valid.val(),
                uut.to_stdp.val(),
                uut.next_step.val(),
                uut.pen_start.val(),
            ];
            let want = if in_fire {
                let action =
                    model.fire_action(winner_valid, above, NeuronMask::from_fn(1, |_| spikes), &p);
                let fires = action != FireAction::Wta;
                [
                    action == FireAction::Wta,
                    fires,
                    fires && spikes,
                    action == FireAction::Stdp,
                    action == FireAction::Next,
                    false,
                ]
            } else {
                model.state = FsmState::End;
                model.end(winner_valid, false, &p);
                [
                    false,
                    false,
                    false,
                    false,
                    false,
                    model.state == FsmState::Pen,
                ]
            };
            assert_eq!(got, want, "inputs {bits:06b}");
        }
    }

    #[test]
    fn decide_synthesizes_without_latches() {
        lint_and_synth(&mut Decide::default(), "decide");
    }
}
