//! The inspector: the selected node's name, role and state, its actions, and its insides in
//! tabs — Log (the method's own rendering), Rows (its tables, cells that differ from the
//! reference copy's marked), Status (replication positions). Clients show their answers; the applier
//! its progress.

use std::rc::Rc;

use replication_lab::lab::inspect::Inspection;
use replication_lab::lab::LabAction;
use replication_lab::view::{NodeKind, NodeStatus, View};
use yew::prelude::*;

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
                    <InspectorTabs inspection={inspection.clone()} reference={props.view.words.reference} />
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
}

/// Log | Rows | Status, as an ARIA tablist: arrow keys (and Home, End) move between tabs and
/// show them; Tab moves on into the panel.
#[component]
fn InspectorTabs(props: &InspectorTabsProps) -> Html {
    let chosen = use_state_eq(|| Tab::Rows);
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
                    Tab::Log => log_panel(inspection),
                    Tab::Rows => html! { <RowsTab tables={inspection.tables.clone()} reference={props.reference} /> },
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
fn log_panel(inspection: &Inspection) -> Html {
    html! { <>
        <p class="panel-caption">
            { "As " }<code>{ inspection.log_tool.clone() }</code>{ " prints it (newest entries last)" }
        </p>
        if inspection.log.is_empty() {
            <p class="hint">{ "Nothing logged yet: run a write in the SQL console." }</p>
        } else {
            <pre class="mono-block">{ inspection.log.join("\n") }</pre>
        }
        if !inspection.discarded.is_empty() {
            <h3 class="panel-title warning-title">{ "Discarded at rejoin" }</h3>
            <pre class="mono-block discarded">{ inspection.discarded.join("\n") }</pre>
        }
    </> }
}
