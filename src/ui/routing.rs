//! A client's read routing: a labelled select in its actions (where its reads go — the
//! leader, any follower, a pinned follower, the leader for a while after writing, a follower
//! that has replayed its last write) and a line saying what the choice does. Writes always
//! go to the leader; the event log says which server each routed read went to.
//!
//! Draws the client's setting from the view and sends the change as a `LabAction`; the
//! rule itself is the core's (`lab::ReadRouting`). A plain function, not a component: it
//! holds no state, and a component's machinery costs the page more than its markup.

use replication_lab::lab::{LabAction, ReadRouting};
use replication_lab::view::NodeView;
use yew::prelude::*;

/// The control for `client`, or nothing for a node that is not a client.
pub fn read_routing(client: &NodeView, on_perform: &Callback<Vec<LabAction>>) -> Html {
    let Some(current) = client
        .reads
        .and_then(|label| ReadRouting::ALL.into_iter().find(|r| r.label() == label))
    else {
        return Html::default();
    };
    let id = client.id;
    let onchange = on_perform.reform(move |event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        let chosen = select.value().parse::<usize>().ok();
        chosen
            .and_then(|i| ReadRouting::ALL.get(i).copied())
            .map(|routing| {
                vec![LabAction::SetReadRouting {
                    client: id,
                    routing,
                }]
            })
            .unwrap_or_default()
    });
    html! {
        <div class="read-routing">
            <label class="control">
                <span class="control-label">{ "Reads go to" }</span>
                <select id="read-routing" aria-describedby="read-routing-hint" {onchange}>
                    for (i, routing) in ReadRouting::ALL.iter().enumerate() {
                        <option value={i.to_string()} selected={*routing == current}>
                            { routing.label() }
                        </option>
                    }
                </select>
            </label>
            <p id="read-routing-hint" class="control-note">
                { current.explain() }{ " Writes go to the leader." }
            </p>
        </div>
    }
}
