//! The driver's lesson intents: opening a lesson (built-in or imported), stepping it forward
//! and back exactly, answering its question, leaving it, its files; and the presenter's
//! one-key actions. A child of [`super`] (the driver): it runs on the same lab.
//!
//! A lesson's [`Runner`] keeps the lab as the script makes it; the page shows a copy of it.
//! Every step (forward, back, a click on the list) shows the runner's lab at that step, so
//! Back is exact even after the student acted on the copy, and "leave" keeps the copy as it
//! is. The whole script is in the copy's timeline from the start, so playing after a step
//! shows what the lesson does next. It must not know how anything is drawn: it reads the
//! runner into a [`LessonShown`].

use std::rc::Rc;

use replication_lab::lab::controls::{PresenterKey, PRESENTER_WRITE};
use replication_lab::lab::LabAction;
use replication_lab::lesson::{self, ui_support, Lesson, Runner};
use replication_lab::view::View;

use super::{Driver, Statement};
use crate::ui::lesson_panel::{download, Asked, Highlighted, LessonIntent, LessonShown, Reveal};
use crate::ui::state::{Action, UiState};

/// An open lesson: its runner, and the student's answer at each step.
pub struct Open {
    runner: Runner,
    answers: Vec<Option<usize>>,
}

impl Driver {
    /// The built-in lessons for the header's picker: (id, title).
    pub fn lessons() -> Rc<Vec<(String, String)>> {
        Rc::new(
            lesson::builtin()
                .into_iter()
                .map(|info| (info.id, info.title))
                .collect(),
        )
    }

    /// A lesson intent from the panel, the header or a key.
    pub fn lesson(&self, ui: &UiState, intent: LessonIntent) -> Option<Action> {
        match intent {
            LessonIntent::Open(id) => match lesson::load_builtin(&id) {
                Ok(lesson) => self.open(ui, lesson, Some(id)),
                Err(why) => Some(Action::LessonError(format!(
                    "The lesson did not open: {why}."
                ))),
            },
            LessonIntent::Import(text) => match lesson::parse(&text) {
                Ok(lesson) => self.open(ui, lesson, None),
                Err(why) => Some(Action::LessonError(format!(
                    "This lesson file did not open: {why}. The lab keeps what it had."
                ))),
            },
            LessonIntent::Next => self.step_to(ui, |at| Some(at + 1), false),
            LessonIntent::Back => self.step_to(ui, |at| at.checked_sub(1), false),
            LessonIntent::GoTo(n) => self.step_to(ui, |_| Some(n), false),
            LessonIntent::Restart => {
                // From the start again: the questions too.
                if let Some(open) = self.lesson.try_borrow_mut().ok()?.as_mut() {
                    open.answers.iter_mut().for_each(|a| *a = None);
                }
                self.step_to(ui, |_| Some(0), false)
            }
            LessonIntent::Answer(choice) => self.answer_lesson(ui, choice),
            LessonIntent::Leave => {
                // The copy the page shows is the lab to play freely with.
                self.lesson.try_borrow_mut().ok()?.take()?;
                Some(Action::Lesson {
                    lesson: None,
                    shown: None,
                    selected: None,
                    play: false,
                })
            }
            LessonIntent::Export => {
                let open = self.lesson.try_borrow().ok()?;
                let lesson = open.as_ref()?.runner.lesson();
                download(&format!("{}.json", lesson.id), &lesson::to_json(lesson));
                None
            }
            LessonIntent::SaveSession => {
                let lab = self.lab.try_borrow().ok()?;
                let lesson = lesson::from_session(&lab, "my-session", "My session");
                download("my-session.json", &lesson::to_json(&lesson));
                None
            }
            LessonIntent::Presenter => Some(Action::SetPresenter(!ui.presenter)),
        }
    }

