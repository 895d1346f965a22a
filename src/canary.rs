//! Tenants for a test, each with canaries: values that appear in its data and nowhere
//! else, so any of them in another tenant's results is a leak.

use serde::Serialize;

/// Values that identify a tenant's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Canary {
    /// Put into text fields (names, reasons, codes): `CANARY-C01-…`.
    pub text: String,
    /// Put into numeric fields: a number no other tenant's data contains.
    pub number: i64,
}

/// A tenant of a test: its id in the application and its canaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    pub id: String,
    pub canary: Canary,
}

impl Tenant {
    /// Tenant number `index` (0-based), with the application's id for it. The canary
    /// number is `900_000_000 + 1_000 × (index + 1) + 7`: far from any seeded quantity,
    /// and distinct per tenant.
    pub fn new(index: usize, id: impl Into<String>) -> Tenant {
        let id = id.into();
        Tenant {
            canary: Canary {
                text: format!("CANARY-{id}-{:04x}", 0x5eed + index),
                number: 900_000_000 + 1_000 * (index as i64 + 1) + 7,
            },
            id,
        }
    }

    /// A canary text with a suffix, for several fields of one tenant (`CANARY-C01-…-2`).
    pub fn text(&self, suffix: impl std::fmt::Display) -> String {
        format!("{}-{suffix}", self.canary.text)
    }

    /// The canary number plus a small offset, for several numeric fields.
    pub fn number(&self, offset: i64) -> i64 {
        assert!(
            (0..1_000).contains(&offset),
            "offsets stay inside the tenant's range"
        );
        self.canary.number + offset
    }

    /// Whether `n` is one of this tenant's canary numbers.
    pub fn owns_number(&self, n: i64) -> bool {
        (self.canary.number..self.canary.number + 1_000).contains(&n)
    }
}

/// `n` tenants with ids from `id(index)`.
pub fn tenants(n: usize, id: impl Fn(usize) -> String) -> Vec<Tenant> {
    (0..n).map(|i| Tenant::new(i, id(i))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canaries_are_distinct_and_owned() {
        let all = tenants(50, |i| format!("C{:02}", i + 1));
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.canary.text, b.canary.text);
                assert!(!a.owns_number(b.number(999)));
                assert!(!b.canary.text.contains(&a.canary.text));
            }
            assert!(a.owns_number(a.number(42)));
        }
    }
}
