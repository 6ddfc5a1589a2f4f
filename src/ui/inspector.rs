//! The inspector: the selected node's name, role and state, its actions, and its insides in
//! tabs — Log (the method's own rendering), Rows (its tables, cells that differ from the
//! reference copy's marked), Status (replication positions). Clients show their answers; the applier
//! its progress.

use std::rc::Rc;

use replication_lab::lab::inspect::Inspection;
use replication_lab::lab::LabAction;
use replication_lab::view::{NodeKind, NodeStatus, View};
use yew::prelude::*;

use super::lesson_panel::Highlighted;
use super::node_actions::NodeActions;
use super::rows::RowsTab;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// The lab now, shared with the other panels.
    pub view: Rc<View>,
    /// The node to inspect.
    pub selected: Option<u32>,
    pub inspection: Option<Rc<Inspection>>,
    /// The lab's refusal of the last action on this node.
    pub refusal: Option<String>,
    /// Actions on the selected node, done now in order.
    pub on_perform: Callback<Vec<LabAction>>,
    /// What a lesson's step points at (a cell, a log record: drawn when on this node).
    #[prop_or_default]
    pub highlight: Rc<Highlighted>,
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let Some(node) = props.selected.and_then(|id| props.view.node(id)) else {
        return html! { <p class="hint">{ "Select a node to see its state." }</p> };
    };
    let status = match node.status {
        NodeStatus::Up => "up",
        NodeStatus::Crashed => "crashed",
    };
    let kind = node.role.long;
    html! {
        <div class="inspector">
            <div class="inspector-head">
                <h2>
                    { node.name.clone() }
                    <span class="inspector-sub">
                        { format!(" {kind} · ") }
                        <span class={classes!((node.status == NodeStatus::Crashed).then_some("crashed-word"))}>
                            { status }
                        </span>
                        if node.state != status {
                            { format!(" · {}", node.state) }
                        }
                        if !node.position.is_empty() {
                            { " · " }<code>{ node.position.clone() }</code>
                        }
                    </span>
                </h2>
                <NodeActions view={props.view.clone()} node={node.id}
                    refusal={props.refusal.clone()} on_perform={props.on_perform.clone()} />
            </div>
            if let Some(inspection) = props.inspection.as_ref() {
                if node.kind == NodeKind::Database {
                    <InspectorTabs inspection={inspection.clone()} reference={props.view.words.reference}
                        cell={props.highlight.cell.clone().filter(|c| c.0 == node.id).map(|(_, t, k, c)| (t, k, c))}
                        record={props.highlight.record.filter(|r| r.0 == node.id).map(|r| r.1)} />
                } else {
                    <section class="tab-panel" aria-label={format!("{} status", node.name)}>
                        <h3 class="panel-title">
                            { if node.kind == NodeKind::Client { "Answers (newest first)" } else { "Status" } }
                        </h3>
                        <pre class="mono-block">{ inspection.status.join("\n") }</pre>
                    </section>
                }
            }
        </div>
    }
}

/// Scrolls the inspector's pane (only it: not the page) so that what a lesson points at is
/// in view.
fn show_pointed() {
    let document = web_sys::window().and_then(|w| w.document());
    let pointed = document.and_then(|d| d.query_selector(".inspector .highlighted").ok().flatten());
    let Some(pointed) = pointed else {
        return;
    };
    let Some(pane) = pointed.closest(".inspector-pane").ok().flatten() else {
        return;
    };
    let below = pointed.get_bounding_client_rect().top() - pane.get_bounding_client_rect().top();
    if pane.scroll_height() > pane.client_height() {
        // A little of what is above it stays in view (the table's caption and head).
        pane.set_scroll_top(pane.scroll_top() + below as i32 - 60);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Log,
    Rows,
    Status,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Log, Tab::Rows, Tab::Status];

    fn name(self) -> &'static str {
        match self {
            Tab::Log => "Log",
            Tab::Rows => "Rows",
            Tab::Status => "Status",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Log => "tab-log",
            Tab::Rows => "tab-rows",
            Tab::Status => "tab-status",
        }
    }

    fn panel_id(self) -> &'static str {
        match self {
            Tab::Log => "panel-log",
            Tab::Rows => "panel-rows",
            Tab::Status => "panel-status",
        }
    }
}

#[derive(Properties, PartialEq)]
struct InspectorTabsProps {
    inspection: Rc<Inspection>,
    /// The copy rows are compared with, in words (`the leader`).
    reference: &'static str,
    /// A lesson points at this cell: (table, row key, column).
    cell: Option<(String, String, String)>,
    /// A lesson points at this log line (from 0).
    record: Option<usize>,
}

