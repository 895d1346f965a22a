//! A live PostgreSQL database as the schema (`--db postgres://…`, feature `postgres`).
//!
//! The catalog is read in a read-only transaction: tables, columns and their types and
//! defaults, primary, unique and foreign keys, indexes, views, each table's owner and
//! row-level security state, the policies, and the role connected as. It is written
//! out as the DDL that would build it, which the schema reader then reads like any
//! migration: findings point into that description, shown under the database's URL
//! with the password masked.

use std::fmt::Write as _;

use postgres::NoTls;

/// What was read: the description, and the role connected as.
pub struct Catalog {
    pub ddl: String,
    pub role: String,
    pub superuser: bool,
    pub bypass_rls: bool,
}

/// `url` with its password replaced by `***`: what reports show.
pub fn mask(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The password for a connection without one in its URL: `PGPASSWORD`, else the first
/// matching line of the password file (`PGPASSFILE`, else `~/.pgpass`), as libpq reads
/// them.
fn password_for(config: &postgres::Config) -> Option<Vec<u8>> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Some(password.into_bytes());
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or("").to_string();
    let user = config.get_user().unwrap_or("").to_string();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        let [h, p, d, u, password] = fields.as_slice() else {
            continue;
        };
        let matches = |field: &str, value: &str| field == "*" || field == value;
        if matches(h, &host) && matches(p, &port) && matches(d, &db) && matches(u, &user) {
            return Some(password.clone().into_bytes());
        }
    }
    None
}

/// A `.pgpass` line's five fields (`:` separated, `\:` and `\\` escaped).
fn split_pgpass(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.last_mut().expect("one").push(next);
                }
            }
            ':' => out.push(String::new()),
            c => out.last_mut().expect("one").push(c),
        }
    }
    out
}

/// Connects (without writing anything) and reads the catalog.
pub fn read(url: &str) -> Result<Catalog, String> {
    let shown = mask(url);
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e| format!("{shown}: not a PostgreSQL URL: {e}"))?;
    if config.get_password().is_none()
        && let Some(password) = password_for(&config)
    {
        config.password(password);
    }
    let mut client = config
        .connect(NoTls)
        .map_err(|e| format!("cannot connect to {shown}: {}", describe(&e)))?;
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(|e| format!("{shown}: {}", describe(&e)))?;
    let catalog = describe_catalog(&mut tx, &shown)
        .map_err(|e| format!("cannot read the catalog of {shown}: {}", describe(&e)))?;
    let _ = tx.rollback();
    Ok(catalog)
}

