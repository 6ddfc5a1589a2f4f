//! The SQL console: a client types (or picks a preset), chooses where the statement goes, and
//! runs it (the button or Ctrl+Enter). The statement leaves at the current virtual time; its
//! answer comes back only as time moves, and the console says so. The client's answers are
//! listed newest first, with latency and what the commit waited for; errors stay next to the
//! text, which is kept.

use std::rc::Rc;

use replication_lab::lab::inspect::{AnswerView, Inspection};
use replication_lab::view::{format_time, Micros, NodeCommand, NodeKind, RoleKind, View};
use yew::prelude::*;

use super::driver::Statement;
use super::state::{Console, Sent};

/// How many answers the console lists, newest first; the client's inspector has them all.
const ANSWERS_SHOWN: usize = 8;

/// Presets: (button word, statement). Each fills the text area.
const PRESETS: [(&str, &str); 7] = [
    (
        "INSERT",
        "INSERT INTO orders (status, note) VALUES ('new', 'first order')",
    ),
    (
        "UPDATE",
        "UPDATE orders SET status = 'shipped' WHERE id = 1",
    ),
    (
        "NOW()",
        "INSERT INTO orders (status, created_at) VALUES ('paid', NOW())",
    ),
    (
        "RAND()",
        "UPDATE orders SET status = 'picked' WHERE RAND() < 500000",
    ),
    (
        "UUID()",
        "INSERT INTO orders (status, note) VALUES ('new', UUID())",
    ),
    ("DELETE LIMIT", "DELETE FROM orders LIMIT 1"),
    ("SELECT", "SELECT * FROM orders"),
];

#[derive(Properties, PartialEq)]
pub struct SqlConsoleProps {
    /// The lab now, shared with the other panels: the clients, the servers, the time.
    pub view: Rc<View>,
    /// The client that sends.
    pub client: Option<u32>,
    pub console: Console,
    /// The client, inspected: its answers.
    pub answers: Option<Rc<Inspection>>,
    pub on_run: Callback<Statement>,
    /// The client gives up waiting (its Cancel).
    pub on_cancel: Callback<u32>,
    /// The client picker.
    pub on_client: Callback<u32>,
    /// The target picker: a server for reads, or `None` for the family's default target.
    pub on_target: Callback<Option<u32>>,
}

