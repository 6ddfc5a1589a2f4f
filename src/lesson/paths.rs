//! Where in a JSON text an error is, as a field path (`steps[3].expect[0].row`): serde_json
//! says only the line and column, so the text is scanned up to there, keeping the keys and
//! array indices open at that point. Cheaper in the page than a path-tracking deserializer.

use super::LessonError;

/// One open object or array on the way to the error.
enum Frame {
    /// An object, with the key whose value is being read (none right after `{` or `,`).
    Object {
        key: Option<String>,
        awaiting_key: bool,
    },
    Array {
        index: usize,
    },
}

/// A serde_json error on `text` as a [`LessonError`] with its field path.
pub(super) fn error(text: &str, error: &serde_json::Error) -> LessonError {
    let message = error.to_string();
    // serde_json appends " at line L column C"; the path says where instead.
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    let offset = offset_of(text, error.line(), error.column());
    let mut path = path_at(text, offset, false);
    if error.is_eof() {
        return LessonError::at(path, format!("the file ends too soon: {message}"));
    }
    if message.starts_with("missing field") {
        // Reported at the object's closing brace: the path is the object's, not its last
        // key's.
        path = path_at(text, offset.saturating_sub(1), true);
    }
    let where_ = format!("line {} column {}", error.line(), error.column());
    if error.is_syntax() {
        return LessonError::at(path, format!("not valid JSON ({message}) at {where_}"));
    }
    LessonError::at(path, format!("{message} (line {})", error.line()))
}

/// The byte offset of 1-based `line` and `column` (serde_json counts bytes), clamped.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    start.saturating_add(column).min(text.len())
}

/// The field path open at byte `end` of `text`; with `object`, the innermost object's own
/// path (without the key last read in it).
fn path_at(text: &str, end: usize, object: bool) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if i >= end {
            break;
        }
        match c {
            '{' => stack.push(Frame::Object {
                key: None,
                awaiting_key: true,
            }),
            '[' => stack.push(Frame::Array { index: 0 }),
            '}' | ']' => {
                stack.pop();
            }
            ',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key, awaiting_key }) => {
                    *key = None;
                    *awaiting_key = true;
                }
                None => {}
            },
            '"' => {
                let mut s = String::new();
                while let Some((_, c)) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some((_, e)) = chars.next() {
                                s.push(e);
                            }
                        }
                        c => s.push(c),
                    }
                }
                if let Some(Frame::Object { key, awaiting_key }) = stack.last_mut() {
                    if *awaiting_key {
                        *key = Some(s);
                        *awaiting_key = false;
                    }
                }
            }
            _ => {}
        }
    }
    if object {
        if let Some(Frame::Object { key, .. }) = stack.last_mut() {
            *key = None;
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_names_keys_and_indices_open_at_a_point() {
        let text = r#"{"steps": [{"a": 1}, {"expect": [{"row": {"table": "x"}}]}]}"#;
        let at = text.find("\"x\"").unwrap();
        assert_eq!(path_at(text, at, false), "steps[1].expect[0].row.table");
        assert_eq!(path_at(text, 1, false), "");
        assert_eq!(path_at(text, text.len(), false), "");
    }

    #[test]
    fn escaped_quotes_and_brackets_in_strings_do_not_move_the_path() {
        let text = r#"{"a": "x\"[{,", "b": [1, 2, "]"], "c": 3}"#;
        let at = text.find('3').unwrap();
        assert_eq!(path_at(text, at, false), "c");
    }
}
