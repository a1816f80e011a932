//! Builds the app from settings: database (migrated), keys, router, and its own listener.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::db::Db;
use crate::domain::RegistrationId;
use crate::email::{Mailer, worker};
use crate::routes;
use crate::routes::rate_limit::RateLimiter;
use crate::security::Keys;
use crate::serve;
use crate::services::webinars::PublicCache;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: Keys,
    pub settings: Arc<Settings>,
    pub mailer: Arc<Mailer>,
    /// Public webinar listings, kept for a second (`services::webinars::published`).
    pub public: Arc<PublicCache>,
    /// Requests per client address on public writes (`routes::rate_limit`).
    pub limiter: Arc<RateLimiter>,
}

impl AppState {
    /// Starts delivery now for mail queued by a transaction that just committed.
    pub fn wake_mailer(&self) {
        self.mailer.wake.notify_one();
    }

    /// The private link where a registrant reads, switches or cancels the registration.
    pub fn manage_url(&self, id: RegistrationId) -> String {
        format!(
            "{}/r/{}",
            self.settings.server.public_url,
            self.keys.manage_token(id)
        )
    }

    /// The registrant's personal join link: records attendance, then opens the meeting.
    pub fn join_link(&self, id: RegistrationId) -> String {
        format!(
            "{}/j/{}",
            self.settings.server.public_url,
            self.keys.join_token(id)
        )
    }
}

pub struct App {
    listener: TcpListener,
    state: AppState,
}

impl App {
    /// Connects and migrates the database and binds `server.bind` (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<App> {
        let db = Db::connect(&settings.database).await?;
        let keys = Keys::load(&settings.security)?;
        let mailer = Mailer::new(&settings.mail)?;
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .with_context(|| format!("listening on {} (server.bind)", settings.server.bind))?;
        let limiter = Arc::new(RateLimiter::new(settings.security.rate_limit_per_minute));
        let state = AppState {
            db,
            keys,
            settings: Arc::new(settings),
            limiter,
            mailer,
            public: Arc::default(),
        };
        Ok(App { listener, state })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// What the handlers reach; tests use it to deliver mail inline (`email::worker::drain`).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Links point here instead of `server.public_url` (tests learn their port only after binding).
    pub fn with_public_url(mut self, url: &str) -> Self {
        let mut settings = (*self.state.settings).clone();
        settings.server.public_url = url.trim_end_matches('/').to_string();
        self.state.settings = Arc::new(settings);
        self
    }

    /// Serves (and delivers mail, when `mail.worker` is on) until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let settings = &self.state.settings;
        let worker = settings
            .mail
            .worker
            .then(|| tokio::spawn(worker::run(self.state.clone(), stopped)));
        let router = routes::router(self.state.clone());
        let limits = serve::Limits::from(&settings.server);
        let served = serve::serve(self.listener, router, limits, shutdown)
            .await
            .context("serving HTTP");
        let _ = stop.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        self.state.db.close().await;
        served
    }
}
