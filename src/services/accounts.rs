//! Organizer accounts for the pages: passwords (argon2), one-time links to set one,
//! and browser sessions.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::OnceLock;

use anyhow::anyhow;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{Duration, Utc};

use crate::config::SecuritySettings;
use crate::db::organizers::Organizer;
use crate::db::{self, Db};
use crate::domain::lockout::{self, Lockout};
use crate::domain::{EmailAddress, OrganizerId};
use crate::error::{AppError, AppResult};
use crate::security::{random_token, token_hash};

/// How long a browser stays signed in.
pub const SESSION_DAYS: i64 = 7;
/// How long a link to set a password works.
const LINK_HOURS: i64 = 24;
const MIN_PASSWORD: usize = 10;

/// A one-time link to set the organizer's password (printed by the command line).
pub async fn password_link(
    db: &Db,
    public_url: &str,
    organizer: OrganizerId,
) -> anyhow::Result<String> {
    let token = random_token();
    let mut tx = db.begin().await?;
    db::web_sessions::create_password_link(
        tx.exec(),
        &token_hash(&token),
        organizer,
        Utc::now() + Duration::hours(LINK_HOURS),
    )
    .await?;
    tx.commit().await?;
    Ok(format!("{public_url}/organizer/set-password/{token}"))
}

/// The organizer a password link belongs to, while it is valid.
pub async fn link_owner(db: &Db, token: &str) -> AppResult<Organizer> {
    let mut conn = db.conn().await?;
    db::web_sessions::find_password_link(conn.exec(), &token_hash(token))
        .await?
        .ok_or_else(|| AppError::NotFound("this link has expired or was used already".into()))
}

pub async fn hash_password(password: &str) -> AppResult<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::BadRequest(format!(
            "the password must have at least {MIN_PASSWORD} characters"
        )));
    }
    let password = password.to_string();
    // Argon2 takes tens of milliseconds of CPU: off the async workers.
    tokio::task::spawn_blocking(move || make_hash(&password))
        .await
        .map_err(|e| AppError::Internal(anyhow!("hashing a password: {e}")))?
}

fn make_hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow!("hashing a password: {e}")))
}

/// A hash of no one's password, with the parameters of real ones: unknown accounts are
/// checked against it, so that they take as long to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| make_hash(&random_token()).expect("hashing a random password"))
}

/// Whether `password` matches `stored`; without a stored hash the same work is done
/// against the dummy hash, and the answer is no. Blocking: call off the async workers.
fn password_matches(stored: Option<&str>, password: &str) -> AppResult<bool> {
    let hash = stored.unwrap_or_else(|| dummy_hash());
    let parsed = PasswordHash::new(hash)
        .map_err(|e| AppError::Internal(anyhow!("stored password hash: {e}")))?;
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Ok(matches && stored.is_some())
}

/// Sets the password through a one-time link, which is used up; every browser signed
/// in to the account is signed out (a reset is often made because one was lost).
pub async fn set_password(db: &Db, token: &str, password: &str) -> AppResult<Organizer> {
    let organizer = link_owner(db, token).await?;
    let hash = hash_password(password).await?;
    let mut tx = db.begin().await?;
    if !db::web_sessions::consume_password_link(tx.exec(), &token_hash(token)).await? {
        return Err(AppError::NotFound(
            "this link has expired or was used already".into(),
        ));
    }
    db::organizers::set_password(tx.exec(), organizer.id, &hash).await?;
    db::web_sessions::delete_all_for(tx.exec(), organizer.id).await?;
    tx.commit().await?;
    Ok(organizer)
}

/// The lockout rules for accounts and for client addresses.
#[derive(Clone, Copy, Debug)]
pub struct SignInLimits {
    pub per_account: Lockout,
    pub per_address: Lockout,
}

impl SignInLimits {
    pub fn from_settings(settings: &SecuritySettings) -> Self {
        let first = Duration::seconds(settings.sign_in_lockout_secs as i64);
        SignInLimits {
            per_account: Lockout {
                max_failures: settings.sign_in_failures_per_account,
                first,
            },
            per_address: Lockout {
                max_failures: settings.sign_in_failures_per_address,
                first,
            },
        }
    }
}

/// Who is signing in: the account named (whether it exists or not) and the address.
struct Subjects {
    account: String,
    address: String,
}

impl Subjects {
    fn new(email: &str, from: IpAddr) -> Self {
        let account = match EmailAddress::parse(email) {
            Ok(email) => email.key(),
            Err(_) => email.trim().to_lowercase(),
        };
        Subjects {
            account: format!("account:{account}"),
            address: format!("address:{}", address_block(from)),
        }
    }
}

/// An IPv6 client is counted by its /64, which one host usually holds whole.
fn address_block(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().expect("checked above")),
        v4 => v4,
    }
}

