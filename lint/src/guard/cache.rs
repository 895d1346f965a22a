//! The guard's verdict cache: bounded, shared by every thread of an application.
//!
//! Keyed by SQL text, split into shards by the text's hash so threads rarely wait for
//! one another. Each shard keeps at most its share of the limit and evicts with the
//! CLOCK algorithm (second chance): a hit only marks its entry as used, under a read
//! lock; an insertion into a full shard sweeps to the first entry not used since the
//! last sweep and replaces it. Frequently checked statements stay; texts seen once (a
//! value formatted into the SQL) are the first to go.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use super::Refusal;

/// At most this many shards; fewer when the limit is small, so no shard's share of it
/// is zero.
const SHARDS: usize = 16;

pub(super) struct VerdictCache {
    shards: Vec<RwLock<Shard>>,
    hasher: RandomState,
}

struct Shard {
    /// Where each text's slot is.
    index: HashMap<Arc<str>, usize>,
    slots: Vec<Slot>,
    /// The next slot the sweep looks at.
    hand: usize,
    limit: usize,
}

struct Slot {
    text: Arc<str>,
    verdict: Option<Refusal>,
    used: AtomicBool,
}

impl VerdictCache {
    /// A cache of at most `limit` verdicts (none when `limit` is 0).
    pub(super) fn new(limit: usize) -> Self {
        let shards = SHARDS.min(limit).max(1);
        let shards = (0..shards)
            .map(|i| {
                // The limit split as evenly as it goes: the first shards take the rest.
                let share = limit / shards + usize::from(i < limit % shards);
                RwLock::new(Shard {
                    index: HashMap::new(),
                    slots: Vec::new(),
                    hand: 0,
                    limit: share,
                })
            })
            .collect();
        VerdictCache {
            shards,
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, text: &str) -> &RwLock<Shard> {
        let hash = self.hasher.hash_one(text) as usize;
        &self.shards[hash % self.shards.len()]
    }

    /// The cached verdict on `text`: `Some(None)` for a statement that passed.
    pub(super) fn get(&self, text: &str) -> Option<Option<Refusal>> {
        let shard = self.shard(text).read().unwrap_or_else(|e| e.into_inner());
        let &slot = shard.index.get(text)?;
        let slot = &shard.slots[slot];
        slot.used.store(true, Ordering::Relaxed);
        Some(slot.verdict.clone())
    }

    pub(super) fn insert(&self, text: &str, verdict: Option<Refusal>) {
        let mut shard = self.shard(text).write().unwrap_or_else(|e| e.into_inner());
        if shard.limit == 0 || shard.index.contains_key(text) {
            return;
        }
        let text: Arc<str> = Arc::from(text);
        let slot = Slot {
            text: text.clone(),
            verdict,
            used: AtomicBool::new(false),
        };
        if shard.slots.len() < shard.limit {
            let at = shard.slots.len();
            shard.slots.push(slot);
            shard.index.insert(text, at);
            return;
        }
        // The sweep: each used entry loses its mark and is passed over once.
        let victim = loop {
            let hand = shard.hand;
            shard.hand = (hand + 1) % shard.slots.len();
            if !shard.slots[hand].used.swap(false, Ordering::Relaxed) {
                break hand;
            }
        };
        let old = std::mem::replace(&mut shard.slots[victim], slot);
        shard.index.remove(&old.text);
        shard.index.insert(text, victim);
    }

    /// How many verdicts are cached.
    pub(super) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(|e| e.into_inner()).slots.len())
            .sum()
    }

    /// The most verdicts it keeps.
    pub(super) fn limit(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(|e| e.into_inner()).limit)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(n: u64) -> Option<Refusal> {
        Some(Refusal {
            code: "TI001",
            name: "unscoped-read",
            message: format!("refusal {n}"),
            table: None,
            line: n,
            column: 1,
            findings: 1,
        })
    }

    #[test]
    fn the_cache_never_holds_more_than_its_limit() {
        for limit in [0, 1, 3, 16, 17, 100] {
            let cache = VerdictCache::new(limit);
            assert_eq!(cache.limit(), limit);
            for i in 0..1000u64 {
                cache.insert(&format!("SELECT {i}"), refusal(i));
                assert!(cache.len() <= limit, "{} > {limit}", cache.len());
            }
            assert_eq!(cache.len(), limit, "a full cache stays full");
        }
    }

    #[test]
    fn a_cached_verdict_is_the_one_inserted() {
        let cache = VerdictCache::new(100);
        cache.insert("SELECT 1", None);
        cache.insert("SELECT 2", refusal(2));
        assert_eq!(cache.get("SELECT 1"), Some(None));
        assert_eq!(cache.get("SELECT 2"), Some(refusal(2)));
        assert_eq!(cache.get("SELECT 3"), None);
    }

    #[test]
    fn an_entry_in_use_outlives_texts_seen_once() {
        // One shard, so every text competes for the same four slots.
        let cache = VerdictCache {
            shards: vec![RwLock::new(Shard {
                index: HashMap::new(),
                slots: Vec::new(),
                hand: 0,
                limit: 4,
            })],
            hasher: RandomState::new(),
        };
        cache.insert("hot", None);
        for i in 0..100 {
            assert_eq!(cache.get("hot"), Some(None), "after {i} other texts");
            cache.insert(&format!("once {i}"), refusal(i));
        }
        assert_eq!(cache.len(), 4);
    }
}
