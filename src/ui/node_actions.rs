//! What can be done to the selected node: crash or restart it, promote a follower, let a spare
//! join, let an old leader rejoin, checkpoint the leader; and cut or heal its network links.
//! Only the actions that make sense for the node now are offered; each is a labelled button.
//! A refusal from the lab is shown next to them, in its words.

use replication_lab::lab::LabAction;
use replication_lab::view::{NodeKind, NodeStatus, NodeView, Role};
use yew::prelude::*;

use super::state::Action;

#[derive(Properties, PartialEq)]
pub struct NodeActionsProps {
    pub node: NodeView,
    pub nodes: Vec<NodeView>,
    /// Pairs of nodes a partition cuts apart (`View::cut_pairs`).
    pub cut_pairs: Vec<(u32, u32)>,
    /// The lab's refusal of the last action on this node.
    pub refusal: Option<String>,
    pub on_action: Callback<Action>,
}

/// One button: its word, what it does (the tooltip and the accessible description), the
/// actions it performs.
struct Offer {
    text: &'static str,
    hint: &'static str,
    actions: Vec<LabAction>,
}

/// The actions that make sense for `node` now.
fn offers(node: &NodeView, nodes: &[NodeView]) -> Vec<Offer> {
    let id = node.id;
    let offer = |text, hint, action| Offer {
        text,
        hint,
        actions: vec![action],
    };
    if node.status == NodeStatus::Crashed {
        return vec![offer(
            "Restart",
            "start it again from what it had on disk",
            LabAction::Restart(id),
        )];
    }
    let mut offers = vec![offer(
        "Crash",
        "stop it now: what was only in memory is lost",
        LabAction::Crash(id),
    )];
    if node.kind != NodeKind::Database {
        return offers;
    }
    let leaders = nodes.iter().filter(|n| n.role == Role::Leader).count();
    match node.role {
        Role::Leader => {
            offers.push(offer(
                "Checkpoint",
                "flush dirty pages; the next change to each page logs a full page image",
                LabAction::Checkpoint(id),
            ));
            if leaders > 1
                || node.state == "not accepting writes"
                || node.state.starts_with("read-only")
            {
                offers.push(offer(
                    "Rejoin as follower",
                    "step down, discard what the new leader never had, and follow it",
                    LabAction::Rejoin(id),
                ));
            }
        }
        // While a base backup arrives there is nothing to do but wait.
        _ if node.state.starts_with("base backup") => {}
        _ if node.state.starts_with("empty spare") => offers.push(offer(
            "Join",
            "copy a snapshot of the leader, then stream from where it was taken",
            LabAction::Join(id),
        )),
        _ => offers.push(offer(
            "Promote",
            "manual failover: this follower becomes the leader",
            LabAction::Promote(id),
        )),
    }
    offers
}

/// Whether the link between `a` and `b` is drawn, and if so whether it is cut.
/// Whether a partition cuts `a` and `b` apart.
fn is_cut(cut_pairs: &[(u32, u32)], a: u32, b: u32) -> bool {
    cut_pairs.contains(&(a.min(b), a.max(b)))
}

#[component]
pub fn NodeActions(props: &NodeActionsProps) -> Html {
    let node = &props.node;
    let id = node.id;
    let send = |actions: Vec<LabAction>| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Perform(id, actions.clone())))
    };
    let others: Vec<&NodeView> = props.nodes.iter().filter(|n| n.id != id).collect();
    let cut_all: Vec<LabAction> = others
        .iter()
        .map(|o| LabAction::Partition { a: id, b: o.id })
        .collect();
    let heal_all: Vec<LabAction> = others
        .iter()
        .map(|o| LabAction::Heal { a: id, b: o.id })
        .collect();
    let any_cut = others.iter().any(|o| is_cut(&props.cut_pairs, id, o.id));
    html! {
        <div class="node-actions">
            <div class="action-row" role="group" aria-label={format!("Actions on {}", node.name)}>
                for offer in offers(node, &props.nodes) {
                    <button type="button" class={classes!("action-button", (offer.text == "Crash").then_some("danger"))}
                        title={offer.hint} onclick={send(offer.actions)}>
                        { offer.text }
                        <span class="visually-hidden">{ format!(": {}", offer.hint) }</span>
                    </button>
                }
            </div>
            if let Some(why) = props.refusal.as_ref() {
                <p class="refusal" role="alert">{ format!("Refused: {why}") }</p>
            }
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
                            if is_cut(&props.cut_pairs, id, other.id) {
                                <span class="link-state cut">{ "✕ cut" }</span>
                            } else {
                                <span class="link-state">{ "connected" }</span>
                            }
                            <button type="button" class="action-button small"
                                disabled={is_cut(&props.cut_pairs, id, other.id)}
                                aria-label={format!("Cut link to {}", other.name)}
                                onclick={send(vec![LabAction::Partition { a: id, b: other.id }])}>
                                { "Cut" }
                            </button>
                            <button type="button" class="action-button small"
                                disabled={!is_cut(&props.cut_pairs, id, other.id)}
                                aria-label={format!("Heal link to {}", other.name)}
                                onclick={send(vec![LabAction::Heal { a: id, b: other.id }])}>
                                { "Heal" }
                            </button>
                        </li>
                    }
                </ul>
                <div class="action-row">
                    <button type="button" class="action-button" onclick={send(cut_all)}>
                        { format!("Cut {} off from all", node.name) }
                    </button>
                    <button type="button" class="action-button" onclick={send(heal_all)}>
                        { "Heal all its links" }
                    </button>
                </div>
            </details>
        </div>
    }
}
