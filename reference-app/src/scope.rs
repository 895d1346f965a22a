//! Who may act for which client: the scope built from a user by the access rules of
//! KPI-DOMAIN.md, failing closed. Every repository function takes a [`TenantScope`];
//! the runtime guard binds the reserved parameters from it, never from the request.

use std::fmt;
use std::str::FromStr;

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use tenant_lint_macros::tenant_scoped;

use crate::db::Db;
use crate::error::{AppError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Role {
    Admin,
    PowerUser,
    Leader,
    Operator,
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "ADMIN" => Ok(Role::Admin),
            "POWERUSER" => Ok(Role::PowerUser),
            "LEADER" => Ok(Role::Leader),
            "OPERATOR" => Ok(Role::Operator),
            other => Err(format!("unknown role `{other}`")),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Admin => "ADMIN",
            Role::PowerUser => "POWERUSER",
            Role::Leader => "LEADER",
            Role::Operator => "OPERATOR",
        })
    }
}

/// The clients a caller may read and write, and who the caller is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantScope {
    user_id: i64,
    username: String,
    role: Role,
    /// Active clients, sorted; never empty.
    clients: Vec<String>,
}

impl TenantScope {
    /// The scope of a user: ADMIN and POWERUSER act for every active client, a LEADER
    /// for the active clients of its active assignments, an OPERATOR for exactly one.
    /// An unknown user or role, an inactive user, or no usable assignment is no access.
    #[tenant_scoped(
        cross_tenant = "resolving the caller's own scope reads its assignments across clients"
    )]
    pub fn resolve(db: &Db, username: &str) -> Result<TenantScope> {
        let conn = db
            .conn()
            .unguarded("the caller's identity and assignments decide its scope");
        let user: Option<(i64, String, bool)> = conn
            .query_row(
                "SELECT user_id, role, is_active FROM USER WHERE username = ?1",
                [username],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((user_id, role, active)) = user else {
            return Err(AppError::Access(format!("unknown user `{username}`")));
        };
        if !active {
            return Err(AppError::Access(format!("user `{username}` is inactive")));
        }
        let role: Role = role
            .parse()
            .map_err(|e| AppError::Access(format!("user `{username}` has an {e}")))?;
        let clients: Vec<String> = match role {
            Role::Admin | Role::PowerUser => {
                let mut statement = conn.prepare_cached(
                    "SELECT client_id FROM CLIENT WHERE is_active = 1 ORDER BY client_id",
                )?;
                statement
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?
            }
            Role::Leader | Role::Operator => {
                let mut statement = conn.prepare_cached(
                    "SELECT a.client_id FROM USER_CLIENT_ASSIGNMENT a
                     JOIN CLIENT c ON c.client_id = a.client_id
                     WHERE a.user_id = ?1 AND a.is_active = 1 AND c.is_active = 1
                     ORDER BY a.client_id",
                )?;
                statement
                    .query_map([user_id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?
            }
        };
        if clients.is_empty() {
            return Err(AppError::Access(format!(
                "user `{username}` ({role}) has no active assignment to an active client"
            )));
        }
        if role == Role::Operator && clients.len() > 1 {
            return Err(AppError::Access(format!(
                "operator `{username}` is assigned to {} clients; an operator works for exactly one",
                clients.len()
            )));
        }
        Ok(TenantScope {
            user_id,
            username: username.to_string(),
            role,
            clients,
        })
    }

    /// A scope for tests and tools that already know the clients (never empty).
    pub fn for_clients(username: &str, role: Role, clients: &[&str]) -> Option<TenantScope> {
        let mut clients: Vec<String> = clients.iter().map(|c| c.to_string()).collect();
        clients.sort();
        clients.dedup();
        (!clients.is_empty()).then(|| TenantScope {
            user_id: 0,
            username: username.to_string(),
            role,
            clients,
        })
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn clients(&self) -> &[String] {
        &self.clients
    }

    pub fn contains(&self, client: &str) -> bool {
        self.clients.iter().any(|c| c == client)
    }

    /// The scope of a request: the named client if it is in scope (refused otherwise),
    /// the whole scope when none is named.
    pub fn narrow(&self, client: Option<&str>) -> Result<TenantScope> {
        match client {
            None => Ok(self.clone()),
            Some(c) if self.contains(c) => Ok(TenantScope {
                clients: vec![c.to_string()],
                ..self.clone()
            }),
            Some(c) => Err(AppError::OutOfScope {
                client: c.to_string(),
            }),
        }
    }

    /// The one client a write goes to.
    pub fn single(&self) -> Result<&str> {
        match self.clients.as_slice() {
            [one] => Ok(one),
            many => Err(AppError::invalid(
                "client",
                format!(
                    "your scope holds {} clients ({}): name the one to write to with --client",
                    many.len(),
                    many.join(", ")
                ),
            )),
        }
    }

    /// Refuses unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role], what: &str) -> Result<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "{what} needs the role {}; `{}` is {}",
                roles
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
                self.username,
                self.role
            )))
        }
    }
}

impl tenant_lint::guard::Scope for TenantScope {
    /// `:client_id` is the one client of a single-client scope; `:scope` is every
    /// client of the scope as a JSON array, read with `json_each(:scope)`.
    fn tenant_value(&self, name: &str) -> Result<Value, String> {
        match name {
            ":client_id" => self
                .single()
                .map(|c| Value::Text(c.to_string()))
                .map_err(|e| e.to_string()),
            ":scope" => serde_json::to_string(&self.clients)
                .map(Value::Text)
                .map_err(|e| e.to_string()),
            other => Err(format!(
                "`{other}` is not a tenant parameter of this application"
            )),
        }
    }
}
