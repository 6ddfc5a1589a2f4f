//! Splits SQL text into tokens with byte spans. Never panics: unterminated strings or comments,
//! stray characters and out-of-range numbers are errors pointing at the offending text.

use crate::engine::error::{ErrorKind, Span, SqlError};

/// The longest statement accepted, so hostile input cannot make the engine work forever.
pub const MAX_STATEMENT_BYTES: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A bare word: keyword or identifier (the parser decides), as written.
    Word(String),
    /// `"name"` or `` `name` ``: always an identifier.
    QuotedIdent(String),
    /// Digits, kept as text so the parser can handle `-9223372036854775808`.
    Number(String),
    /// `'text'` with `''` for a quote.
    Str(String),
    Symbol(&'static str),
    Eof,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

impl Token {
    /// How the token is named in "expected ... but found ..." messages.
    pub fn describe(&self) -> String {
        match &self.tok {
            Tok::Word(w) => format!("\"{w}\""),
            Tok::QuotedIdent(w) => format!("identifier \"{w}\""),
            Tok::Number(n) => n.clone(),
            Tok::Str(s) => {
                let short: String = s.chars().take(20).collect();
                let more = if short.len() < s.len() { "..." } else { "" };
                format!("'{short}{more}'")
            }
            Tok::Symbol(s) => format!("\"{s}\""),
            Tok::Eof => "end of input".into(),
        }
    }

    /// Whether this is the bare word `kw` (case-insensitive).
    pub fn is_word(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

const SYMBOLS: [&str; 17] = [
    "<>", "!=", "<=", ">=", "||", "(", ")", ",", ";", "*", "+", "-", "/", "%", "=", "<", ">",
];
const DOT: &str = ".";

/// Tokenizes `sql`; the last token is always `Eof`.
pub fn tokenize(sql: &str) -> Result<Vec<Token>, SqlError> {
    if sql.len() > MAX_STATEMENT_BYTES {
        return Err(SqlError::at(
            ErrorKind::TooLarge,
            format!(
                "statement is too long ({} bytes, at most {MAX_STATEMENT_BYTES})",
                sql.len()
            ),
            Span::new(0, 0),
        ));
    }
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && bytes.get(i + 1) == Some(&b'-') || c == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            match sql[i + 2..].find("*/") {
                Some(end) => i += 2 + end + 2,
                None => {
                    return Err(SqlError::at(
                        ErrorKind::Syntax,
                        "unterminated comment",
                        Span::new(start, start + 2),
                    ))
                }
            }
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            // Words may hold non-ASCII letters (identifiers like "café").
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
            {
                i += 1;
            }
            let word = &sql[start..i];
            if !word.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
                let bad = word
                    .chars()
                    .find(|ch| !(ch.is_alphanumeric() || *ch == '_'));
                let bad = bad.unwrap_or('?');
                return Err(SqlError::at(
                    ErrorKind::Syntax,
                    format!("unexpected character \"{bad}\""),
                    Span::new(start, i),
                ));
            }
            tokens.push(Token {
                tok: Tok::Word(word.to_string()),
                span: Span::new(start, i),
            });
        } else if c.is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'.' || bytes[i] == b'e' || bytes[i] == b'E') {
                return Err(SqlError::unsupported(
                    "a decimal number",
                    Span::new(start, i + 1),
                ));
            }
            if i < bytes.len() && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
                return Err(SqlError::at(
                    ErrorKind::Syntax,
                    format!(
                        "unexpected character \"{}\" after a number",
                        bytes[i] as char
                    ),
                    Span::new(i, i + 1),
                ));
            }
            tokens.push(Token {
                tok: Tok::Number(sql[start..i].to_string()),
                span: Span::new(start, i),
            });
        } else if c == b'\'' || c == b'"' || c == b'`' {
            let (text, end) = quoted(sql, start, c)?;
            let tok = if c == b'\'' {
                Tok::Str(text)
            } else if text.is_empty() {
                return Err(SqlError::at(
                    ErrorKind::Syntax,
                    "empty quoted identifier",
                    Span::new(start, end),
                ));
            } else {
                Tok::QuotedIdent(text)
            };
            tokens.push(Token {
                tok,
                span: Span::new(start, end),
            });
            i = end;
        } else if c == b'.' {
            if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                return Err(SqlError::unsupported(
                    "a decimal number",
                    Span::new(i, i + 2),
                ));
            }
            tokens.push(Token {
                tok: Tok::Symbol(DOT),
                span: Span::new(i, i + 1),
            });
            i += 1;
        } else if let Some(sym) = SYMBOLS.iter().find(|s| sql[i..].starts_with(**s)) {
            i += sym.len();
            tokens.push(Token {
                tok: Tok::Symbol(sym),
                span: Span::new(start, i),
            });
        } else {
            let ch = sql[i..].chars().next().unwrap_or('?');
            let what = match ch {
                '?' | '$' => "a statement parameter",
                _ => "",
            };
            let end = i + ch.len_utf8();
            if !what.is_empty() {
                return Err(SqlError::unsupported(what, Span::new(i, end)));
            }
            return Err(SqlError::at(
                ErrorKind::Syntax,
                format!("unexpected character \"{ch}\""),
                Span::new(i, end),
            ));
        }
    }
    tokens.push(Token {
        tok: Tok::Eof,
        span: Span::new(sql.len(), sql.len()),
    });
    Ok(tokens)
}

