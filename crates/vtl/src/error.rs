use std::fmt;

/// What went wrong; the data plane maps every kind to an AWS-style 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text is not valid VTL (or nests deeper than the parser allows).
    Parse,
    /// A method or function failed at render time, e.g. `substring` out of range or
    /// `$util.parseJson` on malformed input (Velocity's `MethodInvocationException`).
    Runtime,
    /// `Limits::max_output_bytes` exceeded (also guards strings built in memory).
    OutputLimit,
    /// `Limits::max_loop_iterations` exceeded.
    LoopLimit,
    /// `Limits::max_depth` exceeded (nested `#define` / block evaluation).
    DepthLimit,
    /// `Limits::max_duration` exceeded.
    Timeout,
}

/// An error with the template position it was raised at (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub line: u32,
    pub column: u32,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, pos: Pos) -> Error {
        Error {
            kind,
            message: message.into(),
            line: pos.line,
            column: pos.col,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for Error {}

/// A 1-based source position; columns count characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub line: u32,
    pub col: u32,
}

/// Render-time error as the renderer passes it around: boxed, so the hot
/// `Result<Value, Fail>` stays small.
pub(crate) type Fail = Box<Error>;