#[component]
pub fn SqlConsole(props: &SqlConsoleProps) -> Html {
    let text = use_state(|| PRESETS[0].1.to_string());
    let client = props.client;
    let view = &props.view;
    let run = {
        let text = text.clone();
        let on_run = props.on_run.clone();
        let server = props.console.target;
        Callback::from(move |_: ()| {
            let sql = text.trim().to_string();
            if let (Some(client), false) = (client, sql.is_empty()) {
                on_run.emit(Statement {
                    client,
                    server,
                    sql,
                });
            }
        })
    };
    let onsubmit = {
        let run = run.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            run.emit(());
        })
    };
    let onkeydown = {
        let run = run.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                event.prevent_default();
                run.emit(());
            }
        })
    };
    let oninput = {
        let text = text.clone();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            text.set(area.value());
        })
    };
    let on_client = {
        let on_client = props.on_client.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Ok(id) = select.value().parse::<u32>() {
                on_client.emit(id);
            }
        })
    };
    let on_target = {
        let on_target = props.on_target.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_target.emit(select.value().parse::<u32>().ok());
        })
    };
    // Several leaders (multi-leader): any statement may go to any of them, not only reads.
    let leaders = view
        .of_kind(NodeKind::Database)
        .filter(|n| n.home == RoleKind::Writable)
        .count();
    // A Cancel is what the client offers while its statement waits at a server.
    let cancel = client
        .and_then(|id| view.node(id))
        .and_then(|n| n.actions.iter().find(|a| a.command == NodeCommand::Cancel));
    let waiting = client
        .and_then(|id| view.node(id))
        .is_some_and(|n| n.awaiting_answers);
    let answers: Vec<AnswerView> = props
        .answers
        .as_ref()
        .map(|i| i.answers.clone())
        .unwrap_or_default();
    // A new answer is shown whole: the console scrolls until the newest is in view (a
    // cancelled wait's warning is three lines under the statement).
    // Fresh references each render are enough: the effect runs after this render, with its
    // own (and a hook less keeps the page small).
    let pane = NodeRef::default();
    let newest = NodeRef::default();
    {
        let (pane, newest) = (pane.clone(), newest.clone());
        let key = (
            answers.len(),
            answers.first().map(|a| a.sent_at + a.latency),
        );
        use_effect_with(key, move |_| reveal(&pane, &newest));
    }

    html! {
        <section class="console" aria-labelledby="console-title" ref={pane}>
            <div class="console-head">
                <h2 id="console-title" class="pane-title">{ "SQL console" }</h2>
                <span id="sql-help" class="control-note">
                    <kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "Enter" }</kbd>{ " runs" }
                </span>
            </div>
            <div class="presets" role="group" aria-label="Preset statements">
                for (word, sql) in PRESETS {
                    <button type="button" class="preset" title={sql}
                        aria-label={format!("Preset {word}: {sql}")}
                        onclick={
                            let text = text.clone();
                            Callback::from(move |_: MouseEvent| text.set(sql.to_string()))
                        }>
                        { word }
                    </button>
                }
            </div>
            <form class="console-form" onsubmit={onsubmit}>
                <label for="sql-input" class="visually-hidden">{ "Statement" }</label>
                <textarea id="sql-input" class="sql-input" rows="2" spellcheck="false"
                    aria-describedby="sql-help"
                    value={(*text).clone()} oninput={oninput} onkeydown={onkeydown} />
                <div class="console-row">
                    <button type="submit" class="run-button" disabled={client.is_none()}>{ "Run" }</button>
                    <label class="control">
                        <span class="control-label">{ "from" }</span>
                        <select id="sql-client" aria-label="Client" onchange={on_client}>
                            for c in view.of_kind(NodeKind::Client) {
                                <option value={c.id.to_string()} selected={Some(c.id) == client}>{ c.name.clone() }</option>
                            }
                        </select>
                    </label>
                    <label class="control">
                        <span class="control-label">{ "on" }</span>
                        <select id="sql-target" aria-label="Send to" onchange={on_target}>
                            <option value="default" selected={props.console.target.is_none()}>
                                { default_target(view, client) }
                            </option>
                            for s in view.of_kind(NodeKind::Database) {
                                <option value={s.id.to_string()} selected={props.console.target == Some(s.id)}>
                                    if leaders > 1 {
                                        { s.name.clone() }
                                    } else {
                                        { format!("{} (read)", s.name) }
                                    }
                                </option>
                            }
                        </select>
                    </label>
                </div>
                if let Some(why) = props.console.refusal.as_ref() {
                    <p class="refusal" role="alert">{ format!("Not sent: {why}") }</p>
                }
            </form>
            <div class="results" aria-live="polite">
                { pending(props.console.sent.as_ref(), waiting, view.time, client) }
                if let (Some(cancel), Some(client)) = (cancel, client) {
                    <button type="button" class="action-button small cancel-wait"
                        title={cancel.hint}
                        onclick={props.on_cancel.reform(move |_: MouseEvent| client)}>
                        { cancel.text }
                    </button>
                }
                if answers.is_empty() {
                    <p class="hint">{ "No answers yet: press Run to send the statement above from the client." }</p>
                } else {
                    <ol class="answers" aria-label="Answers, newest first">
                        for (i, answer) in answers.iter().take(ANSWERS_SHOWN).enumerate() {
                            { answer_item(answer, (i == 0).then(|| newest.clone())) }
                        }
                    </ol>
                    if answers.len() > ANSWERS_SHOWN {
                        <p class="hint">
                            { format!("{} older answers are not listed here: select the client to see them all.",
                                answers.len() - ANSWERS_SHOWN) }
                        </p>
                    }
                }
            </div>
        </section>
    }
}

