//! `anhorigstod user ...`: staff accounts from the command line.

use crate::{cli_origin, database_url, open_keyed, open_store, say, FileConfig, UserAction};
use chrono::Utc;
use domain::staff::Role;
use std::io::BufRead;
use std::process::ExitCode;
use web::staff::auth::{hash_password, HashCost};

/// The password on the first line of standard input, checked against the password rules.
fn read_password(email: &str) -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    domain::password::check(&password, email).map_err(|e| format!("password refused: {e}"))?;
    Ok(password)
}

/// Where links in mails point: the configured public address, else the bind address.
fn public_base(file: &FileConfig) -> String {
    let bind = file.bind.clone().unwrap_or_else(|| "127.0.0.1:8080".into());
    crate::config::public_url(file, &bind, |k| std::env::var(k).ok())
}

pub async fn run(action: UserAction, file: &FileConfig) -> Result<ExitCode, String> {
    let now = Utc::now();
    let origin = cli_origin(None);
    match action {
        UserAction::Add {
            municipality,
            role,
            email,
            name,
            unit,
            password_stdin,
            db,
        } => {
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role '{role}'"))?;
            let kommun = match (role, municipality) {
                (Role::SystemAdmin, None) => None,
                (Role::SystemAdmin, Some(_)) => {
                    return Err("a system-admin belongs to no municipality".into())
                }
                (_, None) => return Err("--municipality is needed for this role".into()),
                (_, Some(k)) => Some(
                    domain::Kommunkod::parse(&k)
                        .map_err(|_| format!("'{k}' is not a kommunkod"))?,
                ),
            };
            if !domain::contact::is_plausible_email(&email) {
                return Err(format!("'{email}' is not an e-mail address"));
            }
            let store = open_store(&db, file).await?;
            let kommun_str = kommun.map(|k| k.as_str().to_owned());
            let display = name.unwrap_or_else(|| email.clone());
            let account = store::staff::NewAccount {
                kommunkod: kommun_str.as_deref(),
                email: &email,
                display_name: &display,
                role: role.as_str(),
                unit: unit.as_deref(),
                is_demo: false,
            };
            let mut lines = Vec::new();
            let created = if password_stdin {
                let password = read_password(&email)?;
                let hash =
                    hash_password(HashCost::Standard, &password).map_err(|e| format!("{e:?}"))?;
                store::staff::create_account(&store, &account, &hash, now, &origin).await
            } else {
                // Nobody but the holder sees a password: they choose it through a link.
                let t = web::i18n::I18n::swedish().map_err(|e| e.to_string())?;
                let base = public_base(file);
                let token = store::password_links::new_token();
                let mail = web::mails::Mails::with(&t, &base)
                    .invitation(kommun_str.as_deref(), &email, &token, now)
                    .map_err(|e| e.to_string())?;
                lines.push(format!(
                    "a link to choose the password is queued to {email} (it works for {} hours; the server's mail worker sends it)",
                    store::password_links::INVITATION_VALID_HOURS
                ));
                store::password_links::invite(&store, &account, &token, mail, now, &origin).await
            };
            let id = created
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("an account with {email} exists already"))?;
            lines.insert(
                0,
                format!("created {} ({}) with id {id}", email, role.as_str()),
            );
            say(&lines);
            Ok(ExitCode::SUCCESS)
        }
        UserAction::Disable { email, db } => set_disabled(&email, true, &db, file, &origin).await,
        UserAction::Enable { email, db } => set_disabled(&email, false, &db, file, &origin).await,
        UserAction::ResetPassword {
            email,
            password_stdin,
            db,
        } => {
            let store = open_store(&db, file).await?;
            let user = store::staff::credentials(&store, &email)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no account {email}"))?
                .user;
            let line = if password_stdin {
                let password = read_password(&email)?;
                let hash =
                    hash_password(HashCost::Standard, &password).map_err(|e| format!("{e:?}"))?;
                store::password_links::set_by_operator(&store, user.id, &hash, now, &origin)
                    .await
                    .map_err(|e| e.to_string())?;
                format!("password of {email} set; its sessions, API tokens and open links ended")
            } else {
                // As on the admin page: nobody but the holder sees a password.
                let t = web::i18n::I18n::swedish().map_err(|e| e.to_string())?;
                let token = store::password_links::new_token();
                let mail = web::mails::Mails::with(&t, &public_base(file))
                    .password_link(
                        user.id,
                        user.kommunkod.as_ref().map(domain::Kommunkod::as_str),
                        &email,
                        &token,
                        now,
                    )
                    .map_err(|e| e.to_string())?;
                store::password_links::reset(&store, user.id, &token, &mail, now, &origin)
                    .await
                    .map_err(|e| e.to_string())?;
                format!(
                    "password of {email} reset: the old one no longer works and its sessions and API tokens ended; a link to choose a new one is queued to {email} (it works for {} hours; the server's mail worker sends it)",
                    store::password_links::VALID_HOURS
                )
            };
            say(&[line]);
            Ok(ExitCode::SUCCESS)
        }
        UserAction::List { municipality, db } => {
            let store = open_store(&db, file).await?;
            let users = store::staff::list(&store, municipality.as_deref())
                .await
                .map_err(|e| e.to_string())?;
            say(&[serde_json::to_string_pretty(&users).map_err(|e| e.to_string())?]);
            Ok(ExitCode::SUCCESS)
        }
        UserAction::SealTotp { old_key_file, db } => {
            let store = open_keyed(&database_url(&db, file), file).await?;
            let new = store
                .seal_key()
                .ok_or("seal-totp needs the key: set totp_key_file or ANHORIGSTOD_TOTP_KEY")?;
            let old = old_key_file
                .map(|p| store::sealed::SealKey::from_file(&p))
                .transpose()
                .map_err(|e| e.to_string())?;
            let n = store::sealed::reseal_all(&store, old.as_ref(), new, now, &origin)
                .await
                .map_err(|e| e.to_string())?;
            say(&[format!(
                "{n} second-factor secrets sealed with the TOTP key"
            )]);
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn set_disabled(
    email: &str,
    disabled: bool,
    db: &crate::DbArgs,
    file: &FileConfig,
    origin: &store::audit::Origin,
) -> Result<ExitCode, String> {
    let store = open_store(db, file).await?;
    let user = store::staff::credentials(&store, email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account {email}"))?;
    store::staff::set_disabled(&store, user.user.id, disabled, Utc::now(), origin)
        .await
        .map_err(|e| e.to_string())?;
    say(&[format!(
        "{email} {}",
        if disabled {
            "disabled; its sessions and tokens ended"
        } else {
            "enabled"
        }
    )]);
    Ok(ExitCode::SUCCESS)
}
