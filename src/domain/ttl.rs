use serde_json::Value;

/// The longest time to live accepted: 100 years of 365 days. Far beyond any cache's needs,
/// and it keeps every expiry a representable, ISO-8601-printable instant.
pub const MAX_TTL_SECONDS: u64 = 100 * 365 * 24 * 60 * 60;

/// A time to live: a whole number of seconds from 1 to [`MAX_TTL_SECONDS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ttl(u64);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "`ttl` must be a whole number of seconds from 1 to {MAX_TTL_SECONDS} (100 years), or left out for a key that never expires; got {0}"
)]
pub struct TtlError(String);

impl Ttl {
    /// Accepts a JSON number that is a whole, positive, representable number of seconds.
    /// Strings, fractions (`5.5`, `5.0`, `5e0`), zero, negatives and null are refused.
    pub fn from_json(value: &Value) -> Result<Self, TtlError> {
        value
            .as_u64()
            .filter(|seconds| (1..=MAX_TTL_SECONDS).contains(seconds))
            .map(Self)
            .ok_or_else(|| TtlError(value.to_string()))
    }

    pub fn from_seconds(seconds: u64) -> Result<Self, TtlError> {
        Self::from_json(&Value::from(seconds))
    }

    pub fn as_millis(self) -> i64 {
        // Cannot overflow: MAX_TTL_SECONDS * 1000 is about 3.2e12.
        self.0 as i64 * 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_positive_seconds_are_accepted() {
        assert_eq!(Ttl::from_json(&json!(1)).unwrap().as_millis(), 1000);
        assert_eq!(
            Ttl::from_json(&json!(MAX_TTL_SECONDS)).unwrap().as_millis(),
            MAX_TTL_SECONDS as i64 * 1000
        );
    }

    #[test]
    fn anything_else_is_refused_with_what_was_sent() {
        let huge: Value = serde_json::from_str("100000000000000000000000").unwrap();
        let fractional_zero: Value = serde_json::from_str("5.0").unwrap();
        for bad in [
            json!(0),
            json!(-5),
            json!(5.5),
            fractional_zero,
            json!("5"),
            json!(null),
            json!(MAX_TTL_SECONDS + 1),
            huge,
        ] {
            let error = Ttl::from_json(&bad).unwrap_err();
            assert!(error.to_string().ends_with(&bad.to_string()), "{error}");
        }
    }
}