/// An error's message, with the server's own words when it sent some.
fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let text = error.to_string();
            match std::error::Error::source(error) {
                Some(source) => format!("{text}: {source}"),
                None => text,
            }
        }
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The user schemas' relations, written out as DDL.
fn describe_catalog(
    client: &mut postgres::Transaction<'_>,
    shown: &str,
) -> Result<Catalog, postgres::Error> {
    let role = client.query_one(
        "SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
        &[],
    )?;
    let (name, superuser, bypass_rls): (String, bool, bool) =
        (role.get(0), role.get(1), role.get(2));
    let user_schema = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";
    let relations = client.query(
        &format!(
            "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity, \
             pg_get_userbyid(c.relowner)::text, c.relispartition, \
             CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm') AND {user_schema} \
             ORDER BY n.nspname, c.relname"
        ),
        &[],
    )?;
    let columns = client.query(
        &format!(
            "SELECT a.attrelid, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
             pg_get_expr(d.adbin, d.adrelid), a.attidentity::text \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {user_schema} \
             ORDER BY a.attrelid, a.attnum"
        ),
        &[],
    )?;
    let constraints = client.query(
        &format!(
            "SELECT k.conrelid, k.conname::text, k.contype::text, pg_get_constraintdef(k.oid, true) \
             FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE k.contype IN ('p', 'u', 'f') AND {user_schema} \
             ORDER BY k.conrelid, k.contype DESC, k.conname"
        ),
        &[],
    )?;
    let indexes = client.query(
        &format!(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE {user_schema} AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
             ORDER BY n.nspname, c.relname, i.indexrelid"
        ),
        &[],
    )?;
    let policies = client.query(
        "SELECT schemaname::text, tablename::text, policyname::text, permissive, roles::text[], cmd, qual, with_check \
         FROM pg_policies ORDER BY schemaname, tablename, policyname",
        &[],
    )?;

    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut ddl = format!(
        "-- The PostgreSQL database {shown}, read as role {} (superuser: {}, BYPASSRLS: {}).\n",
        quote(&name),
        yes(superuser),
        yes(bypass_rls)
    );
    let mut foreign_keys = String::new();
    let mut after = String::new();
    for relation in &relations {
        let oid: u32 = relation.get(0);
        let schema: String = relation.get(1);
        let table: String = relation.get(2);
        let kind: String = relation.get(3);
        let qualified = format!("{}.{}", quote(&schema), quote(&table));
        if kind == "v" || kind == "m" {
            let query: Option<String> = relation.get(8);
            let query = query.unwrap_or_default();
            let query = query.trim().trim_end_matches(';');
            let materialized = if kind == "m" { "MATERIALIZED " } else { "" };
            let _ = writeln!(after, "CREATE {materialized}VIEW {qualified} AS {query};");
            continue;
        }
        // A partition's rows are read through its parent, whose policies apply.
        let partition: bool = relation.get(7);
        if partition {
            continue;
        }
        let mut parts: Vec<String> = Vec::new();
        for column in columns.iter().filter(|c| c.get::<_, u32>(0) == oid) {
            let column_name: String = column.get(1);
            let data_type: String = column.get(2);
            let not_null: bool = column.get(3);
            let default: Option<String> = column.get(4);
            let identity: String = column.get(5);
            let mut part = format!("    {} {data_type}", quote(&column_name));
            if not_null {
                part.push_str(" NOT NULL");
            }
            match identity.as_str() {
                "a" => part.push_str(" GENERATED ALWAYS AS IDENTITY"),
                "d" => part.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
                _ => {
                    if let Some(default) = default {
                        let _ = write!(part, " DEFAULT {default}");
                    }
                }
            }
            parts.push(part);
        }
        for constraint in constraints.iter().filter(|c| c.get::<_, u32>(0) == oid) {
            let name: String = constraint.get(1);
            let kind: String = constraint.get(2);
            let definition: String = constraint.get(3);
            if kind == "f" {
                let _ = writeln!(
                    foreign_keys,
                    "ALTER TABLE {qualified} ADD CONSTRAINT {} {definition};",
                    quote(&name)
                );
            } else {
                parts.push(format!("    CONSTRAINT {} {definition}", quote(&name)));
            }
        }
        let _ = writeln!(ddl, "CREATE TABLE {qualified} (\n{}\n);", parts.join(",\n"));
        let owner: String = relation.get(6);
        let _ = writeln!(ddl, "ALTER TABLE {qualified} OWNER TO {};", quote(&owner));
        let enabled: bool = relation.get(4);
        let forced: bool = relation.get(5);
        if enabled {
            let _ = writeln!(ddl, "ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY;");
        }
        if forced {
            let _ = writeln!(ddl, "ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY;");
        }
    }
    ddl.push_str(&foreign_keys);
    for index in &indexes {
        let definition: String = index.get(0);
        let _ = writeln!(ddl, "{definition};");
    }
    ddl.push_str(&after);
    for policy in &policies {
        let schema: String = policy.get(0);
        let table: String = policy.get(1);
        let name: String = policy.get(2);
        let permissive: String = policy.get(3);
        let roles: Vec<String> = policy.get(4);
        let command: String = policy.get(5);
        let using: Option<String> = policy.get(6);
        let check: Option<String> = policy.get(7);
        let roles: Vec<String> = roles
            .iter()
            .map(|r| {
                if r == "public" {
                    "PUBLIC".to_string()
                } else {
                    quote(r)
                }
            })
            .collect();
        let _ = write!(
            ddl,
            "CREATE POLICY {} ON {}.{} AS {permissive} FOR {command} TO {}",
            quote(&name),
            quote(&schema),
            quote(&table),
            roles.join(", ")
        );
        if let Some(using) = using {
            let _ = write!(ddl, " USING ({using})");
        }
        if let Some(check) = check {
            let _ = write!(ddl, " WITH CHECK ({check})");
        }
        ddl.push_str(";\n");
    }
    Ok(Catalog {
        ddl,
        role: name,
        superuser,
        bypass_rls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_shows() {
        assert_eq!(
            mask("postgres://app:s3cret@db.internal:5432/kpi?sslmode=require"),
            "postgres://app:***@db.internal:5432/kpi?sslmode=require"
        );
        assert_eq!(mask("postgresql://app@host/db"), "postgresql://app@host/db");
        assert_eq!(mask("postgres://host/db"), "postgres://host/db");
        assert_eq!(mask("postgres://a:b:c@h/d"), "postgres://a:***@h/d");
    }

    #[test]
    fn pgpass_lines_split_on_unescaped_colons() {
        assert_eq!(
            split_pgpass(r"db\:host:5432:*:app:pa\:ss\\word"),
            ["db:host", "5432", "*", "app", r"pa:ss\word"]
        );
    }
}
