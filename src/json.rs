//! JSON, the one way the page reads and writes it: lesson files, links and the host API's
//! messages. A small value type ([`Value`], objects keeping their fields' order), a parser
//! that says where a text is wrong — the field path it was reading, the line and the column —
//! and refuses what a hostile text could use to hurt (nesting deeper than [`MAX_DEPTH`], a
//! text longer than [`MAX_BYTES`]), readers that take a value field by field so that every
//! error names its path ([`Obj`], [`tagged`], [`whole`]…), and a writer, compact or indented.
//!
//! Numbers are whole: none of the formats has a fraction, so floating point is never parsed.
//! A number with a fraction or an exponent, or too large for 64 bits, is still read (a host's
//! message may carry one where the lab does not look) but only as [`Value::OtherNumber`],
//! which every reader refuses by name.
//!
//! Hand-written rather than derived: one parser and a reader per format cost the page far less
//! than a derived deserializer and serializer per type. It knows nothing of what the formats
//! mean.

use std::fmt;

/// How deep arrays and objects may nest.
pub const MAX_DEPTH: usize = 128;
/// The longest text parsed, in bytes (a lesson file is a few kilobytes).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// A JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A whole number from 0 to `u64::MAX`.
    Whole(u64),
    /// A negative whole number, down to `i64::MIN`.
    Negative(i64),
    /// Any other number: with a fraction or an exponent, or out of range. Its value is not
    /// kept, and it is written as `null`.
    OtherNumber,
    String(String),
    Array(Vec<Value>),
    /// Fields in the order written; a key may repeat here (the readers refuse that).
    Object(Vec<(String, Value)>),
}

impl Value {
    /// A string value.
    pub fn text(text: &str) -> Value {
        Value::String(text.to_string())
    }

    /// A whole number, negative or not.
    pub fn int(n: i64) -> Value {
        u64::try_from(n).map_or(Value::Negative(n), Value::Whole)
    }

    /// An object of `fields`, leaving out the absent ones.
    pub fn fields(fields: Vec<(&str, Option<Value>)>) -> Value {
        Value::Object(
            fields
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
                .collect(),
        )
    }

    /// An externally tagged value: `{"tag": content}`.
    pub fn tagged(tag: &str, content: Value) -> Value {
        Value::Object(vec![(tag.to_string(), content)])
    }

    /// A list of strings.
    pub fn texts(items: &[String]) -> Value {
        Value::Array(items.iter().map(|i| Value::text(i)).collect())
    }

    /// The field `key` of an object (the first, if it repeats).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Whole(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Whole(n) => i64::try_from(*n).ok(),
            Value::Negative(n) => Some(*n),
            _ => None,
        }
    }

    /// What a value is, in the words of an error ("found a string").
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "true or false",
            Value::Whole(_) | Value::Negative(_) => "a number",
            Value::OtherNumber => "a number that is not whole, or too large",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    /// Compact JSON text, as links and the host API carry it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        write(self, None, &mut out);
        out
    }

    /// JSON text with two-space indents, as a lesson file is written.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        write(self, Some(0), &mut out);
        out
    }
}

/// What kind of error: the text is not JSON, a value has the wrong type, or the shape is
/// wrong (a field missing, unknown or repeated, an unknown variant, a number too large).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Not JSON, at a 1-based line and column (in characters); `eof` when it ended too soon.
    Syntax {
        line: usize,
        column: usize,
        eof: bool,
    },
    Type,
    Shape,
}

/// Why a text could not be read, and where: `path` is the field path (`steps[3].caption`),
/// empty for the text as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub path: String,
    pub message: String,
    pub kind: Kind,
}

