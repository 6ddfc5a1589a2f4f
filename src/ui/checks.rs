//! The live checks under the diagram: two leaders (split brain), lost acknowledged writes,
//! diverged rows, blocked commits, stalled followers; in a multi-leader lab instead, writes
//! lost to conflict resolution, conflicts detected, changes held, rows that differ between
//! leaders. Each is a disclosure: a check mark and "0" when clear; a
//! warning sign, the count and the word "warning" when not, with what exactly went wrong one
//! keypress away. Replicas not up to date are listed too, in their nodes' words (lag is not
//! divergence).

use std::rc::Rc;

use replication_lab::lab::Checks;
use yew::prelude::*;

/// What "behind" counts, wherever the lab says it.
const BEHIND_MEANS: &str =
    "behind: entries the leader has logged that the replica has not applied yet";

#[derive(Properties, PartialEq)]
pub struct ChecksBarProps {
    pub checks: Rc<Checks>,
    /// A multi-leader lab: its own checks.
    #[prop_or_default]
    pub multi: bool,
}

/// One check: its name, what it means, and the lines that explain a non-zero count.
struct Check {
    name: &'static str,
    meaning: &'static str,
    count: usize,
    lines: Vec<String>,
}

/// How a diverged row's differing columns read: `status: leader 'a' ≠ 'b'` (a
/// multi-leader lab compares with the first running leader).
fn columns_words<T: ToString>(
    columns: &[(String, Option<T>, Option<T>)],
    reference: &str,
) -> String {
    columns
        .iter()
        .map(|(column, leader, here)| {
            let show = |v: &Option<_>| v.as_ref().map_or("NULL".to_string(), ToString::to_string);
            format!("{column}: {reference} {} ≠ {}", show(leader), show(here))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A multi-leader lab's checks.
fn multi_checks_of(c: &Checks) -> Vec<Check> {
    vec![
        Check {
            name: "writes lost to conflict resolution",
            meaning: "committed writes a conflict resolver threw away (or an apply skipped)",
            count: c.lost_to_conflicts.len(),
            lines: c
                .lost_to_conflicts
                .iter()
                .map(|l| {
                    format!(
                        "{}: {} id {} — discarded at {} ({})",
                        l.write, l.table, l.key, l.node, l.kind
                    )
                })
                .collect(),
        },
        Check {
            name: "conflicts detected",
            meaning: "changes that met a concurrent change to the same row at a leader (the Conflicts panel lists them)",
            count: c.conflicts,
            lines: vec![],
        },
        Check {
            name: "changes held",
            meaning: "changes a leader holds until what they depend on arrives (version vectors)",
            count: c.held,
            lines: vec![],
        },
        Check {
            name: "rows differ between leaders",
            meaning: "rows that differ between running leaders once all applied the same changes",
            count: c.diverged_rows.len(),
            lines: diverged_lines(c, "missing here", "first leader"),
        },
    ]
}

/// The diverged rows in words: `missing` when the compared copy lacks the row, else what
/// differs from `reference`'s.
fn diverged_lines(c: &Checks, missing: &str, reference: &str) -> Vec<String> {
    c.diverged_rows
        .iter()
        .map(|d| {
            let what = if d.missing_on_follower {
                missing.to_string()
            } else if d.missing_on_leader {
                format!("not on the {reference}")
            } else {
                columns_words(&d.columns, reference)
            };
            format!("{} · {} id {}: {what}", d.follower, d.table, d.key)
        })
        .collect()
}

fn checks_of(c: &Checks) -> Vec<Check> {
    vec![
        Check {
            name: "two leaders",
            meaning: "servers accepting writes at the same time in one cluster (split brain)",
            count: usize::from(!c.two_leaders.is_empty()),
            lines: match c.two_leaders.as_slice() {
                [] => vec![],
                [a, b] => vec![format!(
                    "{a} and {b} both accept writes: each side takes writes the other never sees"
                )],
                [rest @ .., last] => vec![format!(
                    "{} and {last} all accept writes: each side takes writes the others never see",
                    rest.join(", ")
                )],
            },
        },
        Check {
            name: "lost acked writes",
            meaning: "writes a client was told were committed that no leader still serves",
            count: c.lost_acked_writes.len(),
            lines: c
                .lost_acked_writes
                .iter()
                .map(|w| {
                    format!(
                        "{}: {} — acknowledged at {} as entry {} of term {}, in no serving leader's history",
                        w.client, w.sql, w.acknowledged_at, w.index, w.term
                    )
                })
                .collect(),
        },
        Check {
            name: "diverged rows",
            meaning: "rows that differ between the leader and a follower that has replayed everything",
            count: c.diverged_rows.len(),
            lines: diverged_lines(c, "missing on the follower", "leader"),
        },
        Check {
            name: "blocked commits",
            meaning: "commits the leader holds until a synchronous standby confirms them (SyncRep)",
            count: c.blocked_commits,
            lines: vec![format!(
                "the leader holds {} commit(s): their clients wait. A synchronous standby is down, cut off or behind.",
                c.blocked_commits
            )],
        },
        Check {
            name: "stalled",
            meaning: "followers that stopped applying (an apply error, a refused stream)",
            count: c.stalled.len(),
            lines: c
                .stalled
                .iter()
                .map(|s| format!("{}: {}", s.follower, s.error.lines().next().unwrap_or("")))
                .collect(),
        },
    ]
}

#[component]
pub fn ChecksBar(props: &ChecksBarProps) -> Html {
    // Which check's details are open (one at a time, under the bar, never over the diagram).
    let open = use_state_eq(|| None::<usize>);
    let replicas = &props.checks.replicas;
    let checks = if props.multi {
        multi_checks_of(&props.checks)
    } else {
        checks_of(&props.checks)
    };
    let shown = (*open).and_then(|i| checks.get(i));
    html! {
        <div class="checks" role="group" aria-label="Live checks">
            <div class="checks-bar">
                <span class="control-label">{ "Live checks" }</span>
                for (i, check) in checks.iter().enumerate() {
                    <button type="button"
                        class={classes!("check", if check.count > 0 { "warn" } else { "ok" }, (*open == Some(i)).then_some("open"))}
                        title={check.meaning} aria-expanded={(*open == Some(i)).to_string()}
                        aria-controls="check-details"
                        onclick={
                            let open = open.clone();
                            Callback::from(move |_: MouseEvent| {
                                open.set(if *open == Some(i) { None } else { Some(i) })
                            })
                        }>
                        { if check.count > 0 { warning_icon() } else { ok_icon() } }
                        <span class="check-name">{ check.name }</span>
                        <span class="check-count">{ check.count }</span>
                        if check.count > 0 { <span class="visually-hidden">{ " — warning" }</span> }
                    </button>
                }
                if !replicas.is_empty() {
                    // The nodes' own words (one source: the replica's progress).
                    <span class="lagging" title={BEHIND_MEANS}>
                        { "replicas: " }
                        { replicas.iter().map(|(name, progress)| format!("{name} {progress}")).collect::<Vec<_>>().join("; ") }
                    </span>
                }
            </div>
            if let Some(check) = shown {
                // Focusable: on a wide screen it is a fixed-height strip that scrolls.
                <div id="check-details" class={classes!("check-details", (check.count > 0).then_some("warn"))}
                    tabindex="0" role="region" aria-label={format!("{} details", check.name)}>
                    <p class="check-meaning">
                        <strong>{ check.name }</strong>{ ": counts " }{ check.meaning }{ "." }
                    </p>
                    if check.count > 0 {
                        <ul>
                            for line in check.lines.iter() {
                                <li>{ line.clone() }</li>
                            }
                        </ul>
                    } else {
                        <p>{ "None now." }</p>
                    }
                </div>
            }
        </div>
    }
}

fn ok_icon() -> Html {
    html! {
        <svg class="check-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <polyline points="3,8.5 6.5,12 13,4" fill="none" stroke="currentColor" stroke-width="2.2" />
        </svg>
    }
}

fn warning_icon() -> Html {
    html! {
        <svg class="check-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <polygon points="8,1.5 15,14.5 1,14.5" fill="currentColor" />
            <rect x="7.1" y="5.5" width="1.8" height="5" fill="var(--panel)" />
            <rect x="7.1" y="11.5" width="1.8" height="1.8" fill="var(--panel)" />
        </svg>
    }
}
