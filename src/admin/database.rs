//! `check` and `backup`: the database itself.

use anyhow::bail;
use sqlx::Row;

use super::cli::BackupArgs;
use crate::store::Db;

/// Prints what it checks and what it finds; fails if anything is wrong.
pub async fn check(db: &Db) -> anyhow::Result<()> {
    let mut problems = schema_problems(db).await?;
    match db {
        Db::Sqlite(pool) => {
            // Every page, index and constraint SQLite can check; one row "ok" when all is well.
            // A file damaged badly enough makes the check itself fail: that is its finding.
            match sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
                .fetch_all(pool)
                .await
            {
                Ok(rows) if rows == ["ok"] => {}
                Ok(rows) => {
                    problems.extend(rows.into_iter().map(|r| format!("integrity_check: {r}")))
                }
                Err(error) => problems.push(format!("integrity_check: {error}")),
            }
            println!("integrity_check: done");
            let rows = match sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(pool)
                .await
            {
                Ok(rows) => rows,
                Err(error) => {
                    problems.push(format!("foreign_key_check: {error}"));
                    Vec::new()
                }
            };
            for row in rows {
                let table: String = row.try_get(0)?;
                let rowid: Option<i64> = row.try_get(1)?;
                let parent: String = row.try_get(2)?;
                problems.push(format!(
                    "foreign_key_check: a row of {table} (rowid {}) names a missing row of {parent}",
                    rowid.map_or("?".to_owned(), |r| r.to_string())
                ));
            }
            println!("foreign_key_check: done");
        }
        Db::Postgres(pool) => {
            // PostgreSQL keeps its pages and constraints itself (a corrupt page fails the
            // reads that meet it); what can go wrong unnoticed is work left half-done: an
            // index a failed `CREATE INDEX CONCURRENTLY` left invalid, a constraint added
            // `NOT VALID` and never validated.
            let invalid_indexes: Vec<String> = sqlx::query_scalar(
                "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)",
            )
            .fetch_all(pool)
            .await?;
            problems.extend(
                invalid_indexes
                    .into_iter()
                    .map(|i| format!("index {i} is invalid (rebuild it with REINDEX)")),
            );
            println!("indexes: done");
            let unvalidated: Vec<(String, String)> = sqlx::query_as(
                "SELECT t.relname::text, c.conname::text FROM pg_constraint c
                 JOIN pg_class t ON t.oid = c.conrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 WHERE n.nspname = current_schema() AND NOT c.convalidated",
            )
            .fetch_all(pool)
            .await?;
            problems.extend(unvalidated.into_iter().map(|(table, constraint)| {
                format!("constraint {constraint} of {table} is not validated")
            }));
            println!("constraints: done");
        }
    }
    if problems.is_empty() {
        println!("The database is sound.");
        return Ok(());
    }
    for problem in &problems {
        println!("PROBLEM: {problem}");
    }
    bail!(
        "the database has {} problem(s), listed above",
        problems.len()
    )
}

/// The schema against this binary's migrations: every version applied went through, none is
/// newer than the binary; versions not applied yet are reported (they run at the next start).
async fn schema_problems(db: &Db) -> anyhow::Result<Vec<String>> {
    let known = db.known_schema_version();
    let applied = db.applied_schema_versions().await?;
    let at = applied.iter().map(|&(v, _)| v).max().unwrap_or(0);
    let mut problems: Vec<String> = applied
        .iter()
        .filter(|(_, success)| !success)
        .map(|(version, _)| format!("migration {version} failed half-way"))
        .collect();
    if at > known {
        problems.push(format!(
            "the schema is at version {at}, newer than this binary knows ({known})"
        ));
    }
    if applied.is_empty() {
        problems.push("no schema: no server has started on this database".to_owned());
    }
    let pending = known - at;
    println!(
        "schema: version {at} ({}, {} backend; this binary knows {known}{})",
        if at == known {
            "current"
        } else {
            "not current"
        },
        db.backend(),
        if pending > 0 {
            format!(", {pending} migration(s) run at the next start")
        } else {
            String::new()
        }
    );
    Ok(problems)
}

/// A consistent copy of a SQLite database, safe while the server writes.
pub async fn backup(db: &Db, args: &BackupArgs) -> anyhow::Result<()> {
    let Db::Sqlite(pool) = db else {
        bail!(
            "backups of a PostgreSQL database are PostgreSQL's job: use `pg_dump` (for example \
             `pg_dump --format=custom --file=pratico.dump <database>`), which is consistent \
             while the server runs"
        );
    };
    let path = &args.path;
    if path.exists() {
        bail!(
            "{} exists already: give the backup a new name",
            path.display()
        );
    }
    let Some(target) = path.to_str() else {
        bail!("{}: the backup's path must be valid UTF-8", path.display());
    };
    // One read transaction: the copy is the database as of one instant, whatever the server
    // writes meanwhile (WAL readers never block writers), and it is compacted on the way.
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(pool)
        .await
        .map_err(|e| anyhow::anyhow!("backup to {} failed: {e}", path.display()))?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!("Backup written to {} ({bytes} bytes).", path.display());
    Ok(())
}