    /// Opens `lesson` at its first step on a fresh lab; the lab before it is kept for an
    /// undo, as a restart's is. A lesson the runner refuses leaves everything as it was.
    fn open(&self, ui: &UiState, lesson: Lesson, id: Option<String>) -> Option<Action> {
        let mut runner = match Runner::new(lesson) {
            Ok(runner) => runner,
            Err(why) => {
                return Some(Action::LessonError(format!(
                    "This lesson did not open: {why}. The lab keeps what it had."
                )))
            }
        };
        // The whole script into the timeline, then back to the first step.
        runner.show(ui_support::end_time(runner.lesson()));
        runner.go_to(0);
        let steps = runner.step_count();
        let old = std::mem::replace(&mut *self.lab.try_borrow_mut().ok()?, runner.lab().clone());
        let undo = (!old.actions().is_empty()).then(|| {
            let words = format!("Undo: back to your {}", super::plural(old.actions().len()));
            if let Ok(mut previous) = self.previous.try_borrow_mut() {
                *previous = Some((old, "your lab"));
            }
            words
        });
        *self.lesson.try_borrow_mut().ok()? = Some(Open {
            runner,
            answers: vec![None; steps],
        });
        self.restart_clock();
        let mut fresh = self.start(ui.speed, ui.reduced_motion);
        fresh.undo = undo;
        fresh.lesson_id = id;
        let open = self.lesson.try_borrow().ok()?;
        let open = open.as_ref()?;
        fresh.lesson = Some(Rc::new(shown_of(open, &fresh.view)));
        Some(Action::Restarted(Box::new(fresh)))
    }

    /// The open lesson's step (from 0) and its number of steps.
    pub fn lesson_step(&self) -> Option<(usize, usize)> {
        let open = self.lesson.try_borrow().ok()?;
        let open = open.as_ref()?;
        Some((open.runner.step_index(), open.runner.step_count()))
    }

    /// The address parameters of the open built-in lesson at its step (`lesson=…&step=…`,
    /// steps from 1), if a built-in lesson is open: what "Copy link" shares then.
    pub fn lesson_link(&self) -> Option<String> {
        let open = self.lesson.try_borrow().ok()?;
        let open = open.as_ref()?;
        let id = &open.runner.lesson().id;
        lesson::builtin_source(id)?;
        Some(format!("lesson={id}&step={}", open.runner.step_index() + 1))
    }

    /// Goes to step `n` (from 0) of the open lesson, past unanswered questions: a host page
    /// or a link that names a step shows it, as a teacher's step buttons would.
    pub fn jump_to_step(&self, ui: &UiState, n: usize) -> Option<Action> {
        self.step_to(ui, |_| Some(n), true)
    }

    /// Shows the step `to` picks from the current one, exactly as the script makes it.
    /// Forward waits while the step's question is not answered, unless `past_questions`.
    fn step_to(
        &self,
        ui: &UiState,
        to: impl Fn(usize) -> Option<usize>,
        past_questions: bool,
    ) -> Option<Action> {
        let mut open = self.lesson.try_borrow_mut().ok()?;
        let open = open.as_mut()?;
        let at = open.runner.step_index();
        let to = to(at)?.min(open.runner.step_count().saturating_sub(1));
        let waiting = open.runner.step().question.is_some() && open.answers[at].is_none();
        if to > at && waiting && !past_questions {
            return None;
        }
        open.runner.go_to(to);
        *self.lab.try_borrow_mut().ok()? = open.runner.lab().clone();
        self.restart_clock();
        let selected = highlighted_node(open, &ui.view).or(ui.selected);
        let focus = replication_lab::lab::controls::Focus {
            selected,
            ..ui.focus()
        };
        let (shown, ()) = self.change(focus, None, |_| ())?;
        Some(Action::Lesson {
            lesson: Some(Rc::new(shown_of(open, &shown.view))),
            shown: Some(shown),
            selected,
            play: false,
        })
    }