/// What the console says about the statement it sent last, while its answer is on its way.
fn pending(sent: Option<&Sent>, waiting: bool, now: Micros, client: Option<u32>) -> Html {
    let Some(sent) = sent.filter(|s| Some(s.client) == client) else {
        return Html::default();
    };
    if now < sent.at {
        return html! {
            <p class="pending">
                { format!("You moved back before it was sent: it leaves for {} at {}.", sent.to, format_time(sent.at)) }
            </p>
        };
    }
    if !waiting {
        return Html::default();
    }
    html! {
        <p class="pending">
            <strong>{ "On its way: " }</strong>
            { format!("sent to {} at {}. ", sent.to, format_time(sent.at)) }
            { "The answer arrives as virtual time moves — press " }<kbd>{ "Play" }</kbd>
            { " or " }<kbd>{ "Step" }</kbd>{ "." }
        </p>
    }
}

/// Scrolls the console `pane` (only it, never the page) so that `item` is in view whole: its
/// bottom, or its top when it is taller than the pane.
fn reveal(pane: &NodeRef, item: &NodeRef) {
    let (Some(pane), Some(item)) = (
        pane.cast::<web_sys::Element>(),
        item.cast::<web_sys::Element>(),
    ) else {
        return;
    };
    let (outer, inner) = (
        pane.get_bounding_client_rect(),
        item.get_bounding_client_rect(),
    );
    let below = (inner.bottom() - outer.bottom()).min(inner.top() - outer.top());
    if below > 0.0 {
        pane.set_scroll_top(pane.scroll_top() + below.ceil() as i32);
    }
}

/// One answer: the statement, then its tag, latency and what it waited for, or the error;
/// a SELECT's rows as a small table; MySQL's note for an unsafe statement. The newest
/// (`latest`, with the reference the console scrolls to) is framed.
/// The default target's words: the family's, and where the client's reads go when it routes
/// them elsewhere than the leader.
fn default_target(view: &View, client: Option<u32>) -> String {
    let words = view.words.default_target;
    match client.and_then(|id| view.node(id)).and_then(|n| n.reads) {
        Some(reads) if reads != "leader" => format!("{words} · reads: {reads}"),
        _ => words.to_string(),
    }
}

fn answer_item(answer: &AnswerView, latest: Option<NodeRef>) -> Html {
    let error = answer.outcome.is_err();
    let latency = format_time(answer.latency);
    let class = classes!(
        "answer",
        error.then_some("error"),
        latest.is_some().then_some("latest")
    );
    html! {
        <li class={class} ref={latest.unwrap_or_default()}>
            <code class="answer-sql">{ answer.sql.clone() }</code>
            <span class="answer-outcome">
                { match &answer.outcome {
                    Ok(ok) => html! {
                        <>
                            <strong>{ ok.tag.clone() }</strong>
                            { format!(" · {latency} · from {}", answer.server) }
                            if let Some(waited) = ok.waited_for.as_ref() {
                                { format!(" · waited for {waited}") }
                            }
                        </>
                    },
                    Err(e) => html! {
                        <>
                            <strong class="error-word">{ "Error: " }</strong>
                            <strong>{ e.lines().next().unwrap_or("").trim_start_matches("ERROR:").trim().to_string() }</strong>
                            { format!(" · {latency}") }
                        </>
                    },
                } }
            </span>
            if let Ok(ok) = &answer.outcome {
                if let Some(warning) = ok.warning.as_ref() {
                    <span class="answer-warning">
                        { if warning.starts_with("WARNING:") {
                            format!("⚠ {warning}")
                        } else {
                            format!("⚠ Note (Code 1592): {warning}")
                        } }
                    </span>
                }
                if let Some((columns, rows)) = ok.result.as_ref() {
                    <table class="answer-rows">
                        <thead><tr>
                            for column in columns.iter() { <th scope="col">{ column.clone() }</th> }
                        </tr></thead>
                        <tbody>
                            for row in rows.iter() {
                                <tr>{ for row.iter().map(|cell| html! { <td>{ cell.clone() }</td> }) }</tr>
                            }
                        </tbody>
                    </table>
                }
            }
        </li>
    }
}
