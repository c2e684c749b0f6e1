//! What this node's caches learn from the other nodes on the same database. A change that a
//! cache holds (an activity's seats, a municipality's content) drops the entry here at once and
//! records a topic in the change feed (`store::changes`); every node's watcher reads the feed a
//! few times a second and drops its own copy, so another node sees the change within a second.
//! Sessions and tokens need none of this: every request reads them from the database.

use crate::AppState;
use std::time::Duration;
use store::changes;

/// How often the watcher reads the feed.
pub const POLL: Duration = Duration::from_millis(250);

/// The municipality's activities changed (a sign-up, a cancellation, an edit).
pub async fn activities_changed(state: &AppState, kommunkod: &str) {
    state.activities.forget(kommunkod);
    let topic = changes::activities_topic(kommunkod);
    // The change itself is committed; without the topic other nodes catch up by the TTL.
    if let Err(e) = changes::record(&state.db, &topic, state.clock.now()).await {
        tracing::warn!(error = %e, "could not record a change for the other nodes");
    }
}

/// Drops what `topic` names from this node's caches.
fn apply(state: &AppState, topic: &str) {
    match topic.split_once(':') {
        Some(("activities", k)) => state.activities.forget(k),
        Some(("content", store::catalogue::NATIONAL)) => state.content.clear(),
        Some(("content", k)) => state.content.forget(k),
        _ => tracing::warn!(topic, "unknown change topic"),
    }
}

fn forget_everything(state: &AppState) {
    state.activities.clear();
    state.content.clear();
}

/// Reads the change feed until the process ends.
pub fn spawn_watcher(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = loop {
            match changes::head(&state.db).await {
                Ok(seq) => break seq,
                Err(e) => tracing::warn!(error = %e, "change feed: cannot read its head"),
            }
            tokio::time::sleep(POLL * 4).await;
        };
        let mut rounds: u64 = 0;
        loop {
            tokio::time::sleep(POLL).await;
            rounds += 1;
            match changes::since(&state.db, last).await {
                Ok((rows, oldest)) => {
                    // Topics we never saw were pruned while this node was away: start afresh.
                    if oldest > last + 1 && last > 0 && rows.first().is_none_or(|r| r.0 > last + 1)
                    {
                        forget_everything(&state);
                    }
                    for (seq, topic) in rows {
                        apply(&state, &topic);
                        last = seq;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "change feed: read failed");
                    forget_everything(&state);
                }
            }
            // About once a minute, one of the nodes' deletes finds old topics.
            if rounds.is_multiple_of(240) {
                if let Err(e) = changes::prune(&state.db, state.clock.now()).await {
                    tracing::warn!(error = %e, "change feed: prune failed");
                }
                // The shared rate counts of minutes that are over.
                let minute = store::rate_windows::window_of(state.clock.now().timestamp());
                if let Err(e) = store::rate_windows::prune(&state.db, minute - 2).await {
                    tracing::warn!(error = %e, "rate limit: prune failed");
                }
            }
        }
    })
}