    /// The student's answer to the step's question: the reveal shows, and the lab plays on.
    fn answer_lesson(&self, ui: &UiState, choice: usize) -> Option<Action> {
        let mut open = self.lesson.try_borrow_mut().ok()?;
        let open = open.as_mut()?;
        let at = open.runner.step_index();
        let question = open.runner.step().question.as_ref()?;
        if choice >= question.choices.len() || open.answers[at].is_some() {
            return None;
        }
        open.answers[at] = Some(choice);
        self.restart_clock();
        Some(Action::Lesson {
            lesson: Some(Rc::new(shown_of(open, &ui.view))),
            shown: None,
            selected: ui.selected,
            play: true,
        })
    }

    /// A presenter key: a lesson step, an action on the selected node, presenter mode.
    pub fn presenter_key(&self, ui: &UiState, key: PresenterKey) -> Option<Action> {
        let on_selected = |action: fn(u32) -> LabAction| {
            let node = ui.selected?;
            self.perform(ui, node, vec![action(node)])
        };
        match key {
            PresenterKey::Next => self.lesson(ui, LessonIntent::Next),
            PresenterKey::Back => self.lesson(ui, LessonIntent::Back),
            PresenterKey::GoTo(step) => self.lesson(ui, LessonIntent::GoTo(step)),
            PresenterKey::Crash => on_selected(LabAction::Crash),
            PresenterKey::Revive => on_selected(LabAction::Restart),
            PresenterKey::Promote => on_selected(LabAction::Promote),
            PresenterKey::Write => {
                let client = ui.console_client()?;
                self.run(
                    ui,
                    Statement {
                        client,
                        server: None,
                        sql: PRESENTER_WRITE.to_string(),
                    },
                )
            }
            PresenterKey::Presenter => Some(Action::SetPresenter(!ui.presenter)),
            PresenterKey::LeavePresenter => ui.presenter.then_some(Action::SetPresenter(false)),
        }
    }
}

/// The node whose insides the step points at (a cell's or a log record's), to inspect.
fn highlighted_node(open: &Open, view: &View) -> Option<u32> {
    let highlight = open.runner.step().highlight.as_ref()?;
    let name = highlight
        .cell
        .as_ref()
        .map(|c| &c.node)
        .or(highlight.log_record.as_ref().map(|r| &r.node))?;
    view.nodes.iter().find(|n| &n.name == name).map(|n| n.id)
}

/// What the panel shows of `open` at its step, the names in the file found in `view`.
fn shown_of(open: &Open, view: &View) -> LessonShown {
    let runner = &open.runner;
    let lesson = runner.lesson();
    let at = runner.step_index();
    let step = runner.step();
    let id = |name: &str| view.nodes.iter().find(|n| n.name == name).map(|n| n.id);
    let highlight = step
        .highlight
        .as_ref()
        .map_or_else(Highlighted::default, |h| Highlighted {
            nodes: h.nodes.iter().filter_map(|n| id(n)).collect(),
            links: h
                .links
                .iter()
                .filter_map(|[a, b]| Some((id(a)?, id(b)?)))
                .collect(),
            cell: h.cell.as_ref().and_then(|c| {
                Some((
                    id(&c.node)?,
                    c.table.clone(),
                    c.key.clone(),
                    c.column.clone(),
                ))
            }),
            record: h
                .log_record
                .as_ref()
                .and_then(|r| Some((id(&r.node)?, r.index as usize))),
        });
    LessonShown {
        title: lesson.title.clone(),
        steps: lesson.steps.iter().map(|s| s.caption.clone()).collect(),
        at,
        question: step.question.as_ref().map(|q| Asked {
            prompt: q.prompt.clone(),
            choices: q.choices.clone(),
            reveal: open
                .answers
                .get(at)
                .copied()
                .flatten()
                .map(|chosen| Reveal {
                    chosen,
                    right: chosen == q.answer as usize,
                    why: q.reveal.clone(),
                }),
        }),
        outcomes: runner
            .outcomes()
            .iter()
            .map(|o| (o.held, ui_support::outcome_words(o)))
            .collect(),
        highlight: Rc::new(highlight),
    }
}
