//! The workload of a service that formats values into its SQL, for the guard's
//! concurrency test and its benchmark (which includes this file by path): `distinct`
//! texts, a tenth of them checked nine times in ten (the fixed statements), the rest once
//! in a while (a value formatted in), `checks` in all, interleaved. A fixed sequence from
//! a linear congruential generator: the same every run.

/// `checks` texts made by `text(i)` for `i` below `distinct`, every one at least once.
pub fn mixed(checks: usize, distinct: usize, text: &dyn Fn(usize) -> String) -> Vec<String> {
    let hot = (distinct / 10).max(1);
    let mut state: u64 = 0x2545_f491;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as usize % n
    };
    let mut out: Vec<String> = (0..distinct).map(text).collect();
    while out.len() < checks {
        let i = if next(10) < 9 || distinct <= hot {
            next(hot)
        } else {
            hot + next(distinct - hot)
        };
        out.push(text(i));
    }
    // Interleaved, so the distinct texts do not all come first.
    for k in (1..out.len()).rev() {
        out.swap(k, next(k + 1));
    }
    out
}
