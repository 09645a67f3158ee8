//! Value parsers for numeric flags, so that a value that cannot work is refused by clap with the
//! flag's name ("invalid value '0' for '--epochs <E>': must be at least 1"), instead of failing
//! later as an empty data set or an invalid "default configuration".

/// A count that must be at least 1 (`--limit`, `--neurons`, `--epochs`, ...).
pub fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// A class count (`--classes`): labels are bytes, so 1 to 256.
pub fn class_count(s: &str) -> Result<usize, String> {
    match at_least_one(s)? {
        n if n <= 256 => Ok(n),
        _ => Err("must be at most 256 (labels are bytes)".into()),
    }
}

/// A finite number above zero (`--freq`).
pub fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        Ok(_) => Err("must be a positive number".into()),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_junk_are_refused() {
        assert_eq!(at_least_one("3"), Ok(3));
        assert!(at_least_one("0").is_err());
        assert!(at_least_one("-1").is_err());
        assert_eq!(class_count("256"), Ok(256));
        assert!(class_count("257").is_err());
        assert_eq!(positive("50"), Ok(50.0));
        for bad in ["0", "-2", "inf", "NaN", "x"] {
            assert!(positive(bad).is_err(), "{bad}");
        }
    }
}
