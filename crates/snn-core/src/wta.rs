//! wta: winner-takes-all inhibition, SPEC section 5 step 2.

/// The winner among the potentials the WTA unit sees: the lowest index attaining the maximum,
/// provided that maximum is strictly above the threshold.
pub fn select<P: PartialOrd + Copy>(
    shown: impl IntoIterator<Item = P>,
    threshold: P,
) -> Option<usize> {
    let mut best: Option<(usize, P)> = None;
    for (j, p) in shown.into_iter().enumerate() {
        if best.is_none_or(|(_, b)| p > b) {
            best = Some((j, p));
        }
    }
    best.filter(|&(_, p)| p > threshold).map(|(j, _)| j)
}

#[cfg(test)]
mod tests {
    use super::select;

    #[test]
    fn lowest_index_of_the_maximum_strictly_above_threshold() {
        assert_eq!(select([1.0, 3.0, 3.0, 2.0], 2.5), Some(1));
        assert_eq!(select([1.0, 3.0, 3.0, 2.0], 3.0), None);
        assert_eq!(select([5, -1], 4), Some(0));
        assert_eq!(select(Vec::<i32>::new(), 0), None);
    }
}
