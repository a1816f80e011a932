//! Tokens: organizer API tokens (random, stored hashed) and registration manage tokens
//! (HMAC of the registration id under the server secret, so every later email can carry
//! the link again while the database holds only a hash).

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::SecuritySettings;
use crate::domain::RegistrationId;

/// The server secret; cloned cheaply into the app state.
#[derive(Clone)]
pub struct Keys {
    secret: std::sync::Arc<Vec<u8>>,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            secret: std::sync::Arc::new(secret.to_vec()),
        }
    }

    /// Uses `security.secret`, or the key in `security.secret_file`, created on first start.
    pub fn load(settings: &SecuritySettings) -> anyhow::Result<Self> {
        if !settings.secret.0.is_empty() {
            return Ok(Self::new(settings.secret.0.as_bytes()));
        }
        let path = &settings.secret_file;
        match std::fs::read_to_string(path) {
            Ok(text) if text.trim().len() >= 32 => Ok(Self::new(text.trim().as_bytes())),
            Ok(_) => anyhow::bail!(
                "the key in {} is shorter than 32 characters: remove the file to have a new one made",
                path.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_secret_file(path),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// The private token of a registration's manage link (256 bits, URL-safe).
    pub fn manage_token(&self, id: RegistrationId) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length works");
        mac.update(b"meridian/manage/");
        mac.update(id.0.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The token of the one-time link that lets an invited co-organizer set their password:
    /// derived from the link's id, so the outbox keeps the id and never the token.
    pub fn account_link_token(&self, link: uuid::Uuid) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length works");
        mac.update(b"meridian/account-link/");
        mac.update(link.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The token of a registration's personal join link: the id and a MAC of it, so
    /// the link is checked without a lookup, and forwarding it does not hand over the
    /// manage link.
    pub fn join_token(&self, id: RegistrationId) -> String {
        let mut bytes = id.0.as_bytes().to_vec();
        bytes.extend_from_slice(&self.join_mac(id)[..JOIN_MAC_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The registration a join token names, if the token is genuine.
    pub fn check_join_token(&self, token: &str) -> Option<RegistrationId> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != 16 + JOIN_MAC_LEN {
            return None;
        }
        let id = RegistrationId(uuid::Uuid::from_slice(&bytes[..16]).ok()?);
        let expected = self.join_mac(id);
        let genuine = bytes[16..]
            .iter()
            .zip(&expected[..JOIN_MAC_LEN])
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0;
        genuine.then_some(id)
    }

    /// The CSRF token of the forms shown to a browser session: a MAC of the session's
    /// cookie, so that a token works only with the cookie it was made for.
    pub fn csrf_token(&self, session: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length works");
        mac.update(b"meridian/csrf/");
        mac.update(session.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `submitted` is the CSRF token of `session` (compared in constant time).
    pub fn check_csrf_token(&self, session: &str, submitted: &str) -> bool {
        let expected = self.csrf_token(session);
        expected.len() == submitted.len()
            && expected
                .bytes()
                .zip(submitted.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
    }

    fn join_mac(&self, id: RegistrationId) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length works");
        mac.update(b"meridian/join/");
        mac.update(id.0.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// Bytes of MAC in a join token (128 bits).
const JOIN_MAC_LEN: usize = 16;

fn create_secret_file(path: &Path) -> anyhow::Result<Keys> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let secret = random_token();
    write_private(path, &secret).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "created a new server secret");
    Ok(Keys::new(secret.as_bytes()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Creates a folder (and its missing parents) that only this user can enter (0700): the
/// data folder holds the database, the secret and emails with live manage links. An
/// existing folder is left as it is (it may be shared on purpose).
#[cfg(unix)]
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Makes an existing file readable and writable by this user only (0600).
#[cfg(unix)]
pub fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
pub fn make_private(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Creates a new file only this user can read (0600) and writes `bytes` to it (blocking:
/// call it from a blocking thread).
pub fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manage_tokens_are_stable_per_registration_and_secret() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let id = RegistrationId::new();
        assert_eq!(keys.manage_token(id), keys.manage_token(id));
        assert_ne!(
            keys.manage_token(id),
            keys.manage_token(RegistrationId::new())
        );
        let other = Keys::new(b"fedcba9876543210fedcba9876543210");
        assert_ne!(keys.manage_token(id), other.manage_token(id));
        assert_eq!(keys.manage_token(id).len(), 43);
    }

    #[test]
    fn join_tokens_name_their_registration_and_resist_forgery() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let id = RegistrationId::new();
        let token = keys.join_token(id);
        assert_eq!(keys.check_join_token(&token), Some(id));
        assert_ne!(token, keys.manage_token(id));
        let other = Keys::new(b"fedcba9876543210fedcba9876543210");
        assert_eq!(other.check_join_token(&token), None);
        let mut forged = token.clone().into_bytes();
        let last = forged.len() - 2;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            keys.check_join_token(&String::from_utf8(forged).unwrap()),
            None
        );
        assert_eq!(keys.check_join_token("not a token"), None);
        assert_eq!(keys.check_join_token(""), None);
    }

    #[test]
    fn csrf_tokens_belong_to_one_session_and_one_secret() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let session = random_token();
        let token = keys.csrf_token(&session);
        assert!(keys.check_csrf_token(&session, &token));
        assert_ne!(token, session);
        assert!(!keys.check_csrf_token(&random_token(), &token));
        assert!(!keys.check_csrf_token(&session, &session));
        assert!(!keys.check_csrf_token(&session, ""));
        let other = Keys::new(b"fedcba9876543210fedcba9876543210");
        assert!(!other.check_csrf_token(&session, &token));
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
