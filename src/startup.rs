//! Builds the app from settings: database (migrated), keys, router, and its own listener.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::context::Context;
use crate::db::Db;
use crate::email::{Mailer, worker};
use crate::routes;
use crate::routes::rate_limit::RateLimiter;
use crate::security::Keys;
use crate::serve;

/// What every handler can reach: the use cases' context, and the HTTP layer's own
/// per-address rate limiter.
#[derive(Clone)]
pub struct AppState {
    pub ctx: Context,
    /// Requests per client address on public writes (`routes::rate_limit`).
    pub limiter: Arc<RateLimiter>,
}

/// Handlers reach the context's fields (`state.db`, `state.settings`) directly, and pass
/// `&state` where a use case takes `&Context`.
impl std::ops::Deref for AppState {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.ctx
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
        let ctx = Context {
            db,
            keys,
            settings: Arc::new(settings),
            mailer,
            public: Arc::default(),
        };
        let state = AppState { ctx, limiter };
        Ok(App { listener, state })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// What the use cases run with; tests use it to deliver mail inline
    /// (`email::worker::drain`) or to call a use case at a chosen time.
    pub fn context(&self) -> Context {
        self.state.ctx.clone()
    }

    /// Links point here instead of `server.public_url` (tests learn their port only after binding).
    pub fn with_public_url(mut self, url: &str) -> Self {
        let mut settings = (*self.state.settings).clone();
        settings.server.public_url = url.trim_end_matches('/').to_string();
        self.state.ctx.settings = Arc::new(settings);
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
            .then(|| tokio::spawn(worker::run(self.state.ctx.clone(), stopped)));
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
