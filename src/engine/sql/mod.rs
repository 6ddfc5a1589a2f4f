//! The SQL a teacher would type: a hand-written lexer and recursive-descent parser producing
//! an [`ast::Statement`]. Knows grammar only: not tables, storage or execution.

pub mod ast;
pub mod lexer;
pub mod parser;

pub use parser::parse;
