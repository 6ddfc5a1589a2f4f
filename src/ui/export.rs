//! Saving the diagram as a picture for a slide: "Save diagram" in the diagram's corner offers
//! an SVG file and a PNG file at twice the size the diagram is drawn at.
//!
//! The picture is the diagram as it is on screen: a copy of its `<svg>` with every element's
//! computed look written into it as presentation attributes (so the file needs no stylesheet
//! and keeps the theme's colours), on the page's background, under the caption as a title
//! line. The PNG is that SVG drawn onto a canvas through a `data:` image, so under a
//! Content-Security-Policy the page must allow `img-src data:`. Both files are saved through
//! `data:` URLs: no blobs to create and revoke, and less code in the page.
//!
//! It reads the DOM and nothing of the lab: the diagram, the caption and the message line are
//! found from the pressed button. Nothing here panics; what fails is said on the message line.

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{
    CanvasRenderingContext2d, Element, Event, HtmlAnchorElement, HtmlCanvasElement,
    HtmlImageElement, Window, XmlSerializer,
};
use yew::prelude::*;

/// The control: its markup never changes, so it is one constant piece of markup (a component
/// tree would cost the page code for a static text); one click listener on its corner serves
/// both buttons, told apart by their `value`. The message line is inside the menu: shown
/// while the menu is open, never left over the diagram.
const MENU: &str = concat!(
    r#"<details class="export"><summary>Save<span class="export-word"> diagram</span></summary>"#,
    r#"<button type="button" value="svg">SVG</button>"#,
    r#"<button type="button" value="png">PNG</button>"#,
    r#"<p class="export-status" role="status"></p></details>"#,
);
/// The name the files are saved under, before the extension.
const FILE_NAME: &str = "replication-lab";
/// The PNG's pixels per CSS pixel of the diagram on screen: readable on a projected slide.
const PNG_SCALE: u32 = 2;
/// The title line: font size, line height and margin, in CSS pixels. Whole numbers, as every
/// size here: the float formatter is kilobytes of code in the page.
const TITLE: (u32, u32, u32) = (20, 26, 16);
/// The properties the stylesheet sets on the diagram's elements (through classes and
/// `var()`s), copied from their computed styles; a compact diagram's shapes and text are
/// scaled and moved by CSS transforms.
const STYLED: [&str; 12] = [
    "transform",
    "vector-effect",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-linejoin",
    "paint-order",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
];
const FAILED: &str = "Could not save the diagram: the browser refused a step.";
const REFUSED_IMAGE: &str = "Could not save the PNG: the browser would not draw the diagram \
                             as an image (a Content-Security-Policy must allow img-src data:).";

/// The "Save diagram" control, closed; a function, not a component: it has no state (its
/// message line is written when a save ends).
pub fn export_menu() -> Html {
    html! {
        <div class="export-corner" onclick={Callback::from(save)}>
            { Html::from_html_unchecked(AttrValue::Static(MENU)) }
        </div>
    }
}

/// A click in the control: a press of SVG or PNG saves the diagram of its pane that way, and
/// says how it went.
fn save(event: MouseEvent) {
    let Some(target) = event.target() else {
        return;
    };
    let target: Element = target.unchecked_into();
    let (Ok(Some(button)), Ok(Some(pane))) =
        (target.closest("button"), target.closest(".cluster-pane"))
    else {
        return;
    };
    let png = button.get_attribute("value").as_deref() == Some("png");
    let saved = picture(&pane, if png { PNG_SCALE } else { 1 }).and_then(|(svg, size)| {
        let url = format!(
            "data:image/svg+xml;charset=utf-8,{}",
            String::from(js_sys::encode_uri_component(&svg))
        );
        if png {
            rasterize(&pane, &url, size)
        } else {
            download(&pane, &url, "svg")
        }
    });
    if saved.is_none() {
        tell(&pane, FAILED);
    }
}

