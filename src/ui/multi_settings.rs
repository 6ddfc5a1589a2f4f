//! A multi-leader lab's settings in the header: how many leaders, the topology (a live
//! setting: the leaders send by the new one from now on, and the diagram's links change), the
//! conflict resolver, version vectors, auto-increment offsets and `leader-b`'s clock (each
//! of these a new lab, asked first when the session has actions, as the method is).
//!
//! It draws the choice it is given and sends what was picked; what the choices mean is
//! `lab::controls` (host-tested).

use replication_lab::lab::controls::{
    resolver_from_label, topology_from_label, MultiChoice, Setup, SkewChoice,
};
use replication_lab::lab::{Resolver, Topology};
use yew::prelude::*;

use super::header::{picked, show_values};

#[derive(Properties, PartialEq)]
pub struct MultiSettingsProps {
    pub multi: MultiChoice,
    /// A new lab as this setup says.
    pub on_setup: Callback<Setup>,
    /// The leaders send by this topology from now on.
    pub on_topology: Callback<Topology>,
    /// Why the lab refused the last topology change.
    pub refusal: Option<String>,
}

const IDS: [&str; 4] = [
    "leaders-picker",
    "topology-picker",
    "resolver-picker",
    "skew-picker",
];

fn leaders_key(leaders: u32) -> &'static str {
    if leaders == 2 {
        "2"
    } else {
        "3"
    }
}

#[component]
pub fn MultiSettings(props: &MultiSettingsProps) -> Html {
    let multi = props.multi;
    let values = [
        leaders_key(multi.leaders),
        multi.topology.label(),
        multi.resolver.label(),
        multi.skew.label(),
    ];
    // As the header's pickers: back after a question is cancelled, forward when it is done.
    use_effect_with(values, |values| show_values(&IDS, values));
    // A new lab with one setting changed.
    let restart = |change: fn(MultiChoice, &str) -> Option<MultiChoice>, now: &'static str| {
        picked(
            &props.on_setup,
            move |value| change(multi, value).map(Setup::Multi),
            now,
        )
    };
    let on_leaders = restart(
        |m, v| {
            let leaders = v.parse().ok().filter(|n| (2..=3).contains(n))?;
            Some(MultiChoice { leaders, ..m })
        },
        values[0],
    );
    let on_resolver = restart(
        |m, v| {
            Some(MultiChoice {
                resolver: resolver_from_label(v)?,
                ..m
            })
        },
        values[2],
    );
    let on_skew = restart(
        |m, v| {
            Some(MultiChoice {
                skew: SkewChoice::from_label(v)?,
                ..m
            })
        },
        values[3],
    );
    let on_topology = picked(&props.on_topology, topology_from_label, values[1]);
    let toggle = |flip: fn(MultiChoice, bool) -> MultiChoice| {
        let on_setup = props.on_setup.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let on = input.checked();
            // It shows the lab's setting until the new lab starts (a question may cancel).
            input.set_checked(!on);
            on_setup.emit(Setup::Multi(flip(multi, on)));
        })
    };
    let on_vectors = toggle(|m, on| MultiChoice {
        version_vectors: on,
        ..m
    });
    let on_offsets = toggle(|m, on| MultiChoice {
        auto_increment_offsets: on,
        ..m
    });
    let topology_note = match props.refusal.as_ref() {
        Some(why) => {
            html! { <span class="refusal" role="alert">{ format!("not changed: {why}") }</span> }
        }
        None => html! { "live" },
    };
    html! {
        <>
            { select(0, "Leaders", &["2", "3"], values, on_leaders, None) }
            { select(1, "Topology", &Topology::ALL.map(Topology::label), values, on_topology, Some(topology_note)) }
            { select(2, "Resolver", &Resolver::ALL.map(Resolver::label), values, on_resolver, None) }
            <label class="control choice">
                <input type="checkbox" checked={multi.version_vectors} onchange={on_vectors} />
                { "version vectors" }
            </label>
            <label class="control choice">
                <input type="checkbox" checked={multi.auto_increment_offsets} onchange={on_offsets} />
                { "auto-increment offsets" }
            </label>
            { select(3, "leader-b clock", &SkewChoice::ALL.map(SkewChoice::label), values, on_skew, None) }
        </>
    }
}

/// Picker `i` of [`IDS`]: its label, its options (`values[i]` chosen) and a note beside it.
fn select(
    i: usize,
    label: &'static str,
    options: &[&'static str],
    values: [&'static str; 4],
    onchange: Callback<Event>,
    note: Option<Html>,
) -> Html {
    let id = IDS[i];
    let note_id = note.as_ref().map(|_| format!("{id}-note"));
    html! {
        <div class="control">
            <label for={id} class="control-label">{ label }</label>
            <select {id} {onchange} aria-describedby={note_id.clone()}>
                for option in options {
                    <option value={*option} selected={*option == values[i]}>{ *option }</option>
                }
            </select>
            if let Some(note) = note {
                <span id={note_id} class="control-note">{ note }</span>
            }
        </div>
    }
}