impl Error {
    /// A shape error at `path`.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error {
            path: path.into(),
            message: message.into(),
            kind: Kind::Shape,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Syntax { line, column, .. } => {
                write!(f, "{} at line {line} column {column}", self.message)?;
                if !self.path.is_empty() {
                    write!(f, " (in `{}`)", self.path)?;
                }
                Ok(())
            }
            _ if self.path.is_empty() => f.write_str(&self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for Error {}

type Result<T> = std::result::Result<T, Error>;

// Parsing.

/// Reads a JSON text: one value, with only white space around it.
pub fn parse(text: &str) -> Result<Value> {
    if text.len() > MAX_BYTES {
        return Err(Error::at(
            "",
            format!(
                "the text is {} bytes long, more than the {MAX_BYTES} read",
                text.len()
            ),
        ));
    }
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        path: Vec::new(),
    };
    let value = parser.value(0)?;
    parser.space();
    if parser.pos < parser.bytes.len() {
        return Err(parser.fail("trailing characters"));
    }
    Ok(value)
}

/// One step of the path being read.
enum Step {
    Key(String),
    Index(usize),
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The keys and indices open at `pos`, for an error's path.
    path: Vec<Step>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    /// A syntax error at the current position; at the end of the text, "EOF while parsing
    /// `within`" instead.
    fn error(&self, message: &str, within: &str) -> Error {
        let eof = self.pos >= self.bytes.len();
        let before = &self.text[..self.pos.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let mut path = String::new();
        for step in &self.path {
            match step {
                Step::Key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Step::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        Error {
            path,
            message: if eof {
                format!("EOF while parsing {within}")
            } else {
                message.to_string()
            },
            kind: Kind::Syntax { line, column, eof },
        }
    }

    fn fail(&self, message: &str) -> Error {
        self.error(message, "a value")
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        self.space();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.fail("expected value")),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value> {
        for b in word.bytes() {
            if self.peek() != Some(b) {
                return Err(self.fail("expected value"));
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn nest(&self, depth: usize) -> Result<()> {
        if depth >= MAX_DEPTH {
            return Err(self.fail(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        self.nest(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.path.push(Step::Index(items.len()));
            let item = self.value(depth + 1)?;
            self.space();
            let next = self.peek();
            if next != Some(b',') && next != Some(b']') {
                return Err(self.error("expected `,` or `]`", "a list"));
            }
            self.path.pop();
            items.push(item);
            self.pos += 1;
            if next == Some(b']') {
                return Ok(Value::Array(items));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        self.nest(depth)?;
        self.pos += 1;
        let mut fields = Vec::new();
        self.space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(fields));
        }
        loop {
            self.space();
            if self.peek() != Some(b'"') {
                return Err(self.error("key must be a string", "an object"));
            }
            let key = self.string()?;
            self.path.push(Step::Key(key));
            self.space();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`", "an object"));
            }
            self.pos += 1;
            let value = self.value(depth + 1)?;
            self.space();
            let next = self.peek();
            if next != Some(b',') && next != Some(b'}') {
                return Err(self.error("expected `,` or `}`", "an object"));
            }
            if let Some(Step::Key(key)) = self.path.pop() {
                fields.push((key, value));
            }
            self.pos += 1;
            if next == Some(b'}') {
                return Ok(Value::Object(fields));
            }
        }
    }

    fn string(&mut self) -> Result<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            // It stopped at an ASCII byte or the end: a character boundary.
            out.push_str(&self.text[start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                Some(_) => return Err(self.fail("control character (\\u0000-\\u001F) in a string")),
                None => return Err(self.error("", "a string")),
            }
        }
    }

    /// The character an escape after `\` stands for.
    fn escape(&mut self) -> Result<char> {
        let Some(b) = self.peek() else {
            return Err(self.error("", "a string"));
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                if !(0xD800..0xDC00).contains(&first) {
                    return char::from_u32(first)
                        .ok_or_else(|| self.fail("lone trailing surrogate in hex escape"));
                }
                if self.peek() != Some(b'\\') || self.bytes.get(self.pos + 1) != Some(&b'u') {
                    return Err(self.fail("lone leading surrogate in hex escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..0xE000).contains(&second) {
                    return Err(self.fail("lone leading surrogate in hex escape"));
                }
                let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return char::from_u32(c).ok_or_else(|| self.fail("invalid unicode code point"));
            }
            _ => {
                self.pos -= 1;
                return Err(self.fail("invalid escape"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("invalid escape", "a string"))?;
            n = n * 16 + digit;
            self.pos += 1;
        }
        Ok(n)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let first = self.pos;
        match self.digits() {
            0 => return Err(self.error("invalid number", "a number")),
            n if n > 1 && self.bytes[first] == b'0' => {
                self.pos = first + 1;
                return Err(self.fail("invalid number"));
            }
            _ => {}
        }
        let mut whole = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number", "a number"));
            }
            whole = false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number", "a number"));
            }
            whole = false;
        }
        let text = &self.text[start..self.pos];
        Ok(match (whole, negative) {
            (false, _) => Value::OtherNumber,
            (true, false) => text.parse().map_or(Value::OtherNumber, Value::Whole),
            // `-0` is not a whole number to serde_json either (it reads it as -0.0).
            (true, true) => match text.parse() {
                Ok(n) if n < 0 => Value::Negative(n),
                _ => Value::OtherNumber,
            },
        })
    }
}

// Writing.

/// Writes `value`; with `indent` (the current depth), two spaces a level and `": "`.
fn write(value: &Value, indent: Option<usize>, out: &mut String) {
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let inner = indent.map(|d| d + 1);
    match value {
        Value::Null | Value::OtherNumber => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Whole(n) => out.push_str(&n.to_string()),
        Value::Negative(n) => out.push_str(&n.to_string()),
        Value::String(text) => quote(text, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(d) = inner {
                    newline(out, d);
                }
                write(item, inner, out);
            }
            if let (Some(d), false) = (indent, items.is_empty()) {
                newline(out, d);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (i, (key, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(d) = inner {
                    newline(out, d);
                }
                quote(key, out);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write(item, inner, out);
            }
            if let (Some(d), false) = (indent, fields.is_empty()) {
                newline(out, d);
            }
            out.push('}');
        }
    }
}

/// `text` as a JSON string literal (for a writer outside this module: the Debezium JSON the
/// renderings print).
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    quote(text, &mut out);
    out
}

/// `text` as a JSON string: quotes, backslashes and control characters escaped, nothing else.
fn quote(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// Reading a value field by field.

/// `path.key`, or `key` at the top.
pub fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The error for `found` where `expected` was wanted.
pub fn wrong(path: &str, expected: &str, found: &Value) -> Error {
    Error {
        path: path.to_string(),
        message: format!("expected {expected}, found {}", found.kind()),
        kind: Kind::Type,
    }
}

pub fn text(v: &Value, path: &str) -> Result<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| wrong(path, "a string", v))
}

/// A whole number, 0 or more.
pub fn whole(v: &Value, path: &str) -> Result<u64> {
    v.as_u64()
        .ok_or_else(|| wrong(path, "a whole number (0 or more)", v))
}

/// A whole number that fits 32 bits.
pub fn small(v: &Value, path: &str) -> Result<u32> {
    let n = whole(v, path)?;
    u32::try_from(n).map_err(|_| Error::at(path, format!("{n} is too large")))
}

/// A whole number, negative or not.
pub fn signed(v: &Value, path: &str) -> Result<i64> {
    v.as_i64().ok_or_else(|| wrong(path, "a whole number", v))
}

pub fn flag(v: &Value, path: &str) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(wrong(path, "true or false", v)),
    }
}

/// A list, each item read by `item` at its path (`path[i]`).
pub fn list<T>(v: &Value, path: &str, item: impl Fn(&Value, &str) -> Result<T>) -> Result<Vec<T>> {
    let Value::Array(items) = v else {
        return Err(wrong(path, "a list", v));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| item(v, &format!("{path}[{i}]")))
        .collect()
}

pub fn texts(v: &Value, path: &str) -> Result<Vec<String>> {
    list(v, path, text)
}

/// An object's fields, read by name. A field given twice is refused; so is an unknown one,
/// unless the object was opened with [`Obj::open`]. `null` counts as absent.
pub struct Obj<'a> {
    fields: &'a [(String, Value)],
    path: String,
}

impl<'a> Obj<'a> {
    /// An object whose fields must all be `known`.
    pub fn new(v: &'a Value, path: &str, known: &[&str]) -> Result<Obj<'a>> {
        Obj::read(v, path, known, true)
    }

    /// An object whose fields other than `known` are ignored.
    pub fn open(v: &'a Value, path: &str, known: &[&str]) -> Result<Obj<'a>> {
        Obj::read(v, path, known, false)
    }

    fn read(v: &'a Value, path: &str, known: &[&str], strict: bool) -> Result<Obj<'a>> {
        let Value::Object(fields) = v else {
            return Err(wrong(path, "an object", v));
        };
        for (i, (key, _)) in fields.iter().enumerate() {
            if !known.contains(&key.as_str()) {
                if strict {
                    return Err(Error::at(
                        child(path, key),
                        format!("unknown field `{key}`, expected one of {}", quoted(known)),
                    ));
                }
                continue;
            }
            // Each known key is looked for among those before it: at most one repeat is
            // met before this fails, so the work stays linear in the fields.
            if fields[..i].iter().any(|(k, _)| k == key) {
                return Err(Error::at(
                    child(path, key),
                    format!("duplicate field `{key}`"),
                ));
            }
        }
        Ok(Obj {
            fields,
            path: path.to_string(),
        })
    }

    /// A field, if present and not null, with its path.
    pub fn opt(&self, key: &str) -> Option<(&'a Value, String)> {
        self.fields
            .iter()
            .find(|(k, v)| k == key && !v.is_null())
            .map(|(_, v)| (v, child(&self.path, key)))
    }

    pub fn req(&self, key: &str) -> Result<(&'a Value, String)> {
        self.opt(key)
            .ok_or_else(|| Error::at(self.path.clone(), format!("missing field `{key}`")))
    }

    /// A field that must be there, read by `read`.
    pub fn get<T>(&self, key: &str, read: impl Fn(&Value, &str) -> Result<T>) -> Result<T> {
        let (v, path) = self.req(key)?;
        read(v, &path)
    }

    /// A field that may be left out.
    pub fn maybe<T>(
        &self,
        key: &str,
        read: impl Fn(&Value, &str) -> Result<T>,
    ) -> Result<Option<T>> {
        self.opt(key).map(|(v, path)| read(v, &path)).transpose()
    }

    /// A list that may be left out (empty).
    pub fn many<T>(&self, key: &str, item: impl Fn(&Value, &str) -> Result<T>) -> Result<Vec<T>> {
        Ok(self
            .maybe(key, |v, p| list(v, p, &item))?
            .unwrap_or_default())
    }
}

/// Names as an error lists them: `` `a`, `b` ``.
pub fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An externally tagged value: a bare string (`"async"`) or a one-key object
/// (`{"crash": 2}`), the tag one of `tags`. Returns the tag, its content (null for a bare
/// string) and the content's path.
pub fn tagged<'a>(v: &'a Value, path: &str, tags: &[&str]) -> Result<(&'a str, &'a Value, String)> {
    const NULL: &Value = &Value::Null;
    let (tag, content) = match v {
        Value::String(s) => (s.as_str(), NULL),
        Value::Object(fields) if fields.len() == 1 => (fields[0].0.as_str(), &fields[0].1),
        _ => return Err(wrong(path, &format!("one of {}", quoted(tags)), v)),
    };
    let content_path = child(path, tag);
    if !tags.contains(&tag) {
        return Err(Error::at(
            content_path,
            format!("unknown variant `{tag}`, expected one of {}", quoted(tags)),
        ));
    }
    Ok((tag, content, content_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(text: &str) -> Error {
        parse(text).expect_err("not JSON")
    }

    #[test]
    fn values_read_back_as_written() {
        let text =
            r#"{"a":[1,-2,true,null,"x\"\\\n\u0001é😀"],"b":{},"c":[],"d":18446744073709551615}"#;
        let value = parse(text).unwrap();
        assert_eq!(value.to_text(), text);
        assert_eq!(value.get("d"), Some(&Value::Whole(u64::MAX)));
        assert_eq!(parse(&value.to_pretty()).unwrap(), value);
        assert_eq!(
            parse(r#""\ud83d\ude00\/\b\f""#).unwrap(),
            Value::text("😀/\u{8}\u{c}")
        );
        assert_eq!(
            parse("-9223372036854775808").unwrap(),
            Value::Negative(i64::MIN)
        );
    }

    #[test]
    fn other_numbers_are_read_but_not_kept() {
        for text in [
            "1.5",
            "1e3",
            "-0.0",
            "18446744073709551616",
            "-9223372036854775809",
        ] {
            assert_eq!(parse(text).unwrap(), Value::OtherNumber, "{text}");
        }
        let e = whole(&Value::OtherNumber, "t").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t: expected a whole number (0 or more), found a number that is not whole, or too large"
        );
    }

    #[test]
    fn the_pretty_form_indents_by_two_spaces() {
        let value = Value::fields(vec![
            ("a", Some(Value::Whole(1))),
            ("gone", None),
            ("b", Some(Value::Array(vec![Value::Bool(true)]))),
            ("c", Some(Value::Array(vec![]))),
        ]);
        assert_eq!(
            value.to_pretty(),
            "{\n  \"a\": 1,\n  \"b\": [\n    true\n  ],\n  \"c\": []\n}"
        );
        assert_eq!(value.to_text(), r#"{"a":1,"b":[true],"c":[]}"#);
    }

    #[test]
    fn syntax_errors_say_where_with_the_path_open_there() {
        let e = syntax("{\"steps\": [{\"a\": 1},\n {\"caption\" \"x\"}]}");
        assert_eq!(e.path, "steps[1].caption");
        assert_eq!(e.message, "expected `:`");
        assert_eq!(
            e.kind,
            Kind::Syntax {
                line: 2,
                column: 13,
                eof: false
            }
        );
        let e = syntax("{\"a\": [1, 2");
        assert_eq!(e.path, "a[1]");
        assert!(e.to_string().starts_with("EOF while parsing a list"), "{e}");
        assert!(matches!(e.kind, Kind::Syntax { eof: true, .. }));
        assert!(syntax("{\"a\": \"x")
            .message
            .starts_with("EOF while parsing a string"));
        assert_eq!(syntax("[1,]").message, "expected value");
        assert_eq!(syntax("[1 2]").message, "expected `,` or `]`");
        assert_eq!(syntax("{1: 2}").message, "key must be a string");
        assert_eq!(syntax("01").message, "invalid number");
        assert_eq!(syntax("1.").message, "EOF while parsing a number");
        assert_eq!(syntax("\"\\q\"").message, "invalid escape");
        assert_eq!(
            syntax("\"\\ud800\"").message,
            "lone leading surrogate in hex escape"
        );
        assert_eq!(
            syntax("\"\\udc00\"").message,
            "lone trailing surrogate in hex escape"
        );
        assert!(syntax("\"a\nb\"").message.starts_with("control character"));
        assert_eq!(syntax("{} x").message, "trailing characters");
        assert_eq!(syntax("tru").message, "EOF while parsing a value");
        assert_eq!(syntax("").message, "EOF while parsing a value");
    }

    #[test]
    fn hostile_texts_are_refused_without_panicking() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(syntax(&deep).message.starts_with("nesting deeper than 128"));
        assert!(parse(&format!("{}{}", "[".repeat(127), "]".repeat(127))).is_ok());
        let long = format!("\"{}\"", "x".repeat(MAX_BYTES));
        assert!(syntax(&long).message.contains("more than the"));
        for text in [
            "\"\\u",
            "\"\\u12",
            "\"\\ud800\\u",
            "-",
            "[-]",
            "{\"a\"",
            "\"é",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn readers_name_the_field_path() {
        let v = parse(r#"{"a": {"b": "x", "b": "y"}, "n": null}"#).unwrap();
        let o = Obj::new(&v, "", &["a", "n"]).unwrap();
        assert!(o.maybe("n", text).unwrap().is_none(), "null is absent");
        let e = o
            .get("a", |v, p| Obj::new(v, p, &["b"]).map(|_| ()))
            .unwrap_err();
        assert_eq!(e.to_string(), "a.b: duplicate field `b`");
        let e = Obj::new(&v, "", &["n"]).err().unwrap();
        assert_eq!(e.to_string(), "a: unknown field `a`, expected one of `n`");
        assert!(Obj::open(&v, "", &["n"]).is_ok(), "unknown fields ignored");
        let e = o.get("missing", text).unwrap_err();
        assert_eq!(e.to_string(), "missing field `missing`");
        let e = tagged(&Value::text("x"), "p", &["y"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "p.x: unknown variant `x`, expected one of `y`"
        );
        let e = small(&Value::Whole(1 << 40), "n").unwrap_err();
        assert_eq!(e.to_string(), format!("n: {} is too large", 1u64 << 40));
        assert_eq!(wrong("t", "a string", &Value::Whole(1)).kind, Kind::Type);
    }
}
