//! Errors of the library: bad input (exit code 2) and failed runs (exit code 1).

use crate::scenario::validate::FieldError;
use std::fmt;
use std::path::PathBuf;

/// Input that cannot be simulated: unreadable, unparsable, or rejected by validation.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file cannot be read.
    #[error("{}: cannot read: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// The file is not valid JSON/YAML of the expected shape.
    #[error("{}", ParseDisplay(self))]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// Field path, when known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The API server (or a scenario rule) would reject the input; every error is listed.
    #[error("{}", InvalidDisplay(self))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Each error with the line of its field, when found.
        errors: Vec<(Option<usize>, FieldError)>,
    },
    /// A command-line value is wrong.
    #[error("{0}")]
    Usage(String),
}

struct ParseDisplay<'a>(&'a InputError);
impl fmt::Display for ParseDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let InputError::Parse { path, line, column, field, message } = self.0 {
            write!(f, "{}", path.display())?;
            if let Some(l) = line {
                write!(f, ":{l}")?;
                if let Some(c) = column {
                    write!(f, ":{c}")?;
                }
            }
            write!(f, ": ")?;
            if let Some(fp) = field {
                write!(f, "{fp}: ")?;
            }
            write!(f, "{message}")?;
        }
        Ok(())
    }
}

struct InvalidDisplay<'a>(&'a InputError);
impl fmt::Display for InvalidDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let InputError::Invalid { path, errors } = self.0 {
            let n = errors.len();
            write!(f, "{}: invalid: {n} error{}", path.display(), if n == 1 { "" } else { "s" })?;
            for (line, e) in errors {
                write!(f, "\n  {}", path.display())?;
                if let Some(l) = line {
                    write!(f, ":{l}")?;
                }
                write!(f, ": {e}")?;
            }
        }
        Ok(())
    }
}

/// A run that could not complete (for example, its outputs could not be written).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Writing outputs failed.
    #[error("{}: {message}", path.display())]
    Output {
        /// Where.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// A signal (SIGINT, SIGTERM) stopped the run; nothing was written.
    #[error("interrupted by signal {signal}: no output written")]
    Interrupted {
        /// The signal number.
        signal: i32,
    },
}
