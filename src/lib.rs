//! Isolation harness (issue 6).