/// Refuses with 429 while the account or the address is locked out.
async fn check_lockout(db: &Db, limits: &SignInLimits, who: &Subjects) -> AppResult<()> {
    let now = Utc::now();
    let mut conn = db.conn().await?;
    let mut until = None;
    for (subject, rule) in [
        (&who.account, &limits.per_account),
        (&who.address, &limits.per_address),
    ] {
        if rule.max_failures == 0 {
            continue;
        }
        let failures =
            db::sign_in_failures::since(conn.exec(), subject, now - lockout::MEMORY).await?;
        let locked = failures
            .last
            .and_then(|last| rule.until(failures.count, last));
        until = until.max(locked.filter(|t| *t > now));
    }
    match until {
        Some(until) => {
            let seconds = (until - now).num_seconds().max(0) as u64 + 1;
            let minutes = seconds.div_ceil(60);
            Err(AppError::TooManyRequests {
                message: format!(
                    "too many failed sign-ins: try again in {minutes} minute{}",
                    if minutes == 1 { "" } else { "s" }
                ),
                retry_after: seconds,
            })
        }
        None => Ok(()),
    }
}

/// Checks the password and opens a session; returns the session token for the cookie.
/// Accounts and addresses with too many recent failures are refused with 429, even
/// with the right password, until their lockout ends.
pub async fn sign_in(
    db: &Db,
    limits: &SignInLimits,
    email: &str,
    password: &str,
    from: IpAddr,
) -> AppResult<(Organizer, String)> {
    let who = Subjects::new(email, from);
    check_lockout(db, limits, &who).await?;
    let found = match EmailAddress::parse(email) {
        Ok(email) => {
            let mut conn = db.conn().await?;
            db::organizers::find_with_password(conn.exec(), &email).await?
        }
        Err(_) => None,
    };
    let stored = found.as_ref().and_then(|(_, hash)| hash.clone());
    let password = password.to_string();
    let matches =
        tokio::task::spawn_blocking(move || password_matches(stored.as_deref(), &password))
            .await
            .map_err(|e| AppError::Internal(anyhow!("checking a password: {e}")))??;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let organizer = match found {
        Some((organizer, _)) if matches => organizer,
        _ => {
            let actor: String = email.trim().chars().take(320).collect();
            db::audit::insert(
                tx.exec(),
                &db::audit::NewEvent {
                    webinar: None,
                    organizer: found.as_ref().map(|(o, _)| o.id),
                    actor: &actor,
                    action: "account.sign_in_failed",
                    summary: &format!("wrong email or password, from {from}"),
                },
            )
            .await?;
            db::sign_in_failures::forget_before(tx.exec(), now - lockout::MEMORY).await?;
            db::sign_in_failures::record(tx.exec(), &who.account, now).await?;
            db::sign_in_failures::record(tx.exec(), &who.address, now).await?;
            tx.commit().await?;
            return Err(AppError::Unauthorized("wrong email or password".into()));
        }
    };
    let token = random_token();
    db::audit::insert(
        tx.exec(),
        &db::audit::NewEvent {
            webinar: None,
            organizer: Some(organizer.id),
            actor: &organizer.email,
            action: "account.signed_in",
            summary: &format!("signed in from {from}"),
        },
    )
    .await?;
    db::sign_in_failures::clear(tx.exec(), &who.account).await?;
    db::web_sessions::create(
        tx.exec(),
        &token_hash(&token),
        organizer.id,
        now + Duration::days(SESSION_DAYS),
    )
    .await?;
    tx.commit().await?;
    Ok((organizer, token))
}

pub async fn sign_out(db: &Db, token: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    db::web_sessions::delete(tx.exec(), &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_accounts_are_checked_against_a_hash_as_costly_as_a_real_one() {
        let real = make_hash("correct horse battery").unwrap();
        let real = PasswordHash::new(&real).unwrap();
        let dummy = PasswordHash::new(dummy_hash()).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert!(!password_matches(None, "correct horse battery").unwrap());
        assert!(!password_matches(None, "").unwrap());
    }

    #[test]
    fn a_stored_hash_matches_only_its_password() {
        let stored = make_hash("correct horse battery").unwrap();
        assert!(password_matches(Some(&stored), "correct horse battery").unwrap());
        assert!(!password_matches(Some(&stored), "correct horse batterY").unwrap());
    }

    #[test]
    fn ipv6_clients_count_by_their_64_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(address_block(a), address_block(b));
        assert_ne!(
            address_block(a),
            address_block("2001:db8:1:3::1".parse().unwrap())
        );
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(address_block(v4), v4);
        assert_eq!(address_block("::ffff:203.0.113.7".parse().unwrap()), v4);
    }
}
