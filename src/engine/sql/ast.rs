//! The parsed form of the supported SQL subset. Every name and expression keeps its byte span
//! so errors found later (unknown column, type mismatch) can still point at the text.

use crate::engine::error::Span;
use crate::engine::value::{DataType, Value};

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    CreateTable(CreateTable),
    AlterTable(AlterTable),
    Insert(Insert),
    Update(Update),
    Delete(Delete),
    Select(Select),
    Begin,
    Commit,
    Rollback,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateTable {
    pub name: Ident,
    pub if_not_exists: bool,
    pub columns: Vec<ColumnDef>,
    /// `PRIMARY KEY (col)` written as a table constraint.
    pub primary_key: Option<Ident>,
}

/// `ALTER TABLE t ADD [COLUMN] ...` or `ALTER TABLE t DROP [COLUMN] ...`: one action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlterTable {
    pub name: Ident,
    pub action: AlterAction,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlterAction {
    AddColumn {
        column: ColumnDef,
        /// `ADD COLUMN IF NOT EXISTS` (PostgreSQL): an existing column is skipped.
        if_not_exists: bool,
    },
    DropColumn {
        name: Ident,
        /// `DROP COLUMN IF EXISTS`: a missing column is skipped.
        if_exists: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: Ident,
    pub data_type: DataType,
    pub primary_key: bool,
    pub not_null: bool,
    /// `AUTO_INCREMENT` or the type `SERIAL`.
    pub auto_increment: bool,
    /// A literal, or a call to `NOW()`.
    pub default: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insert {
    pub table: Ident,
    pub columns: Option<Vec<Ident>>,
    pub rows: Vec<Vec<Expr>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub table: Ident,
    pub assignments: Vec<(Ident, Expr)>,
    pub filter: Option<Expr>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<Limit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delete {
    pub table: Ident,
    pub filter: Option<Expr>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<Limit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Select {
    pub items: Vec<SelectItem>,
    pub from: Option<TableRef>,
    pub filter: Option<Expr>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<Limit>,
    pub offset: Option<Limit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRef {
    pub name: Ident,
    pub alias: Option<Ident>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectItem {
    Star(Span),
    Expr {
        expr: Expr,
        alias: Option<Ident>,
        /// The expression as written, used as the result column's name when there is no alias.
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderItem {
    pub expr: Expr,
    pub descending: bool,
}

/// A LIMIT or OFFSET count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub count: u64,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
        }
    }
}

/// The nondeterministic functions the lab supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Function {
    Now,
    Rand,
    Uuid,
}

impl Function {
    pub fn name(self) -> &'static str {
        match self {
            Function::Now => "NOW()",
            Function::Rand => "RAND()",
            Function::Uuid => "UUID()",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    Literal(Value),
    Column {
        qualifier: Option<Ident>,
        name: Ident,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Call {
        function: Function,
        args: Vec<Expr>,
    },
}

/// An expression node. `depth` is the height of the tree below it, capped by the parser so
/// evaluating (and dropping) an expression cannot overflow the stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    pub depth: u16,
}

impl Expr {
    pub fn leaf(kind: ExprKind, span: Span) -> Expr {
        Expr {
            kind,
            span,
            depth: 1,
        }
    }

    pub fn unary(op: UnaryOp, operand: Expr, span: Span) -> Expr {
        let depth = operand.depth.saturating_add(1);
        Expr {
            kind: ExprKind::Unary(op, Box::new(operand)),
            span,
            depth,
        }
    }

    pub fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
        let span = left.span.to(right.span);
        let depth = left.depth.max(right.depth).saturating_add(1);
        Expr {
            kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
            span,
            depth,
        }
    }

    /// Calls `f` on this node and every node below it.
    pub fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Column { .. } => {}
            ExprKind::Unary(_, e) | ExprKind::IsNull { expr: e, .. } => e.visit(f),
            ExprKind::Binary(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|a| a.visit(f)),
        }
    }

    /// Whether the expression calls `function` anywhere.
    pub fn calls(&self, function: Function) -> bool {
        let mut found = false;
        self.visit(&mut |e| {
            if matches!(&e.kind, ExprKind::Call { function: g, .. } if *g == function) {
                found = true;
            }
        });
        found
    }
}