/// Log | Rows | Status, as an ARIA tablist: arrow keys (and Home, End) move between tabs and
/// show them; Tab moves on into the panel.
#[component]
fn InspectorTabs(props: &InspectorTabsProps) -> Html {
    let chosen = use_state_eq(|| Tab::Rows);
    {
        // A lesson's pointer shows its tab.
        let chosen = chosen.clone();
        let to = match (props.record, props.cell.is_some()) {
            (Some(_), _) => Some(Tab::Log),
            (None, true) => Some(Tab::Rows),
            _ => None,
        };
        use_effect_with((to, props.cell.clone(), props.record), move |(to, _, _)| {
            if let Some(to) = *to {
                chosen.set(to);
                // Once drawn, the pointed-at cell or line scrolls into the inspector's view.
                gloo::timers::callback::Timeout::new(0, show_pointed).forget();
            }
        });
    }
    let refs = use_memo((), |_| {
        [NodeRef::default(), NodeRef::default(), NodeRef::default()]
    });
    let onkeydown = {
        let chosen = chosen.clone();
        let refs = refs.clone();
        Callback::from(move |event: KeyboardEvent| {
            let at = Tab::ALL.iter().position(|t| *t == *chosen).unwrap_or(0);
            let last = Tab::ALL.len() - 1;
            let to = match event.key().as_str() {
                "ArrowRight" | "ArrowDown" => (at + 1) % Tab::ALL.len(),
                "ArrowLeft" | "ArrowUp" => (at + last) % Tab::ALL.len(),
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            event.prevent_default();
            chosen.set(Tab::ALL[to]);
            if let Some(button) = refs[to].cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        })
    };
    let inspection = &props.inspection;
    html! {
        <div class="tabs">
            <div class="tab-list" role="tablist" aria-label={format!("{} details", inspection.name)}
                onkeydown={onkeydown}>
                for (i, tab) in Tab::ALL.into_iter().enumerate() {
                    <button type="button" role="tab" id={tab.id()} ref={refs[i].clone()}
                        class={classes!("tab", (tab == *chosen).then_some("chosen"))}
                        aria-selected={(tab == *chosen).to_string()}
                        aria-controls={tab.panel_id()}
                        tabindex={if tab == *chosen { "0" } else { "-1" }}
                        onclick={
                            let chosen = chosen.clone();
                            Callback::from(move |_: MouseEvent| chosen.set(tab))
                        }>
                        { tab.name() }
                    </button>
                }
            </div>
            <div class="tab-panel" role="tabpanel" id={chosen.panel_id()} aria-labelledby={chosen.id()}
                tabindex="0">
                { match *chosen {
                    Tab::Log => log_panel(inspection, props.record),
                    Tab::Rows => html! { <RowsTab tables={inspection.tables.clone()} reference={props.reference} cell={props.cell.clone()} /> },
                    // The databases' tables stay aligned: scroll sideways rather than wrap.
                    Tab::Status => html! { <>
                        // Where a replica stands, in its node's words, before the database's own.
                        if let Some(progress) = inspection.progress.as_ref() {
                            <p class="replica-progress-line">{ format!("Now: {progress}") }</p>
                        }
                        <pre class="mono-block tabular">{ inspection.status.join("\n") }</pre>
                    </> },
                } }
            </div>
        </div>
    }
}

/// The replication log as the method's tool prints it, and what was discarded at a rejoin.
fn log_panel(inspection: &Inspection, record: Option<usize>) -> Html {
    html! { <>
        <p class="panel-caption">
            { "As " }<code>{ inspection.log_tool.clone() }</code>{ " prints it (newest entries last)" }
        </p>
        if inspection.log.is_empty() {
            <p class="hint">{ "Nothing logged yet: run a write in the SQL console." }</p>
        } else {
            <pre class="mono-block">
                if let Some(record) = record {
                    // The lesson's line outlined and marked, the others as they are.
                    for (i, line) in inspection.log.iter().enumerate() {
                        <span class={classes!("log-line", (i == record).then_some("highlighted"))}>{ line.clone() }</span>
                    }
                } else {
                    { inspection.log.join("\n") }
                }
            </pre>
        }
        if !inspection.discarded.is_empty() {
            <h3 class="panel-title warning-title">{ "Discarded at rejoin" }</h3>
            <pre class="mono-block discarded">{ inspection.discarded.join("\n") }</pre>
        }
    </> }
}
