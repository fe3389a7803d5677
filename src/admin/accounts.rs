//! `create-trainer` and `reset-password`: accounts made and passwords set from the command
//! line, through the same rules and store functions as sign-up and password change.

use anyhow::{Context, bail};
use uuid::Uuid;

use super::cli::{CreateTrainerArgs, ResetPasswordArgs};
use super::password_from_stdin;
use crate::config::Config;
use crate::domain::names::{parse_email, parse_person_name};
use crate::http::api::accounts::password_problem;
use crate::http::api::samples;
use crate::http::auth::{hash_password, new_token};
use crate::http::reset::LINK_VALID_HOURS;
use crate::store::users::NewUser;
use crate::store::{Db, StoreError, admin, now_ms, users};

/// Creates the account (with the sample capsule and quiz sign-up gives), then sets its
/// password from standard input or prints a link to choose one.
pub async fn create_trainer(
    db: &Db,
    config: &Config,
    args: &CreateTrainerArgs,
) -> anyhow::Result<()> {
    let email = parse_email(&args.email).map_err(|m| anyhow::anyhow!("--email: {m}"))?;
    let name = parse_person_name(&args.name).map_err(|m| anyhow::anyhow!("--name: {m}"))?;
    // Read before the account exists: a bad password leaves nothing behind.
    let password = if args.password_stdin {
        Some(checked_password_from_stdin()?)
    } else {
        None
    };
    // Until a password is chosen, the account has one nobody knows.
    let (unknown, _) = new_token();
    let password_hash = hash(password.clone().unwrap_or(unknown)).await?;
    let new = NewUser {
        email: &email,
        name: &name,
        password_hash: &password_hash,
    };
    let user = match users::insert(db, new, now_ms()).await {
        Err(StoreError::Conflict) => bail!("an account already uses the e-mail {email}"),
        other => other?,
    };
    if let Err(error) = samples::create(db, user.id, samples::Language::default(), now_ms()).await {
        eprintln!("warning: the sample capsule and quiz were not created: {error}");
    }
    println!("Trainer {name} <{email}> created (id {}).", user.id);
    if password.is_some() {
        println!("Password set.");
    } else {
        print_link(db, config, user.id).await?;
    }
    Ok(())
}

/// Sets the password from standard input, or prints a one-time link; every log-in token of
/// the trainer is deleted once the password is set.
pub async fn reset_password(
    db: &Db,
    config: &Config,
    args: &ResetPasswordArgs,
) -> anyhow::Result<()> {
    let email = parse_email(&args.email).map_err(|m| anyhow::anyhow!("e-mail: {m}"))?;
    let Some(user) = users::by_email(db, &email).await? else {
        bail!("no trainer has the e-mail {email}");
    };
    if args.password_stdin {
        let password_hash = hash(checked_password_from_stdin()?).await?;
        let deleted = users::change_password(db, user.id, &password_hash, &[]).await?;
        // Requests with the deleted tokens fail at once; the live sockets a running server
        // holds open with them are closed by that server, asked through the database.
        super::rooms::revoke_logins(db, user.id, &deleted).await?;
        println!(
            "Password of {} <{email}> set; {} log-in(s) ended.",
            user.name,
            deleted.len()
        );
    } else {
        print_link(db, config, user.id).await?;
    }
    Ok(())
}

fn checked_password_from_stdin() -> anyhow::Result<String> {
    let password = password_from_stdin()?;
    if let Some(problem) = password_problem(&password) {
        bail!("the password read from standard input {problem}");
    }
    Ok(password)
}

async fn hash(password: String) -> anyhow::Result<String> {
    hash_password(password)
        .await
        .map_err(|_| anyhow::anyhow!("the password could not be hashed"))
}

/// Records a one-time link for `user_id` (earlier ones stop working) and prints it.
async fn print_link(db: &Db, config: &Config, user_id: Uuid) -> anyhow::Result<()> {
    let (token, token_hash) = new_token();
    let now = now_ms();
    let expires_at = now + LINK_VALID_HOURS * 3_600_000;
    admin::new_password_reset(db, &token_hash, user_id, now, expires_at)
        .await
        .context("recording the one-time link")?;
    let base = config.public_base(config.listen);
    println!("One-time link to choose the password (valid {LINK_VALID_HOURS} hours):");
    println!("{base}/reset-password?token={token}");
    Ok(())
}
