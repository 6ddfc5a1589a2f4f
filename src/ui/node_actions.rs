//! What can be done to the selected node: the actions its view offers now (crash or restart
//! it, promote a follower, let a spare join, let an old leader rejoin, checkpoint the
//! leader…), each a labelled button; and cutting or healing its network links. Which actions
//! make sense is the core's decision (`NodeView::actions`); this draws them. A refusal from
//! the lab is shown next to them, in its words.

use std::rc::Rc;

use replication_lab::lab::LabAction;
use replication_lab::view::{NodeCommand, NodeKind, NodeView, View};
use yew::prelude::*;

use super::routing::read_routing;

#[derive(Properties, PartialEq)]
pub struct NodeActionsProps {
    /// The lab now, shared with the other panels.
    pub view: Rc<View>,
    /// The node acted on.
    pub node: u32,
    /// The lab's refusal of the last action on this node.
    pub refusal: Option<String>,
    /// Actions on the node, done now in order (cutting a node off from every other is
    /// several partitions).
    pub on_perform: Callback<Vec<LabAction>>,
}

#[component]
pub fn NodeActions(props: &NodeActionsProps) -> Html {
    let Some(node) = props.view.node(props.node) else {
        return Html::default();
    };
    let id = node.id;
    let send = |actions: Vec<LabAction>| {
        props
            .on_perform
            .reform(move |_: MouseEvent| actions.clone())
    };
    // A client's Cancel sits in the console, next to the answers it is waiting for.
    let offered = node
        .actions
        .iter()
        .filter(|a| a.command != NodeCommand::Cancel);
    html! {
        <div class="node-actions">
            <div class="action-row" role="group" aria-label={format!("Actions on {}", node.name)}>
                for action in offered {
                    <button type="button"
                        class={classes!("action-button", action.command.is_destructive().then_some("danger"))}
                        title={action.hint} onclick={send(vec![LabAction::on(id, action.command)])}>
                        { action.text }
                        <span class="visually-hidden">{ format!(": {}", action.hint) }</span>
                    </button>
                }
            </div>
            { read_routing(node, &props.on_perform) }
            if let Some(why) = props.refusal.as_ref() {
                <p class="refusal" role="alert">{ format!("Refused: {why}") }</p>
            }
            <LinkActions view={props.view.clone()} node={id} on_perform={props.on_perform.clone()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LinkActionsProps {
    view: Rc<View>,
    node: u32,
    on_perform: Callback<Vec<LabAction>>,
}

/// The node's network links to every other node, each cut or healed on its own, or all at
/// once.
#[component]
fn LinkActions(props: &LinkActionsProps) -> Html {
    let view = &props.view;
    let Some(node) = view.node(props.node) else {
        return Html::default();
    };
    let id = node.id;
    let send = |actions: Vec<LabAction>| {
        props
            .on_perform
            .reform(move |_: MouseEvent| actions.clone())
    };
    let others: Vec<&NodeView> = view.nodes.iter().filter(|n| n.id != id).collect();
    // A partition as the lesson means it: the node loses the other servers (and the
    // coordination service), while its own clients may still reach it — the moment a
    // cut-off leader takes writes nobody else will have. Clients are a separate choice.
    let cut_where = |clients: bool| -> Vec<LabAction> {
        others
            .iter()
            .filter(|o| (o.kind == NodeKind::Client) == clients)
            .map(|o| LabAction::Partition { a: id, b: o.id })
            .collect()
    };
    let (cut_servers, cut_clients) = (cut_where(false), cut_where(true));
    let heal_all: Vec<LabAction> = others
        .iter()
        .map(|o| LabAction::Heal { a: id, b: o.id })
        .collect();
    let any_cut = others.iter().any(|o| view.is_cut(id, o.id));
    html! {
        <details class="link-actions">
            <summary>
                { "Network links" }
                if any_cut { <span class="cut-badge">{ " — some cut" }</span> }
            </summary>
            <ul class="link-list">
                for other in others.iter() {
                    <li>
                        <span class="link-name">
                            { format!("{} – {}", node.name, other.name) }
                        </span>
                        if view.is_cut(id, other.id) {
                            <span class="link-state cut">{ "✕ cut" }</span>
                        } else {
                            <span class="link-state">{ "connected" }</span>
                        }
                        <button type="button" class="action-button small"
                            disabled={view.is_cut(id, other.id)}
                            aria-label={format!("Cut link to {}", other.name)}
                            onclick={send(vec![LabAction::Partition { a: id, b: other.id }])}>
                            { "Cut" }
                        </button>
                        <button type="button" class="action-button small"
                            disabled={!view.is_cut(id, other.id)}
                            aria-label={format!("Heal link to {}", other.name)}
                            onclick={send(vec![LabAction::Heal { a: id, b: other.id }])}>
                            { "Heal" }
                        </button>
                    </li>
                }
            </ul>
            <div class="action-row">
                if !cut_servers.is_empty() {
                    <button type="button" class="action-button" onclick={send(cut_servers)}>
                        if node.kind == NodeKind::Client {
                            { format!("Cut {} off from the servers", node.name) }
                        } else {
                            { format!("Cut {} off from the other servers", node.name) }
                        }
                    </button>
                }
                if node.kind != NodeKind::Client && !cut_clients.is_empty() {
                    <button type="button" class="action-button" onclick={send(cut_clients)}>
                        { "Cut its clients off" }
                    </button>
                }
                <button type="button" class="action-button" onclick={send(heal_all)}>
                    { "Heal all its links" }
                </button>
            </div>
        </details>
    }
}
