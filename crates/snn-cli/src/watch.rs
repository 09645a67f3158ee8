//! Watching a network learn (`snn train`): which presentations found a winner, which neurons
//! have won, where the adaptive thresholds stand, the test accuracy every K images, and a
//! warning when learning has stopped.
//!
//! A network whose depression and penalty outweigh potentiation (the `seed` preset with the
//! corrected STDP rule) stops learning after a few dozen images: no neuron reaches its threshold
//! again, so nothing changes any more and the run ends with every test image unanswered. The
//! per-epoch counts and the curve show that while it happens instead of after an evaluation.

use crate::model::Model;
use serde::{Deserialize, Serialize};
use snn_core::config::SnnConfig;
use std::collections::VecDeque;

/// Presentations the collapse warning looks back on.
pub const COLLAPSE_WINDOW: usize = 1000;

/// One epoch of training.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct EpochStats {
    /// From 0, as in the trace.
    pub epoch: usize,
    pub presentations: usize,
    /// Presentations of this epoch without a winner (nothing learned).
    pub no_winner: usize,
    /// Neurons that won no presentation of this epoch.
    pub idle: usize,
    /// Neurons that have won no presentation since training started.
    pub never_won: usize,
    /// The adaptive thresholds at the end of the epoch, `null` without homeostasis.
    pub theta: Option<ThetaStats>,
    /// Test accuracy at the end of the epoch (a fraction), `null` without `--eval-every`.
    pub accuracy: Option<f64>,
}

/// Smallest, mean and largest adaptive threshold `theta[j]` (potential units, SPEC section 10):
/// a minimum far above 0 means every neuron has been made harder to fire, a maximum at
/// `theta_max` that the ceiling holds some neuron back.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct ThetaStats {
    pub min: f64,
    pub mean: f64,
    pub max: f64,
}

