//! What the lesson panel needs from a lesson beyond the runner: when its script ends, and an
//! expected outcome in words (✓ / ✗ with what was expected and what the lab shows).
//!
//! Plain functions of the format's values; nothing of drawing.

use super::format::{CheckName, Expect, Lesson};
use super::runner::Outcome;
use crate::view::Micros;

/// The time (µs) by which every scripted action and every step has happened: running the
/// lesson's lab to it puts the whole script in its timeline.
pub fn end_time(lesson: &Lesson) -> Micros {
    let actions = lesson.actions.iter().map(|a| a.at_ms);
    let steps = lesson.steps.iter().map(|s| s.at_ms);
    actions
        .chain(steps)
        .max()
        .unwrap_or(0)
        .saturating_mul(1_000)
}

/// What `expect` asks for, in words.
pub fn expect_words(expect: &Expect) -> String {
    match expect {
        Expect::Row {
            node,
            table,
            key,
            column,
            equals,
        } => format!("{node}: {table} row {key} has {column} = {equals}"),
        Expect::NoRow { node, table, key } => format!("{node}: {table} has no row {key}"),
        Expect::Rows { node, table, count } => format!("{node}: {table} holds {count} rows"),
        Expect::Check { name, count } => format!("{}: {count}", check_words(*name)),
        Expect::Role { node, is } => format!("{node} is {is}"),
        Expect::State { node, contains } => format!("{node}'s state says \"{contains}\""),
        Expect::Error { client, contains } => {
            format!("{client}'s answer is an error with \"{contains}\"")
        }
        Expect::Answer { client, contains } => format!("{client}'s answer has \"{contains}\""),
        Expect::Event { contains } => format!("the event log says \"{contains}\""),
    }
}

/// An outcome in words: what was expected, and when it did not hold, what the lab shows.
pub fn outcome_words(outcome: &Outcome) -> String {
    let expected = expect_words(&outcome.expect);
    if outcome.held {
        expected
    } else {
        format!("{expected} (found: {})", outcome.found)
    }
}

/// A live check's name as the checks bar shows it.
fn check_words(name: CheckName) -> &'static str {
    match name {
        CheckName::TwoLeaders => "two leaders",
        CheckName::LostAckedWrites => "lost acked writes",
        CheckName::DivergedRows => "diverged rows",
        CheckName::Stalled => "stalled",
        CheckName::BlockedCommits => "blocked commits",
        CheckName::Conflicts => "conflicts",
        CheckName::LostToConflicts => "writes lost to conflict resolution",
        CheckName::Held => "changes held",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_say_what_was_expected_and_what_was_found_when_it_failed() {
        let expect = Expect::Row {
            node: "follower-1".into(),
            table: "orders".into(),
            key: "1".into(),
            column: "status".into(),
            equals: "paid".into(),
        };
        let held = Outcome {
            expect: expect.clone(),
            held: true,
            found: "paid".into(),
        };
        assert_eq!(
            outcome_words(&held),
            "follower-1: orders row 1 has status = paid"
        );
        let failed = Outcome {
            expect,
            held: false,
            found: "new".into(),
        };
        assert_eq!(
            outcome_words(&failed),
            "follower-1: orders row 1 has status = paid (found: new)"
        );
        let check = Expect::Check {
            name: CheckName::DivergedRows,
            count: 0,
        };
        assert_eq!(expect_words(&check), "diverged rows: 0");
    }

    #[test]
    fn a_lessons_end_is_its_last_action_or_step() {
        let lesson = crate::lesson::load_builtin("leaders-and-followers").expect("built in");
        let last_step = lesson.steps.last().map_or(0, |s| s.at_ms);
        let last_action = lesson.actions.last().map_or(0, |a| a.at_ms);
        assert_eq!(end_time(&lesson), last_step.max(last_action) * 1_000);
        assert!(end_time(&lesson) > 0);
    }
}
