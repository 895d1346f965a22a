//! Every way a request can fail, each with a message a user can act on. A failed
//! request changes nothing: writes run in transactions and bad input is refused before
//! any statement runs.

use std::fmt;

use tenant_lint::guard::GuardError;

#[derive(Debug)]
pub enum AppError {
    /// The caller has no access at all (unknown or inactive user, unknown role, no
    /// active assignment): fail closed.
    Access(String),
    /// The request names a client outside the caller's scope.
    OutOfScope {
        client: String,
    },
    /// The operation needs a role the caller does not have.
    Forbidden(String),
    /// Nothing with this id in the caller's scope (another client's row included:
    /// the answer does not reveal that it exists).
    NotFound {
        what: &'static str,
        id: String,
    },
    /// The id exists in more than one client of the scope: the request must name one.
    Ambiguous {
        what: &'static str,
        id: String,
        clients: Vec<String>,
    },
    /// A value of the request is malformed or out of range.
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A reference to a parent row that is not in the same client.
    CrossClient {
        what: &'static str,
        id: String,
    },
    /// A row with this key already exists.
    Conflict(String),
    /// The runtime guard refused the statement, or the database failed.
    Guard(GuardError),
    Setup(String),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str, id: impl fmt::Display) -> AppError {
        AppError::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// `Ok` when a scoped write changed a row; `NotFound` when it changed none (the row
    /// does not exist, or belongs to a client outside the scope: the two look alike).
    pub fn changed(rows: usize, what: &'static str, id: impl fmt::Display) -> Result<(), AppError> {
        if rows == 0 {
            Err(AppError::not_found(what, id))
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Access(why) => write!(f, "access denied: {why}"),
            AppError::OutOfScope { client } => {
                write!(f, "access denied: client `{client}` is outside your scope")
            }
            AppError::Forbidden(why) => write!(f, "access denied: {why}"),
            AppError::NotFound { what, id } => write!(f, "no {what} `{id}` in your scope"),
            AppError::Ambiguous { what, id, clients } => write!(
                f,
                "{what} `{id}` exists in clients {}: name one with --client",
                clients.join(", ")
            ),
            AppError::Invalid { field, message } => write!(f, "invalid {field}: {message}"),
            AppError::CrossClient { what, id } => write!(
                f,
                "{what} `{id}` does not belong to this client: a row cannot reference another client's data"
            ),
            AppError::Conflict(what) => write!(f, "{what} already exists"),
            AppError::Guard(e) => write!(f, "{e}"),
            AppError::Setup(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for AppError {}

impl From<GuardError> for AppError {
    /// Constraint failures become request errors: the schema is the last line of
    /// defence (composite foreign keys, per-client keys, CHECKs), and its refusals are
    /// answers, not crashes.
    fn from(e: GuardError) -> Self {
        use rusqlite::ffi;
        if let GuardError::Sqlite(rusqlite::Error::SqliteFailure(failure, message)) = &e {
            let message = message.clone().unwrap_or_default();
            match failure.extended_code {
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
                    return AppError::CrossClient {
                        what: "referenced row",
                        id: message,
                    };
                }
                ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
                    return AppError::Conflict(format!("a row with this key ({message})"));
                }
                ffi::SQLITE_CONSTRAINT_CHECK | ffi::SQLITE_CONSTRAINT_NOTNULL => {
                    return AppError::invalid("value", message);
                }
                _ => {}
            }
        }
        AppError::Guard(e)
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::from(GuardError::Sqlite(e))
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