impl ThetaStats {
    /// The thresholds of `model`, `None` when its configuration has no homeostasis
    /// (`theta_max = 0`: every theta stays 0).
    pub fn of(model: &Model) -> Option<Self> {
        if model.cfg().theta_max <= 0.0 {
            return None;
        }
        let theta = model.theta_f64();
        Some(ThetaStats {
            min: theta.iter().copied().fold(f64::INFINITY, f64::min),
            mean: theta.iter().sum::<f64>() / theta.len() as f64,
            max: theta.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

impl std::fmt::Display for ThetaStats {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "theta min {:.3} mean {:.3} max {:.3}",
            self.min, self.mean, self.max
        )
    }
}

/// One point of the learning curve (`--curve`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CurvePoint {
    /// Training presentations so far, over all epochs.
    pub images_seen: usize,
    /// Epoch of the last of them, from 0.
    pub epoch: usize,
    /// Test accuracy now (a fraction).
    pub accuracy: f64,
    /// Share of the last `window` presentations without a winner.
    pub no_winner_rate: f64,
    /// The presentations `no_winner_rate` is over: the last K, fewer before K were made.
    pub window: usize,
    /// Neurons that have won no presentation so far.
    pub never_won: usize,
    /// The adaptive thresholds now, `null` without homeostasis.
    pub theta: Option<ThetaStats>,
}

/// What training has done so far, presentation by presentation.
pub struct Watch {
    /// Presentations per epoch.
    per_epoch: usize,
    /// A curve point every this many presentations (`--eval-every`).
    every: Option<usize>,
    /// Whether each of the last K presentations (K = `every`) had no winner.
    recent: Option<Window>,
    /// The same over the last [`COLLAPSE_WINDOW`] presentations.
    collapse: Window,
    won: Vec<bool>,
    won_this_epoch: Vec<bool>,
    seen: usize,
    in_epoch: usize,
    no_winner_in_epoch: usize,
    pub no_winner: usize,
    pub epochs: Vec<EpochStats>,
    pub points: Vec<CurvePoint>,
    pub warnings: Vec<String>,
}

/// What one presentation added: a warning to show now, and whether the network was measured.
#[derive(Default)]
pub struct News {
    pub warning: Option<String>,
    pub accuracy: Option<f64>,
}

impl Watch {
    /// Watches `neurons` neurons on `per_epoch` images per epoch, with a curve point every
    /// `every` presentations when given.
    pub fn new(neurons: usize, per_epoch: usize, every: Option<usize>) -> Self {
        Watch {
            per_epoch,
            every,
            recent: every.map(Window::new),
            collapse: Window::new(COLLAPSE_WINDOW),
            won: vec![false; neurons],
            won_this_epoch: vec![false; neurons],
            seen: 0,
            in_epoch: 0,
            no_winner_in_epoch: 0,
            no_winner: 0,
            epochs: Vec::new(),
            points: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Records presentation `epoch`'s latest outcome, `winner` (the network `model` as it now
    /// stands, `threshold` that image's input threshold). At a curve point or an epoch's end it
    /// measures `model` with `measure` (the test accuracy), when curve points are asked for.
    pub fn presented(
        &mut self,
        epoch: usize,
        winner: Option<usize>,
        threshold: f64,
        model: &Model,
        mut measure: impl FnMut(&Model) -> f64,
    ) -> News {
        let none = winner.is_none();
        self.seen += 1;
        self.in_epoch += 1;
        self.no_winner += usize::from(none);
        self.no_winner_in_epoch += usize::from(none);
        if let Some(j) = winner {
            self.won[j] = true;
            self.won_this_epoch[j] = true;
        }
        if let Some(recent) = &mut self.recent {
            recent.push(none);
        }
        self.collapse.push(none);

        let epoch_end = self.in_epoch == self.per_epoch;
        let at_point = self.every.is_some_and(|k| self.seen.is_multiple_of(k));
        let mut news = News::default();
        if self.warnings.is_empty() {
            let last = self.seen == self.per_epoch * model.cfg().epochs;
            if self.collapsed(last) {
                let theta = ThetaStats::of(model);
                let warning = collapse_warning(&self.collapse, model.cfg(), theta, threshold);
                self.warnings.push(warning.clone());
                news.warning = Some(warning);
            }
        }
        if !(epoch_end || at_point) {
            return news;
        }
        let theta = ThetaStats::of(model);
        let never_won = self.never_won();
        if let Some(recent) = &self.recent {
            let accuracy = measure(model);
            news.accuracy = Some(accuracy);
            self.points.push(CurvePoint {
                images_seen: self.seen,
                epoch,
                accuracy,
                no_winner_rate: recent.rate(),
                window: recent.len(),
                never_won,
                theta,
            });
        }
        if epoch_end {
            self.epochs.push(EpochStats {
                epoch,
                presentations: self.in_epoch,
                no_winner: self.no_winner_in_epoch,
                idle: self.won_this_epoch.iter().filter(|w| !**w).count(),
                never_won,
                theta,
                accuracy: news.accuracy,
            });
            self.in_epoch = 0;
            self.no_winner_in_epoch = 0;
            self.won_this_epoch.fill(false);
        }
        news
    }

    /// Neurons that have won nothing so far.
    pub fn never_won(&self) -> usize {
        self.won.iter().filter(|w| !**w).count()
    }

    /// More than half of the last [`COLLAPSE_WINDOW`] presentations had no winner: judged once
    /// the window is full, or at the `last` presentation of a shorter run over all of them.
    fn collapsed(&self, last: bool) -> bool {
        let full = self.collapse.len() == COLLAPSE_WINDOW;
        (full || last) && 2 * self.collapse.missed > self.collapse.len()
    }
}

/// Whether each of the last `cap` presentations had no winner, with their count kept as they
/// come and go (a training run asks after every image).
struct Window {
    missed_flags: VecDeque<bool>,
    cap: usize,
    missed: usize,
}

impl Window {
    fn new(cap: usize) -> Self {
        Window {
            missed_flags: VecDeque::with_capacity(cap),
            cap,
            missed: 0,
        }
    }

    /// Records a presentation, `missed` when it had no winner, forgetting the oldest beyond
    /// `cap`.
    fn push(&mut self, missed: bool) {
        if self.missed_flags.len() == self.cap {
            let oldest = self.missed_flags.pop_front();
            self.missed -= usize::from(oldest == Some(true));
        }
        self.missed_flags.push_back(missed);
        self.missed += usize::from(missed);
    }

    fn len(&self) -> usize {
        self.missed_flags.len()
    }

    /// The share of presentations without a winner, 0 when empty.
    fn rate(&self) -> f64 {
        if self.len() == 0 {
            return 0.0;
        }
        self.missed as f64 / self.len() as f64
    }
}

/// The warning for a run where most of `window`'s presentations had no winner, naming the
/// likely cause from the configuration and the state: thresholds raised by homeostasis above
/// what any input reaches, or weights worn down by depression and the penalty.
fn collapse_warning(
    window: &Window,
    cfg: &SnnConfig,
    theta: Option<ThetaStats>,
    threshold: f64,
) -> String {
    let missed = window.missed;
    let what = format!(
        "{missed} of the last {} presentations had no winner: no neuron reaches its threshold, so the network no longer learns",
        window.len()
    );
    let cause = match theta {
        Some(t) if t.min > threshold => format!(
            "homeostasis has raised every threshold by at least theta = {:.3}, above the input threshold ({threshold:.3}): theta_plus outweighs theta_minus; lower theta_plus (or theta_plus_per_neuron) or raise theta_minus",
            t.min
        ),
        _ if theta.is_some() || cfg.norm_target > 0.0 => {
            "depression and the penalty outweigh potentiation, so the weights fell below the threshold; lower a_plus or penalty, or raise a_minus or norm_target".to_string()
        }
        _ => "depression and the penalty outweigh potentiation, so the weights fell below the threshold (the seed constants with the corrected STDP rule do this); try --preset default, which adds homeostasis and row normalization".to_string(),
    };
    format!("{what}. Likely cause: {cause}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ArithKind;

    fn model(cfg: &SnnConfig) -> Model {
        Model::random(ArithKind::Fixed, cfg).unwrap()
    }

    #[test]
    fn counts_per_epoch_and_points_every_k() {
        let cfg = SnnConfig {
            neurons: 3,
            epochs: 2,
            ..SnnConfig::seed()
        };
        let m = model(&cfg);
        let winners = [Some(0), None, Some(0), None, Some(2)];
        let mut watch = Watch::new(3, winners.len(), Some(2));
        let mut measured = 0;
        for epoch in 0..2 {
            for w in winners {
                watch.presented(epoch, w, 5.0, &m, |_| {
                    measured += 1;
                    0.5
                });
            }
        }
        // Points at 2, 4, 5 (epoch end), 6, 8, 10.
        let seen: Vec<usize> = watch.points.iter().map(|p| p.images_seen).collect();
        assert_eq!(seen, [2, 4, 5, 6, 8, 10]);
        assert_eq!(measured, 6);
        let p = &watch.points[1];
        assert_eq!((p.no_winner_rate, p.window, p.never_won), (0.5, 2, 2));
        assert_eq!(watch.points[2].never_won, 1);
        assert_eq!(watch.epochs.len(), 2);
        let e = &watch.epochs[1];
        assert_eq!(
            (e.epoch, e.presentations, e.no_winner, e.idle),
            (1, 5, 2, 1)
        );
        assert_eq!((e.never_won, e.theta), (1, None));
        assert_eq!(e.accuracy, Some(0.5));
        assert_eq!(watch.no_winner, 4);
        assert!(watch.warnings.is_empty());
    }

    /// theta is reported with homeostasis only, and its three figures come from the network.
    #[test]
    fn theta_stats_with_homeostasis_only() {
        let seed = SnnConfig {
            neurons: 3,
            ..SnnConfig::seed()
        };
        assert_eq!(ThetaStats::of(&model(&seed)), None);
        let cfg = SnnConfig {
            neurons: 3,
            ..SnnConfig::learning()
        };
        let mut file = model(&cfg).weights_file();
        file.theta = Some(vec![1.0, 2.0, 6.0]);
        let path = std::path::Path::new("w.json");
        let m = Model::from_file(ArithKind::Fixed, &cfg, &file, false, path).unwrap();
        let t = ThetaStats::of(&m).unwrap();
        assert_eq!((t.min, t.mean, t.max), (1.0, 3.0, 6.0));
        assert_eq!(t.to_string(), "theta min 1.000 mean 3.000 max 6.000");
    }

    #[test]
    fn a_run_that_stops_finding_winners_is_warned_about_once_naming_the_cause() {
        let seed = SnnConfig {
            neurons: 2,
            ..SnnConfig::seed()
        };
        let m = model(&seed);
        let mut watch = Watch::new(2, 3000, None);
        let mut warnings = Vec::new();
        for k in 0..3000 {
            let winner = (k < 400).then_some(0);
            let news = watch.presented(0, winner, 5.0, &m, |_| {
                unreachable!("no curve points asked for")
            });
            warnings.extend(news.warning.map(|w| (k, w)));
        }
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let (k, w) = &warnings[0];
        // At presentation 1000 (index 999), 600 of the 1000 had no winner.
        assert_eq!(*k, 999);
        assert!(
            w.starts_with("600 of the last 1000 presentations had no winner"),
            "{w}"
        );
        assert!(w.contains("--preset default"), "{w}");
        // A short run is judged at its end, over all its presentations.
        let mut short = Watch::new(2, 10, None);
        let news: Vec<News> = (0..10)
            .map(|k| {
                short.presented(0, (k < 4).then_some(1), 5.0, &m, |_| {
                    unreachable!("no curve points asked for")
                })
            })
            .collect();
        assert!(news[..9].iter().all(|n| n.warning.is_none()));
        assert!(news[9]
            .warning
            .as_deref()
            .unwrap()
            .starts_with("6 of the last 10"));
        // With homeostasis and thresholds above the input threshold, theta is named.
        let mut window = Window::new(3);
        for missed in [true, false, true, true] {
            window.push(missed);
        }
        assert_eq!((window.len(), window.missed), (3, 2));
        let theta = |min| {
            Some(ThetaStats {
                min,
                mean: 10.0,
                max: 20.0,
            })
        };
        let w = collapse_warning(&window, &SnnConfig::learning(), theta(9.0), 4.0);
        assert!(w.contains("theta_plus outweighs theta_minus"), "{w}");
        let w = collapse_warning(&window, &SnnConfig::learning(), theta(1.0), 4.0);
        assert!(w.contains("lower a_plus or penalty"), "{w}");
    }
}
