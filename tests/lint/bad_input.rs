//! Bad input never panics, hangs or passes silently.
