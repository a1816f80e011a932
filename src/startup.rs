//! Builds the app from settings: database (migrated), keys, router, and its own listener.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::context::Context;
use crate::db::{self, Db};
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
    /// `/metrics`, when `metrics.bind` is set.
    metrics: Option<(TcpListener, PrometheusHandle)>,
    /// SQLite: held (shared) while serving, so `meridian restore` refuses to run.
    _lock: Option<std::fs::File>,
}

impl App {
    /// Connects and migrates the database and binds `server.bind` (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<App> {
        let lock = match db::sqlite_file(&settings.database)? {
            Some(file) => Some(db::lock_sqlite(&file, false)?.with_context(|| {
                format!(
                    "{} is being restored (meridian restore holds its lock)",
                    file.display()
                )
            })?),
            None => None,
        };
        let db = Db::connect(&settings.database).await?;
        let keys = Keys::load(&settings.security)?;
        let mailer = Mailer::new(&settings.mail)?;
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .with_context(|| format!("listening on {} (server.bind)", settings.server.bind))?;
        let metrics = match settings.metrics.bind {
            Some(bind) => {
                let listener = TcpListener::bind(bind)
                    .await
                    .with_context(|| format!("listening on {bind} (metrics.bind)"))?;
                Some((listener, routes::metrics::recorder()?))
            }
            None => None,
        };
        let limiter = Arc::new(RateLimiter::new(settings.security.rate_limit_per_minute));
        let ctx = Context {
            db,
            keys,
            settings: Arc::new(settings),
            mailer,
            public: Arc::default(),
            registrations: Arc::default(),
        };
        let state = AppState { ctx, limiter };
        Ok(App {
            listener,
            state,
            metrics,
            _lock: lock,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Where `/metrics` answers, when `metrics.bind` is set.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .map(|(l, _)| l.local_addr().expect("a bound listener has an address"))
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
            .then(|| tokio::spawn(worker::run(self.state.ctx.clone(), stopped.clone())));
        let mailbox = settings.mail.inbound.imap.is_some().then(|| {
            tokio::spawn(crate::services::mailbox::run(
                self.state.ctx.clone(),
                stopped.clone(),
            ))
        });
        let metrics = self.metrics.map(|(listener, handle)| {
            let router = routes::metrics::router(self.state.ctx.clone(), handle.clone());
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                let upkeep = async {
                    // Histograms keep their samples until upkeep folds them in.
                    loop {
                        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                        handle.run_upkeep();
                    }
                };
                let served = axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    })
                    .into_future();
                tokio::select! {
                    result = served => {
                        if let Err(e) = result {
                            tracing::error!(error = %e, "serving /metrics failed");
                        }
                    }
                    _ = upkeep => {}
                }
            })
        });
        let router = routes::router(self.state.clone());
        let limits = serve::Limits::from(&settings.server);
        let served = serve::serve(self.listener, router, limits, shutdown)
            .await
            .context("serving HTTP");
        let _ = stop.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Some(mailbox) = mailbox {
            let _ = mailbox.await;
        }
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        self.state.db.close().await;
        served
    }
}