/// Reads a quoted string or identifier starting at `start` (the opening quote); a doubled
/// quote stands for one. Returns the text and the byte after the closing quote.
fn quoted(sql: &str, start: usize, quote: u8) -> Result<(String, usize), SqlError> {
    let bytes = sql.as_bytes();
    let mut text = String::new();
    let mut i = start + 1;
    let mut chunk = i;
    loop {
        match bytes.get(i) {
            None => {
                let what = if quote == b'\'' {
                    "string"
                } else {
                    "quoted identifier"
                };
                return Err(SqlError::at(
                    ErrorKind::Syntax,
                    format!("unterminated {what} (missing closing {})", quote as char),
                    Span::new(start, start + 1),
                ));
            }
            Some(&b) if b == quote => {
                text.push_str(&sql[chunk..i]);
                if bytes.get(i + 1) == Some(&quote) {
                    text.push(quote as char);
                    i += 2;
                    chunk = i;
                } else {
                    return Ok((text, i + 1));
                }
            }
            Some(_) => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(sql: &str) -> Vec<Tok> {
        tokenize(sql).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn splits_words_numbers_strings_and_symbols() {
        assert_eq!(
            toks("SELECT a,b FROM t WHERE x<>'it''s' -- c\n AND y>=10;"),
            vec![
                Tok::Word("SELECT".into()),
                Tok::Word("a".into()),
                Tok::Symbol(","),
                Tok::Word("b".into()),
                Tok::Word("FROM".into()),
                Tok::Word("t".into()),
                Tok::Word("WHERE".into()),
                Tok::Word("x".into()),
                Tok::Symbol("<>"),
                Tok::Str("it's".into()),
                Tok::Word("AND".into()),
                Tok::Word("y".into()),
                Tok::Symbol(">="),
                Tok::Number("10".into()),
                Tok::Symbol(";"),
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn quoted_identifiers_and_comments() {
        assert_eq!(
            toks("/* hi */ \"Order\" `x``y`"),
            vec![
                Tok::QuotedIdent("Order".into()),
                Tok::QuotedIdent("x`y".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = tokenize("SELECT 'abc").unwrap_err().locate("SELECT 'abc");
        assert_eq!(
            e.to_string(),
            "unterminated string (missing closing ') at 1:8"
        );
        let e = tokenize("SELECT 1.5").unwrap_err().locate("SELECT 1.5");
        assert_eq!(
            e.to_string(),
            "a decimal number is not supported by the lab engine at 1:8"
        );
        let e = tokenize("SELECT @x").unwrap_err();
        assert_eq!(e.message, "unexpected character \"@\"");
        assert!(tokenize("/* open").is_err());
        assert!(tokenize("SELECT ?").is_err());
    }

    #[test]
    fn unicode_is_fine_in_strings_and_words() {
        assert_eq!(
            toks("'héllo ☃' café"),
            vec![
                Tok::Str("héllo ☃".into()),
                Tok::Word("café".into()),
                Tok::Eof
            ]
        );
        assert!(tokenize("a ☃ b").is_err());
    }

    #[test]
    fn huge_input_is_refused() {
        let big = "x".repeat(MAX_STATEMENT_BYTES + 1);
        assert_eq!(tokenize(&big).unwrap_err().kind, ErrorKind::TooLarge);
    }
}
