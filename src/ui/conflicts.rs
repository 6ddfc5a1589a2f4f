//! The conflicts panel of a multi-leader lab: every conflict a leader detected, newest
//! first — where and when, its kind in PostgreSQL's words, the row, each version (which write,
//! from which leader, committed when by that leader's clock, what it held), what the resolver
//! did and the writes it threw away. Flagged by an icon and words, never by colour alone; the
//! list is a focusable region that scrolls.
//!
//! It draws the lines it is given (`lab::conflicts`); it knows nothing of how they are found.

use std::rc::Rc;

use replication_lab::lab::conflicts::{ConflictLine, VersionLine};
use replication_lab::view::format_time;
use yew::prelude::*;

/// How many conflicts the panel lists, newest first (the count says how many there are).
const SHOWN: usize = 12;

#[derive(Properties, PartialEq)]
pub struct ConflictsPanelProps {
    pub conflicts: Rc<Vec<ConflictLine>>,
}

#[component]
pub fn ConflictsPanel(props: &ConflictsPanelProps) -> Html {
    let count = props.conflicts.len();
    html! {
        <section class="conflicts" aria-labelledby="conflicts-title">
            <h2 id="conflicts-title" class="pane-title">
                { format!("Conflicts ({count})") }
            </h2>
            if count == 0 {
                <p class="hint">
                    { "None yet. To make one: cut the link between two leaders, update the same row from a client of each, then heal the link." }
                </p>
            } else {
                <ol class="conflict-list" tabindex="0" aria-label="Conflicts, newest first">
                    for line in props.conflicts.iter().rev().take(SHOWN) {
                        { conflict(line) }
                    }
                </ol>
                if count > SHOWN {
                    <p class="hint">{ format!("{} older conflicts are not listed.", count - SHOWN) }</p>
                }
            }
        </section>
    }
}

/// One conflict as a list item.
fn conflict(line: &ConflictLine) -> Html {
    let lost = |v: &VersionLine| line.lost.contains(&v.write);
    html! {
        <li class="conflict">
            <p class="conflict-head">
                <span class="conflict-flag" aria-hidden="true">{ "⚠" }</span>
                <strong>{ "Conflict " }<code>{ line.kind }</code></strong>
                { format!(" on {} id {} · detected by {} at {}", line.table, line.key, line.node, format_time(line.at)) }
            </p>
            <ul class="conflict-versions" aria-label="Versions">
                for v in line.local.iter() {
                    { version("here", v, lost(v)) }
                }
                { version("arrived", &line.remote, lost(&line.remote)) }
            </ul>
            <p class="conflict-resolution"><strong>{ "Resolved: " }</strong>{ line.resolution.clone() }</p>
            if line.lost.is_empty() {
                <p class="conflict-kept">{ "✓ no write lost" }</p>
            } else {
                <p class="conflict-lost">
                    <strong>{ format!("✕ lost: {}", line.lost.join(", ")) }</strong>
                </p>
            }
        </li>
    }
}

/// One version of the row: `here` (the leader had it) or `arrived`, and whether it was lost.
fn version(whence: &'static str, v: &VersionLine, lost: bool) -> Html {
    html! {
        <li class={classes!("conflict-version", lost.then_some("lost"))}>
            <strong>{ format!("{} {} ", if lost { "✕ lost" } else { "✓ kept" }, v.write) }</strong>
            { format!("({whence}) committed {} by {}'s clock: ", time_of_day(&v.committed), origin(&v.write)) }
            <code>{ format!("{} seen {}", v.row, v.seen) }</code>
        </li>
    }
}

/// `09:31:07.805278+00` of `2026-11-26 09:31:07.805278+00`: every write in the lab is on the
/// same day.
fn time_of_day(timestamp: &str) -> &str {
    timestamp.rsplit(' ').next().unwrap_or(timestamp)
}

/// `leader-b` of `leader-b #1`.
fn origin(write: &str) -> &str {
    write.split(" #").next().unwrap_or(write)
}
