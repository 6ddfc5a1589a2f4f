//! The diagram's legend: what each message glyph means and the terms its labels and nodes
//! use (written / flushed / applied, LSN and binlog position, storage version). A "Legend"
//! toggle in the diagram's corner (a `<details>`: a keyboard button with a visible name) opens
//! it over the diagram, so the diagram never changes size. Each glyph is drawn as on the
//! diagram (`message.rs`) and named in words: colour is never the only signal.
//!
//! The contents never change, so they are one constant piece of markup rather than a
//! component tree: a tree would cost the page kilobytes of code for a static text.

use yew::prelude::*;

const CONTENTS: &str = concat!(
    r#"<ul class="legend-list">"#,
    r#"<li><svg class="legend-glyph" viewBox="-12 -12 24 24" aria-hidden="true"><circle class="msg msg-data" r="10"/></svg>filled: data the leader ships (WAL, binlog, rows, a base backup)</li>"#,
    r#"<li><svg class="legend-glyph" viewBox="-12 -12 24 24" aria-hidden="true"><circle class="msg msg-ack" r="9"/></svg>hollow: an ack, how far a follower got</li>"#,
    r#"<li><svg class="legend-glyph" viewBox="-12 -12 24 24" aria-hidden="true"><circle class="msg msg-heartbeat" r="5"/></svg>dot: a heartbeat or a control message</li>"#,
    r#"<li><svg class="legend-glyph" viewBox="-12 -12 24 24" aria-hidden="true"><rect class="msg msg-client" x="-9" y="-9" width="18" height="18" rx="2"/></svg>square: a client's SQL, or its answer</li>"#,
    "</ul>",
    r#"<dl class="legend-terms">"#,
    "<dt>written</dt><dd>the follower received it and wrote it to its log (remote_write)</dd>",
    "<dt>flushed</dt><dd>… and made it durable on its disk (on)</dd>",
    "<dt>applied</dt><dd>… and replayed it: reads there see it (remote_apply)</dd>",
    "<dt>0/0100018D</dt><dd>an LSN: a place in the WAL, in bytes; MySQL counts a binlog position (pos 1735)</dd>",
    "<dt>storage v16</dt><dd>the page format a node's database writes</dd>",
    "</dl>",
    r#"<p class="legend-note">The newest messages carry words; a label set apart hangs on a thin line.</p>"#,
);

/// The legend, closed; a function, not a component: it has neither state nor properties.
pub fn legend() -> Html {
    html! {
        <div class="legend-corner">
            <details class="legend">
                <summary>{ "Legend" }</summary>
                { Html::from_html_unchecked(AttrValue::Static(CONTENTS)) }
            </details>
        </div>
    }
}
