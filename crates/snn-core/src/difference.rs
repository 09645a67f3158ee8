//! The first difference between two levels' presentations of one image, the one comparison every
//! cross-level check (tests, `snn compare`) uses.

use crate::control::Presentation;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// A field in which two presentations differ: its name and the two values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// `peak_count`, `threshold`, `spikes at step T`, `winner`, `inhibit_step`,
    /// `final_potential[j]` or `cycles`.
    pub field: String,
    /// The value in the presentation `first_difference` was called on.
    pub ours: Value,
    /// The value in the other one.
    pub theirs: Value,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} vs {}", self.field, self.ours, self.theirs)
    }
}

fn differ(field: impl Into<String>, ours: impl Serialize, theirs: impl Serialize) -> Difference {
    Difference {
        field: field.into(),
        ours: serde_json::to_value(ours).unwrap_or(Value::Null),
        theirs: serde_json::to_value(theirs).unwrap_or(Value::Null),
    }
}

impl<P: PartialEq + Serialize> Presentation<P> {
    /// The first field in which `other` differs, in the order the hardware produces them: the
    /// peak count and threshold before step 1, the spikes in time order (the earliest step whose
    /// set of spiking neurons differs), the winner and its step, the potentials at the end, and
    /// the cycle count last (only when both have one). The per-step trace is not compared.
    pub fn first_difference(&self, other: &Self) -> Option<Difference> {
        if self.peak_count != other.peak_count {
            return Some(differ("peak_count", self.peak_count, other.peak_count));
        }
        if self.threshold != other.threshold {
            return Some(differ("threshold", &self.threshold, &other.threshold));
        }
        if self.spike_times != other.spike_times {
            let steps: BTreeSet<u32> = self
                .spike_times
                .iter()
                .chain(&other.spike_times)
                .flatten()
                .copied()
                .collect();
            let at = |s: &[Vec<u32>], t: u32| -> Vec<usize> {
                (0..s.len()).filter(|&j| s[j].contains(&t)).collect()
            };
            let step = steps
                .into_iter()
                .find(|&t| at(&self.spike_times, t) != at(&other.spike_times, t));
            return Some(match step {
                Some(t) => differ(
                    format!("spikes at step {t}"),
                    at(&self.spike_times, t),
                    at(&other.spike_times, t),
                ),
                // Same spikes at every step: only the neuron count differs.
                None => differ("neurons", self.spike_times.len(), other.spike_times.len()),
            });
        }
        if self.winner != other.winner {
            return Some(differ("winner", self.winner, other.winner));
        }
        if self.inhibit_step != other.inhibit_step {
            return Some(differ(
                "inhibit_step",
                self.inhibit_step,
                other.inhibit_step,
            ));
        }
        let (a, b) = (&self.final_potentials, &other.final_potentials);
        if let Some(j) = (0..a.len().max(b.len())).find(|&j| a.get(j) != b.get(j)) {
            return Some(differ(format!("final_potential[{j}]"), a.get(j), b.get(j)));
        }
        match (self.cycles, other.cycles) {
            (Some(x), Some(y)) if x != y => Some(differ("cycles", x, y)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Presentation<i32> {
        Presentation {
            winner: Some(1),
            inhibit_step: Some(5),
            spike_times: vec![vec![], vec![5, 9], vec![7]],
            final_potentials: vec![-3, 40, 12],
            threshold: 30,
            peak_count: 12,
            cycles: Some(2_000),
            trace: None,
        }
    }

    #[test]
    fn equal_presentations_have_no_difference() {
        assert_eq!(image().first_difference(&image()), None);
        let mut traced = image();
        traced.trace = Some(vec![vec![1, 2, 3]]);
        assert_eq!(
            image().first_difference(&traced),
            None,
            "the trace is not compared"
        );
    }

    #[test]
    fn the_earliest_field_in_hardware_order_is_named() {
        let mut b = image();
        b.final_potentials[2] = 13;
        b.spike_times[2] = vec![6];
        b.cycles = Some(2_001);
        let d = image().first_difference(&b).unwrap();
        assert_eq!(d.field, "spikes at step 6");
        assert_eq!(
            (d.ours.to_string(), d.theirs.to_string()),
            ("[]".into(), "[2]".into())
        );
        b.spike_times[2] = vec![7];
        assert_eq!(
            image().first_difference(&b).unwrap().to_string(),
            "final_potential[2]: 12 vs 13"
        );
        b.final_potentials[2] = 12;
        assert_eq!(image().first_difference(&b).unwrap().field, "cycles");
        b.cycles = None;
        assert_eq!(
            image().first_difference(&b),
            None,
            "a level without a clock has no cycles"
        );
    }

    #[test]
    fn winner_then_step_then_threshold_first() {
        let mut b = image();
        b.inhibit_step = Some(6);
        assert_eq!(image().first_difference(&b).unwrap().field, "inhibit_step");
        b.winner = None;
        assert_eq!(
            image().first_difference(&b).unwrap().to_string(),
            "winner: 1 vs null"
        );
        b.threshold = 31;
        assert_eq!(image().first_difference(&b).unwrap().field, "threshold");
        b.peak_count = 0;
        assert_eq!(image().first_difference(&b).unwrap().field, "peak_count");
    }

    #[test]
    fn a_missing_neuron_is_a_difference() {
        let mut b = image();
        b.spike_times.push(vec![]);
        assert_eq!(image().first_difference(&b).unwrap().field, "neurons");
    }
}
