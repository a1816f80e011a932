//! The IMAP mailbox Meridian polls, against a real Dovecot started by the test as a
//! child process (its configuration, mail and sockets in a temporary folder).

use std::net::TcpListener;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;

use crate::helpers::{Backend, TestApp};
use crate::inbound::{Sample, app, registered, registration, seats_left, uid};
use crate::on_both_databases;

const DOVECOT: &str = "/usr/sbin/dovecot";
const USER: &str = "meridian";
const PASSWORD: &str = "s3cret-imap";

pub struct Dovecot {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The uid and gid mail is stored as: this user's, or as root (which Dovecot refuses for
/// mail) the `dovecot` system user's.
fn mail_owner() -> (u32, u32, String, String) {
    let (uid, gid) = own_ids();
    if uid != 0 {
        let name = std::env::var("USER").unwrap_or_else(|_| "nobody".into());
        return (uid, gid, name.clone(), name);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let line = passwd
        .lines()
        .find(|l| l.starts_with("dovecot:"))
        .expect("a dovecot system user (dovecot-core)");
    let fields: Vec<&str> = line.split(':').collect();
    (
        fields[2].parse().unwrap(),
        fields[3].parse().unwrap(),
        "dovenull".into(),
        "dovecot".into(),
    )
}

/// This process's user and group: the owner of a file it just made.
fn own_ids() -> (u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    let meta = probe.as_file().metadata().unwrap();
    (meta.uid(), meta.gid())
}

impl Dovecot {
    /// Dovecot on 127.0.0.1 and a free port, or `None` (announced) when it is not
    /// installed; with `MERIDIAN_REQUIRE_DOVECOT=1` (as in CI) a missing one fails.
    pub fn start() -> Option<Dovecot> {
        if !std::path::Path::new(DOVECOT).exists() {
            if std::env::var_os("MERIDIAN_REQUIRE_DOVECOT").is_some() {
                panic!("Dovecot is required (MERIDIAN_REQUIRE_DOVECOT) but {DOVECOT} is missing");
            }
            eprintln!("SKIPPED: no {DOVECOT} (apt-get install dovecot-imapd)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (uid, gid, login_user, internal_user) = mail_owner();
        let mail = base.join("mail");
        std::fs::create_dir_all(&mail).unwrap();
        std::os::unix::fs::chown(&mail, Some(uid), Some(gid)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(base, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(base.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        let b = base.display();
        let conf = format!(
            "base_dir = {b}/run\nstate_dir = {b}/state\nlog_path = {b}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\ndefault_login_user = {login_user}\n\
             default_internal_user = {internal_user}\ndefault_internal_group = {internal_user}\n\
             first_valid_uid = 1\nmail_location = maildir:{b}/mail/%u\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {b}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={b}/mail/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        std::fs::write(base.join("dovecot.conf"), conf).unwrap();
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(base.join("dovecot.conf"))
            .spawn()
            .expect("starting dovecot");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "dovecot did not listen: {}",
                std::fs::read_to_string(base.join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Dovecot {
            port,
            child,
            _dir: dir,
        })
    }

    pub fn url(&self) -> String {
        format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX", self.port)
    }

    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap().unwrap();
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .unwrap()
    }

    /// Places a message in INBOX with IMAP APPEND, as a mail server delivers it.
    pub async fn append(&self, raw: &str) {
        let mut session = self.session().await;
        session
            .append(
                "INBOX",
                None,
                None,
                raw.replace('\n', "\r\n").replace("\r\r\n", "\r\n"),
            )
            .await
            .unwrap();
        session.logout().await.unwrap();
    }

    /// How many messages `folder` holds.
    pub async fn count(&self, folder: &str) -> u32 {
        let mut session = self.session().await;
        let mailbox = session.select(folder).await.unwrap();
        let _ = session.logout().await;
        mailbox.exists
    }

    /// Whether `folder` exists (the app makes its folders before it first waits in IDLE).
    pub async fn has(&self, folder: &str) -> bool {
        let mut session = self.session().await;
        let found = session.select(folder).await.is_ok();
        let _ = session.logout().await;
        found
    }

    /// The subjects in `folder`.
    pub async fn subjects(&self, folder: &str) -> Vec<String> {
        let mut session = self.session().await;
        session.select(folder).await.unwrap();
        let fetched: Vec<_> = session
            .fetch("1:*", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let subjects = fetched
            .iter()
            .filter_map(|f| {
                f.header()
                    .map(|h| String::from_utf8_lossy(h).trim().to_string())
            })
            .collect();
        let _ = session.logout().await;
        subjects
    }
}

/// The app's context with the mailbox set, to run one poll on the test's task.
fn polling(app: &TestApp, dovecot: &Dovecot) -> meridian::context::Context {
    let mut settings = (*app.context().settings).clone();
    let (tls, host, port, user, password, folder) =
        meridian::config::ImapSettings::parse(&dovecot.url()).unwrap();
    settings.mail.inbound.imap = Some(meridian::config::ImapSettings {
        tls,
        host,
        port,
        user,
        password,
        folder,
        done_folder: "Meridian-Done".into(),
        failed_folder: "Meridian-Failed".into(),
        poll_interval_secs: 60,
    });
    let mut ctx = app.context().clone();
    ctx.settings = Arc::new(settings);
    ctx
}

async fn a_decline_in_the_mailbox_frees_the_seat_in_one_poll(backend: Backend) {
    let Some(dovecot) = Dovecot::start() else {
        return;
    };
    let app = app(backend).await;
    let w = app.model_webinar(Some(1), None).await;
    let (_, token, mail) = registered(&app, &w.id, &w.am, "ana.guest@example.net").await;
    let decline = Sample::new("outlook_declined.eml", &uid(&mail), "ana.guest@example.net").raw();
    dovecot.append(&decline).await;
    dovecot
        .append("From: a@b.org\nSubject: odd\nMessage-ID: <odd@b.org>\nContent-Type: text/plain; charset=x-klingon\n\nqapla'\n")
        .await;
    let ctx = polling(&app, &dovecot);
    let polled = meridian::services::mailbox::poll(&ctx).await.unwrap();
    assert_eq!(
        polled,
        meridian::services::mailbox::Polled {
            done: 1,
            failed: 1,
            left: 0
        }
    );
    assert_eq!(registration(&app, &token).await["status"], "declined");
    assert_eq!(seats_left(&app, &w.id, &w.am).await, 1);
    assert_eq!(dovecot.count("INBOX").await, 0);
    assert_eq!(
        dovecot.subjects("Meridian-Done").await,
        ["Subject: Declined: High-level webinar"]
    );
    assert_eq!(dovecot.subjects("Meridian-Failed").await, ["Subject: odd"]);
    // Nothing left: the next poll does nothing.
    let again = meridian::services::mailbox::poll(&ctx).await.unwrap();
    assert_eq!(again, meridian::services::mailbox::Polled::default());
}

/// The app watches the mailbox itself: a message delivered while it waits in IDLE is
/// taken at once, long before the next poll would be due.
async fn a_message_arriving_during_idle_is_taken_at_once(backend: Backend) {
    let Some(dovecot) = Dovecot::start() else {
        return;
    };
    let url = dovecot.url();
    let app = crate::helpers::spawn_app_with(
        backend,
        crate::helpers::inline_delivery(move |s| {
            let (tls, host, port, user, password, folder) =
                meridian::config::ImapSettings::parse(&url).unwrap();
            s.mail.inbound.imap = Some(meridian::config::ImapSettings {
                tls,
                host,
                port,
                user,
                password,
                folder,
                done_folder: "Meridian-Done".into(),
                failed_folder: "Meridian-Failed".into(),
                // Far longer than the test waits: only IDLE can bring the message in.
                poll_interval_secs: 3600,
            });
            s.mail.from = "IOM Webinars <webinars@iom.example.org>".parse().unwrap();
        }),
    )
    .await;
    let w = app.model_webinar(Some(1), None).await;
    let (_, token, mail) = registered(&app, &w.id, &w.am, "ana.guest@example.net").await;
    let decline = Sample::new("outlook_declined.eml", &uid(&mail), "ana.guest@example.net").raw();
    // The first look at the mailbox is over (its folders made): it waits in IDLE now.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dovecot.has("Meridian-Done").await {
        assert!(
            Instant::now() < deadline,
            "the app never looked at the mailbox"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    dovecot.append(&decline).await;
    while registration(&app, &token).await["status"] != "declined" {
        assert!(
            Instant::now() < deadline,
            "the message was not taken while in IDLE"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seats_left(&app, &w.id, &w.am).await, 1);
    while dovecot.count("INBOX").await != 0 {
        assert!(Instant::now() < deadline, "the message was not moved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dovecot.count("Meridian-Done").await, 1);
}

on_both_databases!(
    a_decline_in_the_mailbox_frees_the_seat_in_one_poll,
    a_message_arriving_during_idle_is_taken_at_once,
);