/// The diagram in `pane` as a standalone SVG document drawn at `scale` times its size on
/// screen, and that size in pixels.
fn picture(pane: &Element, scale: u32) -> Option<(String, (u32, u32))> {
    let window = web_sys::window()?;
    let diagram = pane.query_selector("svg.cluster").ok()??;
    let copy: Element = diagram.clone_node_with_deep(true).ok()?.unchecked_into();
    inline_styles(&window, &diagram, &copy)?;

    let rect = diagram.get_bounding_client_rect();
    let (width, height) = (rect.width().round() as u32, rect.height().round() as u32);
    let caption = pane
        .query_selector(".caption")
        .ok()
        .flatten()
        .and_then(|c| c.text_content())
        .unwrap_or_default();
    let (size, line, margin) = TITLE;
    // SVG does not wrap text: the caption is broken into lines by an average glyph width
    // (0.55 of the font size).
    let lines = wrap(
        &caption,
        (width.saturating_sub(2 * margin) * 20 / (11 * size)) as usize,
    );
    let band = if lines.is_empty() {
        0
    } else {
        lines.len() as u32 * line + margin
    };
    let total = height + band;
    for (name, value) in [("x", 0), ("y", band), ("width", width), ("height", height)] {
        let _ = copy.set_attribute(name, &value.to_string());
    }
    let diagram = XmlSerializer::new().ok()?.serialize_to_string(&copy).ok()?;

    let style = |element: &Element, property| {
        window
            .get_computed_style(element)
            .ok()
            .flatten()
            .and_then(|s| s.get_property_value(property).ok())
            .unwrap_or_default()
    };
    // The page's background (the theme's): labels' halos and hollow glyphs are painted in it.
    let background = window
        .document()
        .and_then(|d| d.body())
        .map(|b| style(&b, "background-color"))
        .filter(|c| !c.is_empty() && c != "rgba(0, 0, 0, 0)")
        .unwrap_or_else(|| "#ffffff".into());
    let (ink, font) = (style(pane, "color"), escape(&style(pane, "font-family")));
    let title: String = lines
        .iter()
        .enumerate()
        .map(|(i, text)| {
            format!(
                r#"<text class="export-caption" x="{margin}" y="{}" fill="{ink}" font-family="{font}" font-size="{size}" font-weight="600">{}</text>"#,
                margin + line * i as u32 + line * 3 / 4,
                escape(text)
            )
        })
        .collect();
    let svg = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {width} {total}"><title>Replication Lab: {}</title><rect width="100%" height="100%" fill="{background}"/>{title}{diagram}</svg>"#,
        width * scale,
        total * scale,
        escape(&caption)
    );
    Some((svg, (width * scale, total * scale)))
}

/// Writes each element's computed look into its copy as presentation attributes: the copy
/// outside the page has no stylesheet. Attributes, not a `style` attribute: a page whose
/// Content-Security-Policy forbids inline styles would refuse that (and log an error). The
/// two trees are the same shape, so their elements in document order pair up.
fn inline_styles(window: &Window, original: &Element, copy: &Element) -> Option<()> {
    let copy_look = |from: &Element, to: &Element| -> Option<()> {
        let style = window.get_computed_style(from).ok()??;
        for property in STYLED {
            let value = style.get_property_value(property).ok()?;
            // An element the stylesheet does not transform keeps its own `transform`.
            if !value.is_empty() && (property != "transform" || value != "none") {
                let _ = to.set_attribute(property, &value);
            }
        }
        Some(())
    };
    copy_look(original, copy)?;
    let (originals, copies) = (
        original.query_selector_all("*").ok()?,
        copy.query_selector_all("*").ok()?,
    );
    for i in 0..originals.length() {
        copy_look(
            &originals.item(i)?.unchecked_into(),
            &copies.item(i)?.unchecked_into(),
        )?;
    }
    Some(())
}

/// `text` with XML's special characters escaped, for an attribute or a text node.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` in lines of at most `width` characters, broken between words (a longer word stays
/// whole on its own line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(last) if last.chars().count() + 1 + word.chars().count() <= width => {
                last.push(' ');
                last.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Draws the SVG at `url` onto a canvas of `size` pixels and saves the canvas as PNG. The
/// image loads asynchronously: what fails after this returns is said on the message line.
fn rasterize(pane: &Element, url: &str, size: (u32, u32)) -> Option<()> {
    let image = HtmlImageElement::new().ok()?;
    // One listener for both outcomes: an image fires either `load` or `error`, once.
    let done = {
        let (pane, image) = (pane.clone(), image.clone());
        Closure::once_into_js(move |event: Event| {
            if event.type_() != "load" {
                tell(&pane, REFUSED_IMAGE);
            } else if paint(&pane, &image, size).is_none() {
                tell(&pane, FAILED);
            }
        })
    };
    image.set_onload(Some(done.unchecked_ref()));
    image.set_onerror(Some(done.unchecked_ref()));
    image.set_src(url);
    Some(())
}

/// Paints the loaded `image` on a canvas of `size` pixels and saves that as PNG.
fn paint(pane: &Element, image: &HtmlImageElement, (width, height): (u32, u32)) -> Option<()> {
    let canvas: HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.unchecked_into();
    context
        .draw_image_with_html_image_element_and_dw_and_dh(
            image,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .ok()?;
    // Fails if the image tainted the canvas (it cannot: the SVG is the page's own data).
    let png = canvas.to_data_url().ok()?;
    download(pane, &png, "png")
}

/// Saves the file at `url` through a temporary `<a download>`, and says so.
fn download(pane: &Element, url: &str, extension: &str) -> Option<()> {
    let name = format!("{FILE_NAME}.{extension}");
    let link: HtmlAnchorElement = web_sys::window()?
        .document()?
        .create_element("a")
        .ok()?
        .unchecked_into();
    link.set_href(url);
    link.set_download(&name);
    link.click();
    tell(pane, &format!("Saved {name}."));
    Some(())
}

/// Writes `message` on the message line under the control in `pane`.
fn tell(pane: &Element, message: &str) {
    if let Ok(Some(line)) = pane.query_selector(".export-status") {
        line.set_text_content(Some(message));
    }
}
