//! Labelling, classification, accuracy and confusion matrix (SPEC section 7).

use serde::Serialize;

/// A neuron's label: the class with the highest mean spike count over the labelling images
/// (lowest class on ties); `None` for a neuron that never spiked.
pub fn label_neurons(counts: &[Vec<u32>], labels: &[u8], classes: usize) -> Vec<Option<u8>> {
    assert_eq!(counts.len(), labels.len());
    let n = counts.first().map_or(0, Vec::len);
    let mut sum = vec![vec![0u64; classes]; n];
    let mut per_class = vec![0u64; classes];
    for (c, &l) in counts.iter().zip(labels) {
        per_class[l as usize] += 1;
        for (j, &k) in c.iter().enumerate() {
            sum[j][l as usize] += k as u64;
        }
    }
    sum.iter()
        .map(|s| {
            if s.iter().all(|&x| x == 0) {
                return None;
            }
            let mean = |c: usize| {
                if per_class[c] == 0 {
                    0.0
                } else {
                    s[c] as f64 / per_class[c] as f64
                }
            };
            let mut best = 0;
            for c in 1..classes {
                if mean(c) > mean(best) {
                    best = c;
                }
            }
            Some(best as u8)
        })
        .collect()
}

/// The label of the neuron with the most spikes (lowest index on ties); `None` when no neuron
/// spiked or the winner has no label.
pub fn predict(counts: &[u32], neuron_labels: &[Option<u8>]) -> Option<u8> {
    let mut best = 0;
    for j in 1..counts.len() {
        if counts[j] > counts[best] {
            best = j;
        }
    }
    if counts.get(best).copied().unwrap_or(0) == 0 {
        return None;
    }
    neuron_labels[best]
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassAccuracy {
    pub class: u8,
    pub correct: usize,
    pub total: usize,
    pub accuracy: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    pub accuracy: f64,
    pub correct: usize,
    pub total: usize,
    /// Images with no spike or an unlabelled winner (counted as wrong).
    pub no_prediction: usize,
    pub per_class: Vec<ClassAccuracy>,
    /// `confusion[true][predicted]`; the last column counts "no prediction".
    pub confusion: Vec<Vec<usize>>,
}

/// Scores predictions against true labels.
pub fn evaluate(predictions: &[Option<u8>], labels: &[u8], classes: usize) -> Evaluation {
    assert_eq!(predictions.len(), labels.len());
    let mut confusion = vec![vec![0usize; classes + 1]; classes];
    for (p, &l) in predictions.iter().zip(labels) {
        confusion[l as usize][p.map_or(classes, |p| p as usize)] += 1;
    }
    let correct: usize = (0..classes).map(|c| confusion[c][c]).sum();
    let total = labels.len();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let per_class = (0..classes)
        .map(|c| {
            let total: usize = confusion[c].iter().sum();
            ClassAccuracy {
                class: c as u8,
                correct: confusion[c][c],
                total,
                accuracy: ratio(confusion[c][c], total),
            }
        })
        .collect();
    Evaluation {
        accuracy: ratio(correct, total),
        correct,
        total,
        no_prediction: confusion.iter().map(|r| r[classes]).sum(),
        per_class,
        confusion,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_by_mean_count_with_ties_to_the_lowest_class() {
        // Neuron 0 fires 2 for class 1 (one image) and 1+1 for class 0 (two images, mean 1).
        // Neuron 1 ties (mean 1 in both classes) -> class 0. Neuron 2 never fires.
        let counts = vec![vec![1, 1, 0], vec![1, 1, 0], vec![2, 1, 0]];
        let labels = [0, 0, 1];
        assert_eq!(
            label_neurons(&counts, &labels, 2),
            vec![Some(1), Some(0), None]
        );
    }

    #[test]
    fn prediction_and_confusion() {
        let nl = [Some(1), Some(0), None];
        assert_eq!(predict(&[3, 3, 0], &nl), Some(1));
        assert_eq!(predict(&[0, 0, 0], &nl), None);
        assert_eq!(predict(&[0, 0, 5], &nl), None);
        let e = evaluate(&[Some(1), None, Some(0)], &[1, 0, 1], 2);
        assert_eq!((e.correct, e.total, e.no_prediction), (1, 3, 1));
        assert_eq!(e.confusion, vec![vec![0, 0, 1], vec![1, 1, 0]]);
        assert!((e.accuracy - 1.0 / 3.0).abs() < 1e-12);
    }
}
